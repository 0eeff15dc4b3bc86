// Token kinds: one table row per kind with the chevrotain token type the parser
// consumes and the name Nix's bison grammar gives it in "unexpected X,
// expecting Y" messages. Rows are in bison's symbol order, which is the order
// in which Nix lists expected tokens.
import { createToken, Lexer, type TokenType } from "chevrotain";

export enum K {
  Id,
  Str,
  IndStr,
  Int,
  Float,
  Path,
  HPath,
  SPath,
  PathEnd,
  Uri,
  If,
  Then,
  Else,
  Assert,
  With,
  Let,
  In,
  Rec,
  Inherit,
  Eq,
  Neq,
  Leq,
  Geq,
  Update,
  Concat,
  And,
  Or,
  Impl,
  OrKw,
  PipeFrom,
  PipeInto,
  DollarCurly,
  IndStringOpen,
  IndStringClose,
  Ellipsis,
  Lt,
  Gt,
  Plus,
  Minus,
  Star,
  Slash,
  Question,
  Colon,
  At,
  Semi,
  Bang,
  Dot,
  Quote,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Assign,
  Comma,
  Eof,
  /** A character the grammar never mentions (bison's "invalid token"). */
  Invalid,
  /** Where the lexer gave up; carries the ParseError to throw when the parser reaches it. */
  LexError,
}

interface TokenRow {
  readonly name: string;
  readonly nix: string;
}

const ROWS: readonly TokenRow[] = [
  { name: "ID", nix: "identifier" },
  { name: "STR", nix: "string" },
  { name: "IND_STR", nix: "indented string" },
  { name: "INT_LIT", nix: "integer" },
  { name: "FLOAT_LIT", nix: "floating-point literal" },
  { name: "PATH", nix: "path" },
  { name: "HPATH", nix: "'~/…' path" },
  { name: "SPATH", nix: "'<…>' path" },
  { name: "PATH_END", nix: "end of path" },
  { name: "URI", nix: "URI" },
  { name: "IF", nix: "'if'" },
  { name: "THEN", nix: "'then'" },
  { name: "ELSE", nix: "'else'" },
  { name: "ASSERT", nix: "'assert'" },
  { name: "WITH", nix: "'with'" },
  { name: "LET", nix: "'let'" },
  { name: "IN", nix: "'in'" },
  { name: "REC", nix: "'rec'" },
  { name: "INHERIT", nix: "'inherit'" },
  { name: "EQ", nix: "'=='" },
  { name: "NEQ", nix: "'!='" },
  { name: "LEQ", nix: "'<='" },
  { name: "GEQ", nix: "'>='" },
  { name: "UPDATE", nix: "'//'" },
  { name: "CONCAT", nix: "'++'" },
  { name: "AND", nix: "'&&'" },
  { name: "OR", nix: "'||'" },
  { name: "IMPL", nix: "'->'" },
  { name: "OR_KW", nix: "'or'" },
  { name: "PIPE_FROM", nix: "'<|'" },
  { name: "PIPE_INTO", nix: "'|>'" },
  { name: "DOLLAR_CURLY", nix: "'${'" },
  { name: "IND_STRING_OPEN", nix: "start of an indented string" },
  { name: "IND_STRING_CLOSE", nix: "end of an indented string" },
  { name: "ELLIPSIS", nix: "'...'" },
  { name: "LT", nix: "'<'" },
  { name: "GT", nix: "'>'" },
  { name: "PLUS", nix: "'+'" },
  { name: "MINUS", nix: "'-'" },
  { name: "STAR", nix: "'*'" },
  { name: "SLASH", nix: "'/'" },
  { name: "QUESTION", nix: "'?'" },
  { name: "COLON", nix: "':'" },
  { name: "AT", nix: "'@'" },
  { name: "SEMI", nix: "';'" },
  { name: "BANG", nix: "'!'" },
  { name: "DOT", nix: "'.'" },
  { name: "QUOTE", nix: "'\"'" },
  { name: "LPAREN", nix: "'('" },
  { name: "RPAREN", nix: "')'" },
  { name: "LBRACE", nix: "'{'" },
  { name: "RBRACE", nix: "'}'" },
  { name: "LBRACKET", nix: "'['" },
  { name: "RBRACKET", nix: "']'" },
  { name: "ASSIGN", nix: "'='" },
  { name: "COMMA", nix: "','" },
  { name: "EOF", nix: "end of file" },
  { name: "INVALID", nix: "invalid token" },
  { name: "LEX_ERROR", nix: "invalid token" },
];

