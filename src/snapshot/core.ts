// What overlay2 and vfs share: records, the on-disk naming, and the order of
// steps that keeps a crash from leaving anything half-made that looks whole.
//
// A snapshot's directory is <root>/<sha256(key)>. It is built under a
// temporary name and renamed into place before its row is written, so a row
// always means a complete directory; a directory without a row is debris of a
// crash and is removed when its name is next needed. Commit renames the
// directory to the new key's name before the row changes, for the same reason.
import { createHash, randomBytes } from "node:crypto";
import { lstatSync, readdirSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { ConflictError, InvalidArgumentError, NotFoundError, isErrno } from "../errors.js";
import type { DB } from "../store/db.js";
import { createSnapshotRecords } from "./records.js";
import type { Mount, SnapshotInfo, Snapshotter, Usage } from "./snapshotter.js";

/** How one snapshotter lays a snapshot out inside its directory. */
export interface SnapshotLayout {
  readonly name: Snapshotter["name"];
  readonly whiteoutMode: Snapshotter["whiteoutMode"];
  /** Fills `dir` (not yet visible under its final name) for a snapshot on top of `parentDir`. */
  populate(dir: string, parentDir: string | undefined): Promise<void>;
  /** The tree holding this snapshot's own content: writableDir, and what usage measures. */
  tree(dir: string): string;
  /** `chain`: this snapshot's directory first, then its ancestors', nearest first. */
  mounts(kind: SnapshotInfo["kind"], chain: string[]): Mount[];
  diff(dir: string, parentDir: string | undefined): Readable;
  /** Called once `dir` holds a committed snapshot, before its row exists. */
  committed(dir: string): Promise<void>;
  /** Called after the row is gone, before the directory goes. */
  removing(dir: string): Promise<void>;
  /** True when a snapshot's tree holds only its own changes, so one can be unpacked before its parent exists (Snapshotter.staging). */
  readonly standalone: boolean;
}

/** The name of a snapshot's directory under the snapshotter's root. */
export function snapshotDirName(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/**
 * Run once when the data root is opened, before anything else uses it:
 * removes what a crash left without a row — a directory being prepared
 * (`<name>.tmp-…`), a tree committed under its new name before the row
 * changed — and `keep` names the entries of `root` that are not snapshots.
 * Returns the names removed.
 */
export async function removeDebris(root: string, db: DB, keep: string[]): Promise<string[]> {
  const wanted = new Set([...createSnapshotRecords(db).list().map((s) => snapshotDirName(s.key)), ...keep]);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    if (wanted.has(name)) continue;
    await rm(`${root}/${name}`, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export function createSnapshotterCore(root: string, db: DB, layout: SnapshotLayout): Snapshotter {
  const records = createSnapshotRecords(db);
  const dirOf = (key: string): string => `${root}/${snapshotDirName(key)}`;
  // One operation per key at a time; the records alone cannot see an operation in flight.
  const busy = new Set<string>();

  async function exclusive<T>(keys: string[], op: () => Promise<T>): Promise<T> {
    const taken = keys.find((k) => busy.has(k));
    if (taken !== undefined) throw new ConflictError(`snapshot ${taken} is in use by another operation`);
    keys.forEach((k) => busy.add(k));
    try {
      return await op();
    } finally {
      keys.forEach((k) => busy.delete(k));
    }
  }

  function mustGet(key: string): SnapshotInfo {
    const info = records.get(key);
    if (info === undefined) throw new NotFoundError(`snapshot ${key} does not exist`);
    return info;
  }

  function chainDirs(info: SnapshotInfo): string[] {
    const dirs = [dirOf(info.key)];
    for (let p = info.parent; p !== undefined; p = mustGet(p).parent) dirs.push(dirOf(p));
    return dirs;
  }

  async function mounts(key: string): Promise<Mount[]> {
    const info = mustGet(key);
    return layout.mounts(info.kind, chainDirs(info));
  }

  /** prepare(), optionally with a staged tree moved in as the new snapshot's own content. */
  function prepare(key: string, parent: string | undefined, labels: Record<string, string>, staged?: string): Promise<Mount[]> {
    return exclusive([key], async () => {
      if (records.get(key) !== undefined) throw new ConflictError(`snapshot ${key} already exists`);
      if (parent !== undefined && mustGet(parent).kind !== "committed") {
        throw new InvalidArgumentError(`parent snapshot ${parent} is not committed`);
      }
      const dir = dirOf(key);
      const tmp = `${dir}.tmp-${randomBytes(4).toString("hex")}`;
      await mkdir(root, { recursive: true });
      await rm(dir, { recursive: true, force: true });
      await mkdir(tmp, { mode: 0o700 });
      try {
        await layout.populate(tmp, parent === undefined ? undefined : dirOf(parent));
        if (staged !== undefined) {
          const tree = layout.tree(tmp);
          await rm(tree, { recursive: true, force: true });
          await rename(staged, tree);
        }
        await rename(tmp, dir);
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
      records.create({ key, parent, kind: "active", created: new Date().toISOString(), labels });
      return mounts(key);
    });
  }

  return {
    name: layout.name,
    whiteoutMode: layout.whiteoutMode,

    prepare: (key, parent, opts = {}) => prepare(key, parent, opts.labels ?? {}),
    ...(layout.standalone
      ? {
          staging: {
            async create() {
              // Not a snapshot's name (those are sha256 hex): removeDebris takes what a crash leaves.
              const dir = `${root}/staging-${randomBytes(8).toString("hex")}`;
              await mkdir(dir, { recursive: true, mode: 0o755 });
              return dir;
            },
            prepareFrom: (key: string, parent: string | undefined, staged: string) => prepare(key, parent, {}, staged),
          },
        }
      : {}),

    mounts,

    writableDir(key) {
      const info = mustGet(key);
      if (info.kind !== "active") throw new InvalidArgumentError(`snapshot ${key} is committed and cannot change`);
      return layout.tree(dirOf(key));
    },

    commit(name, key) {
      return exclusive([name, key], async () => {
        if (mustGet(key).kind !== "active") throw new InvalidArgumentError(`snapshot ${key} is not active`);
        if (records.get(name) !== undefined) throw new ConflictError(`snapshot ${name} already exists`);
        const dir = dirOf(name);
        await rm(dir, { recursive: true, force: true });
        await rename(dirOf(key), dir);
        try {
          await layout.committed(dir);
          records.commit(name, key);
        } catch (err) {
          // A full disk fails here (the link, the row): put the tree back under
          // the key that still has the row, so the caller can remove it.
          await layout.removing(dir);
          await rename(dir, dirOf(key));
          throw err;
        }
      });
    },

    remove(key) {
      return exclusive([key], async () => {
        mustGet(key);
        if (records.hasChildren(key)) throw new ConflictError(`cannot remove snapshot ${key}: it has children`);
        const dir = dirOf(key);
        try {
          records.delete(key);
        } catch (err) {
          // SQLite needs a little room to write even a delete, and on a full
          // disk the snapshot being removed is usually what filled it: free
          // its tree first. A crash in between leaves a row without a tree,
          // which only a removal (this one, or garbage collection) ever meets.
          if (!isErrno(err, "SQLITE_FULL")) throw err;
          await layout.removing(dir);
          await rm(dir, { recursive: true, force: true });
          records.delete(key);
          return;
        }
        await layout.removing(dir);
        await rm(dir, { recursive: true, force: true });
      });
    },

    async stat(key) {
      return records.get(key);
    },

    async list() {
      return records.list();
    },

    async usage(key) {
      mustGet(key);
      return treeUsage(layout.tree(dirOf(key)));
    },

    diff(key) {
      const info = mustGet(key);
      return layout.diff(dirOf(key), info.parent === undefined ? undefined : dirOf(info.parent));
    },
  };
}

/**
 * Bytes of every non-directory (hard links once) and the number of inodes
 * under `dir`. Synchronous calls, yielding to the event loop every few
 * thousand entries: an async lstat per entry made measuring a 2,000-file
 * layer cost more than unpacking it.
 */
async function treeUsage(dir: string): Promise<Usage> {
  const seen = new Set<bigint>();
  let size = 0;
  let sinceYield = 0;
  const pending: string[] = [dir];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (++sinceYield >= 4096) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
    let st;
    try {
      st = lstatSync(path, { bigint: true });
    } catch (err) {
      // Something removed under us is gone from the count; a missing snapshot is an error.
      if (isErrno(err, "ENOENT") && path !== dir) continue;
      throw err;
    }
    if (seen.has(st.ino)) continue;
    seen.add(st.ino);
    if (!st.isDirectory()) {
      size += Number(st.size);
      continue;
    }
    try {
      for (const name of readdirSync(path)) pending.push(`${path}/${name}`);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
  return { size, inodes: seen.size };
}
