// Volume records in SQLite (tables `volumes` and `volume_refs`): one row per
// volume, one per (volume, container) reference. Statements are prepared once.
import type { DB } from "../store/db.js";

export interface VolumeRecord {
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** RFC 3339, as Docker's CreatedAt. */
  created: string;
  anonymous: boolean;
}

interface Row {
  name: string;
  driver: string;
  labels: string;
  options: string;
  created: string;
  anonymous: number;
}

export interface VolumeRecords {
  get(name: string): VolumeRecord | undefined;
  list(): VolumeRecord[];
  /** Inserts the record unless the name exists; adds the reference either way. Returns the stored record. */
  createOrGet(rec: VolumeRecord, reference?: string): { rec: VolumeRecord; created: boolean };
  delete(name: string): void;
  addRef(name: string, containerId: string): void;
  dropRef(name: string, containerId: string): void;
  refs(name: string): string[];
  /** Reference counts of every volume that has any. */
  refCounts(): Map<string, number>;
  /** Every (volume, container) reference. */
  allRefs(): { volume: string; containerId: string }[];
}

export function createVolumeRecords(db: DB): VolumeRecords {
  const q = {
    get: db.prepare<[string], Row>("SELECT * FROM volumes WHERE name = ?"),
    all: db.prepare<[], Row>("SELECT * FROM volumes ORDER BY name"),
    insert: db.prepare("INSERT OR IGNORE INTO volumes (name, driver, labels, options, created, anonymous) VALUES (?, ?, ?, ?, ?, ?)"),
    delete: db.prepare("DELETE FROM volumes WHERE name = ?"),
    addRef: db.prepare("INSERT OR IGNORE INTO volume_refs (volume, container_id) VALUES (?, ?)"),
    dropRef: db.prepare("DELETE FROM volume_refs WHERE volume = ? AND container_id = ?"),
    refs: db.prepare<[string], { container_id: string }>("SELECT container_id FROM volume_refs WHERE volume = ? ORDER BY container_id"),
    counts: db.prepare<[], { volume: string; n: number }>("SELECT volume, count(*) AS n FROM volume_refs GROUP BY volume"),
    allRefs: db.prepare<[], { volume: string; container_id: string }>("SELECT volume, container_id FROM volume_refs"),
  };
  const get = (name: string): VolumeRecord | undefined => {
    const row = q.get.get(name);
    return row && fromRow(row);
  };
  // The check for an existing name and the insert are one transaction, so two
  // containers naming a new volume at once share one record.
  const createOrGet = db.transaction((rec: VolumeRecord, reference?: string) => {
    const created = q.insert.run(rec.name, rec.driver, JSON.stringify(rec.labels), JSON.stringify(rec.options), rec.created, rec.anonymous ? 1 : 0).changes > 0;
    if (reference) q.addRef.run(rec.name, reference);
    return { rec: get(rec.name)!, created };
  });
  return {
    get,
    list: () => q.all.all().map(fromRow),
    createOrGet: (rec, reference) => createOrGet(rec, reference) as { rec: VolumeRecord; created: boolean },
    delete(name) {
      q.delete.run(name);
    },
    addRef(name, containerId) {
      q.addRef.run(name, containerId);
    },
    dropRef(name, containerId) {
      q.dropRef.run(name, containerId);
    },
    refs: (name) => q.refs.all(name).map((r) => r.container_id),
    refCounts: () => new Map(q.counts.all().map((r) => [r.volume, r.n])),
    allRefs: () => q.allRefs.all().map((r) => ({ volume: r.volume, containerId: r.container_id })),
  };
}

function fromRow(row: Row): VolumeRecord {
  return {
    name: row.name,
    driver: row.driver,
    labels: JSON.parse(row.labels) as Record<string, string>,
    options: JSON.parse(row.options) as Record<string, string>,
    created: row.created,
    anonymous: row.anonymous === 1,
  };
}
