/** MemoryStore specifics, the browser-safe entry point, and dry-run path computation. */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { describe, expect, it } from "vitest";
import { narDirectory, narRegular } from "@tsnix/nix-compat";
import { computeStorePathForAdd } from "./add.js";
import { MemoryStore } from "./memory.js";
import { treeAccessor } from "./tree.js";
import { FIXTURES } from "./test-fixtures.js";

/** Every module reachable from `entry` through relative imports. */
function importGraph(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = fs.readFileSync(entry, "utf8");
  for (const m of text.matchAll(/from\s+"(\.[^"]+)"/g))
    importGraph(nodePath.join(nodePath.dirname(entry), m[1]!.replace(/\.js$/, ".ts")), seen);
  return seen;
}

describe("MemoryStore", () => {
  it("is browser-safe: nothing reachable from browser.ts imports node: modules or SQLite", () => {
    const files = importGraph(nodePath.join(import.meta.dirname, "browser.ts"));
    expect([...files].map((f) => nodePath.basename(f))).toContain("memory.ts");
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      expect(text, f).not.toMatch(/from\s+"node:|from\s+"better-sqlite3"|require\(/);
    }
  });

  it("needs an accessor to add host paths, and uses one when given", () => {
    expect(() => new MemoryStore().addToStore({ path: "/x" }, { name: "x" })).toThrow(
      /no file system access/,
    );
    const acc = treeAccessor(narDirectory({ src: FIXTURES.tree! }));
    const store = new MemoryStore({ sourceAccessor: acc });
    const viaAccessor = store.addToStore({ path: "/src" }, { name: "tree" });
    expect(viaAccessor.path).toBe(
      new MemoryStore().addToStore({ tree: FIXTURES.tree! }, { name: "tree" }).path,
    );
  });

  it("stageContents + registerValidPaths is how a builder hands over an output", () => {
    const store = new MemoryStore();
    const out = "/nix/store/11111111111111111111111111111111-out";
    expect(store.isValidPath(out)).toBe(false);
    store.stageContents(out, narRegular("x"));
    expect(() => store.readFile(out)).toThrow(/is not valid/);
    const info = store.addToStore({ tree: narRegular("x") }, { name: "x" });
    store.registerValidPaths([{ path: out, narHash: info.narHash, narSize: info.narSize, references: [] }]);
    expect(new TextDecoder().decode(store.readFile(out))).toBe("x");
    expect(() => store.stageContents(out, narRegular("y"))).toThrow(/already valid/);
  });
});

describe("computeStorePathForAdd", () => {
  it("gives addToStore's answer without a store", () => {
    const dry = computeStorePathForAdd(
      { tree: FIXTURES.tree! },
      { name: "tree", hashAlgo: "sha1" },
      "/nix/store",
    );
    const store = new MemoryStore();
    const info = store.addToStore({ tree: FIXTURES.tree! }, { name: "tree", hashAlgo: "sha1" });
    expect(dry.path).toBe(info.path);
    expect(store.queryPathInfo(dry.path)?.narSize).toBe(dry.narSize);
    expect(dry.contentAddress.method).toBe("nar");
    expect(dry.contentAddress.hash.algo).toBe("sha1");
  });
});
