// berth start: start containers; with -a (one container) stay attached like
// run does and exit with its status.
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { describe, forEach } from "../each.js";
import { runSession } from "../session.js";
import { NotModifiedError } from "../../errors.js";
import { UsageError } from "../usage-error.js";

interface Flags {
  attach?: boolean;
  interactive?: boolean;
  detachKeys?: string;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] CONTAINER [CONTAINER...]")
    .description("Start one or more stopped containers")
    .option("-a, --attach", "Attach STDOUT/STDERR and forward signals")
    .option("--detach-keys <string>", "Override the key sequence for detaching a container")
    .option("-i, --interactive", "Attach container's STDIN");
  action<Flags>(cmd, { min: 1 }, start, ctx);
}

async function start(names: string[], flags: Flags, ctx: CliContext): Promise<number> {
  if (!flags.attach && !flags.interactive) {
    const { failed } = await forEach(ctx, names, async (name) => {
      await ctx.client().containers.start(name);
    });
    if (failed.length === 0) return 0;
    ctx.err(`Error: failed to start containers: ${failed.join(", ")}\n`);
    return 1;
  }
  if (names.length > 1) throw new UsageError("you cannot start and attach multiple containers at once");
  const client = ctx.client();
  const info = await client.containers.inspect(names[0]);
  const id = info.Id ?? names[0];
  const tty = info.Config?.Tty ?? false;
  const stdin = (flags.interactive ?? false) && (info.Config?.OpenStdin ?? false);
  const attached = await client.containers.attach(id, {
    stream: true,
    stdin,
    stdout: true,
    stderr: true,
    detachKeys: flags.detachKeys,
    tty,
  });
  // An --rm container is gone once it exited; waiting for "removed" also waits for that cleanup.
  const exit = await client.containers.watchExit(id, { condition: info.HostConfig?.AutoRemove ? "removed" : "next-exit" });
  try {
    await client.containers.start(id);
  } catch (err) {
    // Already running (304): stay attached to it, as `docker start -a` does.
    if (!(err instanceof NotModifiedError)) {
      attached.close();
      ctx.err(`${describe(err)}\n`);
      return 1;
    }
  }
  const end = await runSession(attached, {
    tty,
    stdin,
    detachKeys: flags.detachKeys,
    resize: (size) => client.containers.resize(id, size),
  });
  if (end === "detached") return 0;
  return (await exit.result).StatusCode;
}