/** Binary operators other than `?`, as one chevrotain category (the precedence table decides the tree). */
export const BinaryOperator = createToken({ name: "BinaryOperator", pattern: Lexer.NA });
const BINARY_KINDS = new Set<number>([
  K.Eq,
  K.Neq,
  K.Leq,
  K.Geq,
  K.Lt,
  K.Gt,
  K.Update,
  K.Concat,
  K.And,
  K.Or,
  K.Impl,
  K.PipeInto,
  K.PipeFrom,
  K.Plus,
  K.Minus,
  K.Star,
  K.Slash,
]);

/** chevrotain token type per kind (index = K). Patterns are NA: the lexer is hand-written (see lexer.ts). */
export const TOKEN_TYPES: readonly TokenType[] = ROWS.map((row, kind) =>
  createToken({
    name: row.name,
    pattern: Lexer.NA,
    ...(BINARY_KINDS.has(kind) ? { categories: [BinaryOperator] } : {}),
  }),
);

export const ALL_TOKEN_TYPES: readonly TokenType[] = [BinaryOperator, ...TOKEN_TYPES];

/** How Nix's parser names a token kind in syntax errors. */
export function nixTokenName(kind: number): string {
  return ROWS[kind]!.nix;
}

export function tokenType(kind: K): TokenType {
  return TOKEN_TYPES[kind]!;
}

/** chevrotain's tokenTypeIdx → our kind. */
const kindByIdx = new Map<number, number>();
TOKEN_TYPES.forEach((t, kind) => kindByIdx.set(t.tokenTypeIdx!, kind));
export function kindOfTokenTypeIdx(idx: number): number {
  return kindByIdx.get(idx) ?? K.Invalid;
}

/** Characters that are literal tokens of the grammar; any other single character is "invalid token". */
export const CHAR_KINDS: Readonly<Record<string, K>> = {
  "<": K.Lt,
  ">": K.Gt,
  "+": K.Plus,
  "-": K.Minus,
  "*": K.Star,
  "/": K.Slash,
  "?": K.Question,
  ":": K.Colon,
  "@": K.At,
  ";": K.Semi,
  "!": K.Bang,
  ".": K.Dot,
  '"': K.Quote,
  "(": K.LParen,
  ")": K.RParen,
  "{": K.LBrace,
  "}": K.RBrace,
  "[": K.LBracket,
  "]": K.RBracket,
  "=": K.Assign,
  ",": K.Comma,
};

export const KEYWORDS: ReadonlyMap<string, K> = new Map([
  ["if", K.If],
  ["then", K.Then],
  ["else", K.Else],
  ["assert", K.Assert],
  ["with", K.With],
  ["let", K.Let],
  ["in", K.In],
  ["rec", K.Rec],
  ["inherit", K.Inherit],
  ["or", K.OrKw],
]);

/** Two- and three-character operators, in the lexer's rule order. */
export const OPERATORS: ReadonlyMap<string, K> = new Map([
  ["==", K.Eq],
  ["!=", K.Neq],
  ["<=", K.Leq],
  [">=", K.Geq],
  ["&&", K.And],
  ["||", K.Or],
  ["->", K.Impl],
  ["//", K.Update],
  ["++", K.Concat],
  ["<|", K.PipeFrom],
  ["|>", K.PipeInto],
]);
