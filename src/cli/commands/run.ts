// berth run: create, attach before start so no output is lost, register the
// wait before start so a fast exit is not missed, start, then exit with the
// container's status (or print the ID with -d).
import type { Command } from "commander";
import { Option } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { runSession } from "../session.js";
import { proxySignals } from "../signals.js";
import { UsageError } from "../usage-error.js";
import { addContainerFlags, buildCreateRequest, streamsToAttach, type ContainerFlags } from "./container-flags.js";
import { createContainer } from "./create-container.js";
import { reportRunError } from "./run-errors.js";

export interface RunFlags extends ContainerFlags {
  detach?: boolean;
  sigProxy: boolean;
  detachKeys?: string;
}

export function define(cmd: Command, ctx: CliContext): void {
  addRunFlags(cmd);
  action<RunFlags>(cmd, { min: 1 }, run, ctx);
}

/** The container flags plus those only `run` has. */
export function addRunFlags(cmd: Command): Command {
  return addContainerFlags(cmd)
    .description("Create and run a new container from an image")
    .option("-d, --detach", "Run container in background and print container ID")
    .option("--detach-keys <string>", "Override the key sequence for detaching a container")
    .addOption(new Option("--sig-proxy", "Proxy received signals to the process").default(true))
    .addOption(new Option("--no-sig-proxy").hideHelp());
}

async function run(args: string[], flags: RunFlags, ctx: CliContext): Promise<number> {
  if (flags.detach && flags.attach?.length) throw new UsageError("Conflicting options: -a and -d");
  if (flags.tty && flags.interactive && !flags.detach && !process.stdin.isTTY) throw new UsageError("the input device is not a TTY");
  const client = ctx.client();
  let id: string;
  try {
    id = await createContainer(ctx, buildCreateRequest(args, flags), flags.pull);
  } catch (err) {
    return reportRunError(ctx, "run", err, "create");
  }
  if (flags.detach) {
    try {
      await client.containers.start(id);
    } catch (err) {
      return reportRunError(ctx, "run", err, "start");
    }
    ctx.out(`${id}\n`);
    return 0;
  }

  const tty = flags.tty ?? false;
  const streams = streamsToAttach(flags);
  const attached =
    streams.stdin || streams.stdout || streams.stderr
      ? await client.containers.attach(id, { stream: true, ...streams, detachKeys: flags.detachKeys, tty })
      : undefined;
  // With --rm the container is gone once it exited; waiting for "removed" also waits for that cleanup.
  const exit = await client.containers.watchExit(id, { condition: flags.rm ? "removed" : "next-exit" });
  try {
    await client.containers.start(id);
  } catch (err) {
    attached?.close();
    return reportRunError(ctx, "run", err, "start");
  }

  const stopProxy = flags.sigProxy && !tty ? proxySignals(ctx, id) : () => undefined;
  try {
    if (attached) {
      const end = await runSession(attached, {
        tty,
        stdin: streams.stdin,
        detachKeys: flags.detachKeys,
        resize: (size) => client.containers.resize(id, size),
      });
      if (end === "detached") return 0;
    }
    const status = await exit.result;
    if (status.Error?.Message) ctx.err(`${ctx.bin}: ${status.Error.Message}\n`);
    return status.StatusCode;
  } finally {
    stopProxy();
  }
}
