# bench: curried calls and retained closures: 1,000,000 two-argument calls, lists of 200,000 partial applications kept alive and applied later
# bench-args: --eval --strict {file}
# bench-expect: { count = 400000; last = 600013; loop = 1000000000; sumAdders = 20000100000; sumScalers = 60001100000; }
let
  inherit (builtins) genList foldl' length elemAt;
  add = a: b: a + b;
  scale = k: x: k * x + 1;
  compose = f: g: x: f (g x);
  # Partial applications that stay alive (as option types, overlays, mkIf wrappers do).
  adders = genList (i: add i) 200000;
  scalers = genList (i: compose (scale 3) (add i)) 200000;
  sumAdders = foldl' (acc: f: acc + f 1) 0 adders;
  sumScalers = foldl' (acc: f: acc + f 2) 0 scalers;
  # Two-argument calls in a loop, with a single-argument helper in each step.
  step = acc: i: add (scale 2 i) (if acc > 1000000000 then acc - 1000000000 else acc);
  loop = foldl' step 0 (genList (i: i) 300000);
in
{
  inherit sumAdders sumScalers loop;
  count = length adders + length scalers;
  last = (elemAt scalers 199999) 5;
}
