// The expected-failures ratchet: a file listing cases known to fail (one name
// a line, `#` comments). New failures break the run; listed cases that now pass
// are reported so the list can shrink (--update-expected-failures).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { CaseResult } from "./run-case.js";

export function readExpectedFailures(path: string): Set<string> {
  if (!existsSync(path)) return new Set();
  const names = readFileSync(path, "utf8")
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "");
  return new Set(names);
}

export interface RatchetOutcome {
  /** Failing cases not in the list: these fail the run. */
  readonly newFailures: string[];
  /** Listed cases that passed: the list can shrink. */
  readonly nowPassing: string[];
  /** The list after an update (listed minus now passing; plus new failures if growth is allowed). */
  readonly updated: string[];
  /** Whether the run should fail. */
  readonly failed: boolean;
}

export function applyRatchet(
  results: readonly CaseResult[],
  expected: ReadonlySet<string>,
  allowGrowth: boolean,
): RatchetOutcome {
  const newFailures = results.filter((r) => r.status === "fail" && !expected.has(r.name)).map((r) => r.name);
  const nowPassing = results.filter((r) => r.status === "pass" && expected.has(r.name)).map((r) => r.name);
  const passing = new Set(nowPassing);
  const updated = [...expected].filter((n) => !passing.has(n));
  if (allowGrowth) updated.push(...newFailures);
  return {
    newFailures,
    nowPassing,
    updated: [...new Set(updated)].sort(),
    failed: newFailures.length > 0 && !allowGrowth,
  };
}

export function writeExpectedFailures(path: string, names: readonly string[]): void {
  const header =
    "# Conformance cases (tsnix test-lang) known to fail. One name a line.\n" +
    "# Regenerate: npm run conformance -- --update-expected-failures [--allow-growth]\n";
  writeFileSync(path, header + names.map((n) => n + "\n").join(""));
}
