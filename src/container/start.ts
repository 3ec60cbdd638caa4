// docker start, under the container's lock: mount the rootfs, write the etc
// files, build the spec, runtime.create (stdio wired: waiting attaches connect
// here), runtime.start, record "running", arm the exit watcher. A failure
// undoes the task and the mount and records the error and exit code, as Docker.
import { ConflictError, NotModifiedError } from "../errors.js";
import { containerSpec } from "./container-spec.js";
import { nowIso, pathsOf, publish, setState, type Context } from "./context.js";
import { ensureRootfsMounted, releaseTask, watchExit } from "./exit.js";
import { mountVolumes } from "./mounts-setup.js";
import { prepareNetwork } from "./network-setup.js";
import type { ContainerRecord } from "./records.js";
import { startFailure } from "./start-error.js";
import { conmonLogOptions } from "./log-rotation.js";
import { mountShm } from "./shm-mount.js";

export async function startContainer(ctx: Context, idOrName: string): Promise<void> {
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    switch (rec.state.status) {
      case "running":
      case "restarting":
        throw new NotModifiedError("Container already started");
      case "paused":
        throw new ConflictError("cannot start a paused container, try unpause instead");
      case "removing":
      case "dead":
        throw new ConflictError("container is marked for removal and cannot be started");
    }
    ctx.stoppedByUser.delete(id);
    await runContainer(ctx, rec);
  });
}

/** Starts a created or exited container's task. Call holding the lock. */
export async function runContainer(ctx: Context, rec: ContainerRecord, opts: { restartCount?: number } = {}): Promise<void> {
  const paths = pathsOf(ctx, rec.id);
  let pid: number;
  let inRuntime = false;
  try {
    // A task left from an earlier run (berthd died before cleaning up) would block create.
    await releaseTask(ctx, rec.id);
    await ensureRootfsMounted(ctx, rec);
    // Volumes are mounted (and filled from the image) before the spec binds them.
    await mountVolumes(ctx, rec.id);
    await mountShm(ctx, rec);
    const network = await prepareNetwork(ctx, rec);
    const spec = await containerSpec(ctx, rec, { network });
    inRuntime = true;
    ({ pid } = await ctx.runtime.create(rec.id, {
      spec,
      tty: rec.config.Tty ?? false,
      openStdin: rec.config.OpenStdin ?? false,
      // As Docker: with a TTY the first client's going (a detach) never closes stdin, so
      // `run -it` then ctrl-p ctrl-q leaves a shell others can attach to and type into.
      stdinOnce: (rec.config.StdinOnce ?? false) && !(rec.config.Tty ?? false),
      logPath: paths.log,
      ...conmonLogOptions(rec.hostConfig.LogConfig),
    }));
    // The plugins wired the netns while runc created (network-setup.ts); a failure of theirs keeps its own words.
    await network.plumbed?.catch((err: unknown) => {
      inRuntime = false;
      throw err;
    });
    await runAttachHooks(ctx, rec.id);
    await ctx.runtime.start(rec.id);
  } catch (err) {
    // Only runc's failures get Docker's OCI wrapping; ours (a missing user, a mount) keep their own words.
    const failure = inRuntime ? startFailure(err) : { error: err instanceof Error ? err : new Error(String(err)), exitCode: 128 };
    await releaseTask(ctx, rec.id).catch((cleanupErr: unknown) =>
      ctx.log?.("warn", "cleanup after a failed start", { id: rec.id, error: String(cleanupErr) }),
    );
    // As Docker: a container that never ran stays "created" (an exited one stays exited, its
    // FinishedAt that of its last run), with the exit code and error recorded.
    setState(ctx, rec, { pid: 0, exitCode: failure.exitCode, error: failure.error.message });
    publish(ctx, rec, "die", { exitCode: String(failure.exitCode) });
    ctx.changes.emit("exit", rec);
    // As Docker: a --rm container that could not start is removed too.
    if (rec.hostConfig.AutoRemove) setImmediate(() => ctx.autoRemove(rec.id));
    throw failure.error;
  }

  const startedAt = nowIso();
  setState(ctx, rec, {
    status: "running",
    pid,
    exitCode: 0,
    error: "",
    oomKilled: false,
    startedAt,
    ...(opts.restartCount !== undefined ? { restartCount: opts.restartCount } : {}),
  });
  watchExit(ctx, rec.id, startedAt);
  publish(ctx, rec, "start");
}

async function runAttachHooks(ctx: Context, id: string): Promise<void> {
  const hooks = ctx.attachHooks.get(id);
  if (!hooks) return;
  ctx.attachHooks.delete(id);
  await Promise.all([...hooks].map((hook) => hook()));
}
