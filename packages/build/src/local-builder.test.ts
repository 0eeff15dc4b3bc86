import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashString } from "@tsnix/nix-compat";
import { DummyBuildService } from "./dummy.js";
import { BuildError } from "./errors.js";
import { LocalBuilder, type LocalBuilderOptions } from "./local-builder.js";
import { DirStore, makeDerivation, type DrvSpec } from "./testing.js";
import { makeWritable } from "./canonicalise.js";

const TOOLS = [
  "/bin/bash",
  "/usr/bin/env",
  "/usr/bin/cat",
  "/usr/bin/sleep",
  "/usr/bin/mkdir",
  "/usr/bin/chmod",
  "/usr/bin/ln",
];

let root: string;
let store: DirStore;
let builder: LocalBuilder;

function newBuilder(extra: Partial<LocalBuilderOptions> = {}): LocalBuilder {
  return new LocalBuilder({
    store,
    cores: 3,
    extraSandboxPaths: TOOLS,
    buildDir: join(root, "tmp"),
    ...extra,
  });
}

async function build(spec: DrvSpec, b: LocalBuilder = builder, signal?: AbortSignal) {
  const { drvPath, drv } = await makeDerivation(store, spec);
  const inputs = [...drv.inputSrcs].map((s) => `${store.storeDir}/${s}`);
  for (const [p, node] of drv.inputDrvs) {
    const input = store.readDerivation(`${store.storeDir}/${p}`);
    for (const o of node.outputs) {
      const out = input.outputs.get(o)!;
      if (out.kind === "inputAddressed") inputs.push(`${store.storeDir}/${out.path}`);
    }
  }
  const result = await b.build({ drvPath, drv, inputs }, { signal });
  return { drvPath, drv, result };
}

async function buildError(spec: DrvSpec, b: LocalBuilder = builder): Promise<BuildError> {
  try {
    await build(spec, b);
  } catch (e) {
    expect(e).toBeInstanceOf(BuildError);
    return e as BuildError;
  }
  throw new Error("build unexpectedly succeeded");
}

function envOf(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tsnix-build-test-"));
  store = new DirStore("/nix/store", join(root, "store"));
  builder = newBuilder();
});

afterAll(async () => {
  await makeWritable(root);
  rmSync(root, { recursive: true, force: true });
});

