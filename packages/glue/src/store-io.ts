// EvalIO store hooks over @tsnix/store: the evaluator computes every store path itself and hands
// finished objects (trees, texts, .drv files) to a Store, which must arrive at the same path.
import * as fs from "node:fs";
import type { EvalIO, EvalStore, FileType } from "@tsnix/eval";
import type { Store } from "@tsnix/store";

export interface StoreIOOptions {
  /** Compute paths, write nothing (nix-instantiate --readonly-mode). */
  readOnly?: boolean;
}

function checkSame(what: string, expected: string, got: string): void {
  if (got !== expected)
    throw new Error(`store computed '${got}' for ${what}, but the evaluator computed '${expected}'`);
}

/** The EvalStore hooks over `store`. */
export function createEvalStore(store: Store, opts: StoreIOOptions = {}): EvalStore {
  return {
    readOnly: opts.readOnly ?? false,
    addToStore(req) {
      if (store.isValidPath(req.path)) return;
      const info = store.addToStore(
        { tree: req.tree },
        { name: req.name, method: req.method, hashAlgo: req.hashAlgo, references: req.references },
      );
      checkSame(`'${req.name}'`, req.path, info.path);
    },
    addTextToStore(req) {
      if (store.isValidPath(req.path)) return;
      checkSame(`'${req.name}'`, req.path, store.addTextToStore(req.name, req.text, req.references));
    },
    writeDerivation(req) {
      if (store.isValidPath(req.path)) return;
      const got = store.writeDerivation({
        name: req.name,
        aterm: req.aterm,
        references: req.references,
        outputs: req.outputs,
      });
      checkSame(`derivation '${req.name}'`, req.path, got);
    },
    isValidPath: (path) => store.isValidPath(path),
    readDerivation(drvPath) {
      if (!store.isValidPath(drvPath)) return undefined;
      return new TextDecoder().decode(store.readFile(drvPath));
    },
    queryReferences: (path) => store.queryPathInfo(path)?.references ?? [],
  };
}

function fileType(st: fs.Stats): FileType {
  if (st.isFile()) return "regular";
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symlink";
  return "unknown";
}

/**
 * `baseIO` (e.g. createNodeIO()) plus store hooks over `store`, and, when `baseIO` has none, lstat
 * with the executable bit and readlink from the host file system (for NAR serialisation).
 */
export function createStoreIO(store: Store, baseIO: EvalIO, opts: StoreIOOptions = {}): EvalIO {
  const io: EvalIO = Object.create(baseIO) as EvalIO;
  io.store = createEvalStore(store, opts);
  if (baseIO.lstat === undefined)
    io.lstat = (path) => {
      const st = fs.lstatSync(path);
      return { type: fileType(st), executable: st.isFile() && (st.mode & 0o100) !== 0 };
    };
  if (baseIO.readLink === undefined) io.readLink = (path) => fs.readlinkSync(path, "utf8");
  return io;
}
