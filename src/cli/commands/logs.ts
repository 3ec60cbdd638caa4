// berth logs: a container's output so far, and with -f what follows.
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { parseTimestamp } from "../timestamps.js";
import { UsageError } from "../usage-error.js";

interface Flags {
  follow?: boolean;
  tail: string;
  timestamps?: boolean;
  since?: string;
  until?: string;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] CONTAINER")
    .description("Fetch the logs of a container")
    .option("-f, --follow", "Follow log output")
    .option("--since <string>", 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option("-n, --tail <string>", 'Number of lines to show from the end of the logs (default "all")', "all")
    .option("-t, --timestamps", "Show timestamps")
    .option("--until <string>", 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)');
  action<Flags>(cmd, { min: 1, max: 1 }, async ([name], flags) => {
    const client = ctx.client();
    const now = Date.now();
    // The container's TTY setting tells raw from multiplexed output on daemons that do not label it.
    const info = await client.containers.inspect(name);
    const chunks = await client.containers.logs(name, {
      stdout: true,
      stderr: true,
      follow: flags.follow,
      timestamps: flags.timestamps,
      tail: flags.tail,
      since: flags.since === undefined ? undefined : timestamp("since", flags.since, now),
      until: flags.until === undefined ? undefined : timestamp("until", flags.until, now),
      tty: info.Config?.Tty ?? false,
    });
    for await (const { stream, data } of chunks) {
      const target = stream === "stderr" ? process.stderr : process.stdout;
      if (!target.write(data)) await new Promise((resolve) => target.once("drain", resolve));
    }
  }, ctx);
}

/** Docker's client names the flag a bad time came from. */
function timestamp(flag: "since" | "until", value: string, now: number): string {
  try {
    return parseTimestamp(value, now);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(`invalid value for "${flag}": ${err.message}`, { cause: err });
  }
}
