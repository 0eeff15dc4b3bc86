// fetchurl / fetchTarball / fetchTree through createNodeIO: file:// from a temp dir, http:// from
// a local server in a child process (the evaluating thread blocks while it downloads, so the
// server must not live on this thread). Golden store paths are Nix 2.8's for the same contents;
// when nix-instantiate is on PATH the paths are also compared with it live.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Evaluator } from "@tsnix/eval";
import { MemoryStore } from "@tsnix/store";
import { GOLDEN_PKG, writeTar } from "../../nix-compat/src/test-support/tar-writer.js";
import { extraCaFiles, fetchUrlSync } from "./fetch.js";
import { createNodeIO } from "./nodeIO.js";
import { createStoreIO } from "./store-io.js";
import { nixErrorOf } from "./test-support/errors.js";

const HELLO = "/nix/store/3ay25cl2lpykmx07i7m22qxz7zwzqmvy-hello.txt";
const HELLO_SHA256 = "113a52l57f2jv9fh9igj2xh2mi0is40flxbkqi69wbh7nlybkcbm";
const PKG = "/nix/store/qyzpkzgz93l2fsnkjdnd8gvmfcdhznsb-source";
const PKG_SHA256 = "11mah7yc9cnnxa2dr5fa84l67bj0ajq5hbcba73miwkgdyhkmy8b";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnix-fetch-"));
const tar = writeTar(GOLDEN_PKG);
fs.writeFileSync(path.join(dir, "hello.txt"), "hello fetchurl\n");
fs.writeFileSync(path.join(dir, "pkg.tar.gz"), gzipSync(tar));
fs.writeFileSync(path.join(dir, "pkg.tar"), tar);
const hasXz = spawnSync("xz", ["--version"]).status === 0;
if (hasXz) fs.writeFileSync(path.join(dir, "pkg.tar.xz"), spawnSync("xz", ["-c"], { input: tar }).stdout);
const hasNix = spawnSync("nix-instantiate", ["--version"]).status === 0;

/** A self-signed certificate for 127.0.0.1 (valid until 2126), for the https:// tests. */
const TLS_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), "test-support/tls");
const TEST_CA = path.join(TLS_DIR, "cert.pem");

const SERVER = `
const http = require("node:http"), https = require("node:https"), fs = require("node:fs"), path = require("node:path");
const [root, tlsDir] = process.argv.slice(1);
const handler = (req, res) => {
  const p = path.join(root, decodeURIComponent(req.url.split("?")[0]));
  if (fs.existsSync(p) && fs.statSync(p).isFile()) { res.writeHead(200); res.end(fs.readFileSync(p)); }
  else if (req.url === "/redirect") { res.writeHead(302, { location: "/hello.txt" }); res.end(); }
  else { res.writeHead(404); res.end("no"); }
};
const server = http.createServer(handler);
const tls = { key: fs.readFileSync(path.join(tlsDir, "key.pem")), cert: fs.readFileSync(path.join(tlsDir, "cert.pem")) };
const secure = https.createServer(tls, handler);
server.listen(0, "127.0.0.1", () =>
  secure.listen(0, "127.0.0.1", () => console.log(server.address().port + " " + secure.address().port)),
);
`;

let server: ChildProcess | null = null;
let base = "";
let secureBase = "";
/** A port nothing listens on. */
let closedPort = 0;

beforeAll(async () => {
  const probe = net.createServer();
  closedPort = await new Promise<number>((resolve) =>
    probe.listen(0, "127.0.0.1", () => resolve((probe.address() as net.AddressInfo).port)),
  );
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn(process.execPath, ["-e", SERVER, dir, TLS_DIR], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  server = child;
  const [port, securePort] = await new Promise<string[]>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim().split(" ")));
    child.once("error", reject);
  });
  base = `http://127.0.0.1:${port}`;
  secureBase = `https://127.0.0.1:${securePort}`;
});

