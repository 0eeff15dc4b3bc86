import type { Span } from "@tsnix/parser";
import type { Code, Env, Lazy } from "./values.js";

export interface FormalInfo {
  readonly name: string;
  readonly span: Span;
  /** Slot of this formal in the lambda's environment frame. */
  readonly slot: number;
  /** Makes the (lazy) default in the lambda's own frame; null when the formal is required. */
  readonly makeDefault: ((env: Env) => Lazy) | null;
}

/** Everything the runtime needs to know about a compiled lambda (shared by all its closures). */
export interface LambdaInfo {
  /** The name it is bound to, for «lambda f @ …» and "while calling 'f'". */
  readonly name: string | null;
  readonly span: Span;
  /** The plain argument or `@` name; null when there is none. */
  readonly arg: string | null;
  readonly formals: readonly FormalInfo[] | null;
  /** Formal names, for the "unexpected argument" check. */
  readonly formalNames: ReadonlySet<string> | null;
  readonly ellipsis: boolean;
  readonly nSlots: number;
  readonly body: Code;
}
