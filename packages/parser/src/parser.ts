// The chevrotain parser: Nix's parser.y as an LL grammar with embedded actions
// that build the AST of ast.ts directly (no CST). Binary operators are parsed
// flat and folded with the precedence table (precedence.ts), so precedence
// and associativity are data. Syntax errors name tokens and expected tokens as
// Nix's bison parser does (see expected lists at each `expect`).
import {
  EmbeddedActionsParser,
  LLkLookaheadStrategy,
  type IToken,
  type OptionalProductionType,
  type Rule,
  type TokenType,
} from "chevrotain";
import type { AttrDef, AttrName, AttrsExpr, Expr, Formal, Formals, LambdaExpr, Source, Span } from "./ast.js";
import { addAttrPath, addInheritFrom, addInherited, newAttrs, resetAttrIndexes } from "./attrs.js";
import { cursedOrWarning, diagnose, missingFeature, type ParseLints } from "./diagnostics.js";
import { ParseError } from "./errors.js";
import { Lexer, Token } from "./lexer.js";
import { resolveHomePath, resolvePathLiteral } from "./paths.js";
import {
  BINARY_OPERATORS,
  HAS_ATTR_PRECEDENCE,
  NEGATE_PRECEDENCE,
  NOT_PRECEDENCE,
  type NodeFactory,
} from "./precedence.js";
import { NodeSpan } from "./spans.js";
import { stripIndentation, type IndPart } from "./strings.js";
import {
  ALL_TOKEN_TYPES,
  BinaryOperator,
  K,
  kindOfTokenTypeIdx,
  nixTokenName,
  TOKEN_TYPES,
} from "./tokens.js";

const T = (k: K): TokenType => TOKEN_TYPES[k]!;
const IDX = TOKEN_TYPES.map((t) => t.tokenTypeIdx!);

/** Expected-token lists of bison's error states, per construct. */
const EXPECT_ATTR: readonly K[] = [K.Id, K.OrKw, K.DollarCurly, K.Quote];
const EXPECT_AFTER_ATTRPATH: readonly K[] = [K.Dot, K.Assign];
const EXPECT_AFTER_FORMAL: readonly K[] = [K.RBrace, K.Comma];
const EXPECT_AFTER_COMMA: readonly K[] = [K.Id, K.Ellipsis, K.RBrace];
const EXPECT_AFTER_FORMAL_SET: readonly K[] = [K.Colon, K.At];
const EXPECT_IND_STRING: readonly K[] = [K.IndStr, K.DollarCurly, K.IndStringClose];
const NONE: readonly K[] = [];

export interface ParseContext {
  readonly source: Source;
  readonly baseDir: string;
  readonly homeDir: string;
  /** Experimental feature `pipe-operators` (`|>`, `<|`); off by default, as in Nix. */
  readonly pipeOperators?: boolean;
  readonly lints?: ParseLints;
  /** Receives warnings (lints, "cursed or"), each the whole text Nix prints. */
  readonly warn?: ((text: string) => void) | null;
}

/** The `syntax error, unexpected X, expecting Y` error for token `t`. */
export function syntaxError(source: Source, t: IToken, expected: readonly K[]): ParseError {
  const tok = t as Token;
  const kind = tok.kind ?? kindOfTokenTypeIdx(t.tokenTypeIdx);
  if (kind === K.LexError) return tok.value as ParseError;
  let message = `syntax error, unexpected ${nixTokenName(kind)}`;
  if (expected.length > 0 && expected.length <= 4) {
    message +=
      ", expecting " +
      [...expected]
        .sort((a, b) => a - b)
        .map(nixTokenName)
        .join(" or ");
  }
  // For end of file Nix reports the end of the last thing the lexer read.
  const at = kind === K.Eof ? (tok.end ?? t.startOffset) : t.startOffset;
  return new ParseError(message, new NodeSpan(source, at, at));
}

function truncate(array: unknown[], length: number): void {
  while (array.length > length) array.pop();
}

/** Positions in NixParser#exprAlts. */
const EXPR_ALT = { idLambda: 0, setLambda: 1, assert: 2, with: 3, let: 4, if: 5, op: 6 } as const;

/** Position in NixParser#simpleAlts of the alternative each token kind starts; -1: none. */
const SIMPLE_ALT_BY_KIND = new Int8Array(TOKEN_TYPES.length).fill(-1);
for (const [kinds, alt] of [
  [[K.Id], 0],
  [[K.Int], 1],
  [[K.Float], 2],
  [[K.Quote], 3],
  [[K.IndStringOpen], 4],
  [[K.Path, K.HPath], 5],
  [[K.SPath], 6],
  [[K.Uri], 7],
  [[K.LParen], 8],
  [[K.Let], 9],
  [[K.Rec], 10],
  [[K.LBrace], 11],
  [[K.LBracket], 12],
] as const)
  for (const k of kinds) SIMPLE_ALT_BY_KIND[k] = alt;

const isPrefixOperator = (kind: K): boolean => kind === K.Bang || kind === K.Minus;

/**
 * chevrotain's LL(1) lookahead with each decision's function built on its first use: the hot
 * decisions go through this parser's own tables, and a short parse (every `-E`) reaches few of the
 * rest, so building them all up front was ~4 ms of every start.
 */
class LazyLookahead extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: {
    prodOccurrence: number;
    rule: Rule;
    maxLookahead: number;
    hasPredicates: boolean;
    dynamicTokensEnabled: boolean;
  }): ReturnType<InstanceType<typeof LLkLookaheadStrategy>["buildLookaheadForAlternation"]> {
    return onFirstCall(() => super.buildLookaheadForAlternation(options));
  }

  override buildLookaheadForOptional(options: {
    prodOccurrence: number;
    prodType: OptionalProductionType;
    rule: Rule;
    maxLookahead: number;
    dynamicTokensEnabled: boolean;
  }): () => boolean {
    return onFirstCall(() => super.buildLookaheadForOptional(options));
  }
}

function onFirstCall<F extends (...args: never[]) => unknown>(build: () => F): F {
  let real: F | undefined;
  return function (this: unknown, ...args: Parameters<F>) {
    return (real ??= build()).apply(this, args);
  } as F;
}

