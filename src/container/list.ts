// docker ps: records newest first, filtered as Docker filters (id, name,
// label, status, exited, ancestor, before, since, network, health, volume,
// publish, expose, is-task, isolation), then limited.
import type { ContainerSummary } from "../api/types/index.js";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import { boolFilter, checkFilterKeys, type Filters, nameMatches, labelMatches } from "../oci/filters.js";
import type { Context } from "./context.js";
import { sizes } from "./inspect.js";
import { networksOf, networkView } from "./network-setup.js";
import { endpointsView, onNetwork, portList, portMap } from "./network-settings.js";
import { zeroTime, type ContainerRecord } from "./records.js";
import { isActive, type ContainerStatus } from "./state.js";
import { statusText } from "./status-text.js";
import { healthSuffix } from "./health.js";
import { healthOf } from "./health-monitor.js";
import { mountPointView } from "./mounts-spec.js";
import { mountRecordsOf } from "./mounts-records.js";
import type { MountPoint } from "./mounts.js";
import { listRecords } from "./list-records.js";
import { portSet, portsMatch, volumeMatches } from "./ps-filters.js";

const filterKeys = [
  ...["id", "name", "label", "status", "exited", "ancestor", "before", "since", "network", "health"],
  ...["volume", "publish", "expose", "is-task", "isolation"],
] as const;
const healthValues = ["starting", "healthy", "unhealthy", "none"];
const statuses: ContainerStatus[] = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

export async function listContainers(
  ctx: Context,
  opts: { all?: boolean; limit?: number; size?: boolean; filters?: Filters },
): Promise<ContainerSummary[]> {
  const filters = opts.filters ?? new Map<string, string[]>();
  checkFilterKeys(filters, filterKeys);
  const all = listRecords(ctx.records);
  const mounts = mountRecordsOf(ctx.db).all();
  const keep = await buildPredicate(ctx, { filters, all, mounts });
  // A status or exit-code filter asks for stopped containers: it implies --all, as in Docker.
  // A limit (-n, -l) too looks at every container, running or not.
  const showAll = opts.all || filters.has("status") || filters.has("exited") || (opts.limit ?? 0) > 0;
  let selected = all.filter((r) => (showAll || isActive(r.state.status)) && keep(r));
  if (opts.limit && opts.limit > 0) selected = selected.slice(0, opts.limit);
  const images = await currentImageIds(ctx, selected);
  const summaries = selected.map((r) => summary(ctx, r, { images, mounts: mounts.get(r.id) ?? [] }));
  if (opts.size) await Promise.all(summaries.map(async (s, i) => Object.assign(s, await sizes(ctx, selected[i]!))));
  return summaries;
}

function summary(ctx: Context, rec: ContainerRecord, opts: { images: Map<string, string | undefined>; mounts: MountPoint[] }): ContainerSummary {
  const view = networkView(ctx, rec);
  return {
    Id: rec.id,
    Names: [rec.name],
    Image: shownImage(rec, opts.images),
    ImageID: rec.imageId,
    Command: commandText(rec),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: view.sandbox ? portList(portMap(rec.config.ExposedPorts, view.sandbox.ports)) : [],
    // A copy: the record's config is shared with the next listing (listRecords).
    Labels: { ...rec.config.Labels },
    State: rec.state.status,
    Status: statusText(rec.state) + (rec.state.status === "running" ? healthSuffix(healthOf(ctx, rec.id)?.Status) : ""),
    HostConfig: { NetworkMode: rec.hostConfig.NetworkMode ?? "default" },
    NetworkSettings: { Networks: endpointsView(view) },
    Mounts: opts.mounts.map(mountPointView),
  };
}

/** Docker's Command column: the arguments holding a space in single quotes. */
export function commandText(rec: Pick<ContainerRecord, "path" | "args">): string {
  return [rec.path, ...rec.args.map((a) => (a.includes(" ") ? `'${a}'` : a))].join(" ");
}

/** The image as the user named it while that name still means the container's image; its ID once retagged or removed. */
function shownImage(rec: ContainerRecord, images: Map<string, string | undefined>): string {
  if (rec.imageRef === rec.imageId) return rec.imageId;
  return images.get(rec.imageRef) === rec.imageId ? rec.imageRef : rec.imageId;
}

/**
 * The ID each image name the containers were made from resolves to now,
 * undefined for those that resolve to nothing. Most containers share a few
 * images: each name is resolved once per listing (a resolve reads the image's config).
 */
