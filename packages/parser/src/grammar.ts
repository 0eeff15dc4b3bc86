// The grammar as chevrotain knows it: serialized productions and the railroad
// diagrams generated from them (grammar/diagrams.html, `npm run grammar`).
import { createSyntaxDiagramsCode, type ISerializedGast } from "chevrotain";
import { getParser } from "./index.js";

export function serializedGrammar(): ISerializedGast[] {
  return getParser().getSerializedGastProductions();
}

export function diagramsHtml(): string {
  return createSyntaxDiagramsCode(serializedGrammar());
}
