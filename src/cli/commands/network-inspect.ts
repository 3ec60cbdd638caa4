// berth network inspect: the daemon's JSON as an indented array, or a
// --format template per network; networks not found are reported after the
// others are printed and make the exit status 1.
import type { Command } from "commander";
import type { Network } from "../../api/types/index.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { describe } from "../each.js";
import { NETWORK_INSPECT, withGoTypes } from "../format/inspect-types.js";
import { renderEach } from "../format/render.js";

interface Flags {
  format?: string;
  verbose?: boolean;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] NETWORK [NETWORK...]")
    .description("Display detailed information on one or more networks")
    .option("-f, --format <string>", "Format output using a custom template")
    .option("-v, --verbose", "Verbose output for diagnostics");
  action<Flags>(cmd, { min: 1 }, async (names, flags) => {
    const found: Network[] = [];
    const errors: string[] = [];
    for (const name of names) {
      try {
        found.push(await ctx.client().networks.inspect(name, { verbose: flags.verbose }));
      } catch (err) {
        errors.push(describe(err));
      }
    }
    if (flags.format === "json") ctx.out(`${JSON.stringify(found)}\n`);
    else if (flags.format) ctx.out(renderEach(flags.format, found.map((n) => withGoTypes(n, NETWORK_INSPECT)), { raw: found }));
    else ctx.out(`${JSON.stringify(found, null, 4)}\n`);
    for (const e of errors) ctx.err(`${e}\n`);
    return errors.length > 0 ? 1 : 0;
  }, ctx);
}