async function currentImageIds(ctx: Context, recs: ContainerRecord[]): Promise<Map<string, string | undefined>> {
  const refs = [...new Set(recs.filter((r) => r.imageRef !== r.imageId).map((r) => r.imageRef))];
  return new Map(await Promise.all(refs.map(async (ref) => [ref, await resolvedImageId(ctx, ref)] as const)));
}

/** The ID a name resolves to now, undefined when it resolves to nothing. */
async function resolvedImageId(ctx: Context, ref: string): Promise<string | undefined> {
  try {
    return (await ctx.images.resolve(ref)).id;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

type Predicate = (rec: ContainerRecord) => boolean;

async function buildPredicate(
  ctx: Context,
  { filters, all, mounts }: { filters: Filters; all: ContainerRecord[]; mounts: Map<string, MountPoint[]> },
): Promise<Predicate> {
  const tests: Predicate[] = [];
  const anyOf = (key: string, match: (rec: ContainerRecord, value: string) => boolean) => {
    const values = filters.get(key);
    if (values?.length) tests.push((rec) => values.some((v) => match(rec, v)));
  };

  anyOf("id", (rec, v) => rec.id.startsWith(v));
  anyOf("name", (rec, v) => nameMatches(rec.name, v));
  // Every label filter must match (Docker ANDs labels, ORs the other keys' values).
  for (const v of filters.get("label") ?? []) tests.push((rec) => labelMatches(rec.config.Labels ?? {}, v));
  for (const v of filters.get("status") ?? []) {
    if (!statuses.includes(v as ContainerStatus)) throw new InvalidArgumentError(`invalid filter 'status=${v}'`);
  }
  anyOf("status", (rec, v) => rec.state.status === v);
  for (const v of filters.get("exited") ?? []) {
    if (!/^[-+]?\d+$/.test(v)) throw new InvalidArgumentError(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  // As Docker: any container that ran and is not running now, with that code.
  anyOf("exited", (rec, v) => !isActive(rec.state.status) && rec.state.startedAt !== zeroTime && rec.state.exitCode === Number(v));
  anyOf("network", (rec, v) => onNetwork({ rec, networks: networksOf(ctx, rec) }, v));
  for (const v of filters.get("health") ?? []) {
    if (!healthValues.includes(v)) throw new InvalidArgumentError(`Unrecognised filter value for health: ${v}`);
  }
  anyOf("health", (rec, v) => (healthOf(ctx, rec.id)?.Status ?? "none") === v);
  const volumes = filters.get("volume") ?? [];
  if (volumes.length > 0) tests.push((rec) => volumeMatches((mounts.get(rec.id) ?? []).map(mountPointView), volumes));
  const ports = { publish: portSet("publish", filters.get("publish") ?? []), expose: portSet("expose", filters.get("expose") ?? []) };
  if (ports.publish.size > 0 || ports.expose.size > 0) {
    tests.push((rec) => {
      const sandbox = networkView(ctx, rec).sandbox;
      return sandbox !== undefined && portsMatch(portList(portMap(rec.config.ExposedPorts, sandbox.ports)), ports);
    });
  }
  // berth runs no swarm tasks; on Linux dockerd accepts any isolation and filters none out.
  if (boolFilter(filters, "is-task") === true) tests.push(() => false);

  // Image IDs only, as Docker: a name that no longer resolves matches nothing.
  const ancestors = new Set<string>();
  for (const v of filters.get("ancestor") ?? []) {
    try {
      ancestors.add((await ctx.images.resolve(v)).id);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  if (filters.get("ancestor")?.length) tests.push((rec) => ancestors.has(rec.imageId));

  const pivot = (key: string) => {
    const v = filters.get(key)?.[0];
    if (v === undefined) return undefined;
    const found = all.find((r) => r.id === v || r.name === (v.startsWith("/") ? v : `/${v}`)) ?? all.find((r) => r.id.startsWith(v));
    if (!found) throw new NotFoundError(`no such container ${v}`);
    return all.indexOf(found);
  };
  // `all` is newest first: "before X" are those after X in it, "since X" those before.
  const before = pivot("before");
  const since = pivot("since");
  if (before !== undefined || since !== undefined) {
    const position = new Map(all.map((r, i) => [r, i]));
    if (before !== undefined) tests.push((rec) => position.get(rec)! > before);
    if (since !== undefined) tests.push((rec) => position.get(rec)! < since);
  }

  return (rec) => tests.every((t) => t(rec));
}


