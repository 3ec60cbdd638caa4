// The container record in SQLite (table `containers`): identity and config in
// `spec` (written at create, rename and little else), the state in `state`
// (written at every transition — one small UPDATE of one row, statements
// prepared once). Lookups follow Docker's order: full ID, name, unique ID prefix.
import type { DB } from "../store/db.js";
import type { ContainerConfig, HostConfig } from "../api/types/index.js";
import type { Mount } from "../snapshot/snapshotter.js";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import type { ContainerStatus } from "./state.js";
import type { AttachedNetwork } from "./network-mode.js";

export interface ContainerStateRecord {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  startedAt: string; // "0001-01-01T00:00:00Z" until first started, as Docker
  finishedAt: string;
  oomKilled: boolean;
  error: string;
  restartCount: number;
}

export interface ContainerRecord {
  id: string;
  /** "/name" */
  name: string;
  imageId: string;
  /** The image as the user typed it ("busybox"). */
  imageRef: string;
  created: string;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** The writable snapshot's mounts, as images.prepareContainerRootfs returned them. */
  rootfsMounts: Mount[];
  /** The networks the container joins, the primary first (absent in records older than networks). */
  networks?: AttachedNetwork[];
  state: ContainerStateRecord;
}

export const zeroTime = "0001-01-01T00:00:00Z";

export function initialState(): ContainerStateRecord {
  return { status: "created", pid: 0, exitCode: 0, startedAt: zeroTime, finishedAt: zeroTime, oomKilled: false, error: "", restartCount: 0 };
}

type SpecColumn = Omit<ContainerRecord, "id" | "name" | "imageId" | "created" | "state">;
interface Row {
  id: string;
  name: string;
  image_id: string;
  created: string;
  spec: string;
  state: string;
}

export interface Records {
  /** Resolves an ID, name or ID prefix; throws `No such container: x`. */
  get(idOrName: string): ContainerRecord;
  find(idOrName: string): ContainerRecord | undefined;
  byName(name: string): ContainerRecord | undefined;
  list(): ContainerRecord[];
  /**
   * Each container's ID, newest first as list(), with a number that changes
   * with every write of its record: a reader keeping records parsed (ps)
   * re-reads only those whose number moved on.
   */
  versions(): Map<string, number>;
  insert(rec: ContainerRecord): void;
  updateState(id: string, state: ContainerStateRecord): void;
  rename(id: string, name: string): void;
  setRootfsMounts(id: string, mounts: Mount[]): void;
  setNetworks(id: string, networks: AttachedNetwork[]): void;
  /** docker update: the limits and restart policy the next start (and inspect) sees. */
  setHostConfig(id: string, hostConfig: HostConfig): void;
  delete(id: string): void;
  usingImage(imageId: string): { id: string; status: ContainerStatus }[];
  /** How many containers are in each status (for /info). */
  statusCounts(): Partial<Record<ContainerStatus, number>>;
}

