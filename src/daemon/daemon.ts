// Wiring: opens the stores, builds the services bottom-up (content → snapshots
// → images → runtime → containers), recovers what an earlier berthd left, and
// serves the API. Nothing here knows HTTP; nothing below knows about this file.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../store/db.js";
import { createContentStore } from "../content/local.js";
import { chooseSnapshotter } from "../snapshot/select.js";
import { applyLayer } from "../archive/apply.js";
import { createImageService } from "../image/local-image-service.js";
import { createConmonRuntime } from "../runtime/conmon-runtime.js";
import { createContainerService } from "../container/local-container-service.js";
import { createVolumeService } from "../volume/local-volume-service.js";
import { createNetworkService } from "../network/local-network-service.js";
import { networksBackend } from "../api/router/networks/backend.js";
import type { BuildService } from "../build/build-service.js";
import { createApiServer } from "../api/server.js";
import type { DaemonConfig } from "./config.js";
import { Events } from "./events.js";
import { ensureExecRootInMemory } from "./exec-root.js";
import type { Logger } from "./logger.js";
import { createSystemBackend } from "./system.js";
import { systemDf } from "./system-df.js";
import { version } from "./version.js";
import { acquirePidfile } from "./pidfile.js";
import { collectLeftovers } from "./leftovers.js";
import { isErrno } from "../errors.js";

export interface Daemon {
  close(): Promise<void>;
}

export async function startDaemon(config: DaemonConfig, log: Logger): Promise<Daemon> {
  for (const dir of [config.dataRoot, config.execRoot]) mkdirSync(dir, { recursive: true, mode: 0o711 });
  await ensureExecRootInMemory(config.execRoot, log);
  const releasePidfile = acquirePidfile(join(config.execRoot, "berthd.pid"));

  const db = openDatabase(join(config.dataRoot, "berth.db"));
  const events = new Events();
  const content = createContentStore(join(config.dataRoot, "content"));
  const snapshotter = await chooseSnapshotter(config.dataRoot, db, config.storageDriver);
  const images = createImageService({
    db,
    content,
    snapshotter,
    applyLayer,
    events,
    registry: { insecureRegistries: config.insecureRegistries, certsDir: config.certsDir, userAgent: `berth/${version}` },
  });
  const runtime = createConmonRuntime({
    root: join(config.execRoot, "runtime"),
    runtimeRoot: join(config.execRoot, "runc"),
    runtimePath: config.runtimePath,
    conmonPath: config.conmonPath,
  });
  const volumes = createVolumeService({ db, root: join(config.dataRoot, "volumes"), log });
  const network = await createNetworkService({ db, execRoot: config.execRoot, config: config.network, log, holdUntilReconciled: true });
  const containers = createContainerService({
    db,
    images,
    runtime,
    events,
    volumes,
    network,
    root: join(config.dataRoot, "containers"),
    execRoot: config.execRoot,
    // Exit watchers, auto-remove and restart policies fail in the background: their errors belong in the log.
    log,
  });

  // The builder is loaded on first use (a build, a prune, system df), or at start when an
  // interrupted build left something to clean: most daemons never build, and it is a lot of code.
  const buildDeps = {
    db,
    images,
    snapshotter,
    runc: { runtimePath: config.runtimePath, runtimeRoot: join(config.execRoot, "runc") },
    dataRoot: config.dataRoot,
  };
  let builder: ReturnType<typeof loadBuilder> | undefined;
  const loadBuilder = async () => (await import("../build/local-build-service.js")).createBuildService(buildDeps);
  const getBuilder = (): ReturnType<typeof loadBuilder> => (builder ??= loadBuilder());
  const build: BuildService = {
    build: async (body, opts, io) => (await getBuilder()).build(body, opts, io),
    prune: async (opts) => (await getBuilder()).prune(opts),
    usage: async () => (await getBuilder()).usage(),
  };

  const report = await containers.recover();
  log("info", "recovered containers", { report });
  // Option volumes (tmpfs…) stay mounted for the containers that kept running, and only for them.
  await volumes.reconcile(new Set((await containers.list({})).map((c) => c.Id!)));
  // Sandboxes of containers that kept running stay; whatever else a crash left (rules, veths, netns, addresses) goes.
  const networks = await network.reconcile(new Set((await containers.list({})).map((c) => c.Id!)));
  log("info", "reconciled networks", networks);
  if (await interruptedBuild(config.dataRoot, snapshotter)) {
    const builds = await (await getBuilder()).recover();
    log("info", "removed what interrupted builds left", builds);
  }
  const leftovers = await collectLeftovers({ db, snapshotter, images });
  if (leftovers.rootfs.length > 0 || leftovers.reclaimed > 0) log("info", "collected leftovers of an earlier run", { ...leftovers });

  const system = createSystemBackend({
    id: engineId(config.dataRoot),
    dataRoot: config.dataRoot,
    driver: snapshotter.name,
    events,
    runtimePath: config.runtimePath,
    insecureRegistries: config.insecureRegistries,
    counts: async () => {
      // Each service counts its own records: the daemon never reads their tables.
      const byStatus = containers.counts();
      const total = Object.values(byStatus).reduce<number>((a, n) => a + (n ?? 0), 0);
      const running = byStatus.running ?? 0;
      const paused = byStatus.paused ?? 0;
      const imageCount = (await images.list({ all: true })).length;
      return { containers: total, running, paused, stopped: total - running - paused, images: imageCount };
    },
  });

  const registry = { insecureRegistries: config.insecureRegistries, certsDir: config.certsDir, userAgent: `berth/${version}` };
  const server = createApiServer(
    {
      system: {
        ...system,
        async auth(creds) {
          // The daemon keeps nothing: the CLI stores what worked in its config.json.
          const { serveraddress, ...given } = creds;
          const { login } = await import("../registry/login.js");
          const { identityToken } = await login(serveraddress || "https://index.docker.io/v1/", given, { ...registry, credentials: () => given });
          return identityToken ? { Status: "Login Succeeded", IdentityToken: identityToken } : { Status: "Login Succeeded" };
        },
      },
      containers,
      exec: containers.exec,
      images: { ...images, usedBy: (id: string) => containers.usingImage(id) },
      diskUsage: { diskUsage: (opts) => systemDf({ images, containers, build, volumes }, opts) },
      build,
      volumes,
      networks: networksBackend(network, containers),
    },
    { log: (entry) => log("debug", "request", entry as Record<string, unknown>) },
  );
  for (const host of config.hosts) await server.listen(host);
  log("info", "API listen", { hosts: config.hosts, driver: snapshotter.name });

  return {
    async close() {
      // Containers keep running: conmon holds them until the next berthd.
      await server.close();
      await network.close();
      db.close();
      releasePidfile();
    },
  };
}

/** Whether a build was under way when berthd stopped: its directory or step snapshots remain. */
async function interruptedBuild(dataRoot: string, snapshotter: { list(): Promise<Array<{ key: string }>> }): Promise<boolean> {
  if (existsSync(join(dataRoot, "build", "runs"))) return true;
  return (await snapshotter.list()).some((s) => s.key.startsWith("build-"));
}

/** A stable identity for this data root, as dockerd keeps engine-id. */
function engineId(dataRoot: string): string {
  const file = join(dataRoot, "engine-id");
  try {
    return readFileSync(file, "utf8").trim();
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
    const id = randomUUID();
    writeFileSync(file, id + "\n");
    return id;
  }
}
