// docker logs: conmon's log file (stdout and stderr kept apart) read back as
// entries; following ends when the container stops running.
import { InvalidArgumentError } from "../errors.js";
import { readLog } from "../runtime/conmon-log.js";
import type { LogEntry, LogsOptions } from "./container-service.js";
import { pathsOf, type Context } from "./context.js";
import { isActive } from "./state.js";

export async function containerLogs(
  ctx: Context,
  idOrName: string,
  opts: LogsOptions,
): Promise<{ tty: boolean; entries: AsyncIterable<LogEntry> }> {
  const rec = ctx.records.get(idOrName);
  if (!opts.stdout && !opts.stderr) throw new InvalidArgumentError("Bad parameters: you must choose at least one stream");
  const id = rec.id;
  const stillRunning = () => {
    const now = ctx.records.find(id);
    return now !== undefined && isActive(now.state.status);
  };
  const records = readLog(pathsOf(ctx, id).log, {
    // Following a container that is not running would never end: Docker returns what there is.
    follow: opts.follow && isActive(rec.state.status),
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.until ? { until: opts.until } : {}),
    ...(opts.tail !== undefined && opts.tail >= 0 ? { tail: opts.tail } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    stopWhen: async () => !stillRunning(),
  });
  async function* entries(): AsyncIterable<LogEntry> {
    for await (const r of records) {
      if ((r.stream === "stdout" && opts.stdout) || (r.stream === "stderr" && opts.stderr)) yield r;
    }
  }
  return { tty: rec.config.Tty ?? false, entries: entries() };
}
