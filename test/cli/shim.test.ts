// The launchers in packages/cli/bin: `tsnix` (what npx and npm's bin links run) and the
// nix-instantiate shim, with which scripts written for Nix's nix-instantiate run unchanged.
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN_DIR, buildCli, evalBuilt, parserBuilt } from "./helpers.js";

beforeAll(buildCli);

function script(body: string) {
  const cwd = mkdtempSync(join(tmpdir(), "tsnix-shim-"));
  const r = spawnSync("bash", ["-c", `set -euo pipefail\n${body}`], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}` },
    timeout: 60_000,
  });
  rmSync(cwd, { recursive: true, force: true });
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

describe("tsnix launcher", () => {
  it.runIf(evalBuilt())(
    "hands NODE_EXTRA_CA_CERTS on as TSNIX_EXTRA_CA_CERTS, also through a symlink",
    () => {
      const r = script(
        `link=$PWD/tsnix-link; ln -s ${BIN_DIR}/tsnix "$link"
       expr='builtins.getEnv "TSNIX_EXTRA_CA_CERTS" + "|" + builtins.getEnv "NODE_EXTRA_CA_CERTS"'
       NODE_EXTRA_CA_CERTS=/some/ca.pem tsnix instantiate --eval -E "$expr"
       NODE_EXTRA_CA_CERTS=/other/ca.pem "$link" instantiate --eval -E "$expr"
       NODE_EXTRA_CA_CERTS=/via/shim.pem nix-instantiate --eval -E "$expr"`,
      );
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe('"/some/ca.pem|"\n"/other/ca.pem|"\n"/via/shim.pem|"\n');
    },
  );
});
