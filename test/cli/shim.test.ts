// The nix-instantiate shim: with packages/cli/bin first on PATH, scripts
// written for Nix's nix-instantiate run unchanged against tsnix.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN_DIR, buildCli, evalBuilt, parserBuilt } from "./helpers.js";

beforeAll(buildCli);

function script(body: string) {
  const r = spawnSync("bash", ["-c", `set -euo pipefail\n${body}`], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}` },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("nix-instantiate shim", () => {
  it("is executable and first on PATH", () => {
    accessSync(`${BIN_DIR}/nix-instantiate`, constants.X_OK);
    expect(script("command -v nix-instantiate").stdout.trim()).toBe(`${BIN_DIR}/nix-instantiate`);
  });

  it("passes arguments and exit codes through", () => {
    const r = script(
      `nix-instantiate --version
       if nix-instantiate --no-such-flag 2> err; then echo "should have failed"; exit 1; fi
       grep -q "unrecognised flag '--no-such-flag'" err && echo rejected`,
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^nix-instantiate \(tsnix\) .*\nrejected\n$/);
    expect(r.status).toBe(0);
  });

  it.runIf(parserBuilt())("runs a --parse script unchanged", () => {
    const r = script(
      `out=$(echo '{ a = 1; }' | nix-instantiate --parse -)
       [[ "$out" == *"a = 1"* ]] && echo parsed
       if echo '{ a = ; }' | nix-instantiate --parse - 2> err; then exit 1; fi
       grep -q '^error:' err && echo rejected`,
    );
    expect(r.stdout).toBe("parsed\nrejected\n");
    expect(r.status).toBe(0);
  });

  it.runIf(evalBuilt())("runs an --eval script unchanged", () => {
    const r = script(
      `[[ $(nix-instantiate --eval -E '1 + 2') == 3 ]] && echo sum
       [[ $(nix-instantiate --eval -E '{ x }: x' --arg x 7) == 7 ]] && echo args
       [[ $(SHIM_VAR=ok nix-instantiate --eval -E 'builtins.getEnv "SHIM_VAR"') == '"ok"' ]] && echo env`,
    );
    expect(r.stdout).toBe("sum\nargs\nenv\n");
  });
});
