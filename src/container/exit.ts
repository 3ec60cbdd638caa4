// The end of a run. Whoever learns of the exit first — the watcher armed at
// start, stop/kill/rm -f waiting for the process, or recovery — records it
// under the container's lock; the others find the run already closed (its
// startedAt no longer matches, or the status is no longer active) and do nothing.
import { mkdir } from "node:fs/promises";
import type { ExitStatus } from "../runtime/runtime.js";
import { isMounted, mountAll, unmount } from "../mount/mount.js";
import { exitOf, pathsOf, publish, setState, type Context } from "./context.js";
import { releaseNetwork } from "./network-setup.js";
import { unmountShm } from "./shm-mount.js";
import type { ContainerRecord } from "./records.js";
import { isActive } from "./state.js";

/** Arms the watcher for the run that started at `startedAt`. */
export function watchExit(ctx: Context, id: string, startedAt: string): void {
  exitOf(ctx, id).then(
    (exit) =>
      ctx.locks.withLock(id, async () => {
        const rec = ctx.records.find(id);
        if (!rec || rec.state.startedAt !== startedAt || !isActive(rec.state.status)) return;
        await finishExit(ctx, rec, exit);
      }),
    (err: unknown) => {
      // The task went away without an exit file (deleted by rm -f or stop, which record the exit themselves).
      ctx.log?.("debug", "exit watcher ended", { id, error: String(err) });
    },
  ).catch((err: unknown) => ctx.log?.("error", "recording container exit failed", { id, error: String(err) }));
}

/** Records the exit, releases the task and the rootfs mount, and tells everyone. Call holding the lock. */
export async function finishExit(ctx: Context, rec: ContainerRecord, exit: ExitStatus): Promise<void> {
  setState(ctx, rec, { status: "exited", pid: 0, exitCode: exit.exitCode, finishedAt: exit.exitedAt, oomKilled: exit.oomKilled });
  await releaseTask(ctx, rec.id, { exited: true });
  if (exit.oomKilled) publish(ctx, rec, "oom");
  publish(ctx, rec, "die", { exitCode: String(exit.exitCode) });
  ctx.changes.emit("exit", rec);
  if (rec.hostConfig.AutoRemove) setImmediate(() => ctx.autoRemove(rec.id));
  else setImmediate(() => ctx.afterExit(rec.id));
}

/**
 * Deletes the runtime's task and its files (if any), then its network
 * sandbox, and unmounts the rootfs (if mounted). Once the process is known to have exited nothing of it uses
 * the host's mount any more, so both go at once (each is a process spawn).
 */
export async function releaseTask(ctx: Context, id: string, opts: { exited?: boolean } = {}): Promise<void> {
  ctx.exits.delete(id);
  // The sandbox only once no process can be in it any more: its veths, addresses and ports go with it.
  const deleteTask = async () => {
    await ctx.runtime.delete(id, { force: true });
    await Promise.all([releaseNetwork(ctx, id), unmountShm(ctx, id)]);
  };
  if (opts.exited) {
    await Promise.all([deleteTask(), unmountRootfs(ctx, id)]);
    return;
  }
  await deleteTask();
  await unmountRootfs(ctx, id);
}

export async function unmountRootfs(ctx: Context, id: string): Promise<void> {
  const { rootfs } = pathsOf(ctx, id);
  try {
    // A rootfs that is not mounted is fine: unmount looks first.
    await unmount(rootfs);
  } catch (err) {
    // Something (a shell cd'ed into the rootfs, an exec still closing) holds it:
    // detach it now, the kernel finishes when the last user goes.
    ctx.log?.("warn", "rootfs busy, unmounting lazily", { id, error: String(err) });
    await unmount(rootfs, { lazy: true });
  }
}

export async function ensureRootfsMounted(ctx: Context, rec: ContainerRecord): Promise<void> {
  const { rootfs } = pathsOf(ctx, rec.id);
  await mkdir(rootfs, { recursive: true, mode: 0o710 });
  if (await isMounted(rootfs)) return;
  await mountAll(rec.rootfsMounts, rootfs, { mounted: false });
}
