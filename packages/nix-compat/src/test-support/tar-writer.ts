// A minimal ustar writer for tests of tar reading (fetchTarball, parseTar). Not shipped.

export type TarEntry =
  | { name: string; type: "file"; contents: string | Uint8Array; mode?: number; mtime?: number }
  | { name: string; type: "dir"; mode?: number; mtime?: number }
  | { name: string; type: "symlink"; target: string; mtime?: number }
  | { name: string; type: "hardlink"; target: string; mtime?: number }
  /** A pax extended header for the next entry. */
  | { name: string; type: "pax"; records: Record<string, string> }
  /** A GNU long-name record for the next entry. */
  | { name: string; type: "gnu-longname"; longName: string };

const enc = new TextEncoder();

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(
  name: string,
  typeflag: string,
  size: number,
  mode: number,
  mtime: number,
  link = "",
): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, off: number, len: number) => h.set(enc.encode(s).subarray(0, len), off);
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtime, 12), 136, 12);
  put("        ", 148, 8);
  put(typeflag, 156, 1);
  put(link, 157, 100);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(octal(sum, 7) + " ", 148, 8);
  return h;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

function paxData(records: Record<string, string>): Uint8Array {
  let s = "";
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 1;
    while (String(len).length + enc.encode(body).length !== len)
      len = String(len).length + enc.encode(body).length;
    s += `${len}${body}`;
  }
  return enc.encode(s);
}

/** An uncompressed tar archive of `entries`, in order, ended by two zero blocks. */
export function writeTar(entries: readonly TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const mtime = "mtime" in e && e.mtime !== undefined ? e.mtime : 1_700_000_000;
    switch (e.type) {
      case "file": {
        const data = typeof e.contents === "string" ? enc.encode(e.contents) : e.contents;
        parts.push(header(e.name, "0", data.length, e.mode ?? 0o644, mtime), padded(data));
        break;
      }
      case "dir":
        parts.push(header(e.name, "5", 0, e.mode ?? 0o755, mtime));
        break;
      case "symlink":
        parts.push(header(e.name, "2", 0, 0o777, mtime, e.target));
        break;
      case "hardlink":
        parts.push(header(e.name, "1", 0, 0o644, mtime, e.target));
        break;
      case "pax": {
        const data = paxData(e.records);
        parts.push(header(e.name, "x", data.length, 0o644, 0), padded(data));
        break;
      }
      case "gnu-longname": {
        const data = enc.encode(e.longName + "\0");
        parts.push(header("././@LongLink", "L", data.length, 0o644, 0), padded(data));
        break;
      }
    }
  }
  parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The tree Nix 2.8 unpacked from /tmp/fg/pkg.tar.gz for the fetchTarball goldens (pkg/ at the top). */
export const GOLDEN_PKG: readonly TarEntry[] = [
  { name: "pkg/", type: "dir" },
  { name: "pkg/run.sh", type: "file", contents: "#!/bin/sh\necho hi\n", mode: 0o755 },
  { name: "pkg/link", type: "symlink", target: "a.txt" },
  { name: "pkg/sub/", type: "dir" },
  { name: "pkg/sub/b.txt", type: "file", contents: "deep\n" },
  { name: "pkg/a.txt", type: "file", contents: "top\n", mtime: 1_795_311_616 },
];
