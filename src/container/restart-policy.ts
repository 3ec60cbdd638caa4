// Restart policies (no, always, unless-stopped, on-failure[:max]): after an
// exit the user did not ask for, start the container again after a delay that
// doubles with each quick failure (100 ms up to one minute), as Docker does.
// The container shows "exited" while it waits for the delay.
import type { Context } from "./context.js";
import { zeroTime, type ContainerRecord } from "./records.js";
import { runContainer } from "./start.js";

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
// A run this long counts as healthy: the delay starts over.
const HEALTHY_RUN_MS = 10_000;

export function shouldRestart(rec: ContainerRecord, stoppedByUser: boolean): boolean {
  if (stoppedByUser || rec.state.status !== "exited") return false;
  const policy = rec.hostConfig.RestartPolicy;
  switch (policy?.Name) {
    case "always":
    case "unless-stopped":
      return true;
    case "on-failure": {
      const max = policy.MaximumRetryCount ?? 0;
      return rec.state.exitCode !== 0 && (max === 0 || rec.state.restartCount < max);
    }
    default:
      return false;
  }
}

export function restartDelay(rec: ContainerRecord): number {
  const ran = Date.parse(rec.state.finishedAt) - Date.parse(rec.state.startedAt);
  if (ran >= HEALTHY_RUN_MS) return FIRST_DELAY_MS;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(rec.state.restartCount, 10));
}

export function applyRestartPolicy(ctx: Context, id: string): void {
  const rec = ctx.records.find(id);
  if (!rec || !shouldRestart(rec, ctx.stoppedByUser.has(id))) return;
  const finishedAt = rec.state.finishedAt;
  setTimeout(() => {
    ctx.locks
      .withLock(id, async () => {
        const now = ctx.records.find(id);
        // Started, stopped or removed by someone else meanwhile: their decision stands.
        if (!now || now.state.finishedAt !== finishedAt || !shouldRestart(now, ctx.stoppedByUser.has(id))) return;
        await runContainer(ctx, now, { restartCount: now.state.restartCount + 1 });
      })
      .catch((err: unknown) => ctx.log?.("warn", "restart policy: start failed", { id, error: String(err) }));
  }, restartDelay(rec)).unref();
}

/**
 * After berthd starts, as dockerd at its start: an "always" container that had
 * run and is stopped — by itself or by the user — starts again. (Those that
 * died while berthd was away had their exit recorded by recovery, which
 * applied every policy already: unless-stopped and on-failure included; an
 * unless-stopped one the user stopped stays stopped.) Not awaited: a start
 * waits for the networks' first reconcile, which comes after recovery.
 */
export function restartAfterRecovery(ctx: Context): void {
  for (const rec of ctx.records.list()) {
    if (rec.state.status !== "exited" || rec.state.startedAt === zeroTime || rec.hostConfig.RestartPolicy?.Name !== "always") continue;
    ctx.locks
      .withLock(rec.id, async () => {
        const now = ctx.records.find(rec.id);
        if (!now || now.state.status !== "exited") return;
        await runContainer(ctx, now);
      })
      .catch((err: unknown) => ctx.log?.("warn", "restart policy: start after berthd restart failed", { id: rec.id, error: String(err) }));
  }
}
