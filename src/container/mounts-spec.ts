// A container's mount points as the runtime spec takes them and as inspect
// shows them. Spec mounts go in path order (fewer components first, as
// dockerd sorts them), so /data is mounted before /data/cache.
import type { MountPoint as ApiMountPoint } from "../api/types/index.js";
import type { SpecMount } from "../runtime/spec-options.js";
import type { Context } from "./context.js";
import type { MountPoint } from "./mounts.js";
import { mountRecordsOf } from "./mounts-records.js";
import { tmpfsMounts } from "./tmpfs-mounts.js";

/**
 * Binds, volumes and tmpfs mounts (--mount type=tmpfs and HostConfig.Tmpfs)
 * for the spec, merged with berth's own `base` mounts (/etc/hosts…) as
 * dockerd merges them: a user's mount on the same path replaces berth's, and
 * all go in path order, so a volume on /etc gets the files bound over it.
 */
export function userMounts(
  ctx: Pick<Context, "db">,
  containerId: string,
  opts: { tmpfs: Record<string, string> | undefined; base: SpecMount[] },
): SpecMount[] {
  const mine = [...mountRecordsOf(ctx.db).get(containerId).map(specMount), ...tmpfsMounts(opts.tmpfs)];
  const taken = new Set(mine.map((m) => m.destination));
  const depth = (m: SpecMount): number => m.destination.split("/").length;
  // Array.sort is stable: at equal depth berth's mounts keep coming first.
  return [...opts.base.filter((m) => !taken.has(m.destination)), ...mine].sort((a, b) => depth(a) - depth(b));
}

function specMount(m: MountPoint): SpecMount {
  if (m.type === "tmpfs") return tmpfsMounts({ [m.destination]: m.tmpfsData ?? "" })[0]!;
  const options = [m.nonRecursive ? "bind" : "rbind", m.rw ? "rw" : "ro", m.propagation || "rprivate"];
  return { destination: m.destination, type: "bind", source: m.source, options };
}

/** inspect's Mounts: Docker's MountPoint shape, Name and Driver only for volumes. */
export function mountPointsView(ctx: Pick<Context, "db">, containerId: string): ApiMountPoint[] {
  return mountRecordsOf(ctx.db).get(containerId).map(mountPointView);
}

export function mountPointView(m: MountPoint): ApiMountPoint {
  return {
    Type: m.type,
    ...(m.type === "volume" ? { Name: m.name } : {}),
    Source: m.source,
    Destination: m.destination,
    ...(m.type === "volume" ? { Driver: m.driver } : {}),
    Mode: m.mode,
    RW: m.rw,
    Propagation: m.propagation,
  };
}
