// The NFA and the depth-first executor of libstdc++'s std::regex (POSIX mode),
// ported state for state: see posix-regex.ts for the compiler that builds the
// NFA and for why this executor is not ECMAScript's.

/** A pattern libstdc++ rejects; `space` is its error_space (the NFA state limit). */
export class RegexError extends Error {
  constructor(readonly space: boolean) {
    super(space ? "regex too big" : "invalid regex");
  }
}

const STATE_LIMIT = 100000;

// ---- NFA ---------------------------------------------------------------------

export const OP_MATCH = 0;
export const OP_ALT = 1;
export const OP_REPEAT = 2;
export const OP_SUB_BEGIN = 3;
export const OP_SUB_END = 4;
export const OP_LINE_BEGIN = 5;
export const OP_LINE_END = 6;
export const OP_DUMMY = 7;
export const OP_ACCEPT = 8;

export class Nfa {
  readonly op: number[] = [];
  readonly next: number[] = [];
  readonly alt: number[] = [];
  readonly arg: number[] = [];
  readonly tables: Uint8Array[] = [];
  private readonly charTables = new Map<number, number>();
  subCount = 0;
  readonly parenStack: number[] = [];
  start = 0;

  insert(op: number, next = -1, alt = -1, arg = 0): number {
    this.op.push(op);
    this.next.push(next);
    this.alt.push(alt);
    this.arg.push(arg);
    if (this.op.length > STATE_LIMIT) throw new RegexError(true);
    return this.op.length - 1;
  }
  hasAlt(i: number): boolean {
    const o = this.op[i];
    return o === OP_ALT || o === OP_REPEAT;
  }
  tableIndex(t: Uint8Array): number {
    this.tables.push(t);
    return this.tables.length - 1;
  }
  charTable(c: number): number {
    let i = this.charTables.get(c);
    if (i === undefined) {
      const t = new Uint8Array(256);
      t[c] = 1;
      i = this.tableIndex(t);
      this.charTables.set(c, i);
    }
    return i;
  }
  subBegin(): number {
    const id = this.subCount++;
    this.parenStack.push(id);
    return this.insert(OP_SUB_BEGIN, -1, -1, id);
  }
  subEnd(): number {
    return this.insert(OP_SUB_END, -1, -1, this.parenStack.pop()!);
  }
  eliminateDummies(): void {
    const { op, next, alt } = this;
    for (let i = 0; i < op.length; i++) {
      while (next[i]! >= 0 && op[next[i]!] === OP_DUMMY) next[i] = next[next[i]!]!;
      if (this.hasAlt(i)) while (alt[i]! >= 0 && op[alt[i]!] === OP_DUMMY) alt[i] = next[alt[i]!]!;
    }
  }
}

/** libstdc++'s _StateSeq: a fragment from `start` to `end` (whose `next` is still open). */
export class Seq {
  constructor(
    readonly nfa: Nfa,
    public start: number,
    public end: number = start,
  ) {}
  append(id: number): void {
    this.nfa.next[this.end] = id;
    this.end = id;
  }
  appendSeq(s: Seq): void {
    this.nfa.next[this.end] = s.start;
    this.end = s.end;
  }
  /** A copy of the states reachable from start up to end (libstdc++'s _M_clone, same order). */
  clone(): Seq {
    const nfa = this.nfa;
    const map = new Map<number, number>();
    const stack = [this.start];
    while (stack.length > 0) {
      const u = stack.pop()!;
      const id = nfa.insert(nfa.op[u]!, nfa.next[u]!, nfa.alt[u]!, nfa.arg[u]!);
      map.set(u, id);
      if (nfa.hasAlt(u) && nfa.alt[u]! !== -1 && !map.has(nfa.alt[u]!)) stack.push(nfa.alt[u]!);
      if (u === this.end) continue;
      if (nfa.next[u]! !== -1 && !map.has(nfa.next[u]!)) stack.push(nfa.next[u]!);
    }
    for (const v of map.values()) {
      const n = nfa.next[v]!;
      if (n !== -1 && map.has(n)) nfa.next[v] = map.get(n)!;
      if (nfa.hasAlt(v)) {
        const a = nfa.alt[v]!;
        if (a !== -1 && map.has(a)) nfa.alt[v] = map.get(a)!;
      }
    }
    return new Seq(nfa, map.get(this.start)!, map.get(this.end)!);
  }
}

// ---- executor (libstdc++ _Executor, depth-first, POSIX mode) -----------------------

export const F_NOT_NULL = 1;
export const F_CONTINUOUS = 2;
export const F_PREV_AVAIL = 4;

const K_VISIT = 0;
const K_POS = 1;
const K_CAP_FIRST = 2;
const K_CAP_END = 3;
const K_REP_RESTORE = 4;
const K_REP_DEC = 5;
const K_ALT_MID = 6;
const K_ALT_END = 7;
const K_REP_AFTER = 8;

/** A successful match: byte offsets [start, end) per group, -1 when a group did not take part. */
export type Groups = Int32Array;

export class Executor {
  private readonly first: Int32Array;
  private readonly second: Int32Array;
  private readonly matched: Uint8Array;
  private readonly repFirst: Int32Array;
  private readonly repCount: Int32Array;
  private readonly work: number[] = [];
  private cur = 0;
  private begin = 0;
  private flags = 0;
  private exact = false;
  private hasSol = false;
  private solPos = -1;
  private results: Groups | null = null;

