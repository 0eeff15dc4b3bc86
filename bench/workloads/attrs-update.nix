# bench: building attribute sets over 100,000 names, `//` chains, mapAttrs, lookups, removeAttrs
# bench-args: --eval --strict {file}
# bench-expect: { chained = 100000; hits = 50000; lastChunk = 250; mapped = 100000; removed = 99000; sample = [ 0 199998 24691 false ]; sum = 4999950000; updated = 100000; }
let
  inherit (builtins) genList listToAttrs attrNames attrValues foldl' mapAttrs hasAttr removeAttrs length;
  count = 100000;
  chunkSize = 250;
  name = i: "name-${toString i}";

  # One big set built at once, as listToAttrs does for package sets.
  whole = listToAttrs (genList (i: { name = name i; value = i; }) count);

  # The same names arriving in 400 chunks, merged by a `//` chain, as overlays and
  # `args // { ... }` patterns do.
  chunks = genList (c: listToAttrs (genList (j: let i = c * chunkSize + j; in { name = name i; value = i; }) chunkSize)) (count / chunkSize);
  chained = foldl' (acc: chunk: acc // chunk) { } chunks;

  # Overriding every value again from the right-hand side.
  updated = whole // mapAttrs (_: v: v * 2) chained;
  mapped = mapAttrs (n: v: v + 1) updated;
  sum = foldl' (acc: v: acc + v) 0 (attrValues whole);
  hits = length (builtins.filter (i: hasAttr (name (i * 2)) chained) (genList (i: i) (count / 2)));
  removed = removeAttrs mapped (genList (i: name (i * 100)) (count / 100));
in
{
  chained = length (attrNames chained);
  updated = length (attrNames updated);
  mapped = length (attrNames mapped);
  removed = length (attrNames removed);
  lastChunk = length (attrNames (builtins.elemAt chunks (length chunks - 1)));
  inherit sum hits;
  sample = [ whole.${name 0} updated.${name 99999} mapped.${name 12345} (hasAttr (name 100) removed) ];
}
