// Recovery, run once by berthd before it serves: bring every record in line
// with what runc, conmon's exit files and the mount table say. Containers kept
// running while berthd was away get their exit watcher back; those that exited
// get their real exit code; half-done removals are finished; a container whose
// files are gone is marked dead. A record that cannot be reconciled is reported
// as broken, never a reason to refuse to start.
import { access } from "node:fs/promises";
import { isErrno } from "../errors.js";
import { nowIso, pathsOf, setState, type Context } from "./context.js";
import { ensureRootfsMounted, finishExit, releaseTask, watchExit } from "./exit.js";
import type { ContainerRecord } from "./records.js";
import { finishRemoval } from "./remove.js";
import { driverData } from "./size.js";

export interface RecoveryReport {
  total: number;
  running: number;
  /** Exited while berthd was down: their exit was recorded now. */
  exited: number;
  removed: number;
  /** Marked dead now because their files are missing. */
  dead: number;
  warnings: { id: string; message: string }[];
  broken: { id: string; name: string; error: string }[];
}

// What Docker records when a task vanished with no exit status (a host reboot wiped /run).
const UNKNOWN_EXIT = 255;

export async function recover(ctx: Context): Promise<RecoveryReport> {
  const report: RecoveryReport = { total: 0, running: 0, exited: 0, removed: 0, dead: 0, warnings: [], broken: [] };
  for (const rec of ctx.records.list()) {
    report.total++;
    try {
      await ctx.locks.withLock(rec.id, () => recoverOne(ctx, rec, report));
    } catch (err) {
      report.broken.push({ id: rec.id, name: rec.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return report;
}

async function recoverOne(ctx: Context, rec: ContainerRecord, report: RecoveryReport): Promise<void> {
  switch (rec.state.status) {
    case "running":
    case "paused":
    case "restarting": {
      const task = await ctx.runtime.state(rec.id);
      if (task && (task.status === "running" || task.status === "paused")) {
        if (task.status !== rec.state.status || task.pid !== rec.state.pid) setState(ctx, rec, { status: task.status, pid: task.pid });
        try {
          await ensureRootfsMounted(ctx, rec);
        } catch (err) {
          // The running container keeps its own mount of the rootfs; only host-side views (size) miss it.
          report.warnings.push({ id: rec.id, message: `rootfs not mounted: ${err instanceof Error ? err.message : String(err)}` });
        }
        watchExit(ctx, rec.id, rec.state.startedAt);
        report.running++;
        return;
      }
      const exit = (await ctx.runtime.exitStatus(rec.id)) ?? { exitCode: UNKNOWN_EXIT, exitedAt: nowIso(), oomKilled: false };
      await finishExit(ctx, rec, exit);
      report.exited++;
      return;
    }
    case "removing":
      await finishRemoval(ctx, rec);
      report.removed++;
      return;
    case "created":
    case "exited":
      // A task or mount left over by a crash between recording the exit and cleaning up.
      await releaseTask(ctx, rec.id);
      if (!(await filesPresent(ctx, rec))) {
        setState(ctx, rec, { status: "dead", error: "container's root filesystem or directory is missing" });
        report.dead++;
      }
      return;
    case "dead":
      return;
  }
}

async function filesPresent(ctx: Context, rec: ContainerRecord): Promise<boolean> {
  const writable = driverData(rec.rootfsMounts, pathsOf(ctx, rec.id).rootfs).writable;
  for (const path of [pathsOf(ctx, rec.id).dir, writable]) {
    if (!path) return false;
    try {
      await access(path);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return false;
      throw err;
    }
  }
  return true;
}
