# bench: callPackage-style auto-arguments: functionArgs + intersectAttrs of 2,000 functions against a 3,000-name set, 100 rounds
# bench-args: --eval --strict {file}
# bench-expect: { args = 7; total = 38904950; }
let
  inherit (builtins) genList listToAttrs functionArgs intersectAttrs foldl' attrNames length;
  pool = listToAttrs (genList (i: { name = "dep${toString i}"; value = i; }) 3000);
  # A few function shapes, as package files have: formals with defaults and `...`.
  shapes = [
    ({ dep1, dep2, dep3 ? 0, ... }: dep1 + dep2 + dep3)
    ({ dep10, dep20, dep30, dep40, enableX ? false }: dep10 + dep20 + dep30 + dep40)
    ({ dep5, dep7, dep11, dep13, dep17, dep19, withDocs ? true, ... }: dep5 + dep7 + dep11 + dep13 + dep17 + dep19)
    ({ dep100, dep200 ? 1, dep300 }: dep100 + dep200 + dep300)
  ];
  callPackage = fn: args: fn (intersectAttrs (functionArgs fn) pool // args);
  round = r: foldl' (acc: i: acc + callPackage (builtins.elemAt shapes (i - i / 4 * 4)) { }) r (genList (i: i) 2000);
  results = genList round 100;
in
{
  total = foldl' (a: b: a + b) 0 results;
  args = length (attrNames (functionArgs (builtins.elemAt shapes 2)));
}
