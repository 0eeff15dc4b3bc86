// Builtins: numbers (add sub mul div lessThan bitAnd bitOr bitXor ceil floor).
import { evalError } from "../errors.js";
import { forceInt, forceNumber } from "../check.js";
import { arith, lessThan } from "../ops.js";
import { force } from "../runtime.js";
import { mkInt, toBig, type Value } from "../values.js";
import { registerPrimops, type PrimopSpec } from "./registry.js";

function bitOp(
  name: string,
  f: (a: bigint, b: bigint) => bigint,
  fast: (a: number, b: number) => number,
): PrimopSpec {
  return {
    name,
    arity: 2,
    args: ["e1", "e2"],
    impl: (_rt, [x, y], span) => {
      const a = forceInt(x!, span, `while evaluating the first argument passed to builtins.${name}`);
      const b = forceInt(y!, span, `while evaluating the second argument passed to builtins.${name}`);
      if (typeof a === "number" && typeof b === "number" && Math.abs(a) < 2 ** 31 && Math.abs(b) < 2 ** 31)
        return fast(a, b);
      return mkInt(BigInt.asIntN(64, f(toBig(a), toBig(b))));
    },
  };
}

function rounding(name: "ceil" | "floor"): PrimopSpec {
  const fn = name === "ceil" ? Math.ceil : Math.floor;
  return {
    name,
    arity: 1,
    args: ["number"],
    impl: (_rt, [x], span) => {
      const v = force(x!, span);
      if (typeof v === "number" || typeof v === "bigint") return v;
      const f = forceNumber(v, span, `while evaluating the first argument passed to builtins.${name}`);
      const r = fn(f);
      if (!Number.isFinite(r) || r < -(2 ** 63) || r >= 2 ** 63) {
        throw evalError(`Float argument ${f} to builtins.${name} cannot be represented as an integer`);
      }
      return mkInt(BigInt(r));
    },
  };
}

registerPrimops([
  {
    name: "add",
    arity: 2,
    args: ["e1", "e2"],
    impl: (_rt, [a, b], span): Value => arith("add", a!, b!, span),
  },
  {
    name: "sub",
    arity: 2,
    args: ["e1", "e2"],
    impl: (_rt, [a, b], span): Value => arith("sub", a!, b!, span),
  },
  {
    name: "mul",
    arity: 2,
    args: ["e1", "e2"],
    impl: (_rt, [a, b], span): Value => arith("mul", a!, b!, span),
  },
  {
    name: "div",
    arity: 2,
    args: ["e1", "e2"],
    impl: (_rt, [a, b], span): Value => arith("div", a!, b!, span),
  },
  {
    name: "lessThan",
    arity: 2,
    args: ["e1", "e2"],
    impl: (rt, [a, b], span): Value => lessThan(rt, a!, b!, span),
  },
  bitOp(
    "bitAnd",
    (a, b) => a & b,
    (a, b) => a & b,
  ),
  bitOp(
    "bitOr",
    (a, b) => a | b,
    (a, b) => a | b,
  ),
  bitOp(
    "bitXor",
    (a, b) => a ^ b,
    (a, b) => a ^ b,
  ),
  rounding("ceil"),
  rounding("floor"),
]);
