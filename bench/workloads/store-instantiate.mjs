// Instantiating into a store (`--store DIR`), as nix-instantiate without --readonly-mode does: 300
// derivations of a small package set, each depending on up to three earlier ones and on a source
// file copied to the store, written as .drv files. After the warm-up run every path is already
// valid, so a run is evaluation, hashing and one validity check per path: the everyday
// re-instantiation of an unchanged expression. The two tools share the store's root directory
// (each keeps its own database under nix/var), so each finds the other's files.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const NIX = `
let
  n = 300;
  mk = i: deps: derivation {
    name = "pkg-\${toString i}";
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" "echo \${toString i} > $out" ];
    src = ./src.txt;
    buildInputs = deps;
  };
  pkgs = builtins.genList (i:
    mk i (map (d: builtins.elemAt pkgs d) (builtins.filter (d: d >= 0) [ (i - 1) (i - 7) (i - 31) ]))
  ) n;
in
derivation {
  name = "top";
  system = "x86_64-linux";
  builder = "/bin/sh";
  args = [ "-c" "echo $pkgs > $out" ];
  inherit pkgs;
}
`;

export default {
  description:
    "instantiating 300 derivations of a small package set into a store (--store DIR, .drv files and a source written once, then found valid)",
  args: ["--store", "{file}-store", "{file}"],
  expect: "/nix/store/0hra1bcmvnxxzx6x1x7g6j5y1pw8qysd-top.drv",
  prepare(outDir) {
    const dir = join(outDir, "store-instantiate");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "src.txt"), "a source file, copied to the store once\n");
    const file = join(dir, "default.nix");
    writeFileSync(file, NIX);
    return file;
  },
};
