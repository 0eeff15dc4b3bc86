// builtins.toXML beyond golden/xml.json: string context and laziness of the argument.
import { expect, test } from "vitest";
import { Evaluator, createMemoryIO } from "../index.js";

test("toXML keeps the string context of every string", () => {
  const ev = new Evaluator({ io: createMemoryIO({}) });
  const v = ev.evalString(
    'builtins.attrNames (builtins.getContext (builtins.toXML { a = [ (builtins.appendContext "x" { "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" = { path = true; }; }) ]; }))',
  );
  expect(ev.print(v, { strict: true })).toBe('[ "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" ]');
});

test("toXML forces its argument deeply and ends with a newline", () => {
  const ev = new Evaluator({ io: createMemoryIO({}) });
  expect(() => ev.evalString('builtins.toXML { a.b = throw "deep"; }')).toThrow("deep");
  const s = ev.toJS(ev.evalString("builtins.toXML 1")) as string;
  expect(s.endsWith("</expr>\n")).toBe(true);
});
