// builtins.toXML: the --xml printer (to-xml.ts) without locations, plus the string context of
// every string in the (deeply forced) value, as Nix's printValueAsXML collects it.
import { force } from "../runtime.js";
import { valueToXML } from "../to-xml.js";
import { NixAttrs, NixString, mkString, type Lazy } from "../values.js";
import { registerPrimops } from "./registry.js";

/** Contexts of all strings in an already forced value (iterative: values may be deep). */
function collectContext(root: Lazy, into: Set<string>): void {
  const stack: Lazy[] = [root];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const v = force(stack.pop()!);
    if (v instanceof NixString) for (const c of v.context) into.add(c);
    else if (Array.isArray(v) || v instanceof NixAttrs) {
      if (seen.has(v)) continue;
      seen.add(v);
      if (Array.isArray(v)) for (const e of v as readonly Lazy[]) stack.push(e);
      else for (const e of (v as NixAttrs).values) stack.push(e);
    }
  }
}

registerPrimops([
  {
    name: "toXML",
    arity: 1,
    args: ["e"],
    doc: "Return a string containing an XML representation of e.",
    impl: (rt, [e]) => {
      const text = valueToXML(rt, e!, false) + "\n";
      const context = new Set<string>();
      collectContext(e!, context);
      return mkString(text, context);
    },
  },
]);
