// docker stop / restart / pause / unpause. stop sends the container's stop
// signal (StopSignal, else SIGTERM; or the request's), waits the timeout
// (request, else StopTimeout, else 10 s; -1 waits forever), then SIGKILL.
import { ConflictError, NotModifiedError } from "../errors.js";
import { publish, setState, type Context } from "./context.js";
import { terminate } from "./kill.js";
import { isActive } from "./state.js";
import { parseSignal } from "./signals.js";
import { startContainer } from "./start.js";

const DEFAULT_STOP_TIMEOUT = 10;

export async function stopContainer(ctx: Context, idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void> {
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    if (!isActive(rec.state.status)) throw new NotModifiedError("Container already stopped");
    const signal = parseSignal(opts.signal || rec.config.StopSignal || "SIGTERM");
    const timeout = opts.timeout ?? rec.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT;
    ctx.stoppedByUser.add(id);
    await terminate(ctx, rec, signal, timeout < 0 ? -1 : timeout * 1000);
    publish(ctx, rec, "stop");
  });
}

export async function restartContainer(ctx: Context, idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void> {
  try {
    await stopContainer(ctx, idOrName, opts);
  } catch (err) {
    if (!(err instanceof NotModifiedError)) throw err;
  }
  try {
    await startContainer(ctx, idOrName);
  } catch (err) {
    // Someone started it between our stop and start: it is running, which is what restart wants.
    if (!(err instanceof NotModifiedError)) throw err;
  }
  publish(ctx, ctx.records.get(idOrName), "restart");
}

export async function pauseContainer(ctx: Context, idOrName: string): Promise<void> {
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    if (rec.state.status === "paused") throw new ConflictError(`Container ${id} is already paused`);
    if (rec.state.status !== "running") throw new ConflictError(`Container ${id} is not running`);
    await ctx.runtime.pause(id);
    setState(ctx, rec, { status: "paused" });
    publish(ctx, rec, "pause");
  });
}

export async function unpauseContainer(ctx: Context, idOrName: string): Promise<void> {
  const { id } = ctx.records.get(idOrName);
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    if (rec.state.status !== "paused") throw new ConflictError(`Container ${id} is not paused`);
    await ctx.runtime.resume(id);
    setState(ctx, rec, { status: "running" });
    publish(ctx, rec, "unpause");
  });
}
