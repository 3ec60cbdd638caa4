// Create time: every mount point of a new container, in dockerd's order
// (registerMountPoints, then the image's volumes): --volumes-from first, then
// Binds, then Mounts, each later one taking a destination over; the image's
// VOLUMEs (and Config.Volumes) last, only where nothing else is mounted.
// planMounts checks everything before the record exists (a 400 leaves
// nothing behind); createMounts then makes the volumes, with the container's
// reference, and records the result.
import type { ContainerConfig, HostConfig } from "../api/types/index.js";
import { ConflictError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { Context } from "./context.js";
import { cleanPath, parseBind, parseMountSpec, parseVolumesFrom, type MountPoint } from "./mounts.js";
import { mountRecordsOf } from "./mounts-records.js";

const duplicate = (dest: string): InvalidArgumentError => new InvalidArgumentError(`Duplicate mount point: ${dest}`);

export function planMounts(ctx: Pick<Context, "db" | "records">, hc: HostConfig, config: ContainerConfig): MountPoint[] {
  const points = new Map<string, MountPoint>();
  const tmpfs = new Set(Object.keys(hc.Tmpfs ?? {}).map(cleanPath));

  for (const spec of hc.VolumesFrom ?? []) {
    const { id, rw } = parseVolumesFrom(spec);
    const source = ctx.records.get(id);
    for (const m of mountRecordsOf(ctx.db).get(source.id)) {
      points.set(m.destination, { ...m, rw: m.rw && rw, copyData: false });
    }
  }

  const given = new Set<string>();
  for (const raw of hc.Binds ?? []) {
    const m = parseBind(raw);
    if (given.has(m.destination) || tmpfs.has(m.destination)) throw duplicate(m.destination);
    given.add(m.destination);
    points.set(m.destination, m.type === "volume" && m.mode === "" ? { ...m, mode: "z" } : m);
  }
  for (const spec of hc.Mounts ?? []) {
    const m = parseMountSpec(spec);
    if (given.has(m.destination)) throw duplicate(spec.Target ?? m.destination);
    given.add(m.destination);
    points.set(m.destination, m.type === "volume" ? { ...m, mode: "z" } : m);
  }

  for (const path of Object.keys(config.Volumes ?? {})) {
    const destination = cleanPath(path);
    if (!destination.startsWith("/")) throw new InvalidArgumentError(`invalid mount path: '${path}' mount path must be absolute`);
    if (points.has(destination) || tmpfs.has(destination)) continue;
    points.set(destination, {
      type: "volume",
      destination,
      source: "",
      name: "",
      driver: "local",
      mode: "",
      rw: true,
      propagation: "",
      copyData: true,
      anonymous: true,
    });
  }
  return [...points.values()];
}

/** Makes the planned volumes (the container referring to each) and records the mount points. */
export async function createMounts(ctx: Context, containerId: string, planned: MountPoint[]): Promise<MountPoint[]> {
  const done: MountPoint[] = [];
  try {
    for (const m of planned) {
      if (m.type !== "volume") {
        done.push(m);
        continue;
      }
      if (m.name && m.source) {
        // From --volumes-from: the volume exists; this container now uses it too.
        ctx.volumes.reference(m.name, containerId);
        done.push(m);
        continue;
      }
      const volume = await ctx.volumes.create({
        ...(m.name ? { name: m.name } : {}),
        driver: m.driver,
        ...(m.volumeLabels ? { labels: m.volumeLabels } : {}),
        ...(m.volumeOptions ? { options: m.volumeOptions } : {}),
        reference: containerId,
      });
      done.push({ ...m, name: volume.Name, source: volume.Mountpoint });
    }
  } catch (err) {
    await dropVolumes(ctx, containerId, done, { removeAnonymous: true });
    throw err;
  }
  mountRecordsOf(ctx.db).set(containerId, done);
  return done;
}

/** A removed container: its references go, and with `removeAnonymous` (rm -v, --rm) its anonymous volumes. */
export async function dropMounts(ctx: Context, containerId: string, opts: { removeAnonymous?: boolean }): Promise<void> {
  const records = mountRecordsOf(ctx.db);
  await dropVolumes(ctx, containerId, records.get(containerId), opts);
  records.delete(containerId);
}

async function dropVolumes(ctx: Context, containerId: string, mounts: MountPoint[], opts: { removeAnonymous?: boolean }): Promise<void> {
  for (const m of mounts) {
    if (m.type !== "volume" || !m.name) continue;
    ctx.volumes.release(m.name, containerId);
    if (!opts.removeAnonymous || !m.anonymous) continue;
    try {
      await ctx.volumes.remove(m.name, {});
    } catch (err) {
      // Another container still uses it (--volumes-from), or it is gone: as dockerd, no error.
      if (!(err instanceof ConflictError) && !(err instanceof NotFoundError)) throw err;
    }
  }
}
