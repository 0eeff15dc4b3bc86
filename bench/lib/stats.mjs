// Small statistics over run figures.

export function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Per-pair ratios a[i]/b[i] summarised as median with min and max: runs i of the two
 * tools ran back to back, so each pair saw nearly the same machine load.
 */
export function pairRatios(a, b) {
  const ratios = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] != null && b[i] != null && b[i] > 0) ratios.push(a[i] / b[i]);
  }
  if (ratios.length === 0) return null;
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}
