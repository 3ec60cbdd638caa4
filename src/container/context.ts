// What every container operation shares: the dependencies berthd hands in, the
// record store, the per-container locks, and the in-process notifications that
// wait/attach/logs listen to. Operations are plain functions over a Context.
import { EventEmitter } from "node:events";
import { join } from "node:path";
import type { DB } from "../store/db.js";
import type { ImageService } from "../image/image-service.js";
import type { ExitStatus, Runtime } from "../runtime/runtime.js";
import type { Events } from "../daemon/events.js";
import type { NetworkService } from "../network/network-service.js";
import type { VolumeService } from "../volume/volume-service.js";
import type { ContainerStateRecord, ContainerRecord, Records } from "./records.js";
import type { Locks } from "./lock.js";
import type { ExecCreateBody } from "../api/types/index.js";
import { transition } from "./state.js";

export interface ServiceDeps {
  db: DB;
  images: ImageService;
  runtime: Runtime;
  events: Events;
  /** Container sandboxes: set up at start, torn down once the task is gone. */
  network: NetworkService;
  /** Named and anonymous volumes: created at container create, mounted at start. */
  volumes: VolumeService;
  /** <data-root>/containers: one directory per container (rootfs mountpoint, log, etc files). */
  root: string;
  execRoot: string;
  /** Where background failures (an exit watcher, an auto-remove) are reported. */
  log?: (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * Notifications inside the service:
 *  "change" (rec)      after every state write;
 *  "exit" (rec)        when a run ended and the exit was recorded;
 *  "removed" (rec)     once the record is deleted;
 *  "task" (id)         after runtime.create, before runtime.start — see attachHooks.
 */
export type Changes = EventEmitter;

export interface Context extends ServiceDeps {
  records: Records;
  locks: Locks;
  changes: Changes;
  /** Attaches waiting for a created container's task: start runs them between runtime.create and runtime.start. */
  attachHooks: Map<string, Set<() => Promise<void>>>;
  /** Runs are ended by the user (stop, kill, rm -f) rather than by themselves; restart policies leave those alone. */
  stoppedByUser: Set<string>;
  /** The pending exit of each container's current task: one runtime.waitExit per task, shared by the watcher, stop and kill. */
  exits: Map<string, Promise<ExitStatus>>;
  /** Exec instances, in memory as in Docker: they do not outlive the daemon. */
  execs: Map<string, ExecRecord>;
  /** Set by the service: removes an AutoRemove container after its exit (outside the lock). */
  autoRemove(id: string): void;
  /** Set by the service: applies the restart policy after an exit (outside the lock). */
  afterExit(id: string): void;
}

export interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecCreateBody;
  /** "created" until started, "running", then "exited" with exitCode. */
  status: "created" | "running" | "exited";
  pid: number;
  exitCode: number | null;
}

export interface ContainerPaths {
  dir: string;
  rootfs: string;
  log: string;
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export function pathsOf(ctx: Pick<Context, "root">, id: string): ContainerPaths {
  const dir = join(ctx.root, id);
  return {
    dir,
    rootfs: join(dir, "rootfs"),
    log: join(dir, "ctr.log"),
    hostname: join(dir, "hostname"),
    hosts: join(dir, "hosts"),
    resolvConf: join(dir, "resolv.conf"),
  };
}

/** The exit of the container's current task (see Context.exits). */
export function exitOf(ctx: Context, id: string): Promise<ExitStatus> {
  let exit = ctx.exits.get(id);
  if (!exit) {
    exit = ctx.runtime.waitExit(id);
    // Each consumer handles a rejection; this keeps an unobserved one from crashing berthd.
    exit.catch(() => undefined);
    ctx.exits.set(id, exit);
  }
  return exit;
}

/** Writes a state change (checked against the transition table) and tells the listeners. */
export function setState(ctx: Context, rec: ContainerRecord, patch: Partial<ContainerStateRecord>): void {
  if (patch.status && patch.status !== rec.state.status) transition(rec.state.status, patch.status);
  rec.state = { ...rec.state, ...patch };
  ctx.records.updateState(rec.id, rec.state);
  ctx.changes.emit("change", rec);
}

/** Publishes a container event with Docker's attributes: image, name and the container's labels. */
export function publish(ctx: Context, rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
  ctx.events.publish("container", action, rec.id, {
    ...rec.config.Labels,
    image: rec.config.Image ?? rec.imageRef,
    name: rec.name.slice(1),
    ...extra,
  });
}

export function nowIso(): string {
  return new Date().toISOString();
}
