# bench: lookups in many mid-sized sets (10-30 names, like option records and package attrs): 60,000 records, 12 selections each
# bench-args: --eval --strict {file}
# bench-expect: { total = 15329969994; }
let
  inherit (builtins) genList foldl' listToAttrs;
  fields = genList (i: "field${toString i}") 24;
  mkRecord = i: listToAttrs (map (f: { name = f; value = i; }) fields) // {
    name = "rec${toString i}"; enable = i / 2 * 2 == i; port = 1000 + i; priority = i - i / 7 * 7;
  };
  records = genList mkRecord 60000;
  score = r: (if r.enable then r.port else 0) + r.priority + r.field0 + r.field7 + r.field13 + r.field23
    + (r.missing or 1) + (if r ? field19 then r.field19 else 0) + r.field3 + r.field11 + r.field17;
in
{
  total = foldl' (acc: r: acc + score r) 0 records;
}
