// The REPL's history file: $XDG_DATA_HOME/tsnix/repl-history, else
// ~/.local/share/tsnix/repl-history (Nix keeps its own in …/nix/repl-history).
// One entry a line, oldest first; multi-line inputs are stored line by line.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const HISTORY_SIZE = 1000;

export function historyPath(env: Record<string, string | undefined>): string | null {
  const dataHome = env.XDG_DATA_HOME || (env.HOME ? join(env.HOME, ".local", "share") : null);
  return dataHome === null ? null : join(dataHome, "tsnix", "repl-history");
}

/** Entries newest first (what node:readline's `history` option wants). */
export function loadHistory(path: string | null): string[] {
  if (path === null) return [];
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(-HISTORY_SIZE)
      .reverse();
  } catch {
    return [];
  }
}

/** Writes `newestFirst` (readline's history array); failures are not worth stopping the REPL for. */
export function saveHistory(path: string | null, newestFirst: readonly string[]): void {
  if (path === null) return;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, [...newestFirst].reverse().join("\n") + "\n");
  } catch {
    // read-only home and the like
  }
}
