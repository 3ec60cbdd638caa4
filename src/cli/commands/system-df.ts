// berth system df: disk usage by images, containers, local volumes and the
// build cache, in the docker CLI's summary table (TYPE TOTAL ACTIVE SIZE
// RECLAIMABLE) or, with -v, one table per kind. Counts and sums are worked
// out here from the daemon's lists, as the docker CLI does.
import type { Command } from "commander";
import type { ContainerSummary, ImageSummary } from "../../api/types/index.js";
import type { definitions } from "../../api/types/engine.js";
import type { SystemDataUsage } from "../../client/system.js";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { CONTAINER_FORMAT, containerContext, truncateId } from "../format/container-context.js";
import { IMAGE_FORMAT, imageRows } from "../format/image-context.js";
import { renderEach, renderList, type ListFormat } from "../format/render.js";
import { humanSize, since } from "../format/units.js";

type BuildCache = definitions["BuildCache"];
type Volume = definitions["Volume"];

const SUMMARY_FORMAT: ListFormat = {
  // The first row's type, which is the one Docker's errors name.
  typeName: "*formatter.diskUsageImagesContext",
  defaultTable: "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
  headers: { Active: "ACTIVE", Reclaimable: "RECLAIMABLE", Size: "SIZE", TotalCount: "TOTAL", Type: "TYPE" },
};

const IMAGE_TABLE = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}";
const CONTAINER_TABLE = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}";

const VOLUME_FORMAT: ListFormat = {
  defaultTable: "{{.Name}}\t{{.Links}}\t{{.Size}}",
  headers: { Driver: "DRIVER", Links: "LINKS", Mountpoint: "MOUNTPOINT", Name: "VOLUME NAME", Scope: "SCOPE", Size: "SIZE" },
};

const CACHE_FORMAT: ListFormat = {
  defaultTable: "{{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}",
  headers: {
    CacheType: "CACHE TYPE",
    CreatedSince: "CREATED",
    Description: "DESCRIPTION",
    ID: "CACHE ID",
    InUse: "IN USE",
    LastUsedSince: "LAST USED",
    Shared: "SHARED",
    Size: "SIZE",
    UsageCount: "USAGE",
  },
};

/** "1.2MB (40%)" when there is a total to take a share of, as Docker prints it. */
function share(part: number, total: number): string {
  return total > 0 ? `${humanSize(part)} (${Math.trunc((part * 100) / total)}%)` : humanSize(part);
}

const active = (c: ContainerSummary): boolean => ["running", "paused", "restarting"].some((s) => (c.State ?? "").includes(s));

/** The four summary rows; fields in sorted order because `{{json .}}` prints them so. */
export function summaryRows(du: SystemDataUsage): Record<string, string>[] {
  const images = du.Images ?? [];
  const containers = du.Containers ?? [];
  const volumes = du.Volumes ?? [];
  const cache = du.BuildCache ?? [];
  const layers = du.LayersSize ?? 0;
  const imagesInUse = images
    .filter((i) => i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1)
    .reduce((sum, i) => sum + i.Size - i.SharedSize, 0);
  const rw = (list: ContainerSummary[]): number => list.reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
  const sized = volumes.filter((v) => v.UsageData && v.UsageData.Size !== -1);
  const volumeSize = sized.reduce((sum, v) => sum + (v.UsageData?.Size ?? 0), 0);
  const unusedVolumes = sized.filter((v) => v.UsageData?.RefCount === 0).reduce((sum, v) => sum + (v.UsageData?.Size ?? 0), 0);
  const cacheSize = cache.filter((c) => !c.Shared).reduce((sum, c) => sum + (c.Size ?? 0), 0);
  const cacheInUse = cache.filter((c) => c.InUse && !c.Shared).reduce((sum, c) => sum + (c.Size ?? 0), 0);
  const row = (type: string, total: number, used: number, size: string, reclaimable: string): Record<string, string> => ({
    Active: String(used),
    Reclaimable: reclaimable,
    Size: size,
    TotalCount: String(total),
    Type: type,
  });
  return [
    row("Images", images.length, images.filter((i) => i.Containers > 0).length, humanSize(layers), share(layers - imagesInUse, layers)),
    row("Containers", containers.length, containers.filter(active).length, humanSize(rw(containers)), share(rw(containers.filter((c) => !active(c))), rw(containers))),
    row("Local Volumes", volumes.length, volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, humanSize(volumeSize), share(unusedVolumes, volumeSize)),
    row("Build Cache", cache.length, cache.filter((c) => c.InUse).length, humanSize(cacheSize), humanSize(cacheSize - cacheInUse)),
  ];
}