afterAll(() => {
  server?.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

function evaluate(expr: string, store = new MemoryStore()): unknown {
  const ev = new Evaluator({ io: createStoreIO(store, createNodeIO()) });
  return ev.toJS(ev.evalString(expr));
}

const errorOf = nixErrorOf;

const fileUrl = (name: string) => `file://${dir}/${name}`;

describe("fetchers over node IO: file://", () => {
  test("fetchurl gives Nix 2.8's store path, with and without sha256, and stores the file", () => {
    const store = new MemoryStore();
    expect(evaluate(`builtins.fetchurl "${fileUrl("hello.txt")}"`, store)).toBe(HELLO);
    expect(new TextDecoder().decode(store.readFile(HELLO))).toBe("hello fetchurl\n");
    expect(
      evaluate(`builtins.fetchurl { url = "${fileUrl("hello.txt")}"; sha256 = "${HELLO_SHA256}"; }`),
    ).toBe(HELLO);
  });

  test("fetchTarball of .tar.gz, .tar and .tar.xz gives Nix 2.8's store path", () => {
    const store = new MemoryStore();
    expect(evaluate(`builtins.fetchTarball "${fileUrl("pkg.tar.gz")}"`, store)).toBe(PKG);
    expect(store.isValidPath(PKG)).toBe(true);
    expect(
      evaluate(`builtins.fetchTarball { url = "${fileUrl("pkg.tar")}"; sha256 = "${PKG_SHA256}"; }`),
    ).toBe(PKG);
    if (hasXz) expect(evaluate(`builtins.fetchTarball "${fileUrl("pkg.tar.xz")}"`)).toBe(PKG);
  });

  test("fetchTree of a path reports the newest mtime", () => {
    const sub = path.join(dir, "tree");
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, "f"), "f");
    fs.utimesSync(path.join(sub, "f"), 1_500_000_000, 1_500_000_000);
    fs.utimesSync(sub, 1_400_000_000, 1_400_000_000);
    const r = evaluate(`builtins.fetchTree { type = "path"; path = "${sub}"; }`) as Record<string, unknown>;
    expect(r.lastModified).toBe(1_500_000_000);
    expect(r.outPath).toMatch(/-source$/);
  });

  test.skipIf(!hasNix)("live: the same store paths as nix-instantiate", () => {
    const nix = (expr: string) =>
      JSON.parse(
        spawnSync("nix-instantiate", ["--eval", "--json", "-E", expr], { encoding: "utf8" }).stdout,
      ) as string;
    for (const expr of [
      `builtins.fetchurl "${fileUrl("hello.txt")}"`,
      `builtins.fetchTarball "${fileUrl("pkg.tar.gz")}"`,
      `builtins.fetchTarball { url = "${fileUrl("pkg.tar.gz")}"; name = "pkg"; sha256 = "${PKG_SHA256}"; }`,
    ])
      expect(evaluate(expr)).toBe(nix(expr));
  });
});

describe("fetchers over node IO: http://", () => {
  test("fetchurl and fetchTarball download synchronously (and follow redirects)", () => {
    expect(evaluate(`builtins.fetchurl "${base}/hello.txt"`)).toBe(HELLO);
    expect(evaluate(`builtins.fetchurl { url = "${base}/redirect"; name = "hello.txt"; }`)).toBe(HELLO);
    expect(evaluate(`builtins.fetchTarball "${base}/pkg.tar.gz"`)).toBe(PKG);
    expect((evaluate(`builtins.fetchTree "${base}/pkg.tar.gz"`) as Record<string, unknown>).outPath).toBe(
      PKG,
    );
  });

  test("HTTP and connection errors use curl's words, as Nix prints them", () => {
    expect(errorOf(`builtins.fetchurl "${base}/missing.txt"`)).toContain(
      `unable to download '${base}/missing.txt': HTTP error 404`,
    );
    expect(errorOf(`builtins.fetchurl "http://127.0.0.1:${closedPort}/x"`)).toContain(
      `unable to download 'http://127.0.0.1:${closedPort}/x': Couldn't connect to server (7)`,
    );
  });

  test("https trusts the extra CA files (TSNIX_EXTRA_CA_CERTS, NIX_SSL_CERT_FILE), read only then", () => {
    const url = `${secureBase}/hello.txt`;
    expect(() => fetchUrlSync(url, { extraCaFiles: [] })).toThrow(
      `unable to download '${url}': SSL peer certificate or SSH remote key was not OK (60)`,
    );
    const bytes = fetchUrlSync(url, { extraCaFiles: ["/nonexistent/ca.pem", TEST_CA] });
    expect(new TextDecoder().decode(bytes)).toBe("hello fetchurl\n");
    expect(extraCaFiles({ TSNIX_EXTRA_CA_CERTS: "/a.pem", NIX_SSL_CERT_FILE: "/b.pem" })).toEqual([
      "/a.pem",
      "/b.pem",
    ]);
    expect(extraCaFiles({ TSNIX_EXTRA_CA_CERTS: "", SSL_CERT_FILE: "/c.pem" })).toEqual([]);
  });

  test("offline mode refuses http(s) with a clear message", () => {
    expect(() => fetchUrlSync(`${base}/hello.txt`, { offline: true })).toThrow(
      `fetching '${base}/hello.txt' needs network access, which this evaluation does not have`,
    );
    expect(new TextDecoder().decode(fetchUrlSync(fileUrl("hello.txt"), { offline: true }))).toBe(
      "hello fetchurl\n",
    );
  });
});
