// docker inspect: the record in Docker's ContainerInspect shape.
import type { ContainerInspect } from "../api/types/index.js";
import { NotFoundError } from "../errors.js";
import { pathsOf, type Context } from "./context.js";
import type { ContainerRecord } from "./records.js";
import { dirSize, driverData } from "./size.js";
import { mountPointsView } from "./mounts-spec.js";
import { isCgroupV2 } from "../runtime/spec.js";
import { configView, hostConfigView } from "./inspect-view.js";
import { networkView } from "./network-setup.js";
import { networkSettings } from "./network-settings.js";
import { healthOf } from "./health-monitor.js";

export async function inspectContainer(ctx: Context, idOrName: string, opts: { size?: boolean } = {}): Promise<ContainerInspect> {
  const rec = ctx.records.get(idOrName);
  const paths = pathsOf(ctx, rec.id);
  const driver = driverData(rec.rootfsMounts, paths.rootfs);
  const s = rec.state;
  const execIds = [...ctx.execs.values()].filter((e) => e.containerId === rec.id).map((e) => e.id);
  const out: ContainerInspect = {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: s.status,
      // Docker reports a paused container as running too.
      Running: s.status === "running" || s.status === "paused",
      Paused: s.status === "paused",
      Restarting: s.status === "restarting",
      OOMKilled: s.oomKilled,
      Dead: s.status === "dead",
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
      ...healthView(ctx, rec.id),
    },
    Image: rec.imageId,
    ResolvConfPath: paths.resolvConf,
    HostnamePath: paths.hostname,
    HostsPath: paths.hosts,
    LogPath: paths.log,
    Name: rec.name,
    RestartCount: s.restartCount,
    Driver: driver.name,
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    // Go's nil slice: null until an exec exists.
    ExecIDs: execIds.length > 0 ? execIds : (null as unknown as undefined),
    HostConfig: hostConfigView(rec.hostConfig, { cgroupV2: isCgroupV2() }),
    GraphDriver: { Data: driver.data, Name: driver.name },
    Mounts: mountPointsView(ctx, rec.id),
    Config: configView(rec.config),
    NetworkSettings: networkSettings(networkView(ctx, rec)),
  };
  if (opts.size) Object.assign(out, await sizes(ctx, rec));
  return out;
}

export async function sizes(ctx: Context, rec: ContainerRecord): Promise<{ SizeRw: number; SizeRootFs: number }> {
  const driver = driverData(rec.rootfsMounts, pathsOf(ctx, rec.id).rootfs);
  const rw = driver.writable ? await dirSize(driver.writable) : 0;
  let imageSize = 0;
  try {
    imageSize = (await ctx.images.resolve(rec.imageId)).size;
  } catch (err) {
    // The image was force-removed while this container still uses its layers.
    if (!(err instanceof NotFoundError)) throw err;
  }
  return { SizeRw: rw, SizeRootFs: rw + imageSize };
}

/** State.Health as dockerd shows it: present once a run with a healthcheck began. */
function healthView(ctx: Context, id: string): { Health?: NonNullable<ContainerInspect["State"]>["Health"] } {
  const h = healthOf(ctx, id);
  return h ? { Health: { Status: h.Status, FailingStreak: h.FailingStreak, Log: h.Log.map((r) => ({ ...r })) } } : {};
}