export function createRecords(db: DB): Records {
  const q = {
    byId: db.prepare<[string], Row>("SELECT * FROM containers WHERE id = ?"),
    byName: db.prepare<[string], Row>("SELECT * FROM containers WHERE name = ?"),
    // Callers pass hex digits only, so the pattern holds no wildcards of the user's.
    byPrefix: db.prepare<[string], Row>("SELECT * FROM containers WHERE id LIKE ? LIMIT 2"),
    all: db.prepare<[], Row>("SELECT * FROM containers ORDER BY created DESC, rowid DESC"),
    ids: db.prepare<[], string>("SELECT id FROM containers ORDER BY created DESC, rowid DESC").pluck(),
    insert: db.prepare("INSERT INTO containers (id, name, image_id, created, spec, state) VALUES (?, ?, ?, ?, ?, ?)"),
    state: db.prepare("UPDATE containers SET state = ? WHERE id = ?"),
    rename: db.prepare("UPDATE containers SET name = ? WHERE id = ?"),
    mounts: db.prepare("UPDATE containers SET spec = json_set(spec, '$.rootfsMounts', json(?)) WHERE id = ?"),
    networks: db.prepare("UPDATE containers SET spec = json_set(spec, '$.networks', json(?)) WHERE id = ?"),
    hostConfig: db.prepare("UPDATE containers SET spec = json_set(spec, '$.hostConfig', json(?)) WHERE id = ?"),
    delete: db.prepare("DELETE FROM containers WHERE id = ?"),
    byImage: db.prepare<[string], { id: string; state: string }>("SELECT id, state FROM containers WHERE image_id = ?"),
    statusCounts: db.prepare("SELECT json_extract(state, '$.status') AS status, count(*) AS n FROM containers GROUP BY status"),
  };

  // Every write of a record goes through this object. Versions start at 0 when
  // berthd does, as do its readers' copies; numbers never repeat, even for an ID deleted and made again.
  let writes = 0;
  const versions = new Map<string, number>();
  const written = (id: string) => void versions.set(id, ++writes);

  const find = (idOrName: string): ContainerRecord | undefined => {
    if (!idOrName) return undefined;
    const exact = q.byId.get(idOrName) ?? q.byName.get(idOrName.startsWith("/") ? idOrName : `/${idOrName}`);
    if (exact) return fromRow(exact);
    if (!/^[0-9a-f]+$/.test(idOrName)) return undefined;
    const rows = q.byPrefix.all(`${idOrName}%`);
    if (rows.length > 1) throw new InvalidArgumentError(`Multiple IDs found with provided prefix: ${idOrName}`);
    return rows[0] && fromRow(rows[0]);
  };

  return {
    find,
    get(idOrName) {
      const rec = find(idOrName);
      if (!rec) throw new NotFoundError(`No such container: ${idOrName}`);
      return rec;
    },
    byName(name) {
      const row = q.byName.get(name);
      return row && fromRow(row);
    },
    list: () => q.all.all().map(fromRow),
    versions: () => new Map(q.ids.all().map((id) => [id, versions.get(id) ?? 0])),
    insert(rec) {
      const spec: SpecColumn = {
        imageRef: rec.imageRef,
        path: rec.path,
        args: rec.args,
        config: rec.config,
        hostConfig: rec.hostConfig,
        rootfsMounts: rec.rootfsMounts,
        ...(rec.networks ? { networks: rec.networks } : {}),
      };
      q.insert.run(rec.id, rec.name, rec.imageId, rec.created, JSON.stringify(spec), JSON.stringify(rec.state));
      written(rec.id);
    },
    updateState(id, state) {
      q.state.run(JSON.stringify(state), id);
      written(id);
    },
    rename(id, name) {
      q.rename.run(name, id);
      written(id);
    },
    setRootfsMounts(id, mounts) {
      q.mounts.run(JSON.stringify(mounts), id);
      written(id);
    },
    setNetworks(id, networks) {
      q.networks.run(JSON.stringify(networks), id);
      written(id);
    },
    setHostConfig(id, hostConfig) {
      q.hostConfig.run(JSON.stringify(hostConfig), id);
      written(id);
    },
    delete(id) {
      q.delete.run(id);
      versions.delete(id);
    },
    usingImage(imageId) {
      return q.byImage.all(imageId).map((r) => ({ id: r.id, status: (JSON.parse(r.state) as ContainerStateRecord).status }));
    },
    statusCounts() {
      const rows = q.statusCounts.all() as { status: ContainerStatus; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
  };
}

function fromRow(row: Row): ContainerRecord {
  const spec = JSON.parse(row.spec) as SpecColumn;
  return {
    id: row.id,
    name: row.name,
    imageId: row.image_id,
    created: row.created,
    ...spec,
    state: JSON.parse(row.state) as ContainerStateRecord,
  };
}
