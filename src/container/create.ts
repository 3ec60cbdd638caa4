// docker create: resolve the image, merge and validate the config, reserve the
// name, record the container (status "created"), then make its writable
// snapshot. The record comes first so a crash before the snapshot exists is
// seen by recovery (a created container without a rootfs is marked dead).
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { hostname as hostHostname } from "node:os";
import type { ContainerCreateBody } from "../api/types/index.js";
import { InvalidArgumentError } from "../errors.js";
import { commandOf, mergeConfig, normalizeHostConfig } from "./config.js";
import { nowIso, pathsOf, publish, type Context } from "./context.js";
import { createMounts, dropMounts, planMounts } from "./mounts-plan.js";
import { generateName, nameInUse, normalizeName } from "./names.js";
import { createNetworking } from "./network-create.js";
import { initialState, type ContainerRecord } from "./records.js";
import { checkHealthcheck } from "./health.js";
import { checkLogConfig } from "./log-config.js";
import { checkRuntimeOptions } from "./runtime-options.js";

export async function createContainer(
  ctx: Context,
  name: string | undefined,
  body: ContainerCreateBody,
): Promise<{ id: string; warnings: string[] }> {
  if (!body.Image) throw new InvalidArgumentError("Config cannot be empty in order to create a container");
  if (body.WorkingDir && !body.WorkingDir.startsWith("/")) {
    throw new InvalidArgumentError(`the working directory '${body.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  const wanted = name ? normalizeName(name) : undefined;
  const image = await ctx.images.resolve(body.Image);
  const { hostConfig, warnings } = normalizeHostConfig(body.HostConfig);
  checkRuntimeOptions(ctx, hostConfig);
  checkLogConfig(hostConfig.LogConfig);
  checkHealthcheck(body.Healthcheck ?? undefined);
  const config = mergeConfig(body, image.config.config);
  const { path, args } = commandOf(config);
  const networks = createNetworking(ctx, body, { hostConfig, config });
  // Mount errors are 400s found before anything is made.
  const mounts = planMounts(ctx, hostConfig, config);

  const id = randomBytes(32).toString("hex");
  if (!config.Hostname) config.Hostname = hostConfig.NetworkMode === "host" ? hostHostname() : id.slice(0, 12);
  config.Image = body.Image;

  const rec: ContainerRecord = {
    id,
    name: wanted ?? generateName((n) => ctx.records.byName(n) !== undefined),
    imageId: image.id,
    imageRef: body.Image,
    created: nowIso(),
    path,
    args,
    config,
    hostConfig,
    rootfsMounts: [],
    networks,
    state: initialState(),
  };

  // Name check and insert happen without an await in between: the UNIQUE
  // constraint backs it, but this gives Docker's message rather than SQLite's.
  const holder = ctx.records.byName(rec.name);
  if (holder) throw nameInUse(rec.name, holder.id);
  ctx.records.insert(rec);

  const paths = pathsOf(ctx, id);
  try {
    await mkdir(paths.rootfs, { recursive: true, mode: 0o710 });
    rec.rootfsMounts = await ctx.images.prepareContainerRootfs(image.id, id);
    ctx.records.setRootfsMounts(id, rec.rootfsMounts);
    await createMounts(ctx, id, mounts);
  } catch (err) {
    // Undo everything: a half-made container the user never got an ID for.
    await dropMounts(ctx, id, { removeAnonymous: true }).catch(() => undefined);
    ctx.records.delete(id);
    // The original error is the one to report; a snapshot that was never made cannot be removed.
    await ctx.images.removeContainerRootfs(id).catch(() => undefined);
    await rm(paths.dir, { recursive: true, force: true });
    throw err;
  }

  publish(ctx, rec, "create");
  return { id, warnings };
}
