# Deterministic derivations built by nix-build 2.8 and by LocalBuilder; their output paths, NAR hashes,
# sizes and references are recorded in nix-2.8.json (see golden.test.ts).
let
  system = "x86_64-linux";
  sh = name: script: extra: derivation ({ inherit name system; builder = "/bin/sh"; args = [ "-c" script ]; } // extra);
in
rec {
  hello = sh "hello" "echo hello > $out" { };
  tree = sh "tree" ''
    umask 022
    /usr/bin/mkdir -p $out/sub/deeper $out/emptydir
    echo a > $out/a
    printf 'bin' > $out/sub/run
    /usr/bin/chmod +x $out/sub/run
    /usr/bin/ln -s ../a $out/sub/link
    : > $out/sub/deeper/empty
  '' { };
  refs = sh "refs" "echo ${hello} > $out; echo $out >> $out" { };
  multi = sh "multi" ''
    echo $lib > $dev
    /usr/bin/mkdir $out $lib
    echo lib > $lib/x
    echo ${tree}/a > $out/t
  '' { outputs = [ "out" "dev" "lib" ]; };
  script = derivation {
    name = "script";
    inherit system;
    builder = "/bin/sh";
    args = [ (builtins.toFile "builder.sh" "echo from-script > $out\n") ];
  };
  fodFlat = sh "fod-flat" "echo fixed > $out" {
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = builtins.hashString "sha256" "fixed\n";
  };
  fodRec = sh "fod-rec" "/usr/bin/mkdir $out; echo x > $out/x" {
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = "sha256-Kb/pCu9YKNiGv2MsO32O/W9ohYyo3g7ZeWFChSp3GXU=";
  };
  usesFod = sh "uses-fod" "/usr/bin/cat ${fodFlat} ${fodRec}/x > $out" { };
  passFile = sh "pass-file" "/usr/bin/cat $bigPath > $out; echo \${bigPath##*/} >> $out" {
    passAsFile = [ "big" ];
    big = "content of big, with ${hello}";
  };
  structured = derivation {
    name = "structured";
    inherit system;
    builder = "/bin/bash";
    args = [ "-c" ". .attrs.sh; /usr/bin/cat .attrs.json > \${outputs[out]}; echo \"$s\" >> \${outputs[out]}" ];
    __structuredAttrs = true;
    x = { a = 1; b = [ "p" ]; };
    s = "dep: ${hello}";
  };
  link = sh "link" "/usr/bin/ln -s ${hello} $out" { };
  usesLink = sh "uses-link" "[ -L ${link} ] && /usr/bin/cat ${link} > $out" { };
  graph = sh "graph" "/usr/bin/cat refs > $out; echo === >> $out; /usr/bin/cat drv >> $out" {
    exportReferencesGraph = [ "refs" refs "drv" usesFod.drvPath ];
  };
  placeholders = sh "placeholders" "echo \"$x\" > $out; echo ${builtins.placeholder "dev"} > $dev" {
    outputs = [ "out" "dev" ];
    x = builtins.placeholder "out";
  };
}
