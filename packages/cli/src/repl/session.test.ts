import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Evaluator, createMemoryIO } from "@tsnix/eval";
import { createNodeIO } from "@tsnix/glue";
import { describe, expect, it } from "vitest";
import { memoryOutput } from "../output.js";
import { ReplSession } from "./session.js";

function session(ev = new Evaluator({ io: createMemoryIO({}) })) {
  const out = memoryOutput();
  const s = new ReplSession(
    ev,
    { cwd: "/", homeDir: "/", searchPath: [], autoArgs: new Map(), showTrace: false, colors: false },
    out,
  );
  const run = (input: string) => {
    out.out = "";
    out.err = "";
    const outcome = s.handleInput(input);
    return { outcome, out: out.out, err: out.err };
  };
  return { s, run };
}

describe("ReplSession", () => {
  it("binds lazily in the scope of earlier bindings; a new binding shadows an old one", () => {
    const { run } = session();
    expect(run("x = 1").outcome).toEqual({ kind: "done", replay: true });
    expect(run("y = x + 1").out).toBe("\n");
    expect(run("x = y * 10").out).toBe("\n"); // the old x
    expect(run("x").out).toBe("20\n\n");
    expect(run('bad = throw "lazy"').err).toBe(""); // not forced
    expect(run("x == 20").out).toBe("true\n\n"); // '==' is not a binding
  });

  it("asks for more input while the expression is unfinished", () => {
    const { run } = session();
    expect(run("let a = 1;\n").outcome).toEqual({ kind: "incomplete" });
    expect(run(":p [\n").outcome).toEqual({ kind: "incomplete" });
    expect(run("let a = 1;\nin a\n").out).toBe("1\n\n");
    expect(run("1 )").err).toMatch(/^error: syntax error, unexpected '\)'/);
  });

  it("completes names, attribute paths (also quoted) and paths", () => {
    const { s, run } = session();
    run('foo = { bar = 1; baz = 2; "a b" = 3; }');
    expect(s.complete("fo")).toEqual({ word: "fo", items: ["foo"] });
    expect(s.complete("1 + foo.ba")).toEqual({ word: "foo.ba", items: ["foo.bar", "foo.baz"] });
    expect(s.complete('foo."a')).toEqual({ word: 'foo."a', items: ['foo."a b"'] });
    expect(s.complete("builtins.toJS").items).toEqual(["builtins.toJSON"]);
    expect(s.complete("(builtins.map").items).toContain("builtins.mapAttrs");
    expect(s.complete("nothing.x").items).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), "tsnix-complete-"));
    writeFileSync(join(dir, "file.nix"), "1");
    expect(s.complete(`:l ${dir}/fi`).items).toEqual([`${dir}/file.nix`]);
  });

  it("loads files with :l, reloads them with :r (dropping bindings) and adds sets with :a", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnix-load-"));
    const file = join(dir, "f.nix");
    writeFileSync(file, "{ n ? 1 }: { v = n; }");
    const { run } = session(new Evaluator({ io: createNodeIO({ env: {} }) }));
    expect(run(`:l ${file}`).err).toBe("Added 1 variables.\nv\n");
    run("keep = 5");
    writeFileSync(file, "{ v = 2; w = 3; }");
    expect(run(":r").err).toBe(`Loading '${file}'...\nAdded 2 variables.\nv, w\n`);
    expect(run("v + w").out).toBe("5\n\n");
    expect(run("keep").err).toContain("undefined variable 'keep'");
    expect(run(":a { z = 1; }").outcome).toEqual({ kind: "done", replay: true });
    expect(run(":a 1").err).toContain("error: expected a set but found an integer: 1");
  });

  it("has :t, :p, :q, :te and reports unknown commands", () => {
    const { run } = session();
    expect(run(":t builtins.map").out).toBe("the built-in function 'map'\n\n");
    expect(run(':p { a.b = "s"; }').out).toBe('{\n  a = { b = "s"; };\n}\n\n');
    expect(run(':p "raw\\n"').out).toBe("raw\n\n\n");
    expect(run(":q").outcome).toEqual({ kind: "quit" });
    expect(run(":te").out).toBe("showing error traces\n\n");
    expect(run(":te maybe").err).toBe("error: unexpected argument 'maybe' to :te\n");
    expect(run(":zz").err).toBe("error: unknown command ':zz'\n");
  });
});
