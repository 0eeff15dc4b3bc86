import { formatError } from "./errors.js";
import { NarEncoder, checkNarEntryName, sortedEntryNames } from "./nar.js";

/** What `stat` reports for one path (like `lstat`: symlinks are not followed). */
export type NarSourceStat =
  | { readonly type: "regular"; readonly executable: boolean; readonly size: number }
  | { readonly type: "symlink" }
  | { readonly type: "directory" };

/**
 * A file tree to serialise, addressed by `/`-joined paths below a root. The store and glue packages
 * implement this over `node:fs`; this package never touches a file system itself.
 */
export interface NarSourceSync {
  stat(path: string): NarSourceStat;
  readDirectory(path: string): Iterable<string>;
  readLink(path: string): string;
  /** The whole file, or its contents in chunks (must total `stat(path).size` bytes). */
  readFile(path: string): Uint8Array | Iterable<Uint8Array>;
}

export interface NarSourceAsync {
  stat(path: string): Promise<NarSourceStat>;
  readDirectory(path: string): Promise<Iterable<string>>;
  readLink(path: string): Promise<string>;
  readFile(path: string): Promise<Uint8Array> | AsyncIterable<Uint8Array>;
}

const join = (dir: string, name: string): string =>
  dir === "" || dir.endsWith("/") ? dir + name : `${dir}/${name}`;

function sizeMismatch(path: string): never {
  return formatError(`file '${path}' changed size while it was being serialised`);
}

function* nodeSync(src: NarSourceSync, path: string): Generator<Uint8Array> {
  const st = src.stat(path);
  switch (st.type) {
    case "regular": {
      yield NarEncoder.regularStart(st.executable, st.size);
      let n = 0;
      const data = src.readFile(path);
      for (const chunk of data instanceof Uint8Array ? [data] : data) {
        n += chunk.length;
        if (n > st.size) sizeMismatch(path);
        if (chunk.length > 0) yield chunk;
      }
      if (n !== st.size) sizeMismatch(path);
      yield NarEncoder.regularEnd(st.size);
      return;
    }
    case "symlink":
      yield NarEncoder.symlink(src.readLink(path));
      return;
    case "directory": {
      yield NarEncoder.directoryStart();
      const names = new Map([...src.readDirectory(path)].map((n) => [n, true]));
      for (const name of sortedEntryNames(names)) {
        checkNarEntryName(name);
        yield NarEncoder.entryStart(name);
        yield* nodeSync(src, join(path, name));
        yield NarEncoder.entryEnd();
      }
      yield NarEncoder.directoryEnd();
      return;
    }
  }
}

/** The NAR of the tree at `path` in `src`, streamed (file contents are passed through in the source's chunks). */
export function* narChunksFromSource(src: NarSourceSync, path: string): Generator<Uint8Array> {
  yield NarEncoder.header();
  yield* nodeSync(src, path);
}

async function* nodeAsync(src: NarSourceAsync, path: string): AsyncGenerator<Uint8Array> {
  const st = await src.stat(path);
  switch (st.type) {
    case "regular": {
      yield NarEncoder.regularStart(st.executable, st.size);
      let n = 0;
      const data = src.readFile(path);
      const chunks: AsyncIterable<Uint8Array> | Uint8Array[] =
        data instanceof Promise ? [await data] : (data as AsyncIterable<Uint8Array>);
      for await (const chunk of chunks) {
        n += chunk.length;
        if (n > st.size) sizeMismatch(path);
        if (chunk.length > 0) yield chunk;
      }
      if (n !== st.size) sizeMismatch(path);
      yield NarEncoder.regularEnd(st.size);
      return;
    }
    case "symlink":
      yield NarEncoder.symlink(await src.readLink(path));
      return;
    case "directory": {
      yield NarEncoder.directoryStart();
      const names = new Map([...(await src.readDirectory(path))].map((n) => [n, true]));
      for (const name of sortedEntryNames(names)) {
        checkNarEntryName(name);
        yield NarEncoder.entryStart(name);
        yield* nodeAsync(src, join(path, name));
        yield NarEncoder.entryEnd();
      }
      yield NarEncoder.directoryEnd();
      return;
    }
  }
}

/** Async variant of `narChunksFromSource`. */
export async function* narChunksFromSourceAsync(
  src: NarSourceAsync,
  path: string,
): AsyncGenerator<Uint8Array> {
  yield NarEncoder.header();
  yield* nodeAsync(src, path);
}