describe("build environment (sandboxed)", () => {
  it("sets Nix's variables, the derivation's attributes and passAsFile files", async () => {
    const { result, drv } = await build({
      name: "env2",
      args: ["-c", '/usr/bin/env > $out; /usr/bin/cat "$fooPath" > $dev'],
      env: { passAsFile: "foo", foo: "foo-content", bar: "baz" },
      outputs: ["out", "dev"],
    });
    const env = envOf(readFileSync(store.toRealPath(result.outputs["out"]!.path), "utf8"));
    const attrFile = ".attr-" + "1bp7cri8hplaz6hbz0v4f0nl44rl84q1sg25kgwqzipzd1mv89ic"; // as Nix 2.8 names it
    expect(env).toEqual({
      PATH: "/path-not-set",
      HOME: "/homeless-shelter",
      NIX_STORE: "/nix/store",
      NIX_BUILD_CORES: "3",
      builder: "/bin/sh",
      name: "env2",
      system: "x86_64-linux",
      outputs: "out dev",
      out: `/nix/store/${(drv.outputs.get("out") as { path: string }).path}`,
      dev: `/nix/store/${(drv.outputs.get("dev") as { path: string }).path}`,
      passAsFile: "foo",
      fooPath: `/build/${attrFile}`,
      bar: "baz",
      NIX_BUILD_TOP: "/build",
      TMPDIR: "/build",
      TEMPDIR: "/build",
      TMP: "/build",
      TEMP: "/build",
      PWD: "/build",
      NIX_LOG_FD: "2",
      TERM: "xterm-256color",
    });
    expect(readFileSync(store.toRealPath(result.outputs["dev"]!.path), "utf8")).toBe("foo-content");
  });

  it("writes .attrs.json and .attrs.sh for structured attributes", async () => {
    const json = JSON.stringify({
      builder: "/bin/bash",
      foo: { a: 1, b: ["x", true, null, 1.5] },
      l: ["a", "b"],
      n: 42,
      name: "sa",
      s: "str'ing",
      system: "x86_64-linux",
    });
    const { result, drv } = await build({
      name: "sa",
      builder: "/bin/bash",
      args: [
        "-c",
        ". ./.attrs.sh; /usr/bin/mkdir ${outputs[out]}; /usr/bin/env > ${outputs[out]}/env; /usr/bin/cat .attrs.json > ${outputs[out]}/json; /usr/bin/cat .attrs.sh > ${outputs[out]}/sh",
      ],
      env: { __json: json },
    });
    const outPath = `/nix/store/${(drv.outputs.get("out") as { path: string }).path}`;
    const real = store.toRealPath(result.outputs["out"]!.path);
    // What Nix 2.8 wrote for the same attributes (recorded with nix-build; only the output path differs).
    expect(readFileSync(join(real, "json"), "utf8")).toBe(
      `{"builder":"/bin/bash","foo":{"a":1,"b":["x",true,null,1.5]},"l":["a","b"],"n":42,"name":"sa","outputs":{"out":"${outPath}"},"s":"str'ing","system":"x86_64-linux"}`,
    );
    expect(readFileSync(join(real, "sh"), "utf8")).toBe(
      [
        "declare builder='/bin/bash'",
        "declare -a l=('a' 'b' )",
        "declare n=42",
        "declare name='sa'",
        `declare -A outputs=(['out']='${outPath}' )`,
        "declare s='str'\\''ing'",
        "declare system='x86_64-linux'",
        "",
      ].join("\n"),
    );
    const env = envOf(readFileSync(join(real, "env"), "utf8"));
    expect(env["NIX_ATTRS_JSON_FILE"]).toBe("/build/.attrs.json");
    expect(env["NIX_ATTRS_SH_FILE"]).toBe("/build/.attrs.sh");
    expect(env["name"]).toBeUndefined(); // structured attributes are not passed through the environment
  });

  it("rewrites output placeholders in env and args", async () => {
    const placeholder = "/" + "1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9";
    const { result } = await build({
      name: "ph",
      args: ["-c", `echo "$x" > $out; echo ${placeholder} >> $out`],
      env: { x: placeholder },
    });
    const p = result.outputs["out"]!.path;
    expect(readFileSync(store.toRealPath(p), "utf8")).toBe(`${p}\n${p}\n`);
  });

  it("shows only the input closure in the store, has no network and Nix's /etc", async () => {
    const dep = await build({ name: "dep", args: ["-c", "echo dep > $out"] });
    const depPath = dep.result.outputs["out"]!.path;
    const { result } = await build({
      name: "look",
      args: [
        "-c",
        'for f in /nix/store/*; do echo "$f"; done > $out; /usr/bin/cat /etc/passwd /etc/hosts >> $out; echo "host=$(/usr/bin/cat /proc/sys/kernel/hostname)" >> $out; /usr/bin/cat /proc/net/dev >> $out; echo "tmp:$(for f in /tmp/*; do echo $f; done)" >> $out',
      ],
      env: { dep: depPath },
      inputDrvs: { [dep.drvPath]: ["out"] },
    });
    const text = readFileSync(store.toRealPath(result.outputs["out"]!.path), "utf8");
    const storeEntries = text.split("\n").filter((l) => l.startsWith("/nix/store/"));
    expect(storeEntries).toEqual([depPath, result.outputs["out"]!.path].sort());
    expect(text).toContain("nixbld:x:1000:100:Nix build user:/build:/noshell");
    expect(text).toContain("127.0.0.1 localhost");
    expect(text).toContain("host=localhost");
    expect(text).not.toMatch(/^\s*eth0:/m); // only loopback in the network namespace
    expect(text).toContain("tmp:/tmp/*"); // a private, empty /tmp
    expect(result.outputs["out"]!.references).toEqual([depPath, result.outputs["out"]!.path].sort());
  });
});

