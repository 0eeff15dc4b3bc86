import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("browser safety", () => {
  const dir = new URL(".", import.meta.url);
  const sources = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

  it.each(sources)("%s imports no node: modules and no Node globals", (f) => {
    const text = readFileSync(new URL(f, dir), "utf8");
    expect(text).not.toMatch(/from\s+["']node:|require\(|\bBuffer\b|\bprocess\./);
  });
});
