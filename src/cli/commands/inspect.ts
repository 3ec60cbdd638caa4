// berth inspect / container inspect / image inspect: the daemon's JSON as an
// indented array, or a --format template run per object. Objects not found
// are reported after the ones found are printed, and make the exit status 1.
import type { Command } from "commander";
import { Option } from "commander";
import { NotFoundError } from "../../errors.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { describe } from "../each.js";
import type { GoType } from "../format/go-values.js";
import { CONTAINER_INSPECT, IMAGE_INSPECT, withGoTypes } from "../format/inspect-types.js";
import { renderEach } from "../format/render.js";
import type { CommandModule } from "../registry.js";

type Kind = "container" | "image" | "any";

interface Flags {
  format?: string;
  size?: boolean;
  type?: "container" | "image";
}

export function command(kind: string): CommandModule {
  const k = kind as Kind;
  return {
    define(cmd: Command, ctx: CliContext) {
      cmd
        .usage(k === "any" ? "[OPTIONS] NAME|ID [NAME|ID...]" : `[OPTIONS] ${k.toUpperCase()} [${k.toUpperCase()}...]`)
        .description(k === "any" ? "Return low-level information on berth objects" : `Display detailed information on one or more ${k}s`)
        .option("-f, --format <string>", "Format output using a custom template");
      if (k !== "image") cmd.option("-s, --size", "Display total file sizes");
      if (k === "any") cmd.addOption(new Option("--type <string>", "Return JSON for specified type").choices(["container", "image"]));
      action<Flags>(cmd, { min: 1 }, (names, flags) => inspect(ctx, names, { ...flags, kind: flags.type ?? k }), ctx);
    },
  };
}

async function inspect(ctx: CliContext, names: string[], opts: Flags & { kind: Kind }): Promise<number> {
  const client = ctx.client();
  const found: Found[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      if (opts.kind === "container") found.push({ value: await client.containers.inspect(name, { size: opts.size }), type: CONTAINER_INSPECT });
      else if (opts.kind === "image") found.push({ value: await client.images.inspect(name), type: IMAGE_INSPECT });
      else found.push(await inspectAny(ctx, name, opts.size));
    } catch (err) {
      errors.push(err instanceof NotFoundError && opts.kind === "any" ? `Error: No such object: ${name}` : describe(err));
    }
  }
  const values = found.map((f) => f.value);
  if (opts.format === "json") ctx.out(`${JSON.stringify(values)}\n`);
  // Templates see Docker's typed structs: a nil slice prints [] rather than <nil>.
  else if (opts.format) ctx.out(renderEach(opts.format, found.map((f) => withGoTypes(f.value, f.type)), { raw: values }));
  else ctx.out(`${JSON.stringify(values, null, 4)}\n`);
  for (const e of errors) ctx.err(`${e}\n`);
  return errors.length > 0 ? 1 : 0;
}

interface Found {
  value: unknown;
  type: GoType;
}

/** Tries the name as a container, then as an image, as `docker inspect` does. */
async function inspectAny(ctx: CliContext, name: string, size?: boolean): Promise<Found> {
  try {
    return { value: await ctx.client().containers.inspect(name, { size }), type: CONTAINER_INSPECT };
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  return { value: await ctx.client().images.inspect(name), type: IMAGE_INSPECT };
}