const RING = 8;
const RING_MASK = RING - 1;
const DUMMY = new Token(K.Eof, 0, 0, "", null);

export class NixParser extends EmbeddedActionsParser implements NodeFactory {
  private ctx!: ParseContext;

  /**
   * `validate`: run chevrotain's grammar validations (ambiguities, left recursion, ...). They cost
   * ~10 ms of every process's start-up and find nothing in a grammar that passed them once, so
   * only the tests run them (grammar.test.ts).
   */
  constructor({ validate = false }: { validate?: boolean } = {}) {
    super(ALL_TOKEN_TYPES as TokenType[], {
      recoveryEnabled: false,
      maxLookahead: 1,
      skipValidations: !validate,
      lookaheadStrategy: new LazyLookahead({ maxLookahead: 1 }),
    });
    this.performSelfAnalysis();
    this.startsSelect = this.firstOf("exprSelect");
    this.startsAttr = this.firstOf("attr");
    this.startsBind = this.firstOf("binds");
    this.isBinaryOperator = new Uint8Array(TOKEN_TYPES.length);
    for (const idx of BinaryOperator.categoryMatches!) this.isBinaryOperator[kindOfTokenTypeIdx(idx)] = 1;
    for (let k = 0; k < SIMPLE_ALT_BY_KIND.length; k++)
      if (SIMPLE_ALT_BY_KIND[k]! >= 0 !== (this.startsSelect[k] === 1))
        throw new Error(`SIMPLE_ALT_BY_KIND disagrees with the grammar about ${nixTokenName(k)}`);
  }

  // Hot loops and choices are LL(1) decisions made by table when parsing (chevrotain's MANY/OR/OPTION
  // machinery is a large share of parse time); while recording the grammar they are the DSL calls,
  // so the diagrams and chevrotain's analysis see the same grammar. The tables come from the grammar
  // itself (FIRST sets by computeContentAssist), not from hand-written lists.
  private readonly startsSelect: Uint8Array;
  private readonly startsAttr: Uint8Array;
  private readonly startsBind: Uint8Array;
  /** Kinds in the BinaryOperator token category. */
  private readonly isBinaryOperator: Uint8Array;

  /** Kinds of the tokens that can start `rule`. */
  private firstOf(rule: string): Uint8Array {
    const set = new Uint8Array(TOKEN_TYPES.length);
    for (const p of this.computeContentAssist(rule, []))
      set[kindOfTokenTypeIdx(p.nextTokenType.tokenTypeIdx!)] = 1;
    return set;
  }

  private kind1(): K {
    return (this.LA(1) as Token).kind;
  }

  span(start: number, end: number): Span {
    if (this.RECORDING_PHASE) return null as unknown as Span;
    return new NodeSpan(this.ctx.source, start, end);
  }

  /** Tokens are pulled from the lexer as the parser needs them (a ring buffer: nothing is kept). */
  private lexer: Lexer | null = null;
  private readonly ring: Token[] = new Array<Token>(RING);
  private lexed = -1;

  override LA(howMuch: number): IToken {
    const i = (this as unknown as { currIdx: number }).currIdx + howMuch;
    if (i <= this.lexed) return i < 0 ? DUMMY : this.ring[i & RING_MASK]!;
    const lexer = this.lexer;
    if (lexer === null) return DUMMY;
    while (this.lexed < i) this.ring[++this.lexed & RING_MASK] = lexer.next();
    return i < 0 ? DUMMY : this.ring[i & RING_MASK]!;
  }

  override LA_FAST(howMuch: number): IToken {
    const i = (this as unknown as { currIdx: number }).currIdx + howMuch;
    if (i <= this.lexed && i >= 0) return this.ring[i & RING_MASK]!;
    return this.LA(howMuch);
  }

  isAtEndOfInput(): boolean {
    return true;
  }

  onBeforeParse(): void {}

  onAfterParse(): void {}

  parseSource(ctx: ParseContext): Expr {
    this.ctx = ctx;
    this.input = [];
    this.lexer = new Lexer(ctx.source);
    this.lexed = -1;
    this.resetState();
    let result: Expr | undefined;
    try {
      result = this.start();
    } catch (e) {
      if (e instanceof ParseError) throw e;
      const token = (e as { token?: IToken }).token;
      if (token !== undefined) throw syntaxError(ctx.source, token, NONE);
      throw e;
    } finally {
      resetAttrIndexes();
      this.cursedOr.clear();
      this.lexer = null;
      this.ring.fill(DUMMY);
    }
    if (this.errors.length > 0) throw syntaxError(ctx.source, this.errors[0]!.token, NONE);
    return result!;
  }

  /** Consume a `kind` token, or fail with bison's message for this state. */
  private expect(idx: number, kind: K, expected: readonly K[]): Token {
    if (!this.RECORDING_PHASE) {
      const t = this.LA(1);
      if (t.tokenTypeIdx !== IDX[kind]) throw syntaxError(this.ctx.source, t, expected);
    }
    return this.consume(idx + 5, T(kind)) as Token;
  }

  private failUnless(kinds: readonly K[], expected: readonly K[]): void {
    if (this.RECORDING_PHASE) return;
    const t = this.LA(1);
    for (const k of kinds) if (t.tokenTypeIdx === IDX[k]) return;
    throw syntaxError(this.ctx.source, t, expected);
  }

  private la(i: number): number {
    return this.LA(i).tokenTypeIdx;
  }

  /** `{` starts a formal parameter set: `{ }:`, `{ }@`, `{ ...`, `{ x,`, `{ x ?`, `{ x }`. */
  private formalsAhead(): boolean {
    if (this.la(1) !== IDX[K.LBrace]) return false;
    const second = this.la(2);
    if (second === IDX[K.Ellipsis]) return true;
    const third = this.la(3);
    if (second === IDX[K.RBrace]) return third === IDX[K.Colon] || third === IDX[K.At];
    return (
      second === IDX[K.Id] && (third === IDX[K.Comma] || third === IDX[K.Question] || third === IDX[K.RBrace])
    );
  }

