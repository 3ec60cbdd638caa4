// The VolumeService berthd uses: the "local" driver over SQLite records, with
// data under <root>/<name>/_data. Mounts of option volumes (tmpfs, a device,
// a bind of another host path) are counted per volume in memory — who is
// running with it now — and rebuilt by reconcile() when berthd starts.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Volume } from "../api/types/index.js";
import { ConflictError, NotFoundError, SystemError } from "../errors.js";
import { isMounted, mountAll, unmount } from "../mount/mount.js";
import type { Filters } from "../oci/filters.js";
import type { DB } from "../store/db.js";
import { listMatcher, pruneMatcher, type VolumeFacts } from "./filters.js";
import { checkVolumeName, checkVolumeOptions, optionMount, randomVolumeName } from "./local-driver.js";
import { createVolumeRecords, type VolumeRecord } from "./records.js";
import { treeSize } from "./size.js";
import { ANONYMOUS_LABEL, type VolumeService } from "./volume-service.js";

export interface VolumeServiceDeps {
  db: DB;
  /** <data-root>/volumes */
  root: string;
  log?: (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

export function createVolumeService(deps: VolumeServiceDeps): VolumeService {
  const records = createVolumeRecords(deps.db);
  const dataDir = (name: string): string => join(deps.root, name, "_data");
  /** Containers running with each option volume now. */
  const active = new Map<string, Set<string>>();
  /** One queue per volume: mounts and unmounts of a volume happen in the order asked. */
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const next = (queues.get(name) ?? Promise.resolve()).then(work, work);
    const settled = next.catch(() => undefined);
    queues.set(name, settled);
    void settled.then(() => {
      if (queues.get(name) === settled) queues.delete(name);
    });
    return next;
  };

  const getRecord = (name: string): VolumeRecord => {
    const rec = records.get(name);
    if (!rec) throw new NotFoundError(`get ${name}: no such volume`);
    return rec;
  };

  const view = (rec: VolumeRecord): Volume => {
    // Go's maps: keys in sorted order, and null (a nil map) when empty.
    const orNull = (m: Record<string, string>): Record<string, string> => {
      const keys = Object.keys(m).sort();
      return keys.length > 0 ? Object.fromEntries(keys.map((k) => [k, m[k]!])) : (null as unknown as Record<string, string>);
    };
    return {
      CreatedAt: rec.created,
      Driver: rec.driver,
      Labels: orNull(rec.labels),
      Mountpoint: dataDir(rec.name),
      Name: rec.name,
      Options: orNull(rec.options),
      Scope: "local",
    };
  };

  const facts = (): VolumeFacts[] => {
    const counts = records.refCounts();
    return records.list().map((rec) => ({ rec, refCount: counts.get(rec.name) ?? 0 }));
  };

  const unmountIfIdle = async (name: string): Promise<void> => {
    if ((active.get(name)?.size ?? 0) > 0) return;
    active.delete(name);
    await unmount(dataDir(name));
  };

  /** Removes an unused volume's data and record. Never deletes through a mount. */
  const destroy = async (name: string): Promise<void> => {
    await serial(name, async () => {
      await unmount(dataDir(name));
      if (await isMounted(dataDir(name))) throw new SystemError(`remove ${name}: ${dataDir(name)} is still mounted`);
      await rm(join(deps.root, name), { recursive: true, force: true });
      records.delete(name);
    });
  };

  return {
    async create(opts) {
      const driver = opts.driver || "local";
      if (driver !== "local") throw new NotFoundError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
      const anonymous = !opts.name;
      const name = opts.name || randomVolumeName();
      checkVolumeName(name);
      const options = opts.options ?? {};
      checkVolumeOptions(name, options);
      const labels = { ...opts.labels, ...(anonymous ? { [ANONYMOUS_LABEL]: "" } : {}) };
      const wanted: VolumeRecord = {
        name,
        driver,
        labels,
        options,
        created: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        anonymous: anonymous || Object.hasOwn(labels, ANONYMOUS_LABEL),
      };
      const { rec } = records.createOrGet(wanted, opts.reference);
      await mkdir(dataDir(name), { recursive: true, mode: 0o755 });
      return view(rec);
    },

    async list(filters: Filters) {
      const match = listMatcher(filters);
      return { Volumes: facts().filter(match).map((f) => view(f.rec)), Warnings: [] };
    },

    async inspect(name) {
      return view(getRecord(name));
    },

    async remove(name, opts) {
      const rec = records.get(name);
      if (!rec) {
        if (opts.force) return;
        throw new NotFoundError(`get ${name}: no such volume`);
      }
      const refs = records.refs(name);
      if (refs.length > 0) throw new ConflictError(`remove ${name}: volume is in use - [${refs.join(", ")}]`);
      await destroy(name);
    },

    async prune(filters) {
      const match = pruneMatcher(filters);
      const deleted: string[] = [];
      let reclaimed = 0;
      for (const f of facts().filter(match)) {
        const size = await treeSize(dataDir(f.rec.name));
        // A container may have taken it since the list was read.
        if (records.refs(f.rec.name).length > 0) continue;
        try {
          await destroy(f.rec.name);
        } catch (err) {
          deps.log?.("warn", "volume prune: could not remove", { name: f.rec.name, error: String(err) });
          continue;
        }
        deleted.push(f.rec.name);
        reclaimed += size;
      }
      return { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
    },

    async usage() {
      return Promise.all(
        facts().map(async (f) => ({ ...view(f.rec), UsageData: { Size: await treeSize(dataDir(f.rec.name)), RefCount: f.refCount } })),
      );
    },

    reference(name, containerId) {
      getRecord(name);
      records.addRef(name, containerId);
    },

    release(name, containerId) {
      records.dropRef(name, containerId);
    },

    mount(name, containerId) {
      return serial(name, async () => {
        const rec = getRecord(name);
        const dir = dataDir(name);
        await mkdir(dir, { recursive: true, mode: 0o755 });
        const m = optionMount(rec.options);
        if (!m) return dir;
        const users = active.get(name) ?? new Set<string>();
        active.set(name, users);
        if (!(await isMounted(dir))) {
          try {
            await mountAll([m], dir);
          } catch (err) {
            throw new SystemError(`error while mounting volume '${dir}': failed to mount local volume: ${(err as Error).message}`, { cause: err });
          }
        }
        users.add(containerId);
        return dir;
      });
    },

    unmount(name, containerId) {
      return serial(name, async () => {
        const users = active.get(name);
        if (!users) return;
        users.delete(containerId);
        await unmountIfIdle(name);
      });
    },

    isAnonymous(name) {
      return records.get(name)?.anonymous ?? false;
    },

    async reconcile(running) {
      active.clear();
      for (const { volume, containerId } of records.allRefs()) {
        const rec = records.get(volume);
        if (!rec || !optionMount(rec.options) || !running.has(containerId)) continue;
        const users = active.get(volume) ?? new Set<string>();
        users.add(containerId);
        active.set(volume, users);
      }
      for (const rec of records.list()) {
        if (!optionMount(rec.options) || active.has(rec.name)) continue;
        await serial(rec.name, () => unmountIfIdle(rec.name)).catch((err: unknown) =>
          deps.log?.("warn", "volume left mounted", { name: rec.name, error: String(err) }),
        );
      }
    },
  };
}
