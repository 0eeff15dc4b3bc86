// Test helper (not exported from the package): locate and read the conformance data in place.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { STORE_DATA } from "../../../../test/shared-data.js";

export { STORE_DATA };
export const haveStoreData = existsSync(STORE_DATA);

export function readData(rel: string): string {
  return readFileSync(join(STORE_DATA, rel), "utf8");
}

export function readJson(rel: string): unknown {
  return JSON.parse(readData(rel));
}

export function listData(rel: string, ext: string): string[] {
  return readdirSync(join(STORE_DATA, rel))
    .filter((f) => f.endsWith(ext))
    .sort();
}

/** Some `.drv` files in the data are git symlinks to files outside it; their content is the link target. */
export function isDanglingLink(text: string): boolean {
  return text.startsWith("../");
}
