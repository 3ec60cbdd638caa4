// docker logs: conmon's log file (stdout and stderr kept apart) read back as
// entries; following ends when the container stops running.
import { InvalidArgumentError, NotImplementedError } from "../errors.js";
import { logSettings } from "./log-config.js";
import { readLogFiles } from "./log-rotation.js";
import type { LogEntry, LogsOptions } from "./container-service.js";
import { pathsOf, type Context } from "./context.js";
import type { ContainerRecord } from "./records.js";
import { isActive } from "./state.js";

export async function containerLogs(
  ctx: Context,
  idOrName: string,
  opts: LogsOptions,
): Promise<{ tty: boolean; entries: AsyncIterable<LogEntry> }> {
  const rec = ctx.records.get(idOrName);
  if (!opts.stdout && !opts.stderr) throw new InvalidArgumentError("Bad parameters: you must choose at least one stream");
  if (logSettings(rec.hostConfig.LogConfig).none) throw new NotImplementedError("configured logging driver does not support reading");
  const id = rec.id;
  const stillRunning = () => {
    const now = ctx.records.find(id);
    return now !== undefined && isActive(now.state.status);
  };
  const ended = opts.follow ? runEnded(ctx, id) : undefined;
  const records = readLogFiles(pathsOf(ctx, id).log, {
    maxFile: logSettings(rec.hostConfig.LogConfig).maxFile,
    // Following a container that is not running would never end: Docker returns what there is.
    follow: opts.follow && isActive(rec.state.status),
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.until ? { until: opts.until } : {}),
    ...(opts.tail !== undefined && opts.tail >= 0 ? { tail: opts.tail } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    stopWhen: async () => !stillRunning(),
    ...(ended ? { ended: ended.promise } : {}),
  });
  async function* entries(): AsyncIterable<LogEntry> {
    try {
      for await (const r of records) {
        if ((r.stream === "stdout" && opts.stdout) || (r.stream === "stderr" && opts.stderr)) yield r;
      }
    } finally {
      ended?.cancel();
    }
  }
  return { tty: rec.config.Tty ?? false, entries: entries() };
}

/**
 * Settles as soon as the run's end is recorded, before the task is released
 * and "die" is published, so a follower ends its stream first, as dockerd's
 * does: docker-compose's `logs -f` prints "<name> exited with code N" only for
 * a stream that ended before the die event reached it.
 */
function runEnded(ctx: Context, id: string): { promise: Promise<void>; cancel(): void } {
  let cancel = () => {};
  const promise = new Promise<void>((resolve) => {
    const onChange = (r: ContainerRecord) => {
      if (r.id === id && !isActive(r.state.status)) done();
    };
    const onRemoved = (r: ContainerRecord) => {
      if (r.id === id) done();
    };
    const done = () => {
      cancel();
      resolve();
    };
    cancel = () => {
      ctx.changes.off("change", onChange);
      ctx.changes.off("removed", onRemoved);
    };
    ctx.changes.on("change", onChange);
    ctx.changes.on("removed", onRemoved);
  });
  return { promise, cancel };
}
