// berth exec: run a command in a running container; exit with its status,
// which exec inspect reports once the stream ends.
import type { Command } from "commander";
import { action } from "../action.js";
import { envFlag } from "./container-flags.js";
import type { CliContext } from "../context.js";
import { detachedExit, runSession } from "../session.js";
import { UsageError } from "../usage-error.js";

interface Flags {
  detach?: boolean;
  detachKeys?: string;
  env?: string[];
  interactive?: boolean;
  privileged?: boolean;
  tty?: boolean;
  user?: string;
  workdir?: string;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] CONTAINER COMMAND [ARG...]")
    .description("Execute a command in a running container")
    .passThroughOptions()
    .option("-d, --detach", "Detached mode: run command in the background")
    .option("--detach-keys <string>", "Override the key sequence for detaching a container")
    .option("-e, --env <list>", "Set environment variables", envFlag)
    .option("-i, --interactive", "Keep STDIN open even if not attached")
    .option("--privileged", "Give extended privileges to the command")
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("-u, --user <string>", "Username or UID (format: \"<name|uid>[:<group|gid>]\")")
    .option("-w, --workdir <string>", "Working directory inside the container");
  action<Flags>(cmd, { min: 2 }, (args, flags) => exec(ctx, args, flags), ctx);
}

async function exec(ctx: CliContext, [container, ...command]: string[], flags: Flags): Promise<number> {
  const tty = flags.tty ?? false;
  if (tty && flags.interactive && !flags.detach && !process.stdin.isTTY) throw new UsageError("the input device is not a TTY");
  const client = ctx.client();
  const stdin = (flags.interactive ?? false) && !flags.detach;
  const env = (flags.env ?? []).map((e) => (e.includes("=") || process.env[e] === undefined ? e : `${e}=${process.env[e]}`));
  const size: [number, number] | undefined = tty && process.stdout.isTTY ? [process.stdout.rows, process.stdout.columns] : undefined;
  const { Id } = await client.exec.create(container, {
    AttachStdin: stdin,
    AttachStdout: !flags.detach,
    AttachStderr: !flags.detach,
    Tty: tty,
    Env: env.length > 0 ? env : undefined,
    WorkingDir: flags.workdir,
    User: flags.user,
    Privileged: flags.privileged ?? false,
    DetachKeys: flags.detachKeys,
    ConsoleSize: size,
    Cmd: command,
  });
  if (flags.detach) {
    await client.exec.startDetached(Id, { tty });
    return 0;
  }
  const stream = await client.exec.start(Id, { tty, consoleSize: size });
  const end = await runSession(stream, {
    tty,
    stdin,
    detachKeys: flags.detachKeys,
    resize: (s) => client.exec.resize(Id, s),
  });
  if (end === "detached") return detachedExit(ctx);
  return (await client.exec.inspect(Id)).ExitCode ?? 0;
}
