// Loads every builtins domain (each registers itself in the registry).
// To add a domain: create builtins/<domain>.ts calling registerPrimops([...]) and import it here.
import "./control.js";
import "./numbers.js";
import "./import.js";
import "./lists.js";
import "./attrs.js";
import "./strings.js";
import "./regex.js";
import "./versions.js";
import "./context.js";
import "./store-paths.js";
import "./derivation.js";
import "./hashing.js";
import "./json.js";
import "./toml.js";
import "./xml.js";
import "./io.js";
import "./fetch.js";
import "./fetch-tree.js";
import "./fetch-git.js";
import "./flakeref.js";
