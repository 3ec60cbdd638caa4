// Builds the commander program for one invocation and maps every failure to
// Docker's message and exit code. Global flags are read before the command
// name; only the invoked command's module is loaded and defined in full.
import { Command, CommanderError } from "commander";
import { fromDaemon, resolveHost } from "../client/client.js";
import { CliUsageError, usageBlock } from "./action.js";
import { normalizeArgs } from "./args.js";
import { createContext, type CliContext } from "./context.js";
import { ENTRIES, type Entry } from "./registry.js";
import { UsageError } from "./usage-error.js";
import { versionLine } from "./version-info.js";

interface Invocation {
  host?: string;
  version: boolean;
  /** Index in argv of the command name, or -1 when only global flags were given. */
  at: number;
}

/** Reads the global flags that come before the command name. */
function scanGlobals(argv: string[]): Invocation {
  const inv: Invocation = { version: false, at: -1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-H" || arg === "--host") inv.host = argv[++i];
    else if (arg.startsWith("--host=")) inv.host = arg.slice("--host=".length);
    else if (arg.startsWith("-H") && arg.length > 2) inv.host = arg.slice(2).replace(/^=/, "");
    else if (arg === "-v" || arg === "--version") inv.version = true;
    else if (!arg.startsWith("-")) {
      inv.at = i;
      return inv;
    }
  }
  return inv;
}

/**
 * Runs one command line and exits with its code once pending output is
 * flushed (stdin or a socket may still hold the loop open). `beforeExit` runs
 * first: bin/berth saves its compile cache there.
 */
export async function main(argv: string[], beforeExit?: () => void): Promise<void> {
  const code = await runCli(argv);
  beforeExit?.();
  const finish = (): never => process.exit(code);
  if (process.stdout.writableLength > 0) process.stdout.once("drain", finish);
  else if (process.stderr.writableLength > 0) process.stderr.once("drain", finish);
  else finish();
}

export async function runCli(argv: string[]): Promise<number> {
  const inv = scanGlobals(argv);
  if (inv.version) {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  const ctx = createContext(resolveHost(inv.host));
  const program = new Command("berth")
    .usage("[OPTIONS] COMMAND")
    .description("A self-sufficient runtime for containers")
    .option("-H, --host <host>", "Daemon socket to connect to")
    .option("-v, --version", "Print version information and quit")
    .helpOption("-h, --help", "Print usage")
    .helpCommand(false)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });

  let invoked: Command | undefined;
  // The innermost command named on the line, for help and usage messages.
  let chosenCmd: Command = program;
  let argsAt = -1;
  const addEntries = async (parent: Command, entries: Entry[], at: number): Promise<void> => {
    const name = at >= 0 ? argv[at] : undefined;
    for (const entry of entries) {
      const cmd = parent.command(entry.name).summary(entry.summary).description(entry.summary);
      if (entry.aliases?.length) cmd.aliases(entry.aliases);
      const chosen = name !== undefined && (entry.name === name || entry.aliases?.includes(name));
      if (!chosen) continue;
      chosenCmd = cmd;
      if (entry.children) {
        cmd.usage("COMMAND").enablePositionalOptions();
        const sub = argv.findIndex((a, i) => i > at && !a.startsWith("-"));
        await addEntries(cmd, entry.children, sub);
        if (sub >= 0 && !invoked) throw new CliUsageError(`${ctx.bin}: unknown command: ${ctx.bin} ${name} ${argv[sub]}`, 1, "Run");
      } else if (entry.load) {
        (await entry.load()).define(cmd, ctx);
        invoked = cmd;
        argsAt = at + 1;
      }
    }
  };

  try {
    await addEntries(program, ENTRIES, inv.at);
    if (inv.at >= 0 && !program.commands.some((c) => c.name() === argv[inv.at] || c.aliases().includes(argv[inv.at]))) {
      throw new CliUsageError(`${ctx.bin}: unknown command: ${ctx.bin} ${argv[inv.at]}`, 1, "Run");
    }
    const args = invoked ? [...argv.slice(0, argsAt), ...normalizeArgs(invoked, argv.slice(argsAt))] : argv;
    if (inv.at < 0 && args.length === 0) {
      process.stdout.write(program.helpInformation());
      return 0;
    }
    await program.parseAsync(args, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    return report(err, { ctx, cmd: chosenCmd });
  }
}

function report(err: unknown, where: { ctx: CliContext; cmd: Command }): number {
  const { ctx, cmd } = where;
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return 0;
    // A management command without a subcommand shows its help, as Docker does.
    if (err.code === "commander.help") {
      process.stdout.write(cmd.helpInformation());
      return 0;
    }
    ctx.err(`${flagMessage(err)}\n${usageBlock(cmd, "Run")}`);
    return 125;
  }
  if (err instanceof CliUsageError) {
    ctx.err(err.hint === "See" || cmd.parent ? `${err.message}\n${usageBlock(cmd, err.hint)}` : `${err.message}\n\nRun '${ctx.bin} --help' for more information\n`);
    return err.exitCode;
  }
  if (fromDaemon(err)) ctx.err(`Error response from daemon: ${err.message}\n`);
  else if (err instanceof UsageError) ctx.err(`${err.message}\n`);
  else ctx.err(`${(err as Error).message ?? String(err)}\n`);
  return 1;
}

/** Commander's wording → pflag's, which scripts and people know. */
function flagMessage(err: CommanderError): string {
  const text = err.message.replace(/^error: /, "");
  let m: RegExpExecArray | null;
  if ((m = /^unknown option '(--?)([^']*)'/.exec(text))) {
    return m[1] === "--" ? `unknown flag: --${m[2]}` : `unknown shorthand flag: '${m[2][0]}' in -${m[2]}`;
  }
  if ((m = /^option '(.*?)' argument missing/.exec(text))) {
    const flags = m[1].replace(/\s*[<[].*$/, "");
    const short = /^-(\w)\b/.exec(flags);
    return short ? `flag needs an argument: '${short[1]}' in -${short[1]}` : `flag needs an argument: ${flags}`;
  }
  if ((m = /^option '(.*?)' argument '(.*)' is invalid\. ([\s\S]*)$/.exec(text))) {
    return `invalid argument "${m[2]}" for "${m[1].replace(/\s*[<[].*$/, "")}" flag: ${m[3]}`;
  }
  return text;
}
