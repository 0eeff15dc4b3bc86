// A nixpkgs-shaped package set: 5,000 generated packages, each in its own
// pkgs/<name>/default.nix imported from all-packages.nix, closed by a fixed point, with callPackage auto-arguments (functionArgs +
// intersectAttrs over the whole set), makeOverridable, overrideAttrs and three
// overlays (patch every tenth package, add 200 packages, wrap mkDerivation).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomSource } from "../lib/random.mjs";

const PACKAGES = 5000;
const LICENSES = ["mit", "gpl3"];
const PLATFORMS = ["all", "linux"];

/** pkgs/pkgN/default.nix: a package function whose formals name its dependencies. */
function packageFile(i, random) {
  const depCount = i === 0 ? 0 : Math.min(i, random.int(5));
  const deps = new Set();
  while (deps.size < depCount) deps.add(`pkg${random.int(i)}`);
  const depList = [...deps].sort();
  const formals = ["mkDerivation", "lib", ...depList, "withDocs ? false"].join(",\n  ");
  return (
    `{\n  ${formals},\n}:\n\n` +
    `mkDerivation {\n` +
    `  pname = "pkg${i}";\n` +
    `  version = "${1 + random.int(9)}.${random.int(20)}";\n` +
    `  buildInputs = [ ${depList.join(" ")} ];\n` +
    `  meta = {\n` +
    `    license = lib.licenses.${LICENSES[random.int(2)]};\n` +
    `    platforms = lib.platforms.${PLATFORMS[random.int(2)]};\n` +
    `  };\n` +
    `  outputs = if withDocs then [ "out" "doc" ] else [ "out" ];\n` +
    `}\n`
  );
}

