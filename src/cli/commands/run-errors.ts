// How `run` and `create` report failure: "berth: <message>" with a pointer to
// --help, and Docker's exit codes — 125 for the daemon's refusal, 126 when the
// command cannot be invoked, 127 when it is not found.
import { fromDaemon } from "../../client/client.js";
import type { CliContext } from "../context.js";

export function reportRunError(ctx: CliContext, command: string, err: unknown, phase: "create" | "start"): number {
  const message = (err as Error).message ?? String(err);
  const text = fromDaemon(err) ? `Error response from daemon: ${message}` : message;
  ctx.err(`${ctx.bin}: ${text}\n\nRun '${ctx.bin} ${command} --help' for more information\n`);
  return phase === "start" ? startExitCode(message) : 125;
}

export function startExitCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}
