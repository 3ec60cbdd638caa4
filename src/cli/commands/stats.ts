// berth stats [-a] [--no-stream] [--no-trunc] [--format] [CONTAINER...]: a live
// table of the containers' resource usage, as `docker stats`. With names, those
// containers; without, the running ones (all with -a), looked up again on each
// redraw so that containers that start or go are followed. In a terminal the
// table is redrawn in place; otherwise each redraw is printed after the last.
import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "../../client/client.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { describe } from "../each.js";
import { emptyEntry, renderStats, statsEntry, type StatsEntry } from "./stats-format.js";

interface Flags {
  all?: boolean;
  stream: boolean;
  trunc: boolean;
  format?: string;
}

// The docker CLI redraws twice a second; samples arrive once a second.
const REDRAW_MS = 500;
const FIRST_SAMPLE_MS = 2000;

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] [CONTAINER...]")
    .description("Display a live stream of container(s) resource usage statistics")
    .option("-a, --all", "Show all containers (default shows just running)")
    .option("--format <string>", "Format output using a custom template")
    .option("--no-stream", "Disable streaming stats and only pull the first result")
    .option("--no-trunc", "Do not truncate output");
  action<Flags>(cmd, {}, async (names, flags) => {
    const client = ctx.client();
    return flags.stream ? streamStats(ctx, client, names, flags) : onceStats(ctx, client, names, flags);
  }, ctx);
}

async function listed(client: Client, all: boolean): Promise<string[]> {
  return (await client.containers.list({ all })).map((c) => (c.Id ?? "").slice(0, 12));
}

/** --no-stream: one sample of each; any container that cannot be had fails the command, printing nothing else. */
async function onceStats(ctx: CliContext, client: Client, names: string[], flags: Flags): Promise<number | void> {
  const targets = names.length > 0 ? names : await listed(client, flags.all ?? false);
  const results = await Promise.allSettled(
    targets.map(async (name): Promise<StatsEntry> => {
      for await (const sample of await client.containers.stats(name, { stream: false })) return statsEntry(name, sample);
      return emptyEntry(name);
    }),
  );
  const errors = results.flatMap((r) => (r.status === "rejected" ? [describe(r.reason)] : []));
  if (errors.length > 0 && names.length > 0) {
    ctx.err(`${errors.join("\n")}\n`);
    return 1;
  }
  // Listed containers that went away meanwhile are just not shown.
  const entries = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  ctx.out(renderStats(entries, { format: flags.format, trunc: flags.trunc }));
}

async function streamStats(ctx: CliContext, client: Client, names: string[], flags: Flags): Promise<number | void> {
  const entries = new Map<string, StatsEntry>();
  const failures = new Map<string, unknown>();
  const firsts: Promise<void>[] = [];
  const follow = (name: string): void => {
    entries.set(name, emptyEntry(name));
    let settle!: () => void;
    firsts.push(new Promise<void>((resolve) => (settle = resolve)));
    void (async () => {
      try {
        for await (const sample of await client.containers.stats(name, { stream: true })) {
          entries.set(name, statsEntry(name, sample));
          settle();
        }
      } catch (err) {
        failures.set(name, err);
      }
      // The stream ended: the container is gone.
      const last = entries.get(name);
      if (last) entries.set(name, { ...last, invalid: true });
      settle();
    })();
  };

  if (names.length > 0) {
    names.forEach(follow);
    await Promise.all(firsts);
    if (failures.size > 0) {
      ctx.err(`${[...failures.values()].map(describe).join("\n")}\n`);
      return 1;
    }
  }

  const tty = process.stdout.isTTY === true;
  if (tty) ctx.out("\x1b[2J");
  for (let first = true; ; first = false) {
    if (names.length === 0) {
      const current = new Set(await listed(client, flags.all ?? false));
      for (const name of current) if (!entries.has(name)) follow(name);
      for (const name of entries.keys()) if (!current.has(name)) entries.delete(name);
      // The first table waits for the first samples, but not for ever: a
      // stopped container (-a) sends none, and the CLI gives up on it as docker's does.
      if (first) await Promise.race([Promise.all(firsts), sleep(FIRST_SAMPLE_MS)]);
    }
    const table = renderStats([...entries.values()], { format: flags.format, trunc: flags.trunc });
    ctx.out(tty ? redraw(table) : table);
    // As the docker CLI: listing running containers, there is nothing left to watch.
    if (names.length === 0 && entries.size === 0 && !flags.all) return;
    await sleep(tty ? REDRAW_MS : 2 * REDRAW_MS);
  }
}

/** Over the previous table: cursor home, each line cleared to its end, the rest of the screen cleared. */
function redraw(table: string): string {
  const lines = table.replace(/\n$/, "").split("\n");
  return `\x1b[H${lines.map((l) => `${l}\x1b[K\n`).join("")}\x1b[J`;
}
