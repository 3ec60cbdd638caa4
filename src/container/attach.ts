// docker attach (and the attach half of docker run): optionally replay the
// log, then connect the client to the task's stdio. A container not started
// yet is attached the moment start has created its task and before the
// process runs, so `docker run` (attach, then start) sees every byte.
import { ConflictError } from "../errors.js";
import type { AttachOptions, StdioStreams } from "./container-service.js";
import { publish, type Context } from "./context.js";
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from "./detach-keys.js";
import { containerLogs } from "./logs.js";
import { connectStdio } from "./stdio.js";

export async function attachContainer(
  ctx: Context,
  idOrName: string,
  opts: AttachOptions,
  io: StdioStreams,
  signal: AbortSignal,
): Promise<{ tty: boolean; done: Promise<void> }> {
  const rec = ctx.records.get(idOrName);
  const tty = rec.config.Tty ?? false;
  const withStdin = opts.stdin && (rec.config.OpenStdin ?? false);
  // Detach keys only make sense for someone typing into a TTY.
  const detachKeys = tty && withStdin ? parseDetachKeys(opts.detachKeys || DEFAULT_DETACH_KEYS) : undefined;
  if (opts.stream) {
    if (rec.state.status === "paused") throw new ConflictError("You cannot attach to a paused container, unpause it first");
    if (!["created", "running", "restarting"].includes(rec.state.status)) {
      throw new ConflictError("You cannot attach to a stopped container, start it first");
    }
  }

  if (opts.logs) await replayLog(ctx, rec.id, opts, io, tty);
  if (!opts.stream) return { tty, done: Promise.resolve() };
  publish(ctx, rec, "attach");

  // Attaches to the task; `streaming` goes on until the output ends, a detach or the client goes.
  const attachTask = async (): Promise<{ streaming: Promise<void> }> => {
    const task = await ctx.runtime.attach(rec.id);
    const how = { stdin: withStdin, stdout: opts.stdout, stderr: opts.stderr, ...(detachKeys ? { detachKeys } : {}), signal };
    return { streaming: connectStdio(task, io, how).then(() => undefined) };
  };
  if (rec.state.status !== "created") return { tty, done: (await attachTask()).streaming };

  // Not started yet: start runs this hook between runtime.create and runtime.start.
  const done = new Promise<void>((resolve, reject) => {
    const hooks = ctx.attachHooks.get(rec.id) ?? new Set<() => Promise<void>>();
    ctx.attachHooks.set(rec.id, hooks);
    const unsubscribe = () => {
      signal.removeEventListener("abort", forget);
      ctx.changes.off("removed", onRemoved);
      ctx.changes.off("exit", onRemoved);
    };
    const hook = async () => {
      unsubscribe();
      try {
        (await attachTask()).streaming.then(resolve, reject);
      } catch (err) {
        reject(err);
      }
    };
    // The client went away, or the container was removed or failed to start, before its task existed.
    function forget(): void {
      unsubscribe();
      hooks.delete(hook);
      if (hooks.size === 0 && ctx.attachHooks.get(rec.id) === hooks) ctx.attachHooks.delete(rec.id);
      resolve();
    }
    function onRemoved(r: { id: string }): void {
      if (r.id === rec.id) forget();
    }
    hooks.add(hook);
    signal.addEventListener("abort", forget, { once: true });
    ctx.changes.on("removed", onRemoved);
    ctx.changes.on("exit", onRemoved);
  });
  return { tty, done };
}

async function replayLog(ctx: Context, id: string, opts: AttachOptions, io: StdioStreams, tty: boolean): Promise<void> {
  const { entries } = await containerLogs(ctx, id, { follow: false, stdout: opts.stdout, stderr: opts.stderr, timestamps: false });
  for await (const e of entries) {
    const out = e.stream === "stderr" && !tty ? io.stderr : io.stdout;
    if (!out.write(e.line)) await new Promise((r) => out.once("drain", r));
  }
}
