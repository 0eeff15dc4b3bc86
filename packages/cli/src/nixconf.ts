// Nix's configuration: nix.conf files and NIX_CONFIG, in Nix's order
// ($NIX_CONF_DIR/nix.conf, the user files, NIX_CONFIG), before the command line.
// Only the `name = value` / `include` / `!include` syntax; every setting is kept
// as a string, `extra-NAME` appends to NAME.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";

export type Settings = Record<string, string>;

export function applySetting(settings: Settings, name: string, value: string): void {
  if (name.startsWith("extra-")) {
    const base = name.slice("extra-".length);
    settings[base] = settings[base] ? `${settings[base]} ${value}` : value;
  } else settings[name] = value;
}

/** Parses config text into `settings`; `include` paths are resolved against `dir`. */
export function parseConfig(text: string, dir: string, settings: Settings, depth = 0): void {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "");
    const tokens = line.split(/[ \t\r]+/).filter((t) => t !== "");
    if (tokens.length === 0) continue;
    if (tokens[0] === "include" || tokens[0] === "!include") {
      if (tokens.length !== 2 || depth > 16) continue;
      const path = isAbsolute(tokens[1]!) ? tokens[1]! : join(dir, tokens[1]!);
      const included = readOptional(path);
      if (included !== null) parseConfig(included, dirname(path), settings, depth + 1);
      continue;
    }
    if (tokens.length < 2 || tokens[1] !== "=") continue;
    applySetting(settings, tokens[0]!, tokens.slice(2).join(" "));
  }
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function userConfigFiles(env: Record<string, string | undefined>): string[] {
  if (env.NIX_USER_CONF_FILES !== undefined) return env.NIX_USER_CONF_FILES.split(":").filter(Boolean);
  const home = env.HOME ?? "/";
  const configHome = env.XDG_CONFIG_HOME || join(home, ".config");
  const configDirs = (env.XDG_CONFIG_DIRS || "/etc/xdg").split(":").filter(Boolean);
  return [...configDirs.reverse(), configHome].map((d) => join(d, "nix", "nix.conf"));
}

/** The settings Nix would read before looking at its command line. */
export function loadNixConfig(env: Record<string, string | undefined>): Settings {
  const settings: Settings = {};
  const files = [join(env.NIX_CONF_DIR ?? "/etc/nix", "nix.conf"), ...userConfigFiles(env)];
  for (const file of files) {
    const text = readOptional(file);
    if (text !== null) parseConfig(text, dirname(file), settings);
  }
  if (env.NIX_CONFIG) parseConfig(env.NIX_CONFIG, process.cwd(), settings);
  return settings;
}

export function boolSetting(settings: Settings, name: string, fallback: boolean): boolean {
  const v = settings[name];
  if (v === undefined) return fallback;
  return v === "true" || v === "1" || v === "yes";
}