const DEFAULT_NIX = `let
  inherit (builtins) all attrNames concatStringsSep elem elemAt filter foldl' functionArgs genList hashString intersectAttrs isFunction length listToAttrs stringLength substring;

  fix = f: let x = f x; in x;
  extends = overlay: f: final: let prev = f final; in prev // overlay final prev;
  composeExtensions = f: g: final: prev: let fApplied = f final prev; prev' = prev // fApplied; in fApplied // g final prev';
  composeManyExtensions = foldl' composeExtensions (final: prev: { });

  makeOverridable = f: origArgs:
    let result = f origArgs;
    in result // {
      override = newArgs: makeOverridable f (origArgs // (if isFunction newArgs then newArgs origArgs else newArgs));
    };

  callPackageWith = autoArgs: fn: args:
    let f = if isFunction fn then fn else import fn;
    in makeOverridable f (intersectAttrs (functionArgs f) autoArgs // args);

  knownPlatforms = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
  licenses = { mit = { free = true; spdxId = "MIT"; }; gpl3 = { free = true; spdxId = "GPL-3.0"; }; unfree = { free = false; spdxId = "unfree"; }; };
  lib = { inherit fix extends makeOverridable licenses; platforms = { all = knownPlatforms; linux = [ "x86_64-linux" "aarch64-linux" ]; }; };

  # A stand-in for stdenv.mkDerivation: checks meta like check-meta.nix, and gives each
  # package an output path hashed from its name and every input's output path, so
  # forcing one package forces its whole dependency closure, as real derivations do.
  makeMkDerivation = { stageName, stdenvInputs }: { pname, version, buildInputs ? [ ], meta ? { }, ... }@args:
    let
      system = "x86_64-linux";
      inputs = stdenvInputs ++ buildInputs;
      name = "\${pname}-\${version}";
      metaOk = all (p: elem p knownPlatforms) (meta.platforms or [ ]) && (meta.license or licenses.mit).free;
      available = metaOk && elem system (meta.platforms or knownPlatforms) && !(meta.broken or false);
      hash = substring 0 32 (hashString "sha256" "\${stageName}:\${name}:\${concatStringsSep ":" (map (d: "\${d}") inputs)}");
      self = args // {
        inherit name system;
        depth = 1 + foldl' (m: d: if d.depth > m then d.depth else m) 0 buildInputs;
        outPath = assert available; "/nix/store/\${hash}-\${name}";
        overrideAttrs = f: makeMkDerivation { inherit stageName stdenvInputs; } (args // f args);
      };
    in self;

  allPackages = import ./all-packages.nix;

  names = genList (i: "pkg\${toString i}") ${PACKAGES};
  everyTenth = filter (n: substring (stringLength n - 1) 1 n == "0") names;

  patchOverlay = final: prev: listToAttrs (map (n: {
    name = n;
    value = prev.\${n}.overrideAttrs (old: { version = old.version + "-patched"; });
  }) everyTenth);

  extraOverlay = final: prev: listToAttrs (genList (i: {
    name = "extra\${toString i}";
    value = final.callPackage ({ mkDerivation, pkg4999 }: mkDerivation {
      pname = "extra\${toString i}";
      version = "0.1";
      buildInputs = [ pkg4999 final.\${elemAt names (i * 7)} ];
    }) { };
  }) 200);

  wrapOverlay = final: prev: {
    mkDerivation = args: prev.mkDerivation (args // { passthru = { wrapped = true; }; });
    pkg42 = prev.pkg42.override { withDocs = true; };
  };

  # Like stdenv's bootstrap: each stage is a whole package set whose mkDerivation is
  # built from a few packages of the stage before.
  makeStage = { stageName, previous, overlays }:
    let
      base = final: {
        inherit lib;
        callPackage = callPackageWith final;
        mkDerivation = makeMkDerivation {
          inherit stageName;
          stdenvInputs = if previous == null then [ ] else [ previous.pkg0 previous.pkg1 previous.pkg2 ];
        };
      } // allPackages final;
    in fix (extends (composeManyExtensions overlays) base) // { inherit previous; };

  stages = foldl' (previous: i: makeStage { stageName = "stage\${toString i}"; inherit previous; overlays = [ patchOverlay ]; }) null (genList (i: i) 4);
  pkgs = makeStage { stageName = "final"; previous = stages; overlays = [ patchOverlay extraOverlay wrapOverlay ]; };
  allStages = genList (i: foldl' (s: _: s.previous) pkgs (genList (j: j) i)) 5;

  packageNames = set: filter (n: set.\${n} ? depth) (attrNames set);
  finalNames = packageNames pkgs;
  outPathLength = set: foldl' (sum: n: sum + stringLength set.\${n}.outPath) 0 (packageNames set);
in
{
  packages = length finalNames;
  depthSum = foldl' (sum: n: sum + pkgs.\${n}.depth) 0 finalNames;
  outPathChars = foldl' (sum: set: sum + outPathLength set) 0 allStages;
  patched = length (filter (n: let v = pkgs.\${n}.version; in stringLength v > 8 && substring (stringLength v - 8) 8 v == "-patched") finalNames);
  wrapped = length (filter (n: pkgs.\${n} ? passthru) finalNames);
  last = pkgs.pkg4999.outPath;
  extra = pkgs.extra199.depth;
  docs = pkgs.pkg42.outputs;
}
`;

export default {
  description:
    "fixed-point package set: 5,000 packages x 5 bootstrap stages, callPackage auto-arguments, meta checks, override/overrideAttrs, overlays",
  args: ["--eval", "--strict", "{file}"],
  expect:
    '{ depthSum = 76922; docs = [ "out" "doc" ]; extra = 24; last = "/nix/store/ca4ab00f0e922c1fe20003f73337003e-pkg4999-5.12"; outPathChars = 1412785; packages = 5200; patched = 500; wrapped = 5200; }',
  prepare(outDir) {
    const dir = join(outDir, "package-set");
    mkdirSync(dir, { recursive: true });
    const random = randomSource(5000);
    let all = "self: with self; {\n";
    for (let i = 0; i < PACKAGES; i++) {
      const pkgDir = join(dir, "pkgs", `pkg${i}`);
      mkdirSync(pkgDir, { recursive: true });
      writeFileSync(join(pkgDir, "default.nix"), packageFile(i, random));
      all += `  pkg${i} = callPackage ./pkgs/pkg${i} { };\n`;
    }
    all += "}\n";
    writeFileSync(join(dir, "all-packages.nix"), all);
    const file = join(dir, "default.nix");
    writeFileSync(file, DEFAULT_NIX);
    return file;
  },
};
