# The acceptance case of IO-driven builds: `gen` writes a .nix file and depends on two independent
# derivations; importing it builds a and b (at the same time), then gen, then evaluation goes on.
# Each builder records when it ran (date +%s.%N) so the test can check the order.
{ sleep ? "2", sleepA ? sleep, sleepB ? sleep, tag ? "", failGen ? false }:
let
  system = builtins.currentSystem;
  stamped = name: sleep: derivation {
    inherit name system tag;
    builder = "/bin/sh";
    args = [ "-c" ''
      s=$(/usr/bin/date +%s.%N)
      echo "${name} started"
      /usr/bin/sleep ${sleep}
      e=$(/usr/bin/date +%s.%N)
      echo "{ start = \"$s\"; end = \"$e\"; }" > $out
    '' ];
  };
  a = stamped "stamp-a" sleepA;
  b = stamped "stamp-b" sleepB;
  gen = derivation {
    name = "gen";
    inherit system tag;
    builder = "/bin/sh";
    args = [ "-c" ''
      s=$(/usr/bin/date +%s.%N)
      echo "generating from ${a} and ${b}"
      ${if failGen then "echo 'gen: something went wrong' >&2; exit 3" else ""}
      echo "{ a = import ${a}; b = import ${b}; gen = \"$s\"; answer = 6 * 7; }" > $out
    '' ];
  };
  r = import gen;
in
{
  inherit (r) a b gen answer;
  final = derivation {
    name = "final";
    inherit system tag;
    builder = "/bin/sh";
    args = [ "-c" "echo '${r.a.start} ${r.a.end} ${r.b.start} ${r.b.end} ${r.gen} ${toString r.answer}' > $out" ];
  };
}