describe("outputs", () => {
  it("are canonicalised, hashed and scanned for references (inputs and self)", async () => {
    const dep = await build({ name: "refdep", args: ["-c", "echo hi > $out"] });
    const depPath = dep.result.outputs["out"]!.path;
    const { result } = await build({
      name: "tree",
      args: [
        "-c",
        'umask 022; /usr/bin/mkdir -p $out/sub; echo "$dep" > $out/sub/a; echo "#!/bin/sh" > $out/run; /usr/bin/chmod 4755 $out/run; /usr/bin/ln -s $out/run $out/link; echo unrelated /nix/store/00000000000000000000000000000000-x > $out/b',
      ],
      env: { dep: depPath },
      inputDrvs: { [dep.drvPath]: ["out"] },
    });
    const out = result.outputs["out"]!;
    expect(out.references).toEqual([depPath, out.path].sort());
    const real = store.toRealPath(out.path);
    const modes: Record<string, string> = {};
    const walk = (p: string, rel: string) => {
      const st = lstatSync(p);
      expect(Math.floor(st.mtimeMs / 1000)).toBe(1);
      if (!st.isSymbolicLink()) modes[rel] = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n), `${rel}/${n}`);
    };
    walk(real, "");
    expect(modes).toEqual({ "": "555", "/sub": "555", "/sub/a": "444", "/run": "555", "/b": "444" });
    expect(store.queryPathInfo(out.path)).toMatchObject({
      narHash: out.narHash,
      narSize: out.narSize,
      deriver: result.drvPath,
    });
    expect(out.narHash).toMatch(/^sha256:[0-9a-z]{52}$/);
  });

  it("checks a fixed output against its declared hash", async () => {
    const good = hashString("sha256", "fixed\n");
    const { result } = await build({
      name: "fod",
      args: ["-c", "echo fixed > $out"],
      fixed: { method: "flat", hash: good },
    });
    expect(result.outputs["out"]!.ca).toMatch(/^fixed:sha256:[0-9a-z]{52}$/);

    const err = await buildError({
      name: "fod-bad",
      args: ["-c", "echo hi > $out"],
      fixed: { method: "flat", hash: hashString("sha256", "something else") },
    });
    expect(err.kind).toBe("hash-mismatch");
    expect(err.message).toMatch(
      /^hash mismatch in fixed-output derivation '\/nix\/store\/[0-9a-z]{32}-fod-bad\.drv':\n {2}specified: sha256-[A-Za-z0-9+/]{43}=\n {2}got: {7}sha256-mOpuTyFvL7S2n\/\+bOkSELDhobKaF8\/VdxIxdP7EQe\+Q=$/,
    );
    expect(store.isValidPath(`/nix/store/${err.drvPath}`)).toBe(false);
  });
});

describe("reference checks", () => {
  it("allowedReferences, disallowedReferences and allowedRequisites as Nix 2.8 applies them", async () => {
    const dep = await build({ name: "crdep", args: ["-c", "echo > $out"] });
    const depPath = dep.result.outputs["out"]!.path;
    const common = { env: { dep: depPath }, inputDrvs: { [dep.drvPath]: ["out"] } };
    const bad = await buildError({
      name: "crbad",
      args: ["-c", "echo $dep > $out; echo $out >> $out"],
      ...common,
      env: { dep: depPath, allowedReferences: "out" },
    });
    expect(bad.message).toMatch(
      new RegExp(
        `^output '/nix/store/[0-9a-z]{32}-crbad' is not allowed to refer to the following paths:\\n  ${depPath}$`,
      ),
    );
    const dis = await buildError({
      name: "crdis",
      args: ["-c", "echo $dep > $out"],
      ...common,
      env: { dep: depPath, disallowedReferences: depPath },
    });
    expect(dis.kind).toBe("illegal-reference");
    await build({
      name: "crok",
      args: ["-c", "echo $dep > $out"],
      ...common,
      env: { dep: depPath, allowedReferences: depPath },
    });
    await build({
      name: "crreq",
      args: ["-c", "echo $dep > $out"],
      ...common,
      env: { dep: depPath, allowedRequisites: depPath },
    });
  });
});

describe("fixed-output derivations", () => {
  it("keep the network (and get NIX_OUTPUT_CHECKED and impureEnvVars)", async () => {
    const b = newBuilder({ hostEnv: { http_proxy: "http://proxy.example:3128" } });
    const { result } = await build(
      {
        name: "fod-net",
        args: [
          "-c",
          'while read -r l; do case "$l" in eth*|en*) net=1;; esac; done < /proc/net/dev; [ "$net" = 1 ] && [ "$NIX_OUTPUT_CHECKED" = 1 ] && [ "$http_proxy" = http://proxy.example:3128 ] && echo fixed > $out',
        ],
        env: { impureEnvVars: "http_proxy" },
        fixed: { method: "flat", hash: hashString("sha256", "fixed\n") },
      },
      b,
    );
    expect(result.outputs["out"]!.ca).toMatch(/^fixed:sha256:/);
  });
});