  // Hot rules keep their working values on these instance stacks rather than
  // in closures, and their DSL callbacks and alternative lists are built once:
  // a closure or array literal in a rule body is allocated on every call.
  private readonly vals: Expr[] = [];
  private readonly opKinds: number[] = [];
  private readonly opStarts: number[] = [];
  private opBase = 0;
  /** The pipe direction used in the current operator row (-1: none yet). */
  private pipeDir = -1;
  private curPath: AttrName[] = [];
  private curAttrs: AttrsExpr = null as unknown as AttrsExpr;
  private curItems: Expr[] = [];
  private curStrParts: Expr[] = [];
  private curStrInterpolated = false;

  private resetState(): void {
    this.vals.length = 0;
    this.opKinds.length = 0;
    this.opStarts.length = 0;
    this.prefixFlags.length = 0;
    this.selectStarts.length = 0;
    this.opBase = 0;
    this.pipeDir = -1;
  }

  public start = this.RULE("start", (): Expr => {
    const e = this.SUBRULE(this.expr);
    this.expect(0, K.Eof, [K.Eof]);
    return e;
  });

  private readonly exprAlts = [
    {
      GATE: () => this.la(1) === IDX[K.Id] && (this.la(2) === IDX[K.Colon] || this.la(2) === IDX[K.At]),
      IGNORE_AMBIGUITIES: true,
      ALT: (): Expr => this.SUBRULE(this.idLambda),
    },
    {
      GATE: () => this.formalsAhead(),
      IGNORE_AMBIGUITIES: true,
      ALT: (): Expr => this.SUBRULE(this.setLambda),
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.Assert)) as Token;
        const cond = this.SUBRULE1(this.expr);
        this.expect(1, K.Semi, [K.Semi]);
        const body = this.SUBRULE2(this.expr);
        return this.RECORDING_PHASE
          ? body
          : { kind: "Assert", span: this.span(t.startOffset, body.span.endOffset), cond, body };
      },
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.With)) as Token;
        const env = this.SUBRULE3(this.expr);
        this.expect(2, K.Semi, [K.Semi]);
        const body = this.SUBRULE4(this.expr);
        return this.RECORDING_PHASE
          ? body
          : { kind: "With", span: this.span(t.startOffset, body.span.endOffset), env, body };
      },
    },
    {
      GATE: () => this.la(1) === IDX[K.Let] && this.la(2) !== IDX[K.LBrace],
      IGNORE_AMBIGUITIES: true,
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.Let)) as Token;
        const attrs = this.RECORDING_PHASE
          ? (null as unknown as AttrsExpr)
          : newAttrs(this.span(t.startOffset, t.end), true);
        this.SUBRULE(this.binds, { ARGS: [attrs] });
        this.expect(3, K.In, [K.In, K.Inherit]);
        const body = this.SUBRULE5(this.expr);
        if (this.RECORDING_PHASE) return body;
        if (attrs.dynamicAttrs.length > 0)
          throw new ParseError("dynamic attributes not allowed in let", attrs.span);
        return { kind: "Let", span: this.span(t.startOffset, body.span.endOffset), attrs, body };
      },
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.If)) as Token;
        const cond = this.SUBRULE6(this.expr);
        this.expect(4, K.Then, [K.Then]);
        const then = this.SUBRULE7(this.expr);
        this.expect(5, K.Else, [K.Else]);
        const els = this.SUBRULE8(this.expr);
        return this.RECORDING_PHASE
          ? els
          : { kind: "If", span: this.span(t.startOffset, els.span.endOffset), cond, then, else: els };
      },
    },
    { ALT: (): Expr => this.SUBRULE(this.exprOp) },
  ];

  /** expr_function */
  public expr: () => Expr = this.RULE("expr", (): Expr => {
    if (this.RECORDING_PHASE) return this.OR(this.exprAlts);
    // The choice chevrotain's gated OR makes, without its per-call gate list (a measured hot spot).
    // A token no alternative starts with goes through OR for chevrotain's error.
    const alt = this.exprAlt();
    return alt < 0 ? this.OR(this.exprAlts) : this.exprAlts[alt]!.ALT();
  });

  /** Index in exprAlts of the alternative the next tokens choose, or -1 for none. */
  private exprAlt(): number {
    const kind = (this.LA(1) as Token).kind;
    switch (kind) {
      case K.Id: {
        const next = (this.LA(2) as Token).kind;
        return next === K.Colon || next === K.At ? EXPR_ALT.idLambda : EXPR_ALT.op;
      }
      case K.LBrace:
        return this.formalsAhead() ? EXPR_ALT.setLambda : EXPR_ALT.op;
      case K.Assert:
        return EXPR_ALT.assert;
      case K.With:
        return EXPR_ALT.with;
      case K.Let:
        return (this.LA(2) as Token).kind !== K.LBrace ? EXPR_ALT.let : EXPR_ALT.op;
      case K.If:
        return EXPR_ALT.if;
      case K.Bang:
      case K.Minus:
        return EXPR_ALT.op;
      default:
        return SIMPLE_ALT_BY_KIND[kind]! >= 0 ? EXPR_ALT.op : -1;
    }
  }

  /** `x: body` and `x @ { … }: body` */
  private idLambda = this.RULE("idLambda", (): Expr => {
    const id = this.CONSUME(T(K.Id)) as Token;
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T(K.Colon));
          const body = this.SUBRULE(this.expr);
          return this.RECORDING_PHASE ? body : this.lambda(id.startOffset, id.image, null, body);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T(K.At));
          this.failUnless([K.LBrace], [K.LBrace]);
          const formals = this.SUBRULE(this.formalSet);
          this.expect(0, K.Colon, [K.Colon]);
          const body = this.SUBRULE1(this.expr);
          return this.RECORDING_PHASE ? body : this.lambda(id.startOffset, id.image, formals, body);
        },
      },
    ]);
  });

  /** `{ … }: body` and `{ … } @ x: body` */
  private setLambda = this.RULE("setLambda", (): Expr => {
    const start = this.LA(1).startOffset;
    const formals = this.SUBRULE(this.formalSet);
    this.failUnless([K.Colon, K.At], EXPECT_AFTER_FORMAL_SET);
    const arg = this.OPTION(() => {
      this.CONSUME(T(K.At));
      return this.expect(0, K.Id, [K.Id]).image;
    });
    this.expect(1, K.Colon, [K.Colon]);
    const body = this.SUBRULE(this.expr);
    return this.RECORDING_PHASE ? body : this.lambda(start, arg ?? null, formals, body);
  });

  private lambda(start: number, arg: string | null, formals: Formals | null, body: Expr): LambdaExpr {
    const span = this.span(start, body.span.endOffset);
    if (formals !== null) validateFormals(formals, arg, span);
    return { kind: "Lambda", span, arg, formals, body, name: null };
  }

  private formalSet = this.RULE("formalSet", (): Formals => {
    this.CONSUME(T(K.LBrace));
    const formals: Formal[] = [];
    let ellipsis = false;
    let expected = EXPECT_AFTER_FORMAL;
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T(K.Ellipsis));
            ellipsis = true;
            expected = [K.RBrace];
          },
        },
        {
          ALT: () => {
            formals.push(this.SUBRULE(this.formal));
            this.MANY({
              GATE: () => !ellipsis && expected !== EXPECT_AFTER_COMMA,
              DEF: () => {
                this.CONSUME(T(K.Comma));
                expected = EXPECT_AFTER_COMMA;
                this.failUnless(EXPECT_AFTER_COMMA, EXPECT_AFTER_COMMA);
                this.OPTION1(() => {
                  this.OR1([
                    {
                      ALT: () => {
                        formals.push(this.SUBRULE1(this.formal));
                        expected = EXPECT_AFTER_FORMAL;
                      },
                    },
                    {
                      ALT: () => {
                        this.CONSUME1(T(K.Ellipsis));
                        ellipsis = true;
                        expected = [K.RBrace];
                      },
                    },
                  ]);
                });
              },
            });
          },
        },
      ]);
    });
    this.expect(0, K.RBrace, expected);
    return { formals, ellipsis };
  });

  private formal = this.RULE("formal", (): Formal => {
    const id = this.CONSUME(T(K.Id)) as Token;
    const def = this.OPTION(() => {
      this.CONSUME(T(K.Question));
      return this.SUBRULE(this.expr);
    });
    return this.RECORDING_PHASE
      ? (null as unknown as Formal)
      : { name: id.image, default: def ?? null, span: this.span(id.startOffset, id.end) };
  });

  // ---- operators: prefix `!` `-`, binary operators, `?`, pipes -------------------------------

  private readonly prefixAlts = [
    { ALT: () => this.CONSUME(T(K.Bang)) },
    { ALT: () => this.CONSUME(T(K.Minus)) },
  ];
  private readonly prefixAlts2 = [
    { ALT: () => this.CONSUME1(T(K.Bang)) },
    { ALT: () => this.CONSUME1(T(K.Minus)) },
  ];
  private readonly prefixOp = (): void => {
    const t = (
      this.RECORDING_PHASE
        ? this.OR(this.prefixAlts)
        : this.prefixAlts[this.kind1() === K.Bang ? 0 : 1]!.ALT()
    ) as Token;
    this.pushOp(t.kind, t.startOffset, 1);
  };
  private readonly prefixOp2 = (): void => {
    const t = (
      this.RECORDING_PHASE
        ? this.OR2(this.prefixAlts2)
        : this.prefixAlts2[this.kind1() === K.Bang ? 0 : 1]!.ALT()
    ) as Token;
    this.pushOp(t.kind, t.startOffset, 1);
  };
  private readonly operatorAlts = [
    {
      ALT: () => {
        const t = this.CONSUME(BinaryOperator) as Token;
        if (!this.RECORDING_PHASE) {
          const op = BINARY_OPERATORS.get(t.kind)!;
          this.reduceWhile(op.precedence, op.assoc, t);
          this.pushOp(t.kind, t.startOffset, 0);
          if (t.kind === K.PipeInto || t.kind === K.PipeFrom) this.pipeDir = t.kind;
        }
        if (this.RECORDING_PHASE) this.MANY2(this.prefixOp2);
        else while (isPrefixOperator(this.kind1())) this.prefixOp2();
        this.vals.push(this.resetCursedOr(this.SUBRULE1(this.exprSelect)));
        if (this.RECORDING_PHASE) this.MANY4(this.appArgB);
        else while (this.startsSelect[this.kind1()] === 1) this.appArgB();
      },
    },
    {
      ALT: () => {
        const q = this.CONSUME(T(K.Question)) as Token;
        if (!this.RECORDING_PHASE) this.reduceWhile(HAS_ATTR_PRECEDENCE, "nonassoc", q);
        const path = this.SUBRULE(this.attrPath);
        if (!this.RECORDING_PHASE) {
          const vals = this.vals;
          const e = vals[vals.length - 1]!;
          const last = path[path.length - 1]!;
          vals[vals.length - 1] = {
            kind: "HasAttr",
            span: this.span(q.startOffset, last.span.endOffset),
            expr: e,
            path,
          };
        }
      },
    },
  ];
  private readonly operatorTail = (): void => this.OR1(this.operatorAlts);
  /**
   * expr_op, expr_pipe_into/from and expr_app: operands (applications) and
   * operators in a row, folded by the precedence table (shunting-yard). `|>`
   * and `<|` are the loosest operators; a pipe of the other direction ends the
   * row, so the enclosing construct reports it as Nix does.
   */
  private readonly operatorGate = (): boolean => {
    const t = this.LA(1).tokenTypeIdx;
    if (t === IDX[K.PipeInto]) return this.pipeDir !== K.PipeFrom;
    if (t === IDX[K.PipeFrom]) return this.pipeDir !== K.PipeInto;
    return true;
  };
  private readonly operatorLoop = { GATE: this.operatorGate, DEF: this.operatorTail };

  private exprOp = this.RULE("exprOp", (): Expr => {
    const savedBase = this.opBase;
    const savedPipe = this.pipeDir;
    const vbase = this.vals.length;
    this.opBase = this.opKinds.length;
    this.pipeDir = -1;
    if (this.RECORDING_PHASE) {
      this.MANY(this.prefixOp);
      this.vals.push(this.resetCursedOr(this.SUBRULE(this.exprSelect)));
      this.MANY3(this.appArgA);
      this.MANY1(this.operatorLoop);
    } else {
      while (isPrefixOperator(this.kind1())) this.prefixOp();
      this.vals.push(this.resetCursedOr(this.SUBRULE(this.exprSelect)));
      while (this.startsSelect[this.kind1()] === 1) this.appArgA();
      for (;;) {
        const kind = this.kind1();
        if (kind !== K.Question && this.isBinaryOperator[kind] !== 1) break;
        if (!this.operatorGate()) break;
        this.operatorAlts[kind === K.Question ? 1 : 0]!.ALT();
      }
    }
    this.pipeDir = savedPipe;
    if (!this.RECORDING_PHASE) while (this.opKinds.length > this.opBase) this.reduceTop();
    const e = this.vals[vbase]!;
    // pop(), not `length =`: setting the length is a runtime call (it was ~2 % of parse time).
    truncate(this.vals, vbase);
    truncate(this.opKinds, this.opBase);
    truncate(this.opStarts, this.opBase);
    truncate(this.prefixFlags, this.opBase);
    this.opBase = savedBase;
    return e;
  });

  private pushOp(kind: number, start: number, prefix: number): void {
    this.opKinds.push(kind);
    this.opStarts.push(start);
    this.prefixFlags.push(prefix);
  }

  private reduceWhile(prec: number, assoc: string, at: Token): void {
    while (this.opKinds.length > this.opBase) {
      const kind = this.opKinds[this.opKinds.length - 1]!;
      const prefix = this.prefixFlags[this.prefixFlags.length - 1] === 1;
      const topPrec = prefix
        ? kind === K.Bang
          ? NOT_PRECEDENCE
          : NEGATE_PRECEDENCE
        : BINARY_OPERATORS.get(kind)!.precedence;
      if (topPrec > prec || (topPrec === prec && assoc === "left")) this.reduceTop();
      else if (topPrec === prec && assoc === "nonassoc" && !prefix)
        throw syntaxError(this.ctx.source, at, NONE);
      else break;
    }
  }

  private readonly prefixFlags: number[] = [];

  private reduceTop(): void {
    const kind = this.opKinds.pop()!;
    const start = this.opStarts.pop()!;
    const prefix = this.prefixFlags.pop() === 1;
    const vals = this.vals;
    const right = vals.pop()!;
    const end = right.span.endOffset;
    if (prefix) {
      if (kind === K.Bang) vals.push({ kind: "Not", span: this.span(start, end), expr: right });
      else {
        const at = this.span(start, start);
        vals.push({
          kind: "Call",
          span: this.span(start, end),
          fn: { kind: "Var", span: at, name: "__sub" },
          args: [{ kind: "Int", span: at, value: 0n }, right],
        });
      }
      return;
    }
    const left = vals.pop()!;
    if ((kind === K.PipeInto || kind === K.PipeFrom) && this.ctx.pipeOperators !== true)
      throw missingFeature("pipe-operators", this.span(start, start));
    vals.push(BINARY_OPERATORS.get(kind)!.build(this, left, right, start));
  }

  /** Nix's makeCall: applying a call adds an argument to it (even through parentheses). */
  call(start: number, fn: Expr, arg: Expr): Expr {
    return this.makeCall(start, fn, arg);
  }

  private makeCall(start: number, fn: Expr, arg: Expr): Expr {
    if (fn.kind === "Call") {
      (fn.args as Expr[]).push(arg);
      (fn as { span: Span }).span = this.span(
        fn.span.offset,
        Math.max(fn.span.endOffset, arg.span.endOffset),
      );
      return fn;
    }
    return {
      kind: "Call",
      span: this.span(start, Math.max(fn.span.endOffset, arg.span.endOffset)),
      fn,
      args: [arg],
    };
  }

  /**
   * `f or` calls not yet used (Nix's cursedOrEndPos): used as an argument, a
   * list element or a select default they warn; as an operand they stop being
   * cursed (Nix's resetCursedOr), because `or` as an identifier means the same there.
   */
  private readonly cursedOr = new Set<Expr>();

  private warnIfCursedOr(e: Expr): void {
    if (this.cursedOr.size === 0 || !this.cursedOr.delete(e)) return;
    const text = this.ctx.source.text.slice(e.span.offset, e.span.endOffset);
    this.ctx.warn?.(cursedOrWarning(e.span, text));
  }

  private resetCursedOr(e: Expr): Expr {
    if (this.cursedOr.size !== 0) this.cursedOr.delete(e);
    return e;
  }

  private applyArg(arg: Expr): void {
    if (this.RECORDING_PHASE) return;
    this.warnIfCursedOr(arg);
    const vals = this.vals;
    const fn = vals[vals.length - 1]!;
    vals[vals.length - 1] = this.makeCall(fn.span.offset, fn, arg);
  }
  /** Application: `f a b` (one closure per call site, as chevrotain numbers them). */
  private readonly appArgA = (): void => this.applyArg(this.SUBRULE2(this.exprSelect));
  private readonly appArgB = (): void => this.applyArg(this.SUBRULE3(this.exprSelect));

  private readonly selectDefault = (): Expr => {
    this.CONSUME(T(K.OrKw));
    const def = this.SUBRULE(this.exprSelect);
    if (!this.RECORDING_PHASE) this.warnIfCursedOr(def);
    return def;
  };
  private readonly selectAlts = [
    {
      ALT: () => {
        this.CONSUME(T(K.Dot));
        const path = this.SUBRULE(this.attrPath);
        const def = this.RECORDING_PHASE
          ? (this.OPTION1(this.selectDefault) ?? null)
          : this.kind1() === K.OrKw
            ? this.selectDefault()
            : null;
        if (!this.RECORDING_PHASE) {
          const vals = this.vals;
          const e = vals[vals.length - 1]!;
          const end = def !== null ? def.span.endOffset : path[path.length - 1]!.span.endOffset;
          vals[vals.length - 1] = {
            kind: "Select",
            span: this.span(e.span.offset, end),
            expr: e,
            path,
            default: def,
          };
        }
      },
    },
    {
      // Nix's "cursed or": `f or` applies f to a variable named `or`.
      ALT: () => {
        const t = this.CONSUME1(T(K.OrKw)) as Token;
        if (!this.RECORDING_PHASE) {
          const vals = this.vals;
          const e = vals[vals.length - 1]!;
          const orVar: Expr = { kind: "Var", span: this.span(t.startOffset, t.end), name: "or" };
          // Nix's position for it is the start of the expr_simple, `(` included.
          const start = this.selectStarts[this.selectStarts.length - 1]!;
          const cursed: Expr = {
            kind: "Call",
            span: this.span(start, t.end),
            fn: e,
            args: [orVar],
          };
          this.cursedOr.add(cursed);
          vals[vals.length - 1] = cursed;
        }
      },
    },
  ];
  private readonly selectTail = (): void => this.OR1(this.selectAlts);

  /** expr_select over expr_simple (one rule: fewer rule calls per operand). */
  /** Where each expr_select being parsed starts (its first token). */
  private readonly selectStarts: number[] = [];

  private exprSelect: () => Expr = this.RULE("exprSelect", (): Expr => {
    const start = this.RECORDING_PHASE ? 0 : this.LA(1).startOffset;
    if (this.RECORDING_PHASE) this.vals.push(this.OR(this.simpleAlts));
    else {
      // LL(1): the token picks the alternative (as OR would, without its lookahead machinery).
      const alt = SIMPLE_ALT_BY_KIND[(this.LA(1) as Token).kind]!;
      this.vals.push(alt < 0 ? this.OR(this.simpleAlts) : this.simpleAlts[alt]!.ALT());
    }
    this.selectStarts.push(start);
    if (this.RECORDING_PHASE) this.OPTION(this.selectTail);
    else {
      const kind = this.kind1();
      if (kind === K.Dot) this.selectAlts[0]!.ALT();
      else if (kind === K.OrKw) this.selectAlts[1]!.ALT();
    }
    this.selectStarts.pop();
    return this.vals.pop()!;
  });

  private readonly listItem = (): void => {
    const e = this.SUBRULE1(this.exprSelect);
    if (!this.RECORDING_PHASE) this.warnIfCursedOr(e);
    this.curItems.push(e);
  };

  private readonly simpleAlts = [
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.Id)) as Token;
        if (this.RECORDING_PHASE) return null as unknown as Expr;
        const name = t.image;
        const span = this.span(t.startOffset, t.end);
        return name === "__curPos" ? { kind: "CurPos", span } : { kind: "Var", span, name };
      },
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.Int)) as Token;
        return { kind: "Int", span: this.tokSpan(t), value: t.value as bigint };
      },
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.Float)) as Token;
        return { kind: "Float", span: this.tokSpan(t), value: t.value as number };
      },
    },
    {
      ALT: (): Expr => {
        const s = this.SUBRULE(this.stringParts);
        if (this.RECORDING_PHASE) return null as unknown as Expr;
        const span = this.span(s.start, s.end);
        if (s.literal !== null) return { kind: "String", span, value: s.literal };
        return { kind: "ConcatStrings", span, forceString: true, parts: s.parts };
      },
    },
    { ALT: (): Expr => this.SUBRULE(this.indString) },
    { ALT: (): Expr => this.SUBRULE(this.path) },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.SPath)) as Token;
        if (this.RECORDING_PHASE) return null as unknown as Expr;
        const span = this.tokSpan(t);
        const at = this.span(t.startOffset, t.startOffset);
        const inner = (t.value as string).slice(1, -1);
        return {
          kind: "Call",
          span,
          fn: { kind: "Var", span: at, name: "__findFile" },
          args: [
            { kind: "Var", span: at, name: "__nixPath" },
            { kind: "String", span, value: inner },
          ],
        };
      },
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.Uri)) as Token;
        if (this.RECORDING_PHASE) return null as unknown as Expr;
        const span = this.tokSpan(t);
        const url = t.value as string;
        diagnose(
          this.ctx.lints?.urlLiterals,
          "lint-url-literals",
          (fatal) =>
            `URL literals are ${fatal ? "disallowed" : "discouraged"}. Consider using a string literal "${url}" instead`,
          span,
          this.ctx.warn ?? null,
        );
        return { kind: "String", span, value: url };
      },
    },
    {
      ALT: (): Expr => {
        this.CONSUME(T(K.LParen));
        const e = this.SUBRULE(this.expr);
        this.expect(0, K.RParen, [K.RParen]);
        return e;
      },
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.Let)) as Token;
        this.expect(1, K.LBrace, [K.LBrace]);
        const attrs = this.RECORDING_PHASE
          ? (null as unknown as AttrsExpr)
          : newAttrs(this.span(t.startOffset, t.end), true);
        this.SUBRULE(this.binds, { ARGS: [attrs] });
        const close = this.expect(2, K.RBrace, [K.Inherit, K.RBrace]);
        if (this.RECORDING_PHASE) return null as unknown as Expr;
        const span = this.span(t.startOffset, close.end);
        return {
          kind: "Select",
          span,
          expr: attrs,
          path: [{ kind: "static", name: "body", span }],
          default: null,
        };
      },
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.Rec)) as Token;
        this.expect(3, K.LBrace, [K.LBrace]);
        const attrs = this.RECORDING_PHASE
          ? (null as unknown as AttrsExpr)
          : newAttrs(this.span(t.startOffset, t.end), true);
        this.SUBRULE1(this.binds, { ARGS: [attrs] });
        const close = this.expect(4, K.RBrace, [K.Inherit, K.RBrace]);
        if (!this.RECORDING_PHASE) (attrs as { span: Span }).span = this.span(t.startOffset, close.end);
        return attrs;
      },
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.LBrace)) as Token;
        const attrs = this.RECORDING_PHASE
          ? (null as unknown as AttrsExpr)
          : newAttrs(this.span(t.startOffset, t.end), false);
        this.SUBRULE2(this.binds, { ARGS: [attrs] });
        const close = this.expect(5, K.RBrace, [K.Inherit]);
        if (!this.RECORDING_PHASE) (attrs as { span: Span }).span = this.span(t.startOffset, close.end);
        return attrs;
      },
    },
    {
      ALT: (): Expr => {
        const t = this.CONSUME(T(K.LBracket)) as Token;
        const saved = this.curItems;
        const items: Expr[] = [];
        this.curItems = items;
        if (this.RECORDING_PHASE) this.MANY(this.listItem);
        else while (this.startsSelect[this.kind1()] === 1) this.listItem();
        this.curItems = saved;
        const close = this.expect(6, K.RBracket, NONE);
        return { kind: "List", span: this.span(t.startOffset, close.end), items };
      },
    },
  ];

  private tokSpan(t: Token): Span {
    return this.RECORDING_PHASE ? (null as unknown as Span) : this.span(t.startOffset, t.end);
  }

  private readonly stringPartAlts = [
    {
      ALT: () => {
        const t = this.CONSUME(T(K.Str)) as Token;
        if (!this.RECORDING_PHASE)
          this.curStrParts.push({ kind: "String", span: this.tokSpan(t), value: t.value as string });
      },
    },
    {
      ALT: () => {
        this.CONSUME(T(K.DollarCurly));
        const e = this.SUBRULE(this.expr);
        this.expect(0, K.RBrace, [K.RBrace]);
        this.curStrParts.push(e);
        this.curStrInterpolated = true;
      },
    },
  ];
  private readonly stringPart = (): void => this.OR(this.stringPartAlts);

  /** `"…"`: the decoded string when it has no interpolation (`literal`), else the parts. */
  private stringParts = this.RULE(
    "stringParts",
    (): { start: number; end: number; parts: Expr[]; literal: string | null } => {
      const open = this.CONSUME(T(K.Quote)) as Token;
      const savedParts = this.curStrParts;
      const savedInterpolated = this.curStrInterpolated;
      const parts: Expr[] = [];
      this.curStrParts = parts;
      this.curStrInterpolated = false;
      if (this.RECORDING_PHASE) this.MANY(this.stringPart);
      else
        for (let kind = this.kind1(); kind === K.Str || kind === K.DollarCurly; kind = this.kind1())
          this.stringPartAlts[kind === K.Str ? 0 : 1]!.ALT();
      const interpolated = this.curStrInterpolated;
      this.curStrParts = savedParts;
      this.curStrInterpolated = savedInterpolated;
      const close = this.expect(1, K.Quote, [K.Quote]);
      let literal: string | null = null;
      if (!interpolated) literal = parts.length === 0 ? "" : (parts[0] as { value: string }).value;
      return { start: open?.startOffset, end: close?.end, parts, literal };
    },
  );

  private indString = this.RULE("indString", (): Expr => {
    const open = this.CONSUME(T(K.IndStringOpen)) as Token;
    const parts: IndPart<Expr>[] = [];
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const t = this.CONSUME(T(K.IndStr)) as Token;
            if (!this.RECORDING_PHASE)
              parts.push({
                text: t.value as string,
                hasIndentation: t.hasIndentation,
                offset: t.startOffset,
              });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T(K.DollarCurly)) as Token;
            const e = this.SUBRULE(this.expr);
            this.expect(0, K.RBrace, [K.RBrace]);
            if (!this.RECORDING_PHASE) parts.push({ expr: e, offset: t.startOffset });
          },
        },
      ]);
    });
    const close = this.expect(1, K.IndStringClose, EXPECT_IND_STRING);
    if (this.RECORDING_PHASE) return null as unknown as Expr;
    const span = this.span(open.startOffset, close.end);
    const stripped = stripIndentation(parts);
    if (stripped.length === 0) return { kind: "String", span, value: "" };
    const exprs = stripped.map((p): Expr =>
      "text" in p ? { kind: "String", span: this.span(p.offset, p.offset), value: p.text } : p.expr,
    );
    if (exprs.length === 1 && exprs[0]!.kind === "String") return exprs[0]!;
    return { kind: "ConcatStrings", span, forceString: true, parts: exprs };
  });

  private path = this.RULE("path", (): Expr => {
    const t = this.OR([
      { ALT: () => this.CONSUME(T(K.Path)) },
      { ALT: () => this.CONSUME(T(K.HPath)) },
    ]) as Token;
    if (!this.RECORDING_PHASE) this.lintPathLiteral(t);
    const parts: Expr[] = [];
    this.MANY(() => {
      this.OR1([
        {
          ALT: () => {
            const s = this.CONSUME(T(K.Str)) as Token;
            if (!this.RECORDING_PHASE) {
              parts.push({ kind: "String", span: this.tokSpan(s), value: s.value as string });
              // A path goes on only through an interpolation (string_parts_interpolated).
              if (parts.length === 1 && this.la(1) !== IDX[K.DollarCurly])
                throw syntaxError(this.ctx.source, this.LA(1), [K.DollarCurly]);
            }
          },
        },
        {
          ALT: () => {
            this.CONSUME(T(K.DollarCurly));
            parts.push(this.SUBRULE(this.expr));
            this.expect(0, K.RBrace, [K.RBrace]);
          },
        },
      ]);
    });
    const end = this.expect(1, K.PathEnd, NONE);
    if (this.RECORDING_PHASE) return null as unknown as Expr;
    const literal = t.value as string;
    const value =
      t.kind === K.HPath
        ? resolveHomePath(literal, this.ctx.homeDir)
        : resolvePathLiteral(literal, this.ctx.baseDir);
    const pathExpr: Expr = { kind: "Path", span: this.tokSpan(t), value };
    if (parts.length === 0) return pathExpr;
    const last = parts[parts.length - 1]!;
    return {
      kind: "ConcatStrings",
      span: this.span(t.startOffset, Math.max(end.startOffset, last.span.endOffset)),
      forceString: false,
      parts: [pathExpr, ...parts],
    };
  });

  /** Nix's path_start lints: absolute and home paths, relative paths without `./`. */
  private lintPathLiteral(t: Token): void {
    const lints = this.ctx.lints;
    if (lints === undefined) return;
    const literal = t.value as string;
    const warn = this.ctx.warn ?? null;
    const consider = `Consider replacing path literal '${literal}' by a string, relative path, or parameter`;
    if (t.kind === K.HPath)
      diagnose(
        lints.absolutePathLiterals,
        "lint-absolute-path-literals",
        () => `home path literals are not portable. ${consider}`,
        this.tokSpan(t),
        warn,
      );
    else if (literal.startsWith("/"))
      diagnose(
        lints.absolutePathLiterals,
        "lint-absolute-path-literals",
        () => `absolute path literals are not portable. ${consider}`,
        this.tokSpan(t),
        warn,
      );
    else if (!literal.startsWith("."))
      diagnose(
        lints.shortPathLiterals,
        "lint-short-path-literals",
        () => `relative path literal '${literal}' should be prefixed with '.' for clarity: './${literal}'`,
        this.tokSpan(t),
        warn,
      );
  }

  /** An attribute name: `a`, `or`, `"a"`, `"${e}"`, `${e}`. `${"a"}` counts as static, as in current Nix. */
  private attr = this.RULE("attr", (): AttrName => {
    this.failUnless(EXPECT_ATTR, EXPECT_ATTR);
    if (this.RECORDING_PHASE) return this.OR(this.attrAlts);
    const kind = this.kind1();
    const alt = kind === K.Id ? 0 : kind === K.OrKw ? 1 : kind === K.Quote ? 2 : 3;
    return this.attrAlts[alt]!.ALT();
  });

  private readonly attrAlts: { ALT: () => AttrName }[] = [
    {
      ALT: () => {
        const t = this.CONSUME(T(K.Id)) as Token;
        return { kind: "static", name: t.image, span: this.tokSpan(t) };
      },
    },
    {
      ALT: () => {
        const t = this.CONSUME(T(K.OrKw)) as Token;
        return { kind: "static", name: "or", span: this.tokSpan(t) };
      },
    },
    {
      ALT: () => {
        const s = this.SUBRULE(this.stringParts);
        if (this.RECORDING_PHASE) return null as unknown as AttrName;
        const span = this.span(s.start, s.start);
        if (s.literal !== null) return { kind: "static", name: s.literal, span };
        return {
          kind: "dynamic",
          expr: { kind: "ConcatStrings", span, forceString: true, parts: s.parts },
          span,
        };
      },
    },
    {
      ALT: () => {
        const t = this.CONSUME(T(K.DollarCurly)) as Token;
        const e = this.SUBRULE(this.expr);
        this.expect(0, K.RBrace, [K.RBrace]);
        if (this.RECORDING_PHASE) return null as unknown as AttrName;
        const span = this.span(t.startOffset, t.startOffset);
        if (e.kind === "String") return { kind: "static", name: e.value, span };
        return { kind: "dynamic", expr: e, span };
      },
    },
  ];

  private readonly attrPathStep = (): void => {
    this.CONSUME(T(K.Dot));
    const a = this.SUBRULE1(this.attr);
    this.curPath.push(a);
  };

  private attrPath = this.RULE("attrPath", (): AttrName[] => {
    const path: AttrName[] = [this.SUBRULE(this.attr)];
    const saved = this.curPath;
    this.curPath = path;
    if (this.RECORDING_PHASE) this.MANY(this.attrPathStep);
    else while (this.kind1() === K.Dot) this.attrPathStep();
    this.curPath = saved;
    return path;
  });

  private readonly bindAlts = [
    {
      ALT: () => {
        this.CONSUME(T(K.Inherit));
        const from = this.OPTION(() => {
          this.CONSUME(T(K.LParen));
          const start = this.LA(1).startOffset;
          const e = this.SUBRULE(this.expr);
          this.expect(0, K.RParen, [K.RParen]);
          return { expr: e, start };
        });
        const names: AttrName[] = [];
        const inheritName = () => {
          const name = this.SUBRULE(this.attr);
          if (!this.RECORDING_PHASE) {
            if (name.kind === "dynamic")
              throw new ParseError("dynamic attributes not allowed in inherit", name.span);
            names.push(name);
          }
        };
        if (this.RECORDING_PHASE) this.MANY1(inheritName);
        else while (this.startsAttr[this.kind1()] === 1) inheritName();
        this.expect(1, K.Semi, NONE);
        if (!this.RECORDING_PHASE) this.addInherits(this.curAttrs, from ?? null, names);
      },
    },
    {
      ALT: () => {
        const path = this.SUBRULE1(this.attrPath);
        this.expect(2, K.Assign, EXPECT_AFTER_ATTRPATH);
        const value = this.SUBRULE1(this.expr);
        this.expect(3, K.Semi, [K.Semi]);
        if (!this.RECORDING_PHASE) addAttrPath(this.curAttrs, path, path[0]!.span, value);
      },
    },
  ];
  private readonly bind = (): void =>
    this.RECORDING_PHASE ? this.OR(this.bindAlts) : this.bindAlts[this.kind1() === K.Inherit ? 0 : 1]!.ALT();

  /** Bindings of a set or let, added to `attrs` as Nix's binds/binds1 rules do. */
  private binds = this.RULE("binds", (attrs: AttrsExpr): void => {
    const saved = this.curAttrs;
    this.curAttrs = attrs;
    if (this.RECORDING_PHASE) this.MANY(this.bind);
    else while (this.startsBind[this.kind1()] === 1) this.bind();
    this.curAttrs = saved;
  });

  private addInherits(attrs: AttrsExpr, from: { expr: Expr; start: number } | null, names: AttrName[]): void {
    let index = -1;
    if (from !== null) {
      addInheritFrom(attrs, from.expr);
      index = attrs.inheritFrom.length - 1;
    }
    for (const n of names) {
      const name = (n as { name: string }).name;
      let def: AttrDef;
      if (from === null)
        def = { name, kind: "inherited", value: { kind: "Var", span: n.span, name }, span: n.span };
      else {
        const source: Expr = { kind: "InheritFrom", span: this.span(from.start, from.start), index };
        def = {
          name,
          kind: "inheritedFrom",
          value: { kind: "Select", span: n.span, expr: source, path: [n], default: null },
          span: n.span,
        };
      }
      addInherited(attrs, def);
    }
  }
}

/** ParserState::validateFormals: the first duplicated name (by first appearance), at its second occurrence. */
function validateFormals(formals: Formals, arg: string | null, lambdaSpan: Span): void {
  const seen = new Map<string, Formal>();
  let dup: { first: number; at: Formal } | null = null;
  for (const f of formals.formals) {
    const prev = seen.get(f.name);
    if (prev === undefined) seen.set(f.name, f);
    else if (dup === null || prev.span.offset < dup.first) dup = { first: prev.span.offset, at: f };
  }
  if (dup !== null) throw new ParseError(`duplicate formal function argument '${dup.at.name}'`, dup.at.span);
  if (arg !== null && seen.has(arg))
    throw new ParseError(`duplicate formal function argument '${arg}'`, lambdaSpan);
}
