// Values as XML, as Nix's printValueAsXML (nix-instantiate --xml).
import { showPos } from "@tsnix/parser";
import { force, type Runtime } from "./runtime.js";
import { formatFloat } from "./print.js";
import { isDerivation } from "./ops.js";
import {
  NixAttrs,
  NixFloat,
  NixLambda,
  NixPath,
  NixPrimop,
  NixPrimopApp,
  NixString,
  type Lazy,
} from "./values.js";

/** Attribute value escaping as Nix's XMLWriter. */
function esc(s: string): string {
  return s.replace(/["<>&\n]/g, (c) =>
    c === '"' ? "&quot;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : "&#xA;",
  );
}

export function valueToXML(rt: Runtime, x: Lazy, location: boolean): string {
  void rt;
  const lines: string[] = ["<?xml version='1.0' encoding='utf-8'?>", "<expr>"];
  const drvsSeen = new Set<unknown>();
  const attrsOf = (v: NixAttrs, ind: string) => {
    const names = v.names;
    for (let i = 0; i < names.length; i++) {
      const k = names[i]!;
      const p = v.positions === null ? null : v.positions[i]!;
      // XML attributes come out sorted by name, as Nix's std::map-based XMLAttrs
      const attrs =
        location && p !== null
          ? ` column="${p.column}" line="${p.line}" name="${esc(k)}" path="${esc(p.source.path ?? "")}"`
          : ` name="${esc(k)}"`;
      lines.push(`${ind}<attr${attrs}>`);
      rec(v.values[i]!, ind + "  ");
      lines.push(`${ind}</attr>`);
    }
  };
  const rec = (cell: Lazy, ind: string): void => {
    const v = force(cell);
    if (v === null) lines.push(`${ind}<null />`);
    else if (typeof v === "boolean") lines.push(`${ind}<bool value="${v}" />`);
    else if (typeof v === "number" || typeof v === "bigint") lines.push(`${ind}<int value="${v}" />`);
    else if (typeof v === "string") lines.push(`${ind}<string value="${esc(v)}" />`);
    else if (v instanceof NixString) lines.push(`${ind}<string value="${esc(v.value)}" />`);
    else if (v instanceof NixPath) lines.push(`${ind}<path value="${esc(v.path)}" />`);
    else if (v instanceof NixFloat) lines.push(`${ind}<float value="${formatFloat(v.value)}" />`);
    else if (Array.isArray(v)) {
      // Nix's XMLWriter opens and closes the element even when it is empty.
      lines.push(`${ind}<list>`);
      for (const e of v as readonly Lazy[]) rec(e, ind + "  ");
      lines.push(`${ind}</list>`);
    } else if (v instanceof NixAttrs) {
      if (isDerivation(v)) {
        const dp = v.get("drvPath");
        const op = v.get("outPath");
        const attrs: string[] = [];
        const str = (x: unknown) => (typeof x === "string" ? x : x instanceof NixString ? x.value : null);
        // As Nix: only string drvPath/outPath are shown; derivations are told apart by drvPath,
        // and one without a drvPath always prints as <repeated />.
        const drvPath = dp === undefined ? null : str(force(dp));
        if (drvPath !== null) attrs.push(`drvPath="${esc(drvPath)}"`);
        const outPath = op === undefined ? null : str(force(op));
        if (outPath !== null) attrs.push(`outPath="${esc(outPath)}"`);
        lines.push(`${ind}<derivation${attrs.length ? " " + attrs.join(" ") : ""}>`);
        if (drvPath !== null && drvPath !== "" && !drvsSeen.has(drvPath)) {
          drvsSeen.add(drvPath);
          attrsOf(v, ind + "  ");
        } else lines.push(`${ind}  <repeated />`);
        lines.push(`${ind}</derivation>`);
      } else {
        lines.push(`${ind}<attrs>`);
        attrsOf(v, ind + "  ");
        lines.push(`${ind}</attrs>`);
      }
    } else if (v instanceof NixLambda) {
      const info = v.info;
      const loc = location
        ? ` column="${info.span.column}" line="${info.span.line}" path="${esc(info.span.source.path ?? "")}"`
        : "";
      void showPos;
      lines.push(`${ind}<function${loc}>`);
      if (info.formals !== null) {
        const names = [...info.formals.map((f) => f.name)].sort();
        const a = [
          info.ellipsis ? ` ellipsis="1"` : "",
          info.arg !== null ? ` name="${esc(info.arg)}"` : "",
        ].join("");
        lines.push(`${ind}  <attrspat${a}>`);
        for (const n of names) lines.push(`${ind}    <attr name="${esc(n)}" />`);
        lines.push(`${ind}  </attrspat>`);
      } else lines.push(`${ind}  <varpat name="${esc(info.arg ?? "")}" />`);
      lines.push(`${ind}</function>`);
    } else if (v instanceof NixPrimop || v instanceof NixPrimopApp) {
      lines.push(`${ind}<unevaluated />`);
    }
  };
  rec(x, "  ");
  lines.push("</expr>");
  return lines.join("\n");
}
