// The container service berthd uses: wires the operations (one file per verb)
// to one shared Context — records in SQLite, one lock per container, the
// runtime, the image service and the event bus.
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { NotFoundError, ConflictError } from "../errors.js";
import { attachContainer } from "./attach.js";
import type { ContainerService, ContainerStatus, ExecService } from "./container-service.js";
import type { Context, ServiceDeps } from "./context.js";
import { createContainer } from "./create.js";
import { createExecService } from "./exec.js";
import { createContainerFs } from "./fs/container-fs.js";
import { inspectContainer } from "./inspect.js";
import { killContainer } from "./kill.js";
import { listContainers } from "./list.js";
import { createLocks } from "./lock.js";
import { unmountVolumes } from "./mounts-setup.js";
import { connectContainer, disconnectContainer } from "./network-connect.js";
import { containerLogs } from "./logs.js";
import { createRecords } from "./records.js";
import { recover, type RecoveryReport } from "./recover.js";
import { removeContainer } from "./remove.js";
import { renameContainer } from "./rename.js";
import { armRunning, watchHealth } from "./health-monitor.js";
import { watchLogRotation } from "./log-rotation.js";
import { applyRestartPolicy, restartAfterRecovery } from "./restart-policy.js";
import { startContainer } from "./start.js";
import { isActive } from "./state.js";
import { pauseContainer, restartContainer, stopContainer, unpauseContainer } from "./stop.js";
import { topContainer } from "./top.js";
import { containerStats } from "./stats.js";
import { updateContainer } from "./update.js";
import { pruneContainers } from "./prune.js";
import { waitContainer } from "./wait.js";

export type { RecoveryReport, ServiceDeps };

export function createContainerService(
  deps: ServiceDeps,
): ContainerService & {
  recover(): Promise<RecoveryReport>;
  exec: ExecService;
  counts(): Partial<Record<ContainerStatus, number>>;
} {
  mkdirSync(deps.root, { recursive: true, mode: 0o711 });
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const ctx: Context = {
    ...deps,
    records: createRecords(deps.db),
    locks: createLocks(),
    changes,
    attachHooks: new Map(),
    stoppedByUser: new Set(),
    exits: new Map(),
    execs: new Map(),
    autoRemove(id) {
      // As dockerd: --rm takes the container's anonymous volumes with it.
      removeContainer(ctx, id, { force: true, volumes: true }).catch((err: unknown) => {
        // Already removed (rm -f raced the exit), or being removed: nothing left to do.
        if (err instanceof NotFoundError || err instanceof ConflictError) return;
        ctx.log?.("error", "auto-remove failed", { id, error: String(err) });
      });
    },
    afterExit(id) {
      applyRestartPolicy(ctx, id);
    },
  };
  // Every end of a run (an exit, a failed start) gives the container's volumes back.
  changes.on("exit", (rec: { id: string }) => unmountVolumes(ctx, rec.id));
  watchHealth(ctx);
  watchLogRotation(ctx);

  return {
    create: (name, body) => createContainer(ctx, name, body),
    start: (idOrName) => startContainer(ctx, idOrName),
    stop: (idOrName, opts) => stopContainer(ctx, idOrName, opts),
    restart: (idOrName, opts) => restartContainer(ctx, idOrName, opts),
    kill: (idOrName, signal) => killContainer(ctx, idOrName, signal),
    remove: (idOrName, opts) => removeContainer(ctx, idOrName, opts),
    rename: (idOrName, newName) => renameContainer(ctx, idOrName, newName),
    wait: (idOrName, condition) => waitContainer(ctx, idOrName, condition),
    inspect: (idOrName, opts) => inspectContainer(ctx, idOrName, opts),
    list: (opts) => listContainers(ctx, opts),
    logs: (idOrName, opts) => containerLogs(ctx, idOrName, opts),
    attach: (idOrName, opts, io, signal) => attachContainer(ctx, idOrName, opts, io, signal),
    isTty: async (idOrName) => ctx.records.get(idOrName).config.Tty ?? false,
    async resize(idOrName, size) {
      const rec = ctx.records.get(idOrName);
      if (!isActive(rec.state.status)) throw new ConflictError(`Container ${rec.id} is not running`);
      await ctx.runtime.resize(rec.id, size);
    },
    top: (idOrName, psArgs) => topContainer(ctx, idOrName, psArgs),
    pause: (idOrName) => pauseContainer(ctx, idOrName),
    unpause: (idOrName) => unpauseContainer(ctx, idOrName),
    connect: (idOrName, network, settings) => connectContainer(ctx, idOrName, network, settings),
    disconnect: (idOrName, network, opts) => disconnectContainer(ctx, idOrName, network, opts),
    stats: (idOrName, opts) => containerStats(ctx, idOrName, opts),
    update: (idOrName, body) => updateContainer(ctx, idOrName, body),
    prune: (filters) => pruneContainers(ctx, filters),
    usingImage: (imageId) => ctx.records.usingImage(imageId).map((c) => ({ id: c.id, running: isActive(c.status) })),
    async recover() {
      const report = await recover(ctx);
      armRunning(ctx);
      restartAfterRecovery(ctx);
      return report;
    },
    counts: () => ctx.records.statusCounts(),
    exec: createExecService(ctx),
    ...createContainerFs(ctx),
  };
}
