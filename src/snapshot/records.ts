// Snapshot records in the shared SQLite database (table `snapshots`). The
// snapshotters keep trees on disk; this is the one place that reads and writes
// their rows, each change in one transaction.
import type { DB } from "../store/db.js";
import type { SnapshotInfo, SnapshotKind } from "./snapshotter.js";

interface Row {
  key: string;
  parent: string | null;
  kind: SnapshotKind;
  created: string;
  labels: string;
}

export interface SnapshotRecords {
  get(key: string): SnapshotInfo | undefined;
  list(): SnapshotInfo[];
  create(info: SnapshotInfo): void;
  /** Replaces active `key` by committed `name` (same parent and labels), atomically. */
  commit(name: string, key: string): void;
  delete(key: string): void;
  hasChildren(key: string): boolean;
}

export function createSnapshotRecords(db: DB): SnapshotRecords {
  const get = db.prepare<[string], Row>("SELECT key, parent, kind, created, labels FROM snapshots WHERE key = ?");
  const all = db.prepare<[], Row>("SELECT key, parent, kind, created, labels FROM snapshots ORDER BY key");
  const insert = db.prepare<[string, string | null, SnapshotKind, string, string]>(
    "INSERT INTO snapshots (key, parent, kind, created, labels) VALUES (?, ?, ?, ?, ?)",
  );
  const del = db.prepare<[string]>("DELETE FROM snapshots WHERE key = ?");
  const child = db.prepare<[string], { key: string }>("SELECT key FROM snapshots WHERE parent = ? LIMIT 1");

  const toInfo = (row: Row): SnapshotInfo => ({
    key: row.key,
    ...(row.parent === null ? {} : { parent: row.parent }),
    kind: row.kind,
    created: row.created,
    labels: JSON.parse(row.labels) as Record<string, string>,
  });

  const commit = db.transaction((name: string, key: string) => {
    const row = get.get(key)!;
    insert.run(name, row.parent, "committed", new Date().toISOString(), row.labels);
    del.run(key);
  });

  return {
    get(key) {
      const row = get.get(key);
      return row === undefined ? undefined : toInfo(row);
    },
    list: () => all.all().map(toInfo),
    create(info) {
      insert.run(info.key, info.parent ?? null, info.kind, info.created, JSON.stringify(info.labels));
    },
    commit(name, key) {
      commit(name, key);
    },
    delete(key) {
      del.run(key);
    },
    hasChildren: (key) => child.get(key) !== undefined,
  };
}
