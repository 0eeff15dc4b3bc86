// A unified diff of two texts (as `diff -u`), by Myers' O(ND) algorithm on
// lines, after trimming the common prefix and suffix.

type Op = { kind: " " | "-" | "+"; line: string };

/** Splits into lines; a final line without "\n" is marked as `diff` does. */
function lines(text: string): string[] {
  if (text === "") return [];
  const parts = text.split("\n");
  if (parts[parts.length - 1] === "") parts.pop();
  else parts[parts.length - 1] += "\n\\ No newline at end of file";
  return parts;
}

/** Beyond this many differing lines the diff is shown as "all removed, all added". */
const MAX_EDIT_DISTANCE = 4000;

function myers(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  if (!found)
    return [
      ...a.map((line) => ({ kind: "-" as const, line })),
      ...b.map((line) => ({ kind: "+" as const, line })),
    ];
  // Walk back through the saved frontiers.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: " ", line: a[--x]! });
      y--;
    }
    if (x === prevX) ops.push({ kind: "+", line: b[--y]! });
    else ops.push({ kind: "-", line: a[--x]! });
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: " ", line: a[--x]! });
    y--;
  }
  return ops.reverse();
}

/** `diff -u` output (without the `---`/`+++` header) or "" when equal. */
export function unifiedDiffBody(expected: string, got: string, context = 3): string {
  if (expected === got) return "";
  const a = lines(expected);
  const b = lines(got);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf])
    suf++;
  const ops: Op[] = [
    ...a.slice(0, pre).map((line) => ({ kind: " " as const, line })),
    ...myers(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf)),
    ...a.slice(a.length - suf).map((line) => ({ kind: " " as const, line })),
  ];
  const out: string[] = [];
  let i = 0;
  let aLine = 0;
  let bLine = 0;
  // Positions in a/b at each op index.
  const posA: number[] = [];
  const posB: number[] = [];
  for (const op of ops) {
    posA.push(aLine);
    posB.push(bLine);
    if (op.kind !== "+") aLine++;
    if (op.kind !== "-") bLine++;
  }
  while (i < ops.length) {
    if (ops[i]!.kind === " ") {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are within 2*context lines of each other.
    while (end < ops.length) {
      if (ops[end]!.kind !== " ") {
        end++;
        continue;
      }
      let run = end;
      while (run < ops.length && ops[run]!.kind === " ") run++;
      if (run < ops.length && run - end <= 2 * context) end = run;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.kind !== "+").length;
    const bCount = hunk.filter((o) => o.kind !== "-").length;
    const aStart = aCount === 0 ? posA[start]! : posA[start]! + 1;
    const bStart = bCount === 0 ? posB[start]! : posB[start]! + 1;
    const range = (s: number, c: number) => (c === 1 ? `${s}` : `${s},${c}`);
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@`);
    for (const op of hunk) out.push(op.kind + op.line);
    i = end;
  }
  return out.join("\n") + "\n";
}

export function unifiedDiff(expected: string, got: string, expectedName: string, gotName: string): string {
  const body = unifiedDiffBody(expected, got);
  return body === "" ? "" : `--- ${expectedName}\n+++ ${gotName}\n${body}`;
}
