// Regenerates grammar/diagrams.html from the chevrotain parser (built dist/).
// Run through `npm run grammar`, which builds packages/parser first.
import { writeFileSync } from "node:fs";

const { diagramsHtml } = await import(new URL("../packages/parser/dist/grammar.js", import.meta.url).href);
const out = new URL("./diagrams.html", import.meta.url);
writeFileSync(out, diagramsHtml());
console.log(`wrote ${out.pathname}`);
