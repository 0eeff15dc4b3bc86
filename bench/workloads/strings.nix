# bench: string building over 200,000 items: interpolation, toString, concatStringsSep, replaceStrings per item and over the joined text, substring, stringLength
# bench-args: --eval --strict {file}
# bench-expect: { accumulatedLength = 30000; digest = "03c5d1f5bada40715d8b9a8c1186230685456691f0fee42ea03bc1c9cb07c640"; items = 200000; nonEmpty = 200000; rewrittenLength = 17915244; sample = "declare -x path=\"@storeDir@/0_package_0\\/bin\\/tool_0:$path\" # \\/nix\\/sto\ndeclare -x path=\"@storeDir@/7919_package_1\\/bin"; scriptLength = 17715244; tail = "83792081_package_199999\\/bin\\/tool_66666:$path\" # \\/nix\\/sto"; }
let
  inherit (builtins) genList concatStringsSep replaceStrings stringLength substring foldl' length filter hashString;
  count = 200000;

  # Items shaped like store paths and shell lines, as builders and wrappers generate.
  item = i: "/nix/store/${toString (i * 7919)}-package-${toString i}/bin/tool-${toString (i / 3)}";
  items = genList item count;

  escaped = map (s: replaceStrings [ "/" "-" "." ] [ "\\/" "_" "\\." ] s) items;
  lines = map (s: "export PATH=\"${s}:$PATH\" # ${substring 0 10 s}") escaped;
  script = concatStringsSep "\n" lines;
  rewritten = replaceStrings [ "export " "\\/nix\\/store\\/" "PATH" ] [ "declare -x " "@storeDir@/" "path" ] script;

  # Quadratic-looking but common: accumulating a string with a fold.
  accumulated = foldl' (acc: s: acc + s) "" (genList (i: toString (i / 1000)) 20000);
in
{
  items = length items;
  scriptLength = stringLength script;
  rewrittenLength = stringLength rewritten;
  sample = substring 0 120 rewritten;
  tail = substring (stringLength rewritten - 60) 60 rewritten;
  accumulatedLength = stringLength accumulated;
  nonEmpty = length (filter (s: s != "") escaped);
  digest = hashString "sha256" rewritten;
}
