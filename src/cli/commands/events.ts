// berth events: the daemon's event stream, one line per event, until --until
// (or forever).
import type { Command } from "commander";
import type { EventMessage } from "../../api/types/index.js";
import { action } from "../action.js";
import { filterFlag } from "../args.js";
import type { CliContext } from "../context.js";
import { parseTemplate } from "../format/template.js";
import { parseTimestamp } from "../timestamps.js";

interface Flags {
  since?: string;
  until?: string;
  filter?: Record<string, string[]>;
  format?: string;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Get real time events from the server")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", filterFlag)
    .option("--format <string>", "Format output using a custom template")
    .option("--since <string>", "Show all events created since timestamp")
    .option("--until <string>", "Stream events until this timestamp");
  action<Flags>(cmd, { max: 0 }, async (_args, flags) => {
    const now = Date.now();
    const events = await ctx.client().events({
      since: flags.since === undefined ? undefined : parseTimestamp(flags.since, now),
      until: flags.until === undefined ? undefined : parseTimestamp(flags.until, now),
      filters: flags.filter,
    });
    const template = flags.format ? parseTemplate(flags.format === "json" ? "{{json .}}" : flags.format) : undefined;
    for await (const event of events) ctx.out(`${template ? template.execute(event) : eventLine(event)}\n`);
  }, ctx);
}

/** "2024-05-01T10:00:00.123456789Z container start 3f2a… (image=busybox, name=web)" */
export function eventLine(e: EventMessage): string {
  const nanos = BigInt(e.timeNano ?? (e.time ?? 0) * 1e9);
  const seconds = Number(nanos / 1_000_000_000n);
  const fraction = String(nanos % 1_000_000_000n).padStart(9, "0");
  const stamp = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, `.${fraction}Z`);
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  const tail = keys.length > 0 ? ` (${keys.map((k) => `${k}=${attrs[k]}`).join(", ")})` : "";
  return `${stamp} ${e.Type ?? ""} ${e.Action ?? ""} ${e.Actor?.ID ?? ""}${tail}`;
}
