import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unifiedDiff, unifiedDiffBody } from "./diff.js";

/** Applies a unified diff body to `text` (hunks in order, context checked). */
function applyPatch(text: string, body: string): string {
  const src = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const out: string[] = [];
  let at = 0;
  const lines = body.replace(/\n$/, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[i]!);
    if (!m) throw new Error(`bad hunk header ${lines[i]}`);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    const start = count === 0 ? Number(m[1]) : Number(m[1]) - 1;
    while (at < start) out.push(src[at++]!);
    while (i + 1 < lines.length && !lines[i + 1]!.startsWith("@@")) {
      const l = lines[++i]!;
      if (l[0] === "+") out.push(l.slice(1));
      else {
        if (src[at] !== l.slice(1)) throw new Error(`context mismatch at ${at}: ${src[at]} vs ${l}`);
        if (l[0] === " ") out.push(src[at]!);
        at++;
      }
    }
  }
  while (at < src.length) out.push(src[at++]!);
  return out.map((l) => l + "\n").join("");
}

const textArb = fc
  .array(fc.constantFrom("a", "b", "c", "d", "x = 1;", ""), { maxLength: 30 })
  .map((ls) => ls.map((l) => l + "\n").join(""));

describe("unified diff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", "x", "y")).toBe("");
  });

  it("turns the expected text into the actual one when applied", () => {
    fc.assert(
      fc.property(textArb, textArb, (a, b) => {
        const body = unifiedDiffBody(a, b);
        expect(body === "").toBe(a === b);
        if (body !== "") expect(applyPatch(a, body)).toBe(b);
      }),
      { numRuns: 300 },
    );
  });

  it("matches GNU diff -u on a typical golden-file change", () => {
    const expected = "error:\n       … while calling\n         at x:1:1\n\n       error: boom\n";
    const got = "error: boom\n";
    const body = unifiedDiffBody(expected, got);
    expect(body).toBe(
      "@@ -1,5 +1 @@\n-error:\n-       … while calling\n-         at x:1:1\n-\n-       error: boom\n+error: boom\n",
    );
    let gnu: string | null = null;
    try {
      const d = mkdtempSync(join(tmpdir(), "tsnix-diff-"));
      writeFileSync(join(d, "a"), expected);
      writeFileSync(join(d, "b"), got);
      execFileSync("diff", ["-u", join(d, "a"), join(d, "b")]);
    } catch (e) {
      const out = (e as { stdout?: Buffer }).stdout?.toString();
      if (out) gnu = out.split("\n").slice(2).join("\n");
    }
    if (gnu !== null) expect(body).toBe(gnu);
  });

  it("keeps hunks apart when changes are far from each other, with 3 lines of context", () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}\n`).join("");
    const b = a.replace("l2\n", "L2\n").replace("l17\n", "L17\n");
    const body = unifiedDiffBody(a, b);
    expect(body.match(/^@@/gm)).toHaveLength(2);
    expect(body).toContain("@@ -1,6 +1,6 @@");
    expect(body).toContain("@@ -15,6 +15,6 @@");
  });

  it("marks a missing final newline", () => {
    expect(unifiedDiffBody("a\n", "a")).toBe("@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n");
  });
});
