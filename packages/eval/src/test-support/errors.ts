import { NixError } from "../errors.js";

/** The whole Nix error text, traces included, that `run` throws; the test fails when it throws none. */
export function nixErrorText(run: () => unknown, what = "the expression"): string {
  try {
    run();
  } catch (e) {
    if (e instanceof NixError) return e.format({ showTrace: true });
    throw e;
  }
  throw new Error(`expected an error from ${what}`);
}
