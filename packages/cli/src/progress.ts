// A one-line status display for long work ("[12/900] eval-okay-foo"), redrawn
// in place on a terminal and silent when the stream is not a TTY (pipes, CI
// logs, tests). Lines logged through it are printed above the status line.

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface Progress {
  /** Replace the status line (throttled; no-op when not a TTY). */
  update(text: string): void;
  /** Print a whole line (to `logTo`, default the same stream), keeping the status line below it. */
  log(line: string): void;
  /** Erase the status line. */
  done(): void;
  readonly enabled: boolean;
}

const CLEAR_LINE = "\r\x1b[K";

export function createProgress(
  stream: ProgressStream = process.stderr,
  opts: { minIntervalMs?: number; enabled?: boolean; logTo?: ProgressStream } = {},
): Progress {
  const logTo = opts.logTo ?? stream;
  const enabled = opts.enabled ?? stream.isTTY === true;
  const minInterval = opts.minIntervalMs ?? 50;
  let current = "";
  let shown = false;
  let lastDraw = 0;

  const fit = (text: string) => {
    const width = Math.max(10, (stream.columns ?? 80) - 1);
    return text.length > width ? text.slice(0, width - 1) + "…" : text;
  };
  const draw = () => {
    stream.write(CLEAR_LINE + fit(current));
    shown = true;
    lastDraw = Date.now();
  };

  return {
    enabled,
    update(text) {
      current = text;
      if (enabled && Date.now() - lastDraw >= minInterval) draw();
    },
    log(line) {
      if (enabled && shown) stream.write(CLEAR_LINE);
      logTo.write(line.endsWith("\n") ? line : line + "\n");
      if (enabled && shown) draw();
    },
    done() {
      if (enabled && shown) stream.write(CLEAR_LINE);
      shown = false;
      current = "";
    },
  };
}
