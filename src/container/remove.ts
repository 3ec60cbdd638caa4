// docker rm: (with force) kill the task and record its exit, record
// "removing" — the intent, so recovery finishes a removal a crash cut short —
// then delete the task, unmount, remove the snapshot and the directory, and
// last the record. A step that fails leaves the container "dead" with the error.
import { rm } from "node:fs/promises";
import { ConflictError, NotFoundError, SystemError } from "../errors.js";
import { isMounted } from "../mount/mount.js";
import { pathsOf, publish, setState, type Context } from "./context.js";
import { releaseTask } from "./exit.js";
import { terminate } from "./kill.js";
import { dropMounts } from "./mounts-plan.js";
import type { ContainerRecord } from "./records.js";
import { SIGKILL } from "./signals.js";
import { isActive } from "./state.js";

export async function removeContainer(ctx: Context, idOrName: string, opts: { force?: boolean; volumes?: boolean }): Promise<void> {
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.find(id);
    if (!rec) throw new NotFoundError(`No such container: ${idOrName}`);
    if (rec.state.status === "removing") throw new ConflictError(`removal of container ${id} is already in progress`);
    if (isActive(rec.state.status)) {
      if (!opts.force) {
        throw new ConflictError(
          `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`,
        );
      }
      ctx.stoppedByUser.add(id);
      await terminate(ctx, rec, SIGKILL, 0);
    }
    setState(ctx, rec, { status: "removing" });
    await finishRemoval(ctx, rec, { volumes: opts.volumes });
  });
}

/**
 * The removal steps after "removing" is recorded; also run by recovery. Call
 * holding the lock. `volumes` (rm -v) removes the anonymous volumes too.
 */
export async function finishRemoval(ctx: Context, rec: ContainerRecord, opts: { volumes?: boolean } = {}): Promise<void> {
  try {
    await releaseTask(ctx, rec.id);
    try {
      await ctx.images.removeContainerRootfs(rec.id);
    } catch (err) {
      // Created records whose snapshot was never made (a crash during create).
      if (!(err instanceof NotFoundError)) throw err;
    }
    const paths = pathsOf(ctx, rec.id);
    // Never delete through a mount: that would reach into the image's layers or a bind source.
    if (await isMounted(paths.rootfs)) throw new SystemError(`${paths.rootfs} is still mounted`);
    await rm(paths.dir, { recursive: true, force: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    setState(ctx, rec, { status: "dead", error: `driver failed to remove root filesystem ${rec.id}: ${message}` });
    throw err;
  }
  await dropMounts(ctx, rec.id, { removeAnonymous: opts.volumes ?? false });
  ctx.records.delete(rec.id);
  ctx.stoppedByUser.delete(rec.id);
  publish(ctx, rec, "destroy");
  ctx.changes.emit("removed", rec);
}
