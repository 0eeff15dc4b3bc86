# bench: naive doubly-recursive fib 30: function calls, integer arithmetic and comparisons
# bench-args: --eval --strict {file}
# bench-expect: 832040
let
  fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2);
in
fib 30
