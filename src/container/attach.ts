// docker attach (and the attach half of docker run and start -a): optionally
// replay the log, then connect the client to the task's stdio. A container
// that is not running (created, or exited: `docker start -a` attaches before
// it starts) is attached the moment start has created its next task and
// before the process runs, so the client sees every byte. Refusing stopped
// containers is the CLI's business, as in Docker.
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
  // Checked first, as Docker does, whatever the TTY: a typo is reported, not ignored.
  if (opts.detachKeys) parseDetachKeys(opts.detachKeys);
  const rec = ctx.records.get(idOrName);
  const tty = rec.config.Tty ?? false;
  const withStdin = opts.stdin && (rec.config.OpenStdin ?? false);
  // Detach keys only make sense for someone typing into a TTY.
  const detachKeys = tty && withStdin ? parseDetachKeys(opts.detachKeys || DEFAULT_DETACH_KEYS) : undefined;
  if (rec.state.status === "paused") throw new ConflictError(`container ${idOrName} is paused, unpause the container before attach`);
  if (rec.state.status === "restarting") {
    throw new ConflictError(`container ${idOrName} is restarting, wait until the container is running`);
  }

  if (opts.logs) await replayLog(ctx, rec.id, opts, io, tty);
  publish(ctx, rec, "attach");
  if (!opts.stream) return { tty, done: Promise.resolve() };

  // Attaches to the task; `streaming` goes on until the output ends, a detach or the client goes.
  const attachTask = async (): Promise<{ streaming: Promise<void> }> => {
    const task = await ctx.runtime.attach(rec.id);
    const how = { stdin: withStdin, stdout: opts.stdout, stderr: opts.stderr, ...(detachKeys ? { detachKeys } : {}), signal };
    return { streaming: connectStdio(task, io, how).then(() => undefined) };
  };
  if (rec.state.status === "running") return { tty, done: (await attachTask()).streaming };

  // Not running: the next start runs this hook between runtime.create and runtime.start.
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
