/**
 * Nix's `canonicalisePathMetaData`: every file of an output gets mtime 1 (atime kept), no write
 * bits and no setuid/setgid/sticky bits: 0444, or 0555 when the owner could execute it.
 * Ownership is left as it is (Nix chowns to the store owner when it runs as root; we build as the
 * user running tsnix, which owns the store).
 */
import { chmod, lstat, lutimes, readdir } from "node:fs/promises";
import { join } from "node:path";

export const CANONICAL_MTIME = 1;

export async function canonicalisePathMetaData(
  path: string,
  options: { recursive?: boolean } = {},
): Promise<void> {
  const st = await lstat(path);
  if (!st.isSymbolicLink()) {
    const perm = st.mode & 0o7777;
    if (perm !== 0o444 && perm !== 0o555) {
      await chmod(path, 0o444 | (st.mode & 0o100 ? 0o111 : 0));
    }
  }
  if (Math.floor(st.mtimeMs / 1000) !== CANONICAL_MTIME || st.mtimeMs % 1000 !== 0) {
    await lutimes(path, st.atime, CANONICAL_MTIME);
  }
  if (st.isDirectory() && options.recursive !== false) {
    for (const name of await readdir(path)) await canonicalisePathMetaData(join(path, name));
  }
}

/** Undo the read-only bits so a tree can be deleted (for temporary and stale paths). */
export async function makeWritable(path: string): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) return;
  await chmod(path, (st.mode & 0o777) | 0o200 | (st.isDirectory() ? 0o700 : 0));
  if (st.isDirectory()) for (const name of await readdir(path)) await makeWritable(join(path, name));
}
