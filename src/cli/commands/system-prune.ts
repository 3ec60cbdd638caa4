// berth system prune [-a] [--volumes] [-f] [--filter]: after one question,
// prunes containers, networks, (volumes,) images and the build cache in
// that order, as the docker CLI does, printing each kind's list and then
// the space all of them reclaimed.
import type { Command } from "commander";
import { action } from "../action.js";
import { filterFlag } from "../args.js";
import { confirm } from "../confirm.js";
import type { CliContext } from "../context.js";
import { deletedContainers, totalReclaimed } from "./container-prune.js";
import { deletedImages, imagePruneFilters } from "./image-prune.js";
import { pruneReport as deletedNetworks } from "./network-prune.js";

interface Flags {
  all?: boolean;
  volumes?: boolean;
  force?: boolean;
  filter?: Record<string, string[]>;
}

/** The docker CLI's question, naming what goes and the filters that apply. */
export function systemPruneWarning(flags: Flags): string {
  const items = [
    "all stopped containers",
    "all networks not used by at least one container",
    ...(flags.volumes ? ["all anonymous volumes not used by at least one container"] : []),
    flags.all ? "all images without at least one container associated to them" : "all dangling images",
    flags.all ? "all build cache" : "unused build cache",
  ];
  const filters = Object.entries(flags.filter ?? {}).flatMap(([k, values]) => values.map((v) => `${k}=${v}`)).sort();
  const filtered = filters.length > 0 ? `\n  Items to be pruned will be filtered with:\n${filters.map((f) => `  - ${f}\n`).join("")}` : "";
  return `WARNING! This will remove:\n${items.map((i) => `  - ${i}\n`).join("")}${filtered}\nAre you sure you want to continue?`;
}

function listed(title: string, names: string[] | null | undefined): string {
  return names && names.length > 0 ? `${title}:\n${names.map((n) => `${n}\n`).join("")}\n` : "";
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Remove unused data")
    .option("-a, --all", "Remove all unused images not just dangling ones")
    .option("--filter <filter>", 'Provide filter values (e.g. "label=<key>=<value>")', filterFlag)
    .option("-f, --force", "Do not prompt for confirmation")
    .option("--volumes", "Prune anonymous volumes");
  action<Flags>(cmd, { max: 0 }, async (_args, flags) => {
    // A refusal is no failure: Docker leaves without a word and exits 0.
    if (!flags.force && !(await confirm(systemPruneWarning(flags), ctx))) return;
    const client = ctx.client();
    const filters = flags.filter;
    let reclaimed = 0;
    const containers = await client.containers.prune({ filters });
    reclaimed += containers.SpaceReclaimed;
    ctx.out(deletedContainers(containers));
    const networks = await client.networks.prune({ filters });
    ctx.out(deletedNetworks(networks.NetworksDeleted));
    if (flags.volumes) {
      const volumes = await client.volumes.prune({ filters });
      reclaimed += volumes.SpaceReclaimed;
      ctx.out(listed("Deleted Volumes", volumes.VolumesDeleted));
    }
    const images = await client.images.prune({ filters: imagePruneFilters(flags.all ?? false, filters) });
    reclaimed += images.SpaceReclaimed;
    ctx.out(deletedImages(images));
    const cache = await client.build.prune({ all: flags.all, filters });
    reclaimed += cache.SpaceReclaimed ?? 0;
    ctx.out(listed("Deleted build cache objects", cache.CachesDeleted));
    ctx.out(totalReclaimed(reclaimed));
  }, ctx);
}
