// Start-up cost: evaluate the literal 1, so the figure is process start, argument
// parsing, evaluator set-up and printing — what every short `nix-instantiate` call pays.
export default {
  description: "start-up: `--eval -E 1` (process start, set-up and printing only)",
  args: ["--eval", "-E", "1"],
  expect: "1",
};
