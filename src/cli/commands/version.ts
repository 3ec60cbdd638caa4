// berth version: the client's and the daemon's versions, like `docker version`.
import type { Command } from "commander";
import type { SystemVersion } from "../../api/types/index.js";
import { API_VERSION } from "../../client/transport.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { describe } from "../each.js";
import { renderEach } from "../format/render.js";
import { tabulate } from "../format/tabwriter.js";
import { clientVersion } from "../version-info.js";

/** As Docker's: the template is named "version", and only its parse errors get a prefix. */
const TEMPLATE_OPTIONS = { name: "version", rootType: "system.versionInfo", errorPrefix: { parse: "template parsing error: ", exec: "" } };

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Show the berth version information")
    .option("-f, --format <string>", "Format output using a custom template");
  action<{ format?: string }>(cmd, { max: 0 }, async (_args, flags) => {
    const { version, commit } = clientVersion();
    const client = {
      Platform: { Name: "" },
      Version: version,
      ApiVersion: API_VERSION,
      DefaultAPIVersion: API_VERSION,
      GitCommit: commit,
      GoVersion: process.version,
      Os: process.platform,
      Arch: process.arch === "x64" ? "amd64" : process.arch,
      Context: "default",
    };
    let server: SystemVersion | undefined;
    let failure: unknown;
    try {
      server = await ctx.client().version();
      // As docker's: the version spoken with this daemon, which may be older than the client's own.
      client.ApiVersion = await ctx.client().apiVersion();
    } catch (err) {
      failure = err;
    }
    if (flags.format) ctx.out(renderEach(flags.format, [{ Client: client, Server: server ?? null }], TEMPLATE_OPTIONS));
    else {
      const lines = [
        "Client:",
        ` Version:\t${client.Version}`,
        ` API version:\t${client.ApiVersion}${client.ApiVersion === API_VERSION ? "" : ` (downgraded from ${API_VERSION})`}`,
        ` Node version:\t${client.GoVersion}`,
        ` Git commit:\t${client.GitCommit}`,
        ` OS/Arch:\t${client.Os}/${client.Arch}`,
        ` Context:\t${client.Context}`,
        ...(server ? ["", ...serverLines(server)] : []),
      ];
      ctx.out(tabulate(`${lines.join("\n")}\n`, { minWidth: 20, padding: 1 }));
    }
    if (failure) {
      ctx.err(`${describe(failure)}\n`);
      return 1;
    }
  }, ctx);
}

function serverLines(v: SystemVersion): string[] {
  const lines = [`Server:${v.Platform?.Name ? ` ${v.Platform.Name}` : ""}`];
  for (const c of v.Components ?? []) {
    const d = c.Details ?? {};
    lines.push(` ${c.Name}:`);
    if (c.Name === "Engine") {
      lines.push(
        `  Version:\t${c.Version}`,
        `  API version:\t${str(d.ApiVersion ?? v.ApiVersion)} (minimum version ${str(d.MinAPIVersion ?? v.MinAPIVersion)})`,
        `  Go version:\t${str(d.GoVersion ?? v.GoVersion)}`,
        `  Git commit:\t${str(d.GitCommit ?? v.GitCommit)}`,
        `  Built:\t${str(d.BuildTime ?? v.BuildTime)}`,
        `  OS/Arch:\t${str(d.Os ?? v.Os)}/${str(d.Arch ?? v.Arch)}`,
        `  Experimental:\t${str(d.Experimental ?? v.Experimental ?? false)}`,
      );
    } else {
      lines.push(`  Version:\t${c.Version}`, ...Object.keys(d).sort().map((k) => `  ${k}:\t${str(d[k])}`));
    }
  }
  return lines;
}

function str(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}