describe("failures name the derivation, show the log and register nothing", () => {
  it("non-zero exit", async () => {
    const err = await buildError({ name: "fail", args: ["-c", "echo line1; echo line2 >&2; exit 3"] });
    expect(err.kind).toBe("exit");
    expect(err.message).toMatch(
      /^builder for '\/nix\/store\/[0-9a-z]{32}-fail\.drv' failed with exit code 3;\nlast 2 log lines:\n> line1\n> line2$/,
    );
    expect(readdirSync(store.realDir).filter((n) => n.endsWith("-fail"))).toEqual([]);
  });

  it("only the last log lines", async () => {
    const err = await buildError({
      name: "many",
      args: ["-c", "i=0; while [ $i -lt 30 ]; do echo l$i; i=$((i+1)); done; exit 1"],
    });
    expect(err.logTail).toEqual(Array.from({ length: 10 }, (_, i) => `l${i + 20}`));
  });

  it("killed by a signal", async () => {
    const err = await buildError({ name: "killed", args: ["-c", "kill -9 $$"] });
    expect(err.message).toMatch(
      /^builder for '\/nix\/store\/[0-9a-z]{32}-killed\.drv' failed due to signal 9 \(Killed\)$/,
    );
  });

  it("timeout", async () => {
    const b = newBuilder({ timeout: 1 });
    const t0 = Date.now();
    const err = await buildError({ name: "slow", args: ["-c", "echo start; while :; do :; done"] }, b);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err.kind).toBe("timeout");
    expect(err.message).toMatch(
      /^building of '\/nix\/store\/[0-9a-z]{32}-slow\.drv' timed out after 1 seconds;\nlast 1 log lines:\n> start$/,
    );
  });

  it("max-silent-time", async () => {
    const err = await buildError(
      { name: "silent", args: ["-c", "echo once; /usr/bin/sleep 30"] },
      newBuilder({ maxSilentTime: 1 }),
    );
    expect(err.message).toMatch(/^building of '.*-silent\.drv' timed out after 1 seconds of silence;/);
  });

  it("missing output", async () => {
    const err = await buildError({
      name: "noout",
      args: ["-c", "echo nothing; echo > $out"],
      outputs: ["out", "dev"],
    });
    expect(err.message).toMatch(
      /^builder for '\/nix\/store\/[0-9a-z]{32}-noout\.drv' failed to produce output path for output 'dev' at '\/nix\/store\/[0-9a-z]{32}-noout-dev'/,
    );
    expect(readdirSync(store.realDir).filter((n) => /-noout(-dev)?$/.test(n))).toEqual([]);
  });

  it("an input that is not valid", async () => {
    const { drvPath, drv } = await makeDerivation(store, { name: "needs", args: ["-c", "echo > $out"] });
    await expect(
      builder.build({ drvPath, drv, inputs: ["/nix/store/00000000000000000000000000000000-gone"] }),
    ).rejects.toThrow(
      `cannot build '${drvPath}': its input '/nix/store/00000000000000000000000000000000-gone' is not valid`,
    );
  });

  it("a derivation for another platform", async () => {
    const err = await buildError({ name: "darwin", system: "aarch64-darwin", args: ["-c", "echo > $out"] });
    expect(err.message).toMatch(
      /^a 'aarch64-darwin' is required to build '.*-darwin\.drv', but I am a 'x86_64-linux'$/,
    );
  });

  it("cancellation kills the builder", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = Date.now();
    await expect(
      build({ name: "cancel", args: ["-c", "/usr/bin/sleep 30; echo > $out"] }, builder, ac.signal),
    ).rejects.toMatchObject({
      kind: "cancelled",
    });
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe("without the sandbox", () => {
  it("refuses a store whose logical and physical directories differ", async () => {
    const err = await buildError(
      { name: "nosb", args: ["-c", "echo > $out"] },
      newBuilder({ sandbox: false }),
    );
    expect(err.kind).toBe("sandbox");
    expect(err.message).toContain("without a sandbox");
  });

  it("builds in a store whose logical directory is its physical one, with the host build directory", async () => {
    const dir = join(root, "plain-store");
    const plain = new DirStore(dir, dir);
    const b = new LocalBuilder({ store: plain, sandbox: false, cores: 1, buildDir: join(root, "tmp") });
    const { drvPath, drv } = await makeDerivation(plain, {
      name: "plain",
      args: ["-c", "/usr/bin/env > $out"],
    });
    const result = await b.build({ drvPath, drv, inputs: [] });
    const env = envOf(readFileSync(result.outputs["out"]!.path, "utf8"));
    expect(env["NIX_STORE"]).toBe(dir);
    expect(env["NIX_BUILD_TOP"]).toMatch(new RegExp(`^${join(root, "tmp")}/nix-build-plain\\.drv-`));
    expect(env["PWD"]).toBe(env["NIX_BUILD_TOP"]);
    expect(plain.isValidPath(result.outputs["out"]!.path)).toBe(true);
  });
});

describe("DummyBuildService", () => {
  it("refuses every build, naming the derivation", async () => {
    const { drvPath, drv } = await makeDerivation(store, { name: "dummy", args: [] });
    await expect(new DummyBuildService().build({ drvPath, drv, inputs: [] })).rejects.toThrow(
      `building '${drvPath}' is not supported by the dummy build service`,
    );
  });
});
