import { describe, expect, test } from "vitest";
import { Evaluator, createMemoryIO, type EvalIO } from "../index.js";

/** The memory IO, counting how often `import` asks what a path is. */
function countingIO(files: Record<string, string>): { io: EvalIO; typeQueries: () => number } {
  const io = createMemoryIO(files);
  let n = 0;
  return {
    io: {
      ...io,
      readFileType(p) {
        n++;
        return io.readFileType(p);
      },
    },
    typeQueries: () => n,
  };
}

describe("import", () => {
  test("resolves a path once (Nix's importResolutionCache), the directory's default.nix", () => {
    const { io, typeQueries } = countingIO({ "/p/pkg/default.nix": "{ x = 21; }" });
    const ev = new Evaluator({ io });
    const v = ev.evalString("let a = import /p/pkg; b = import /p/pkg; in a.x + b.x + (import /p/pkg).x", {
      baseDir: "/p",
    });
    expect(ev.print(v)).toBe("63");
    expect(typeQueries()).toBe(1);
  });

  test("forgetFiles: the next import resolves and reads the path again", () => {
    const { io, typeQueries } = countingIO({ "/p/pkg/default.nix": "{ x = 1; }" });
    const ev = new Evaluator({ io });
    ev.force(ev.evalFile("/p/pkg"));
    ev.forgetFiles();
    ev.force(ev.evalFile("/p/pkg"));
    expect(typeQueries()).toBe(2);
  });

  test("a path that does not exist is not remembered as resolved", () => {
    const { io, typeQueries } = countingIO({});
    const ev = new Evaluator({ io });
    for (let i = 0; i < 2; i++) expect(() => ev.force(ev.evalFile("/p/none"))).toThrow(/does not exist/);
    expect(typeQueries()).toBe(2);
  });
});
