// Summaries of a test-lang run: the per-kind table, the closing
// "N passed, N failed[, N skipped]" line and the --json document.
import { KINDS, type Kind } from "./cases.js";
import type { CaseResult, Status } from "./run-case.js";
import type { RatchetOutcome } from "./ratchet.js";

export type Counts = Record<Status, number>;

export function count(results: readonly CaseResult[]): Counts {
  const c: Counts = { pass: 0, fail: 0, skip: 0 };
  for (const r of results) c[r.status]++;
  return c;
}

export function countByKind(results: readonly CaseResult[]): Record<Kind, Counts> {
  const out = {} as Record<Kind, Counts>;
  for (const k of KINDS) out[k] = count(results.filter((r) => r.kind === k));
  return out;
}

export function totalsLine(c: Counts): string {
  return `${c.pass} passed, ${c.fail} failed` + (c.skip > 0 ? `, ${c.skip} skipped` : "");
}

export function kindTable(results: readonly CaseResult[]): string {
  const byKind = countByKind(results);
  const rows = KINDS.map(
    (k) =>
      `  ${k.padEnd(11)} ${String(byKind[k].pass).padStart(5)} passed ${String(byKind[k].fail).padStart(5)} failed ${String(byKind[k].skip).padStart(3)} skipped`,
  );
  return rows.join("\n") + "\n";
}

export function failureReport(r: CaseResult): string {
  return `FAIL: ${r.name}: ${r.reason ?? "failed"}\n` + (r.details ? r.details.replace(/\n?$/, "\n") : "");
}

export function ratchetReport(o: RatchetOutcome): string {
  let s = "";
  if (o.newFailures.length > 0)
    s += `New failures (not in the expected-failures list):\n${o.newFailures.map((n) => `  ${n}\n`).join("")}`;
  if (o.nowPassing.length > 0)
    s +=
      `Now passing (listed as expected failures; run with --update-expected-failures):\n` +
      o.nowPassing.map((n) => `  ${n}\n`).join("");
  return s;
}

export function jsonReport(
  results: readonly CaseResult[],
  ms: number,
  ratchet: RatchetOutcome | null,
): Record<string, unknown> {
  return {
    totals: count(results),
    byKind: countByKind(results),
    ms,
    cases: results,
    ...(ratchet ? { ratchet } : {}),
  };
}
