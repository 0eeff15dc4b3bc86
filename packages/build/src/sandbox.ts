/**
 * The Linux build sandbox, made with bubblewrap: a fresh mount namespace whose root is a tmpfs
 * holding only the build directory (/build), the input closure at its logical store path, a
 * writable scratch store for the outputs, the host paths of `sandbox-paths`, a private /tmp,
 * minimal /dev and /proc and Nix's /etc/passwd, /etc/group and /etc/hosts. No network unless the
 * derivation is fixed-output. The builder runs as uid 1000 / gid 100 ("nixbld") with hostname
 * "localhost", as in Nix.
 */
import { createRequire } from "node:module";
import { existsSync, lstatSync, readlinkSync, statSync } from "node:fs";
import { promisify } from "node:util";

/** execFile with its output as strings; node:child_process loads on first use (start-up of evaluations that never build). */
function execFileP(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<{ stdout: string; stderr: string }> {
  const { execFile } = createRequire("/")("node:child_process") as typeof import("node:child_process");
  return promisify(execFile)(file, args, { ...options, encoding: "utf8" });
}

export const SANDBOX_BUILD_DIR = "/build";
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 100;

/** Nix's sandbox /etc files (derivation-builder / local-derivation-goal). */
export const SANDBOX_ETC_PASSWD =
  `root:x:0:0:Nix build user:${SANDBOX_BUILD_DIR}:/noshell\n` +
  `nixbld:x:${SANDBOX_UID}:${SANDBOX_GID}:Nix build user:${SANDBOX_BUILD_DIR}:/noshell\n` +
  `nobody:x:65534:65534:Nobody:/:/noshell\n`;
export const SANDBOX_ETC_GROUP = `root:x:0:\nnixbld:!:${SANDBOX_GID}:\nnogroup:x:65534:\n`;
export const SANDBOX_ETC_HOSTS = "127.0.0.1 localhost\n::1 localhost\n";

/** One `sandbox-paths` entry: "path", "target=source", either with a trailing "?" (optional). */
export interface SandboxPath {
  readonly target: string;
  readonly source: string;
  readonly optional: boolean;
}

export function parseSandboxPaths(entries: readonly string[]): SandboxPath[] {
  return entries.map((raw) => {
    let s = raw;
    const optional = s.endsWith("?");
    if (optional) s = s.slice(0, -1);
    const eq = s.indexOf("=");
    return eq < 0
      ? { target: s, source: s, optional }
      : { target: s.slice(0, eq), source: s.slice(eq + 1), optional };
  });
}

const libraryCache = new Map<string, Promise<string[]>>();

/**
 * The shared libraries (and ELF interpreter) a host executable needs, found with `ldd`, so that a
 * host program such as /bin/sh works inside the sandbox with only what it needs visible.
 * Static executables and non-ELF files need nothing.
 */
export function sharedLibraryDeps(executable: string): Promise<string[]> {
  let p = libraryCache.get(executable);
  if (!p) {
    p = execFileP("ldd", [executable], { env: { LC_ALL: "C" } })
      .then(({ stdout }) => {
        const deps = new Set<string>();
        for (const line of stdout.split("\n")) {
          const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
          if (m) deps.add(m[1]!);
        }
        return [...deps].sort();
      })
      .catch(() => []);
    libraryCache.set(executable, p);
  }
  return p;
}

/**
 * Default `sandbox-paths`: /bin/sh (so `/bin/sh` works as a builder, as Nix's default
 * `/bin/sh=<busybox>` does) plus the libraries it needs.
 */
export async function defaultSandboxPaths(): Promise<string[]> {
  const paths = ["/bin/sh"];
  for (const lib of await sharedLibraryDeps("/bin/sh")) paths.push(lib);
  return paths;
}

/**
 * Expand sandbox paths: regular executable files also bring their shared libraries. Missing
 * non-optional paths are an error, as in Nix.
 */
export async function resolveSandboxPaths(entries: readonly string[]): Promise<SandboxPath[]> {
  const out: SandboxPath[] = [];
  const seen = new Set<string>();
  for (const p of parseSandboxPaths(entries)) {
    if (!existsSync(p.source)) {
      if (p.optional) continue;
      throw new Error(
        `path '${p.source}' is configured as part of the 'sandbox-paths' setting but does not exist`,
      );
    }
    if (seen.has(p.target)) continue;
    seen.add(p.target);
    out.push(p);
    const st = statSync(p.source);
    if (st.isFile() && st.mode & 0o111) {
      for (const lib of await sharedLibraryDeps(p.source)) {
        if (seen.has(lib)) continue;
        seen.add(lib);
        out.push({ target: lib, source: lib, optional: false });
      }
    }
  }
  return out;
}

export interface SandboxLayout {
  readonly storeDir: string;
  /** Host directory bound read-write at the logical store dir; outputs appear here. */
  readonly scratchStoreDir: string;
  /** Host build directory, bound at /build. */
  readonly hostBuildDir: string;
  /** Host directory holding passwd/group/hosts to bind into /etc. */
  readonly hostEtcDir: string;
  /** logical input path → physical path, the whole input closure. */
  readonly inputs: ReadonlyMap<string, string>;
  readonly sandboxPaths: readonly SandboxPath[];
  /** Fixed-output derivations keep the network and get the host's DNS configuration. */
  readonly network: boolean;
}

/** The bubblewrap arguments that set up the sandbox; the builder and its args follow. */
export function bwrapArguments(layout: SandboxLayout): string[] {
  const a: string[] = [
    "--unshare-user",
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_GID),
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--hostname",
    "localhost",
    "--die-with-parent",
    "--new-session",
  ];
  if (!layout.network) a.push("--unshare-net");
  a.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  a.push("--bind", layout.scratchStoreDir, layout.storeDir);
  for (const [logical, physical] of layout.inputs) {
    // A store path that is itself a symlink stays one (a bind mount would follow it).
    if (lstatSync(physical).isSymbolicLink()) a.push("--symlink", readlinkSync(physical), logical);
    else a.push("--ro-bind", physical, logical);
  }
  for (const p of layout.sandboxPaths) a.push("--ro-bind", p.source, p.target);
  a.push("--bind", layout.hostBuildDir, SANDBOX_BUILD_DIR);
  a.push("--ro-bind", `${layout.hostEtcDir}/passwd`, "/etc/passwd");
  a.push("--ro-bind", `${layout.hostEtcDir}/group`, "/etc/group");
  if (layout.network) {
    for (const f of ["/etc/resolv.conf", "/etc/services", "/etc/hosts"]) {
      if (existsSync(f)) a.push("--ro-bind", f, f);
    }
  } else {
    a.push("--ro-bind", `${layout.hostEtcDir}/hosts`, "/etc/hosts");
  }
  a.push("--chdir", SANDBOX_BUILD_DIR);
  return a;
}

const probes = new Map<string, Promise<string | undefined>>();

/**
 * Whether bubblewrap can make our sandbox here. Resolves to undefined when it can, else to the
 * reason (bwrap's own message).
 */
export function probeBubblewrap(bwrap: string): Promise<string | undefined> {
  let p = probes.get(bwrap);
  if (!p) {
    p = execFileP(
      bwrap,
      [
        "--unshare-user",
        "--uid",
        String(SANDBOX_UID),
        "--gid",
        String(SANDBOX_GID),
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-uts",
        "--unshare-net",
        "--die-with-parent",
        "--ro-bind",
        "/",
        "/",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "true",
      ],
      { timeout: 10_000 },
    ).then(
      () => undefined,
      (e: NodeJS.ErrnoException & { stderr?: string }) => (e.stderr?.trim() || e.message).split("\n")[0],
    );
    probes.set(bwrap, p);
  }
  return p;
}