function imageRow(img: ImageSummary, trunc: boolean, now: number): Record<string, unknown> {
  // One row per image, named by its first tag (the images command shows one per tag);
  // the docker CLI leaves Digest empty here.
  return { ...imageRows(img, { trunc, digests: false, now })[0], Digest: "" };
}

function volumeRow(v: Volume): Record<string, unknown> {
  const size = v.UsageData?.Size ?? -1;
  return {
    Driver: v.Driver,
    Links: v.UsageData ? String(v.UsageData.RefCount) : "N/A",
    Mountpoint: v.Mountpoint,
    Name: v.Name,
    Scope: v.Scope,
    Size: size === -1 ? "N/A" : humanSize(size, 3),
  };
}

function cacheRow(c: BuildCache, trunc: boolean, now: number): Record<string, unknown> {
  const seconds = (iso: string | undefined): number => Date.parse(iso ?? "") / 1000;
  const id = trunc ? truncateId(c.ID ?? "") : (c.ID ?? "");
  return {
    CacheType: c.Type ?? "",
    CreatedSince: since(seconds(c.CreatedAt), now),
    Description: c.Description ?? "",
    ID: c.InUse ? `${id}*` : id,
    InUse: String(c.InUse ?? false),
    LastUsedSince: c.LastUsedAt ? since(seconds(c.LastUsedAt), now) : "",
    Shared: String(c.Shared ?? false),
    Size: humanSize(c.Size ?? 0, 3),
    UsageCount: String(c.UsageCount ?? 0),
  };
}

/** Least recently used first, then by ID, as Docker sorts the build cache. */
function byLastUse(a: BuildCache, b: BuildCache): number {
  const ta = a.LastUsedAt ? Date.parse(a.LastUsedAt) : -Infinity;
  const tb = b.LastUsedAt ? Date.parse(b.LastUsedAt) : -Infinity;
  return ta !== tb ? (ta < tb ? -1 : 1) : (a.ID ?? "").localeCompare(b.ID ?? "");
}

function verboseLists(du: SystemDataUsage, trunc: boolean, now: number) {
  return {
    Images: (du.Images ?? []).map((i) => imageRow(i, trunc, now)),
    // The virtual size is not shown: only what each container adds counts here.
    Containers: (du.Containers ?? []).map((c) => containerContext({ ...c, SizeRootFs: 0 }, { trunc, now })),
    Volumes: (du.Volumes ?? []).map(volumeRow),
    BuildCache: [...(du.BuildCache ?? [])].sort(byLastUse).map((c) => cacheRow(c, trunc, now)),
  };
}

/** `system df -v`: one titled table per kind. */
export function verboseTables(du: SystemDataUsage, now = Date.now() / 1000): string {
  const lists = verboseLists(du, true, now);
  const table = (spec: ListFormat, rows: object[]): string => renderList("table", rows, spec);
  const cacheSize = (du.BuildCache ?? []).filter((c) => !c.Shared).reduce((sum, c) => sum + (c.Size ?? 0), 0);
  return [
    "Images space usage:\n\n",
    table({ ...IMAGE_FORMAT, defaultTable: IMAGE_TABLE }, lists.Images),
    "\nContainers space usage:\n\n",
    table({ ...CONTAINER_FORMAT, defaultTable: CONTAINER_TABLE }, lists.Containers),
    "\nLocal Volumes space usage:\n\n",
    table(VOLUME_FORMAT, lists.Volumes),
    `\nBuild cache usage: ${humanSize(cacheSize)}\n\n`,
    table(CACHE_FORMAT, lists.BuildCache),
  ].join("");
}

/** What `system df` prints for a format ("", "table", "json", "table …" or a template). */
export function renderDiskUsage(du: SystemDataUsage, opts: { verbose?: boolean; format?: string; now?: number }): string {
  const now = opts.now ?? Date.now() / 1000;
  const format = opts.format ?? "";
  if (!opts.verbose) return renderList(format, summaryRows(du), SUMMARY_FORMAT);
  if (format === "" || format === "table") return verboseTables(du, now);
  const source = format === "json" ? "{{json .}}" : format;
  return renderEach(source, [verboseLists(du, format.startsWith("table"), now)]);
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Show berth disk usage")
    .option("--format <string>", "Format output using a custom template")
    .option("-v, --verbose", "Show detailed information on space usage");
  action<{ format?: string; verbose?: boolean }>(cmd, { max: 0 }, async (_args, flags) => {
    ctx.out(renderDiskUsage(await ctx.client().df(), flags));
  }, ctx);
}