  constructor(
    private readonly nfa: Nfa,
    private readonly s: Uint8Array,
  ) {
    const g = nfa.subCount;
    this.first = new Int32Array(g);
    this.second = new Int32Array(g);
    this.matched = new Uint8Array(g);
    this.repFirst = new Int32Array(nfa.op.length).fill(-1);
    this.repCount = new Int32Array(nfa.op.length);
  }

  /** std::regex_match over the whole subject. */
  matchAll(): Groups | null {
    this.begin = 0;
    this.flags = 0;
    this.exact = true;
    return this.main() ? this.results : null;
  }

  /** std::regex_search from `start` (the subject's end is fixed). */
  search(start: number, flags: number): Groups | null {
    this.begin = start;
    this.flags = flags;
    this.exact = false;
    if (this.main()) return this.results;
    if (flags & F_CONTINUOUS) return null;
    this.flags |= F_PREV_AVAIL;
    while (this.begin < this.s.length) {
      this.begin++;
      if (this.main()) return this.results;
    }
    return null;
  }

  private main(): boolean {
    this.hasSol = false;
    this.solPos = -1;
    this.matched.fill(0);
    this.cur = this.begin;
    this.dfs(this.nfa.start);
    return this.hasSol;
  }

  private push(k: number, a: number, b = 0, c = 0): void {
    this.work.push(k, a, b, c);
  }

  private dfs(start: number): void {
    const w = this.work;
    const { op, next, alt, arg, tables } = this.nfa;
    const s = this.s;
    const end = s.length;
    this.push(K_VISIT, start);
    while (w.length > 0) {
      const c = w.pop()!;
      const b = w.pop()!;
      const a = w.pop()!;
      const k = w.pop()!;
      switch (k) {
        case K_VISIT:
          switch (op[a]) {
            case OP_MATCH:
              if (this.cur < end && tables[arg[a]!]![s[this.cur]!]) {
                this.push(K_POS, this.cur);
                this.cur++;
                this.push(K_VISIT, next[a]!);
              }
              break;
            case OP_ALT:
              this.push(K_ALT_MID, a);
              this.push(K_VISIT, alt[a]!);
              break;
            case OP_REPEAT: {
              this.push(K_REP_AFTER, a);
              const rf = this.repFirst[a]!;
              const rc = this.repCount[a]!;
              if (rc === 0 || rf !== this.cur) {
                this.push(K_REP_RESTORE, a, rf, rc);
                this.repFirst[a] = this.cur;
                this.repCount[a] = 1;
                this.push(K_VISIT, alt[a]!);
              } else if (rc < 2) {
                this.repCount[a] = rc + 1;
                this.push(K_REP_DEC, a);
                this.push(K_VISIT, alt[a]!);
              }
              break;
            }
            case OP_SUB_BEGIN: {
              const g = arg[a]!;
              this.push(K_CAP_FIRST, g, this.first[g]!);
              this.first[g] = this.cur;
              this.push(K_VISIT, next[a]!);
              break;
            }
            case OP_SUB_END: {
              const g = arg[a]!;
              this.push(K_CAP_END, g, this.second[g]!, this.matched[g]!);
              this.second[g] = this.cur;
              this.matched[g] = 1;
              this.push(K_VISIT, next[a]!);
              break;
            }
            case OP_LINE_BEGIN:
              if (this.cur === this.begin && !(this.flags & F_PREV_AVAIL)) this.push(K_VISIT, next[a]!);
              break;
            case OP_LINE_END:
              if (this.cur === end) this.push(K_VISIT, next[a]!);
              break;
            case OP_ACCEPT:
              this.accept();
              break;
            case OP_DUMMY:
              this.push(K_VISIT, next[a]!);
              break;
          }
          break;
        case K_POS:
          this.cur = a;
          break;
        case K_CAP_FIRST:
          this.first[a] = b;
          break;
        case K_CAP_END:
          this.second[a] = b;
          this.matched[a] = c;
          break;
        case K_REP_RESTORE:
          this.repFirst[a] = b;
          this.repCount[a] = c;
          break;
        case K_REP_DEC:
          this.repCount[a]!--;
          break;
        case K_ALT_MID: {
          const saved = this.hasSol ? 1 : 0;
          this.hasSol = false;
          this.push(K_ALT_END, saved);
          this.push(K_VISIT, next[a]!);
          break;
        }
        case K_ALT_END:
          if (a === 1) this.hasSol = true;
          break;
        case K_REP_AFTER:
          if (!this.hasSol) this.push(K_VISIT, next[a]!);
          break;
      }
    }
  }

  private accept(): void {
    this.hasSol = this.exact ? this.cur === this.s.length : true;
    if (this.cur === this.begin && this.flags & F_NOT_NULL) this.hasSol = false;
    if (!this.hasSol) return;
    if (this.solPos === -1 || this.solPos < this.cur) {
      this.solPos = this.cur;
      const g = this.first.length;
      const r = new Int32Array(2 * g);
      for (let i = 0; i < g; i++) {
        r[2 * i] = this.matched[i] ? this.first[i]! : -1;
        r[2 * i + 1] = this.matched[i] ? this.second[i]! : -1;
      }
      this.results = r;
    }
  }
}
