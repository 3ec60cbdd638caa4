// docker kill, and the signalling stop and rm -f share: send a signal to the
// task, and wait (bounded) for the exit so the record says "exited" when the
// request returns — `docker kill x && docker inspect x` sees it stopped.
import { BerthError, ConflictError, SystemError } from "../errors.js";
import type { ExitStatus } from "../runtime/runtime.js";
import { exitOf, publish, setState, type Context } from "./context.js";
import { finishExit } from "./exit.js";
import type { ContainerRecord } from "./records.js";
import { isActive } from "./state.js";
import { parseSignal, SIGKILL } from "./signals.js";

// How long a SIGKILLed process may take to be reaped and reported by conmon.
const KILL_GRACE_MS = 10_000;

export async function killContainer(ctx: Context, idOrName: string, signal?: string): Promise<void> {
  const sig = parseSignal(signal || "SIGKILL");
  try {
    await killLocked(ctx, idOrName, sig);
  } catch (err) {
    throw cannotKill(idOrName, err);
  }
}

/** Docker prefixes every kill failure but a bad signal (`Cannot kill container: web: No such container: web`), keeping its kind. */
function cannotKill(name: string, err: unknown): unknown {
  if (!(err instanceof BerthError)) return err;
  const Kind = err.constructor as new (message: string, options?: { cause?: unknown }) => BerthError;
  return new Kind(`Cannot kill container: ${name}: ${err.message}`, { cause: err });
}

async function killLocked(ctx: Context, idOrName: string, sig: number): Promise<void> {
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    if (!isActive(rec.state.status)) throw new ConflictError(`Container ${rec.id} is not running`);
    const stopSignal = parseSignal(rec.config.StopSignal || "SIGTERM");
    if (sig === SIGKILL || sig === stopSignal) ctx.stoppedByUser.add(id);
    await signalTask(ctx, rec, sig);
    if (sig !== SIGKILL) return;
    const exit = await exitWithin(ctx, id, KILL_GRACE_MS);
    if (exit) await finishExit(ctx, rec, exit);
  });
}

/**
 * Signals the task and publishes `kill`. A frozen (paused) process cannot act
 * on a signal, so it is thawed after the signal is queued.
 */
export async function signalTask(ctx: Context, rec: ContainerRecord, signal: number): Promise<void> {
  try {
    await ctx.runtime.kill(rec.id, signal);
  } catch (err) {
    // It exited between our look and the signal: the exit is what the caller waits for anyway.
    if (await ctx.runtime.exitStatus(rec.id)) return;
    throw err;
  }
  publish(ctx, rec, "kill", { signal: String(signal) });
  if (rec.state.status === "paused") {
    await ctx.runtime.resume(rec.id);
    setState(ctx, rec, { status: "running" });
  }
}

/** The exit, if the task exits within `ms` (negative: wait as long as it takes). */
export async function exitWithin(ctx: Context, id: string, ms: number): Promise<ExitStatus | undefined> {
  if (ms < 0) return exitOf(ctx, id);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([exitOf(ctx, id), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Signal, wait up to `timeoutMs`, then SIGKILL and wait; records the exit. Call holding the lock. */
export async function terminate(ctx: Context, rec: ContainerRecord, signal: number, timeoutMs: number): Promise<void> {
  let exit: ExitStatus | undefined;
  if (signal !== SIGKILL) {
    await signalTask(ctx, rec, signal);
    exit = await exitWithin(ctx, rec.id, timeoutMs);
  }
  if (!exit) {
    await signalTask(ctx, rec, SIGKILL);
    exit = await exitWithin(ctx, rec.id, KILL_GRACE_MS);
  }
  if (!exit) throw new SystemError(`container ${rec.id} did not exit after SIGKILL`);
  await finishExit(ctx, rec, exit);
}
