// The bridge between commander and a command handler: checks the number of
// operands with Docker's wording, runs the handler, records its exit code.
import type { Command } from "commander";
import type { CliContext } from "./context.js";

export interface ArgRule {
  min?: number;
  max?: number;
}

/** Thrown for misuse that Docker reports with the usage line (exit 1 for operands, 125 for flags). */
export class CliUsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint: "See" | "Run",
  ) {
    super(message);
  }
}

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** "Usage:  berth run [OPTIONS] IMAGE…" and the pointer to --help, as Docker prints them. */
export function usageBlock(cmd: Command, hint: "See" | "Run"): string {
  const path = commandPath(cmd);
  return `\nUsage:  ${path} ${cmd.usage()}\n\n${hint} '${path} --help' for more information\n`;
}

export function action<O>(
  cmd: Command,
  rule: ArgRule,
  handler: (args: string[], opts: O, ctx: CliContext) => Promise<number | void>,
  ctx: CliContext,
): void {
  cmd.allowExcessArguments(true).action(async () => {
    const args = cmd.args;
    const problem = checkCount(args.length, rule);
    if (problem) throw new CliUsageError(`${ctx.bin}: '${commandPath(cmd)}' ${problem}`, 1, "See");
    const code = await handler(args, cmd.opts<O & Record<string, unknown>>(), ctx);
    process.exitCode = code ?? 0;
  });
}

function checkCount(n: number, { min = 0, max = Infinity }: ArgRule): string | undefined {
  const plural = (k: number): string => `${k} argument${k === 1 ? "" : "s"}`;
  if (n >= min && n <= max) return undefined;
  if (max === 0) return "accepts no arguments";
  if (min === max) return `requires exactly ${plural(min)}`;
  if (max === Infinity) return `requires at least ${plural(min)}`;
  if (min === 0) return `requires at most ${plural(max)}`;
  return `requires at least ${min} and at most ${plural(max)}`;
}
