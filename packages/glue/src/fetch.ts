// The fetcher hooks of EvalIO over Node: bytes of file:// and http(s):// URLs, decompression of
// tarballs, and mtimes (fetchTree's lastModified of "path" inputs).
//
// Evaluation is synchronous, and Node's fetch is not. An http(s) download runs in a short-lived
// helper worker thread with its own event loop; the calling thread (the CLI's evaluation worker,
// or any other) blocks in Atomics.wait until the helper has posted the bytes on a MessagePort.
// That needs no help from the host thread, so it works wherever the evaluator runs.
//
// Certificates: Node's bundled roots, plus the files named by TSNIX_EXTRA_CA_CERTS (where the
// `tsnix` launcher moves NODE_EXTRA_CA_CERTS, which Node would otherwise parse at every start-up)
// and NIX_SSL_CERT_FILE (Nix's own CA file setting). They are read only when something downloads.
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";
import { MessageChannel, Worker, receiveMessageOnPort } from "node:worker_threads";
import { IOError, type CompressionFormat, type EvalIO } from "@tsnix/eval";
import { nodeChildProcess } from "./lazy-builtins.js";

export interface FetchOptions {
  /** Give up on an http(s) download after this many seconds (default 300). */
  readonly timeoutSeconds?: number;
  /** Refuse http(s) (file:// still works), e.g. for hermetic tests. */
  readonly offline?: boolean;
  /** PEM files of certificates to trust besides Node's bundled roots (default: extraCaFiles()). */
  readonly extraCaFiles?: readonly string[];
}

/** The extra CA files named by the environment: TSNIX_EXTRA_CA_CERTS and NIX_SSL_CERT_FILE. */
export function extraCaFiles(env: Record<string, string | undefined> = process.env): string[] {
  return [env.TSNIX_EXTRA_CA_CERTS, env.NIX_SSL_CERT_FILE].filter(
    (f): f is string => f !== undefined && f !== "",
  );
}

type FetchReply = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

// CommonJS, run with `eval: true`. Curl's wording for the common failures, as Nix prints them.
const HELPER = `
const { workerData } = require("node:worker_threads");
const { url, port, signal, caFiles } = workerData;
const flag = new Int32Array(signal);
if (caFiles.length > 0) {
  // Node 20's fetch takes no CA option; it opens connections with tls.connect, which takes one.
  const tls = require("node:tls"), fs = require("node:fs");
  const ca = [...tls.rootCertificates];
  for (const file of caFiles) {
    try { ca.push(fs.readFileSync(file, "utf8")); } catch {}
  }
  const connect = tls.connect;
  tls.connect = function (options, ...rest) {
    const withCa = typeof options === "object" && options !== null && options.ca === undefined ? { ...options, ca } : options;
    return connect.call(this, withCa, ...rest);
  };
}
const curlish = (e) => {
  const c = e && e.cause;
  const code = c && c.code;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "Couldn't resolve host name (6)";
  if (code === "ECONNREFUSED") return "Couldn't connect to server (7)";
  if (code === "ECONNRESET") return "Failure when receiving data from the peer (56)";
  if (typeof code === "string" && /CERT|SIGNATURE|ALTNAME|ISSUER/.test(code))
    return "SSL peer certificate or SSH remote key was not OK (60)";
  return (c && c.message) || (e && e.message) || String(e);
};
(async () => {
  let reply;
  try {
    const res = await fetch(url, { redirect: "follow" });
    if (!res.ok) reply = { ok: false, message: "HTTP error " + res.status };
    else reply = { ok: true, bytes: new Uint8Array(await res.arrayBuffer()) };
  } catch (e) {
    reply = { ok: false, message: curlish(e) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  port.close();
})();
`;

/** Download an http(s) URL, blocking the calling thread. Throws IOError with Nix's wording. */
export function httpGetSync(url: string, opts: FetchOptions = {}): Uint8Array {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  const worker = new Worker(HELPER, {
    eval: true,
    workerData: { url, port: port2, signal, caFiles: opts.extraCaFiles ?? extraCaFiles() },
    transferList: [port2],
  });
  worker.unref();
  const deadline = Date.now() + (opts.timeoutSeconds ?? 300) * 1000;
  try {
    for (;;) {
      const m = receiveMessageOnPort(port1);
      if (m !== undefined) {
        const r = m.message as FetchReply;
        if (r.ok) return r.bytes;
        throw new IOError(`unable to download '${url}': ${r.message}`);
      }
      if (Date.now() > deadline) throw new IOError(`unable to download '${url}': Timeout was reached (28)`);
      Atomics.wait(flag, 0, 0, 200);
    }
  } finally {
    port1.close();
    void worker.terminate();
  }
}

function localPathOf(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return decodeURIComponent(url.replace(/^file:(\/\/[^/]*)?/i, ""));
  }
}

/** Bytes of a file:// or http(s):// URL. */
export function fetchUrlSync(url: string, opts: FetchOptions = {}): Uint8Array {
  if (/^file:/i.test(url)) {
    const path = localPathOf(url);
    try {
      if (!path.startsWith("/") || !fs.statSync(path).isFile()) throw new Error("not a file");
      return new Uint8Array(fs.readFileSync(path));
    } catch {
      throw new IOError(`unable to download '${url}': Couldn't read a file:// file (37)`);
    }
  }
  if (/^https?:/i.test(url)) {
    if (opts.offline === true)
      throw new IOError(`fetching '${url}' needs network access, which this evaluation does not have`);
    return httpGetSync(url, opts);
  }
  throw new IOError(`unable to download '${url}': Unsupported protocol (1)`);
}

const DECOMPRESSORS: Readonly<Record<Exclude<CompressionFormat, "gzip">, string>> = {
  xz: "xz",
  bzip2: "bzip2",
  zstd: "zstd",
};

/** Decompress with zlib (gzip) or the xz / bzip2 / zstd programs. */
export function decompressSync(bytes: Uint8Array, format: CompressionFormat): Uint8Array {
  if (format === "gzip") {
    try {
      return new Uint8Array(zlib.gunzipSync(bytes));
    } catch (e) {
      throw new IOError(`failed to decompress gzip data: ${(e as Error).message}`);
    }
  }
  const cmd = DECOMPRESSORS[format];
  const r = nodeChildProcess().spawnSync(cmd, ["-dc"], { input: bytes, maxBuffer: 2 ** 31 });
  if (r.error !== undefined) throw new IOError(`cannot decompress ${format} data: ${r.error.message}`);
  if (r.status !== 0)
    throw new IOError(`failed to decompress ${format} data: ${r.stderr.toString("utf8").trim()}`);
  return new Uint8Array(r.stdout);
}

/** The fetcher hooks of EvalIO (createNodeIO includes them). */
export function createFetchHooks(
  opts: FetchOptions = {},
): Required<Pick<EvalIO, "fetchUrl" | "decompress" | "mtime">> {
  return {
    fetchUrl: (url) => fetchUrlSync(url, opts),
    decompress: decompressSync,
    mtime: (path) => {
      try {
        return Math.floor(fs.lstatSync(path).mtimeMs / 1000);
      } catch (e) {
        throw new IOError(`getting status of '${path}': ${(e as Error).message}`);
      }
    },
  };
}
