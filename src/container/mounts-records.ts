// Each container's mount points as resolved at create (table
// `container_mounts`): volume names generated for anonymous volumes and those
// taken from --volumes-from are fixed then, so start, inspect and rm read them
// back rather than parsing HostConfig again.
import type { DB } from "../store/db.js";
import type { MountPoint } from "./mounts.js";

export interface MountRecords {
  get(containerId: string): MountPoint[];
  /** Every container's mount points in one query (ps), keyed by container ID; containers without any are absent. */
  all(): Map<string, MountPoint[]>;
  set(containerId: string, mounts: MountPoint[]): void;
  delete(containerId: string): void;
}

const byDb = new WeakMap<DB, MountRecords>();

/** The mount records of a database, prepared once per database. */
export function mountRecordsOf(db: DB): MountRecords {
  let records = byDb.get(db);
  if (!records) {
    records = createMountRecords(db);
    byDb.set(db, records);
  }
  return records;
}

function createMountRecords(db: DB): MountRecords {
  const q = {
    get: db.prepare<[string], { spec: string }>("SELECT spec FROM container_mounts WHERE container_id = ? ORDER BY destination"),
    all: db.prepare<[], { container_id: string; spec: string }>("SELECT container_id, spec FROM container_mounts ORDER BY container_id, destination"),
    insert: db.prepare("INSERT INTO container_mounts (container_id, destination, spec) VALUES (?, ?, ?)"),
    delete: db.prepare("DELETE FROM container_mounts WHERE container_id = ?"),
  };
  const set = db.transaction((containerId: string, mounts: MountPoint[]) => {
    q.delete.run(containerId);
    for (const m of mounts) q.insert.run(containerId, m.destination, JSON.stringify(m));
  });
  return {
    get: (containerId) => q.get.all(containerId).map((r) => JSON.parse(r.spec) as MountPoint),
    all() {
      const out = new Map<string, MountPoint[]>();
      for (const r of q.all.all()) {
        const mounts = out.get(r.container_id);
        if (mounts) mounts.push(JSON.parse(r.spec) as MountPoint);
        else out.set(r.container_id, [JSON.parse(r.spec) as MountPoint]);
      }
      return out;
    },
    set: (containerId, mounts) => void set(containerId, mounts),
    delete(containerId) {
      q.delete.run(containerId);
    },
  };
}
