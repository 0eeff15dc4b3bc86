/**
 * The contract of packages/build: what a build is asked to do and what it returns.
 * Nothing here knows about evaluation.
 */

import type { ContentAddressMethod, Derivation, Hash } from "@tsnix/nix-compat";

/** One output as the builder works with it: absolute logical path, and for a fixed output what to check. */
export interface ResolvedOutput {
  readonly name: string;
  /** Absolute logical store path. */
  readonly path: string;
  readonly fixed?: { readonly method: ContentAddressMethod; readonly hash: Hash };
}

/**
 * A derivation with its paths made absolute and its outputs resolved (nix-compat's Derivation keeps
 * base names and output kinds). Only input-addressed and fixed-output derivations can be built.
 */
export interface ResolvedDerivation {
  readonly name: string;
  readonly outputs: readonly ResolvedOutput[];
  readonly fixedOutput: boolean;
  readonly system: string;
  readonly builder: string;
  readonly args: readonly string[];
  readonly env: ReadonlyMap<string, string>;
  /** The `__json` text of structured attributes, if any. */
  readonly structuredAttrs?: string;
}

/** What a BuildService is asked to do: build one derivation whose inputs are all valid. */
export interface BuildRequest {
  readonly drvPath: string;
  /** nix-compat's derivation (base-name paths, as parsed from the .drv). */
  readonly drv: Derivation;
  /**
   * The store paths the build depends on directly: inputSrcs plus the outputs of inputDrvs that
   * the derivation uses. The builder closes them over references itself.
   */
  readonly inputs: readonly string[];
}

/** One registered output of a finished build. */
export interface BuiltOutput {
  readonly path: string;
  /** "sha256:<nix32>", as `nix-store -q --hash` prints it. */
  readonly narHash: string;
  readonly narSize: number;
  /** Sorted absolute store paths (may include the output itself). */
  readonly references: readonly string[];
  /** Content address for fixed-output results ("fixed:r:sha256:…"/"fixed:sha256:…"), else undefined. */
  readonly ca?: string;
}

export interface BuildResult {
  readonly drvPath: string;
  readonly outputs: Readonly<Record<string, BuiltOutput>>;
  /** The builder's combined stdout+stderr. */
  readonly log: string;
  readonly startTime: number;
  readonly stopTime: number;
}

export interface BuildOptions {
  readonly signal?: AbortSignal;
  /** Called once per complete log line (without the newline) while the builder runs. */
  readonly onLogLine?: (line: string) => void;
}

export interface BuildService {
  build(request: BuildRequest, options?: BuildOptions): Promise<BuildResult>;
}

/** Progress events for a UI. */
export type BuildEvent =
  | { readonly type: "started"; readonly drvPath: string; readonly time: number }
  | { readonly type: "log"; readonly drvPath: string; readonly line: string }
  | {
      readonly type: "finished";
      readonly drvPath: string;
      readonly time: number;
      readonly success: boolean;
      readonly error?: string;
    }
  | { readonly type: "already-valid"; readonly drvPath: string };
