# bench: instantiating 20,000 chained two-output derivations (each depends on the previous one's outputs); output: the drvPath of the last
# bench-args: --readonly-mode {file}
# bench-expect: /nix/store/9cp4nkw46d5yjh15m3fi754dpw542l8x-chain-19999.drv
let
  inherit (builtins) foldl' genList seq;
  step = prev: i:
    # Forcing prev.drvPath at each step keeps the recursion shallow, as a package set's
    # bottom-up evaluation does; the last drvPath still hashes the whole chain.
    seq (if prev == null then null else prev.drvPath) (derivation {
      name = "chain-${toString i}";
      system = "x86_64-linux";
      builder = "/bin/sh";
      args = [ "-c" "echo ${toString i} > $out" ];
      outputs = [ "out" "dev" ];
      index = i;
      dep = prev;
      depDev = if prev == null then "" else prev.dev;
      enableParallelBuilding = true;
      configureFlags = [ "--prefix=${placeholder "out"}" "--with-index=${toString i}" "--disable-static" ];
      buildCommand = ''
        mkdir -p $out $dev
        echo "step ${toString i} after ${if prev == null then "nothing" else prev.name}" > $out/log
        cp $out/log $dev/log
      '';
    });
in
foldl' step null (genList (i: i) 20000)
