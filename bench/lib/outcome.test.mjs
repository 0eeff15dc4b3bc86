import assert from "node:assert/strict";
import { test } from "node:test";
import { errorLine, verdict } from "./outcome.mjs";

const tool = (stdout, extra = {}) => ({ stdout, error: null, outputs: new Set([stdout]), ...extra });

test("errorLine prefers the line that names the error", () => {
  const node =
    "node:internal/modules/cjs/loader:1210\n  throw err;\n  ^\n\nError: Cannot find module '/x.js'\n";
  assert.equal(errorLine(node), "Error: Cannot find module '/x.js'");
  assert.equal(errorLine("warning: thing\nerror: undefined variable 'x'\n"), "error: undefined variable 'x'");
  assert.equal(errorLine("Segmentation fault\n"), "Segmentation fault");
  const trace =
    "error:\n       … while evaluating the attribute 'x'\n         at f.nix:1:3:\n\n       error: attribute 'y' missing\n";
  assert.equal(errorLine(trace), "error: attribute 'y' missing");
  assert.equal(errorLine(""), "(no stderr)");
});

test("verdict compares tsnix with nix byte for byte", () => {
  const workload = { expect: "1", compare: true };
  assert.equal(verdict(workload, tool("1\n"), tool("1\n")), "same");
  assert.equal(verdict(workload, tool("1\n"), tool("1")), "output differs");
});

test("verdict reports errors from both tools and a stale expectation", () => {
  const workload = { expect: "2", compare: true };
  const failed = { stdout: null, error: "error: boom", outputs: new Set() };
  assert.equal(
    verdict(workload, tool("1\n"), failed),
    "nix output ≠ bench-expect (stale workload?); tsnix error: error: boom",
  );
});

test("verdict without nix falls back to bench-expect", () => {
  assert.equal(verdict({ expect: "1", compare: true }, null, tool("1\n")), "as expected");
  assert.equal(
    verdict({ expect: "1", compare: true }, null, tool("2\n")),
    "output differs from bench-expect",
  );
  assert.equal(verdict({ expect: null, compare: true }, null, tool("2\n")), "unchecked");
});

test("verdict flags output that changes between runs", () => {
  const varying = tool("1\n", { outputs: new Set(["a", "b"]) });
  assert.equal(
    verdict({ expect: null, compare: true }, tool("1\n"), varying),
    "tsnix output varies between runs",
  );
});
