/** LocalStore across processes: SIGKILL mid-add (crash consistency) and racing processes. */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { LocalStore } from "./local.js";
import { hashPath, STORE_MTIME } from "./node-fs.js";
import { printNarHash } from "./base.js";
import { removeChildScript, spawnChild, waitChild } from "./test-child-runner.js";
import { BUILT_PATH, bigTree, tempDir } from "./test-fixtures.js";

afterAll(removeChildScript);

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function scratch(): string {
  const t = tempDir("tsnix-store-proc-");
  cleanups.push(t.cleanup);
  return t.dir;
}

/** Every valid path's files are complete (NAR hash matches) and canonical; returns the valid paths. */
function checkNothingHalfValid(store: LocalStore): string[] {
  const valid = store.queryAllValidPaths();
  for (const path of valid) {
    const info = store.queryPathInfo(path)!;
    const real = store.toRealPath(path);
    const { hash, size } = hashPath(real);
    expect(printNarHash(hash), `NAR hash of ${path}`).toBe(info.narHash);
    expect(size).toBe(info.narSize);
    const st = fs.lstatSync(real);
    expect(st.mtimeMs).toBe(STORE_MTIME * 1000);
    expect(st.mode & 0o222).toBe(0);
  }
  return valid;
}

function leftovers(store: LocalStore): string[] {
  return [
    ...fs.readdirSync(store.tempDir).map((n) => `.tmp/${n}`),
    ...fs
      .readdirSync(store.realStoreDir)
      .filter((n) => n !== ".tmp" && !store.isValidPath(`${store.storeDir}/${n}`)),
  ];
}

function addedLines(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l.startsWith("added "));
}

describe("crash consistency", () => {
  let crashesWithLeftovers = 0;
  it.each([3, 12, 25])(
    "a child killed with SIGKILL after %i adds leaves nothing half-valid, and the next run completes",
    async (killAfter) => {
      const root = scratch();
      const total = 40;
      const child = spawnChild(["add-many", root, String(total)]);
      const done = waitChild(child);
      // After `killAfter` adds, kill the child the moment it creates a temporary: mid-write.
      const tempDir = nodePath.join(root, "nix", "store", ".tmp");
      let seen = 0;
      let watcher: fs.FSWatcher | undefined;
      child.stdout!.on("data", (d: Buffer) => {
        seen += d
          .toString()
          .split("\n")
          .filter((l) => l.startsWith("added ")).length;
        if (seen < killAfter || watcher) return;
        watcher = fs.watch(tempDir, () => child.kill("SIGKILL"));
      });
      const r = await done;
      watcher?.close();
      expect(r.signal).toBe("SIGKILL");
      const reported = addedLines(r.stdout);
      expect(reported.length).toBeLessThan(total);

      // (Before opening the store: opening removes temporaries of dead processes.)
      if (fs.readdirSync(tempDir).length > 0) crashesWithLeftovers++;
      const store = new LocalStore({ root });
      try {
        expect(fs.readdirSync(tempDir)).toEqual([]);
        const valid = checkNothingHalfValid(store);
        // Everything the child reported is valid; at most the one in flight is valid besides.
        for (const line of reported) expect(valid).toContain(line.split(" ")[2]);
        expect(valid.length - reported.length).toBeLessThanOrEqual(1);
      } finally {
        store.close();
      }

      const again = await waitChild(spawnChild(["add-many", root, String(total)]));
      expect(again.stderr).toBe("");
      expect(again.code).toBe(0);
      const after = new LocalStore({ root });
      try {
        expect(checkNothingHalfValid(after)).toHaveLength(total);
        expect(leftovers(after)).toEqual([]);
      } finally {
        after.close();
      }
    },
  );

  it("the kills above did hit a write in progress (leftovers were there to clean up)", () => {
    expect(crashesWithLeftovers).toBeGreaterThan(0);
  });
});

describe("racing processes", () => {
  it("two processes locking the same output build it once", async () => {
    const root = scratch();
    const log = nodePath.join(root, "build.log");
    new LocalStore({ root }).close(); // create the layout before the racers start
    const racers = [spawnChild(["build-once", root, log]), spawnChild(["build-once", root, log])];
    const results = racers.map(waitChild);
    fs.writeFileSync(nodePath.join(root, "go"), "");
    for (const r of await Promise.all(results)) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const lines = fs.readFileSync(log, "utf8").trim().split("\n");
    expect(lines.filter((l) => l.startsWith("built by"))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("found valid by"))).toHaveLength(1);
    const store = new LocalStore({ root });
    try {
      expect(store.isValidPath(BUILT_PATH)).toBe(true);
      expect(checkNothingHalfValid(store)).toEqual([BUILT_PATH]);
      expect(new TextDecoder().decode(store.readFile(`${BUILT_PATH}/result`))).toBe(
        lines.find((l) => l.startsWith("built by"))! + "\n",
      );
    } finally {
      store.close();
    }
  });

  it("an add of a path another process is building waits for that build", async () => {
    const root = scratch();
    new LocalStore({ root }).close();
    const deriver = "/nix/store/00000000000000000000000000000000-builder.drv";
    const child = spawnChild(["build-tree", root, "racy", deriver]);
    const done = waitChild(child);
    await new Promise<void>((resolve) =>
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("prepared") && resolve()),
    );
    const store = new LocalStore({ root });
    try {
      const started = Date.now();
      const info = store.addToStore({ tree: bigTree(0) }, { name: "racy" });
      expect(Date.now() - started).toBeGreaterThan(150); // it waited for the builder's lock
      expect(info.deriver).toBe(deriver); // the builder's registration, not a second copy
      const r = await done;
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("registered");
      expect(checkNothingHalfValid(store)).toEqual([info.path]);
      expect(leftovers(store)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it("two processes adding the same paths at once end with one valid copy each", async () => {
    const root = scratch();
    new LocalStore({ root }).close();
    const rounds = 12;
    const racers = [
      spawnChild(["add-same", root, String(rounds)]),
      spawnChild(["add-same", root, String(rounds)]),
    ];
    const results = racers.map(waitChild);
    fs.writeFileSync(nodePath.join(root, "go"), "");
    const [a, b] = await Promise.all(results);
    for (const r of [a!, b!]) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    expect(addedLines(a!.stdout)).toEqual(addedLines(b!.stdout));
    const store = new LocalStore({ root });
    try {
      expect(checkNothingHalfValid(store)).toHaveLength(rounds);
      expect(leftovers(store)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
