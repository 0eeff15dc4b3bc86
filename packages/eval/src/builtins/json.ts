// Builtins: toJSON (through the --json printer, to-json.ts) and fromJSON (json-parse.ts).
import { forceStringNoCtx } from "../check.js";
import { toNixError } from "../errors.js";
import { valueToJSON } from "../to-json.js";
import { mkString } from "../values.js";
import { JSONParseError, parseJSON } from "./json-parse.js";
import { registerPrimops } from "./registry.js";

registerPrimops([
  {
    name: "toJSON",
    arity: 1,
    args: ["e"],
    doc: "Return a string containing a JSON representation of e (paths copied to the store, sets peeled through __toString/outPath).",
    impl: (rt, [e], span) => {
      const context = new Set<string>();
      const text = valueToJSON(rt, e!, true, context, span);
      return mkString(text, context);
    },
  },
  {
    name: "fromJSON",
    arity: 1,
    args: ["e"],
    doc: "Convert a JSON string to a Nix value.",
    impl: (rt, [e], span) => {
      const text = forceStringNoCtx(
        e!,
        span,
        "while evaluating the first argument passed to builtins.fromJSON",
      );
      try {
        return parseJSON(text);
      } catch (err) {
        const ne = toNixError(err);
        if (ne instanceof JSONParseError) ne.addTrace(span, "while decoding a JSON string");
        throw ne;
      }
    },
  },
]);
