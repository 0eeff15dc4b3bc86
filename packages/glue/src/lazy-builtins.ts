// Node built-ins that cost start-up time to load (node:child_process ~4 ms, node:crypto ~4 ms in a
// fresh thread) and that most evaluations never use: loaded on first use instead of on import.
import { createRequire } from "node:module";

// Any absolute path will do for built-ins (import.meta.url is not there when this is bundled to CommonJS).
const load = createRequire("/");

let childProcess: typeof import("node:child_process") | undefined;
let crypto: typeof import("node:crypto") | undefined;

export const nodeChildProcess = (): typeof import("node:child_process") =>
  (childProcess ??= load("node:child_process") as typeof import("node:child_process"));

export const nodeCrypto = (): typeof import("node:crypto") =>
  (crypto ??= load("node:crypto") as typeof import("node:crypto"));
