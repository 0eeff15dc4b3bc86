// Nix's built-in "corepkgs": `<nix/X>` finds these when no search path entry
// has them (Nix's findFile falls back to its corepkgs accessor for `nix/`).
// They live under a virtual directory, as in Nix 2.3 (`/__corepkgs__/`); the
// text is NixOS/nix src/libexpr/fetchurl.nix (LGPL-2.1, as Nix).

export const COREPKGS_DIR = "/__corepkgs__";

const FETCHURL_NIX = `{
  system ? "", # obsolete
  url,
  hash ? "", # an SRI hash

  # Legacy hash specification
  md5 ? "",
  sha1 ? "",
  sha256 ? "",
  sha512 ? "",
  outputHash ?
    if hash != "" then
      hash
    else if sha512 != "" then
      sha512
    else if sha1 != "" then
      sha1
    else if md5 != "" then
      md5
    else
      sha256,
  outputHashAlgo ?
    if hash != "" then
      ""
    else if sha512 != "" then
      "sha512"
    else if sha1 != "" then
      "sha1"
    else if md5 != "" then
      "md5"
    else
      "sha256",

  executable ? false,
  unpack ? false,
  name ? baseNameOf (toString url),
  impure ? false,
}:

derivation (
  {
    builder = "builtin:fetchurl";

    # New-style output content requirements.
    outputHashMode = if unpack || executable then "recursive" else "flat";

    inherit
      name
      url
      executable
      unpack
      ;

    system = "builtin";

    # No need to double the amount of network traffic
    preferLocalBuild = true;

    # This attribute does nothing; it's here to avoid changing evaluation results.
    impureEnvVars = [
      "http_proxy"
      "https_proxy"
      "ftp_proxy"
      "all_proxy"
      "no_proxy"
    ];

    # To make "nix-prefetch-url" work.
    urls = [ url ];
  }
  // (if impure then { __impure = true; } else { inherit outputHashAlgo outputHash; })
)
`;

const COREPKGS: ReadonlyMap<string, string> = new Map([[`${COREPKGS_DIR}/fetchurl.nix`, FETCHURL_NIX]]);

/** The source text of a corepkgs file, or undefined when `path` is not one. */
export function corePkgsText(path: string): string | undefined {
  return path.startsWith(COREPKGS_DIR + "/") ? COREPKGS.get(path) : undefined;
}

/** Where `<nix/…>` points when the search path has no such file. */
export function corePkgsPath(lookupPath: string): string | undefined {
  return lookupPath.startsWith("nix/") ? `${COREPKGS_DIR}/${lookupPath.slice(4)}` : undefined;
}
