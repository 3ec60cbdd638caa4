// berth attach: connect this terminal to a running container's main process.
import type { Command } from "commander";
import { Option } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { detachedExit, runSession } from "../session.js";
import { proxySignals } from "../signals.js";
import { UsageError } from "../usage-error.js";

interface Flags {
  detachKeys?: string;
  stdin: boolean;
  sigProxy: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] CONTAINER")
    .description("Attach local standard input, output, and error streams to a running container")
    .option("--detach-keys <string>", "Override the key sequence for detaching a container")
    .option("--no-stdin", "Do not attach STDIN")
    .addOption(new Option("--sig-proxy", "Proxy all received signals to the process").default(true))
    .addOption(new Option("--no-sig-proxy").hideHelp());
  action<Flags>(cmd, { min: 1, max: 1 }, (args, flags) => attach(ctx, args[0], flags), ctx);
}

async function attach(ctx: CliContext, name: string, flags: Flags): Promise<number> {
  const client = ctx.client();
  const info = await client.containers.inspect(name);
  if (!info.State?.Running) throw new UsageError("You cannot attach to a stopped container, start it first");
  if (info.State.Paused) throw new UsageError("You cannot attach to a paused container, unpause it first");
  const id = info.Id ?? name;
  const tty = info.Config?.Tty ?? false;
  const stdin = flags.stdin && (info.Config?.OpenStdin ?? false);
  const stream = await client.containers.attach(id, { stream: true, stdin, stdout: true, stderr: true, detachKeys: flags.detachKeys, tty });
  const exit = await client.containers.watchExit(id, { condition: "not-running" });
  const stopProxy = flags.sigProxy && !tty ? proxySignals(ctx, id) : () => undefined;
  try {
    const end = await runSession(stream, { tty, stdin, detachKeys: flags.detachKeys, resize: (size) => client.containers.resize(id, size) });
    if (end === "detached") return detachedExit(ctx);
    return (await exit.result).StatusCode;
  } finally {
    stopProxy();
  }
}
