// berth volume create | ls | inspect | rm | prune, with the docker CLI's
// flags, output and wording.
import type { Command } from "commander";
import type { Volume } from "../../api/types/index.js";
import { NotFoundError } from "../../errors.js";
import { action } from "../action.js";
import { collect, filterFlag } from "../args.js";
import type { CliContext } from "../context.js";
import { describe, forEach } from "../each.js";
import { VOLUME_INSPECT, withGoTypes } from "../format/inspect-types.js";
import { renderEach, renderList, type ListFormat } from "../format/render.js";
import { humanSize } from "../format/units.js";
import type { CommandModule } from "../registry.js";
import { UsageError } from "../usage-error.js";
import { confirm } from "../confirm.js";

const LIST_FORMAT: ListFormat = {
  defaultTable: "{{.Driver}}\t{{.Name}}",
  typeName: "*formatter.volumeContext",
  headers: {
    Availability: "AVAILABILITY",
    Driver: "DRIVER",
    Group: "GROUP",
    // Docker heads a label's column with the label's name.
    Label: (name: unknown) => String(name),
    Labels: "LABELS",
    Links: "LINKS",
    Mountpoint: "MOUNTPOINT",
    Name: "VOLUME NAME",
    Scope: "SCOPE",
    Size: "SIZE",
    Status: "STATUS",
  },
};

/** One `volume ls` row; fields in sorted order, as `{{json .}}` prints them. */
export function volumeRow(v: Volume): Record<string, unknown> {
  return {
    Availability: "N/A",
    Driver: v.Driver,
    Group: "N/A",
    Label: (name: unknown) => v.Labels?.[String(name)] ?? "",
    Labels: Object.entries(v.Labels ?? {})
      .map(([k, val]) => `${k}=${val}`)
      .join(","),
    Links: "N/A",
    Mountpoint: v.Mountpoint,
    Name: v.Name,
    Scope: v.Scope,
    Size: "N/A",
    Status: "N/A",
  };
}

/** "k=v" and bare "k" (an empty value) into a map, as the docker CLI's map flags read them. */
export function keyValues(list: string[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  return Object.fromEntries(
    list.map((kv) => {
      const eq = kv.indexOf("=");
      return eq < 0 ? [kv, ""] : [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
}

const PRUNE_WARNING = "WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?";
const PRUNE_ALL_WARNING = "WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?";

/** What `volume prune` prints for a report, as the docker CLI words it. */
export function pruneReport(report: { VolumesDeleted: string[] | null; SpaceReclaimed: number }): string {
  const deleted = report.VolumesDeleted ?? [];
  const list = deleted.length > 0 ? `Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join("")}\n` : "";
  return `${list}Total reclaimed space: ${humanSize(report.SpaceReclaimed)}\n`;
}


const verbs: Record<string, (cmd: Command, ctx: CliContext) => void> = {
  create(cmd, ctx) {
    cmd
      .usage("[OPTIONS] [VOLUME]")
      .description("Create a volume")
      .option("-d, --driver <string>", 'Specify volume driver name (default "local")', "local")
      .option("--label <list>", "Set metadata for a volume", collect)
      .option("--name <string>", "Specify volume name")
      .option("-o, --opt <map>", "Set driver specific options", collect);
    action<{ driver: string; label?: string[]; name?: string; opt?: string[] }>(cmd, { max: 1 }, async ([positional], flags) => {
      if (positional !== undefined && flags.name !== undefined) {
        throw new UsageError("conflicting options: cannot specify a volume-name through both --name and as a positional arg");
      }
      const name = positional ?? flags.name;
      const labels = keyValues(flags.label);
      const options = keyValues(flags.opt);
      const volume = await ctx.client().volumes.create({
        ...(name !== undefined ? { Name: name } : {}),
        Driver: flags.driver,
        ...(options ? { DriverOpts: options } : {}),
        ...(labels ? { Labels: labels } : {}),
      });
      ctx.out(`${volume.Name}\n`);
    }, ctx);
  },

  ls(cmd, ctx) {
    cmd
      .usage("[OPTIONS]")
      .description("List volumes")
      .option("-f, --filter <filter>", "Provide filter values (e.g. \"dangling=true\")", filterFlag)
      .option("--format <string>", "Format output using a custom template")
      .option("-q, --quiet", "Only display volume names");
    action<{ filter?: Record<string, string[]>; format?: string; quiet?: boolean }>(cmd, { max: 0 }, async (_args, flags) => {
      const { Volumes } = await ctx.client().volumes.list({ filters: flags.filter });
      const volumes = [...(Volumes ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
      if (flags.quiet) {
        ctx.out(volumes.map((v) => `${v.Name}\n`).join(""));
        return;
      }
      ctx.out(renderList(flags.format, volumes.map(volumeRow), LIST_FORMAT));
    }, ctx);
  },

  inspect(cmd, ctx) {
    cmd
      .usage("[OPTIONS] VOLUME [VOLUME...]")
      .description("Display detailed information on one or more volumes")
      .option("-f, --format <string>", "Format output using a custom template");
    action<{ format?: string }>(cmd, { min: 1 }, async (names, flags) => {
      const found: Volume[] = [];
      const errors: string[] = [];
      for (const name of names) {
        try {
          found.push(await ctx.client().volumes.inspect(name));
        } catch (err) {
          // The docker client words a 404 here itself.
          errors.push(err instanceof NotFoundError ? `Error: No such volume: ${name}` : describe(err));
        }
      }
      if (flags.format === "json") ctx.out(`${JSON.stringify(found)}\n`);
      // The docker CLI runs it on its typed volume.Volume, with no fallback to the JSON.
      else if (flags.format) ctx.out(renderEach(flags.format, found.map((v) => withGoTypes(v, VOLUME_INSPECT))));
      else ctx.out(`${JSON.stringify(found, null, 4)}\n`);
      for (const e of errors) ctx.err(`${e}\n`);
      return errors.length > 0 ? 1 : 0;
    }, ctx);
  },

  rm(cmd, ctx) {
    cmd
      .usage("[OPTIONS] VOLUME [VOLUME...]")
      .description("Remove one or more volumes")
      .option("-f, --force", "Force the removal of one or more volumes");
    action<{ force?: boolean }>(cmd, { min: 1 }, async (names, flags) => {
      const { failed } = await forEach(ctx, names, (name) => ctx.client().volumes.remove(name, { force: flags.force }));
      return failed.length > 0 ? 1 : 0;
    }, ctx);
  },

  prune(cmd, ctx) {
    cmd
      .usage("[OPTIONS]")
      .description("Remove unused local volumes")
      .option("-a, --all", "Remove all unused volumes, not just anonymous ones")
      .option("--filter <filter>", 'Provide filter values (e.g. "label=<label>")', filterFlag)
      .option("-f, --force", "Do not prompt for confirmation");
    action<{ all?: boolean; filter?: Record<string, string[]>; force?: boolean }>(cmd, { max: 0 }, async (_args, flags) => {
      // A refusal is no failure: Docker leaves without a word and exits 0.
      if (!flags.force && !(await confirm(flags.all ? PRUNE_ALL_WARNING : PRUNE_WARNING, ctx))) return;
      const filters = { ...flags.filter, ...(flags.all ? { all: ["true"] } : {}) };
      ctx.out(pruneReport(await ctx.client().volumes.prune({ filters })));
    }, ctx);
  },
};

export function command(verb: string): CommandModule {
  const define = verbs[verb];
  if (!define) throw new Error(`no volume command ${verb}`);
  return { define };
}
