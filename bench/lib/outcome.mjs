// Judges a workload's runs: the error line of a failed run and the output column's verdict.

/**
 * The most telling line of a failed run's stderr: the first line naming an error, else the
 * first line. Nix ≥ 2.13 prints a bare "error:" then the trace, with the message on the
 * last "error: …" line; that message is taken then.
 */
export function errorLine(stderr) {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const bare = (l) => /^error:?$/i.test(l);
  const named = lines.filter((l) => /\berror\b/i.test(l));
  const withText = named.filter((l) => !bare(l));
  const line = (named.length && bare(named[0]) ? withText.at(-1) : withText[0]) ?? lines[0] ?? "(no stderr)";
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** What the output column says: every problem found, or "same" / "as expected" / "unchecked". */
export function verdict(workload, nix, tsnix) {
  const expected = workload.expect;
  const trimmed = (text) => text.replace(/\n$/, "");
  const problems = [];
  if (nix?.error) problems.push(`nix-instantiate error: ${nix.error}`);
  else if (nix && expected != null && trimmed(nix.stdout) !== expected)
    problems.push("nix output ≠ bench-expect (stale workload?)");
  if (tsnix.error) problems.push(`tsnix error: ${tsnix.error}`);
  else if (tsnix.outputs.size > 1) problems.push("tsnix output varies between runs");
  if (problems.length) return problems.join("; ");
  if (nix && workload.compare) return nix.stdout === tsnix.stdout ? "same" : "output differs";
  if (expected != null)
    return trimmed(tsnix.stdout) === expected ? "as expected" : "output differs from bench-expect";
  return "unchecked";
}
