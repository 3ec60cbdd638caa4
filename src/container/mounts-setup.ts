// Start and stop of a container's mount points: before the task is created,
// missing bind sources given with -v are made (as dockerd), each volume is
// mounted through the volume service and, while empty, filled from the image
// (copy-up); after every exit the volumes are given back, so an option volume
// (tmpfs, a device) is unmounted once its last running user stops.
import { mkdir } from "node:fs/promises";
import { isErrno } from "../errors.js";
import { pathsOf, type Context } from "./context.js";
import { copyUp } from "./mounts-copy.js";
import { mountRecordsOf } from "./mounts-records.js";

/** Call with the rootfs mounted, before the runtime spec is built. */
export async function mountVolumes(ctx: Context, containerId: string): Promise<void> {
  const { rootfs } = pathsOf(ctx, containerId);
  for (const m of mountRecordsOf(ctx.db).get(containerId)) {
    if (m.type === "bind" && m.createSource) await ensureSource(m.source);
    if (m.type !== "volume") continue;
    const dir = await ctx.volumes.mount(m.name, containerId);
    if (m.copyData) await copyUp(rootfs, m.destination, dir);
  }
}

/**
 * The container's run ended (or its start failed). The unmounts are queued
 * now, synchronously, so a restart that follows mounts after them.
 */
export function unmountVolumes(ctx: Context, containerId: string): void {
  for (const m of mountRecordsOf(ctx.db).get(containerId)) {
    if (m.type !== "volume") continue;
    ctx.volumes.unmount(m.name, containerId).catch((err: unknown) =>
      ctx.log?.("warn", "unmounting a volume failed", { id: containerId, volume: m.name, error: String(err) }),
    );
  }
}

/** A missing bind source becomes a directory; an existing file or directory is left as it is. */
async function ensureSource(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o755 });
  } catch (err) {
    // A file there already (-v /etc/localtime:/etc/localtime): bound as it is.
    if (!isErrno(err, "EEXIST")) throw err;
  }
}
