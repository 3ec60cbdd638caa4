// Commands that take several containers or images act on all of them at
// once, then report in the order given: the name on success, the daemon's
// error on failure; any failure (but those the caller tolerates) makes the
// exit status 1.
import { fromDaemon } from "../client/client.js";
import { NotModifiedError } from "../errors.js";
import type { CliContext } from "./context.js";

export async function forEach(
  ctx: CliContext,
  names: string[],
  op: (name: string) => Promise<string | void>,
  opts: { tolerate?: (err: unknown) => boolean } = {},
): Promise<{ failed: string[] }> {
  const results = await Promise.allSettled(names.map((name) => op(name)));
  const failed: string[] = [];
  results.forEach((result, i) => {
    // 304: already in the wanted state, which Docker treats as success.
    if (result.status === "fulfilled" || result.reason instanceof NotModifiedError) {
      const printed = result.status === "fulfilled" ? result.value : undefined;
      ctx.out(`${printed ?? names[i]}\n`);
      return;
    }
    if (!opts.tolerate?.(result.reason)) failed.push(names[i]);
    ctx.err(`${describe(result.reason)}\n`);
  });
  return { failed };
}

export function describe(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  return fromDaemon(err) ? `Error response from daemon: ${message}` : message;
}
