// Where the upstream test data lives: ../shared beside the repository, as CI lays it out
// (`../shared/conformance/{nix-lang,nix-store-data}`), or TSNIX_SHARED_DIR. Read in place, never copied.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SHARED_DIR = resolve(
  process.env.TSNIX_SHARED_DIR ?? fileURLToPath(new URL("../../shared", import.meta.url)),
);
/** The Nix language test suite (tests/functional/lang of NixOS/nix). */
export const LANG_SUITE = resolve(SHARED_DIR, "conformance/nix-lang");
/** Nix's test data for derivations, store paths, realisations. */
export const STORE_DATA = resolve(SHARED_DIR, "conformance/nix-store-data");
