// Formats benchmark results as a Markdown table and the RESULTS.md document.
import { median, pairRatios } from "./stats.mjs";

export function formatTime(ms) {
  if (ms == null) return "—";
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

export function formatRss(kib) {
  return kib == null ? "—" : `${(kib / 1024).toFixed(kib >= 100 * 1024 ? 0 : 1)} MiB`;
}

function formatRatio(ratio) {
  if (!ratio) return "—";
  const f = (x) => (x >= 10 ? x.toFixed(0) : x.toFixed(2));
  return `${f(ratio.median)}× (${f(ratio.min)}–${f(ratio.max)})`;
}

const escapeCell = (text) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const shorten = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The figures shown for one tool: medians over its measured runs. */
function toolFigures(tool) {
  if (!tool || tool.runs.length === 0) return { time: null, rss: null };
  return {
    time: median(tool.runs.map((r) => r.wallMs)),
    rss: tool.runs.some((r) => r.maxRssKiB == null) ? null : median(tool.runs.map((r) => r.maxRssKiB)),
  };
}

function toolCell(tool, value, format) {
  if (!tool) return "—";
  if (tool.error) return "error";
  return format(value);
}

export function resultsTable(results) {
  const header =
    "| workload | nix-instantiate time | nix peak RSS | tsnix time | tsnix peak RSS | time tsnix/nix | RSS tsnix/nix | output |\n" +
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n";
  const rows = results.map((r) => {
    const nix = toolFigures(r.nix);
    const ts = toolFigures(r.tsnix);
    const comparable = r.nix && !r.nix.error && r.tsnix && !r.tsnix.error;
    const times = (tool) => tool.runs.map((run) => run.wallMs);
    const rsses = (tool) => tool.runs.map((run) => run.maxRssKiB);
    const timeRatio = comparable ? pairRatios(times(r.tsnix), times(r.nix)) : null;
    const rssRatio = comparable ? pairRatios(rsses(r.tsnix), rsses(r.nix)) : null;
    return (
      `| ${r.name} | ${toolCell(r.nix, nix.time, formatTime)} | ${toolCell(r.nix, nix.rss, formatRss)} ` +
      `| ${toolCell(r.tsnix, ts.time, formatTime)} | ${toolCell(r.tsnix, ts.rss, formatRss)} ` +
      `| ${formatRatio(timeRatio)} | ${formatRatio(rssRatio)} | ${escapeCell(shorten(r.verdict, 100))} |`
    );
  });
  return header + rows.join("\n") + "\n";
}

function rawRuns(results) {
  const lines = [];
  for (const r of results) {
    for (const [label, tool] of [
      ["nix-instantiate", r.nix],
      ["tsnix", r.tsnix],
    ]) {
      if (!tool) continue;
      const figures = tool.runs
        .map((run) => `${formatTime(run.wallMs)}/${formatRss(run.maxRssKiB)}`)
        .join(", ");
      lines.push(`- ${r.name}, ${label}: ${tool.error ? `${escapeCell(tool.error)}` : figures || "no runs"}`);
    }
  }
  return lines.join("\n");
}

export function resultsDocument({ date, command, machine, loadAtEnd, measurer, runs, warmups, results }) {
  const workloads = results.map(
    (r) => `- **${r.name}** — ${r.description} — \`instantiate ${r.displayArgs.join(" ")}\``,
  );
  return `# Benchmark results

Written by \`bench/run.mjs\`; see bench/README.md for how the figures are computed.

- Date: ${date}
- Command: \`${command}\`
- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB memory, ${machine.os}
- Node ${machine.node}; ${machine.nix}; tsnix commit ${machine.commit}
- Load average at start: ${machine.loadAverage}; at end: ${loadAtEnd} (figures from a busy machine are noisy)
- Method: ${warmups} warm-up + ${runs} measured runs per tool, tsnix and nix-instantiate alternating;
  times are medians of wall-clock time, RSS is the median peak resident set (${measurer});
  ratios are the median of per-pair ratios, (min–max) in brackets.

${resultsTable(results)}
## Workloads

${workloads.join("\n")}

## Raw runs (wall time / peak RSS)

${rawRuns(results)}
`;
}
