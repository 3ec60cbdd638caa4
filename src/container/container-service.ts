// Containers: a record (config, name, image, state) plus, while it runs, a task
// in the runtime. The state is one union with a transition table
// (container/state.ts) guarded by one lock per container.
//
// Lifecycle: create → record + writable snapshot + bundle; start → mount
// rootfs, runtime.create + start; the exit (seen by conmon) → "exited" with the
// exit code; restart/stop/kill move between these; remove → runtime.delete,
// unmount, remove snapshot, delete record. Every step records its intent first
// so berthd's recovery (daemon/recover.ts) can finish or undo it after a crash.
import type { Readable } from "node:stream";
import type {
  ContainerCreateBody,
  ContainerInspect,
  ContainerSummary,
  ContainerTopResponse,
  EndpointSettings,
  ExecCreateBody,
  ExecInspect,
} from "../api/types/index.js";
import type { Filters } from "../oci/filters.js";
import type { ContainerFsService } from "./fs/container-fs-service.js";
import type { ContainerPruneReport } from "./prune.js";
import type { ContainerStatsResponse, StatsOptions } from "./stats-types.js";
import type { ContainerUpdateBody } from "./update.js";

export type ContainerStatus = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

/** A hijacked client connection: what attach/exec write to and read from. */
export interface StdioStreams {
  /** Client → container stdin (undefined when the client sends none). */
  stdin?: Readable;
  /** Container → client. With a TTY only stdout is used (raw); without, the router frames both. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface AttachOptions {
  stream: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  logs: boolean;
  detachKeys?: string;
}

export interface LogsOptions {
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
  since?: number; // unix seconds (fractional)
  until?: number;
  timestamps: boolean;
  tail?: number; // undefined = all
  /** Aborted when the client goes away: a follow must stop waiting for new lines. */
  signal?: AbortSignal;
}

export interface LogEntry {
  stream: "stdout" | "stderr";
  time: string; // RFC3339Nano
  line: Buffer; // including its trailing newline when the line was complete
}

/** Also cp, diff, export and commit: see fs/container-fs-service.ts. */
export interface ContainerService extends ContainerFsService {
  create(name: string | undefined, body: ContainerCreateBody): Promise<{ id: string; warnings: string[] }>;
  start(idOrName: string): Promise<void>;
  stop(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  restart(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  kill(idOrName: string, signal?: string): Promise<void>;
  remove(idOrName: string, opts: { force?: boolean; volumes?: boolean }): Promise<void>;
  rename(idOrName: string, newName: string): Promise<void>;
  /** Resolves to the exit code once the container is in the awaited condition. */
  wait(idOrName: string, condition: "not-running" | "next-exit" | "removed"): Promise<{ StatusCode: number; Error?: { Message: string } }>;
  inspect(idOrName: string, opts?: { size?: boolean }): Promise<ContainerInspect>;
  list(opts: { all?: boolean; limit?: number; size?: boolean; filters?: Filters }): Promise<ContainerSummary[]>;
  logs(idOrName: string, opts: LogsOptions): Promise<{ tty: boolean; entries: AsyncIterable<LogEntry> }>;
  /** Streams until the container's streams end or the client goes (signal aborted). */
  attach(idOrName: string, opts: AttachOptions, io: StdioStreams, signal: AbortSignal): Promise<{ tty: boolean; done: Promise<void> }>;
  /** Whether the container has a TTY (the router needs it before hijacking, to pick the framing). */
  isTty(idOrName: string): Promise<boolean>;
  resize(idOrName: string, size: { height: number; width: number }): Promise<void>;
  top(idOrName: string, psArgs?: string): Promise<ContainerTopResponse>;
  pause(idOrName: string): Promise<void>;
  unpause(idOrName: string): Promise<void>;
  /**
   * docker network connect: records the network in the container's config and,
   * while it runs, attaches it at once. ConflictError when already connected.
   */
  connect(idOrName: string, network: string, settings: EndpointSettings | undefined): Promise<void>;
  /** docker network disconnect: the reverse; `force` as Docker's (no error when not connected). */
  disconnect(idOrName: string, network: string, opts: { force?: boolean }): Promise<void>;
  /** docker stats: one sample, or one a second while `stream`; "No such container" before any. */
  stats(idOrName: string, opts: StatsOptions): Promise<AsyncIterable<ContainerStatsResponse>>;
  /** docker update: live limits and restart policy, recorded for later starts; resolves to dockerd's warnings. */
  update(idOrName: string, body: ContainerUpdateBody): Promise<{ Warnings: string[] }>;
  /** POST /containers/prune: removes the containers that do not run and pass the filters (until, label, label!). */
  prune(filters: Filters): Promise<ContainerPruneReport>;
  /** IDs of containers using an image (for rmi conflicts). */
  usingImage(imageId: string): { id: string; running: boolean }[];
}

export interface ExecService {
  create(containerIdOrName: string, body: ExecCreateBody): Promise<{ id: string }>;
  /** Runs the exec. Detached: resolves once started. Else streams through io until the process exits. */
  start(execId: string, opts: { detach: boolean; tty: boolean }, io: StdioStreams | undefined, signal: AbortSignal): Promise<{ tty: boolean; done: Promise<void> }>;
  isTty(execId: string): Promise<boolean>;
  inspect(execId: string): Promise<ExecInspect>;
  resize(execId: string, size: { height: number; width: number }): Promise<void>;
}
