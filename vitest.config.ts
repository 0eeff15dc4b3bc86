import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@tsnix/parser": pkg("parser"),
      "@tsnix/nix-compat": pkg("nix-compat"),
      "@tsnix/eval": pkg("eval"),
      "@tsnix/store": pkg("store"),
      "@tsnix/build": pkg("build"),
      "@tsnix/glue": pkg("glue"),
      "@tsnix/cli": pkg("cli"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
