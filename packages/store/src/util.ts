import { compareUtf8 } from "@tsnix/nix-compat";

/** Sorted (UTF-8 byte order, as Nix's std::set) unique copy. */
export function sortedUnique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compareUtf8);
}
