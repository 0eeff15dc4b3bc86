// Messages between the REPL's main thread (terminal, line editing, history,
// Ctrl-C) and its evaluation worker (big stack, the evaluator, the scope).
// The worker writes results to stdout/stderr itself (synchronously) before it
// answers, so output and prompts stay in order.

import type { BridgeSetup } from "../bridge-setup.js";

export interface ReplWorkerData {
  readonly argv: readonly string[];
  /** Colour values (stdout is a terminal and NO_COLOR is unset). */
  readonly colors: boolean;
  /** Print the greeting and "Loading…" notices (not when restarting after Ctrl-C). */
  readonly greet: boolean;
  /** Where the worker asks for its build bridge (transferred). */
  readonly bridgeSetup: BridgeSetup;
}

export type HostMessage =
  | { readonly type: "input"; readonly text: string }
  | { readonly type: "complete"; readonly prefix: string }
  /** Re-run inputs that changed the scope (after a restart), without output. */
  | { readonly type: "replay"; readonly inputs: readonly string[] };

export type LineOutcome =
  /** Handled; `replay`: it changed the scope or settings, so a restarted worker must run it again. */
  | { readonly kind: "done"; readonly replay: boolean }
  /** The expression is not finished: read another line and send the whole text again. */
  | { readonly kind: "incomplete" }
  | { readonly kind: "quit" };

export type WorkerMessage =
  | { readonly type: "ready"; readonly ok: boolean }
  | { readonly type: "outcome"; readonly outcome: LineOutcome }
  /** Completions of `word` (the end of the prefix): each replaces `word`. */
  | { readonly type: "completions"; readonly word: string; readonly items: readonly string[] }
  | { readonly type: "replayed" };
