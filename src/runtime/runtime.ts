// The runtime runs a container's processes: berth writes the OCI bundle
// (config.json), runc creates the namespaces and cgroups, and one conmon per
// container holds its stdio, writes its log and records its exit code — so a
// container keeps running, and its exit is not lost, while berthd is down.
//
// Lifecycle of a container task:
//   1. create(id, opts) writes <root>/<id>/config.json (conmon-runtime.ts lists
//      the files kept there), spawns conmon (which runs `runc create`) and
//      returns once the init process exists, stopped before exec (runc state
//      "created"). stdio is wired now: attach before start sees all output.
//   2. attach(id) may be called any time after create: a duplex to conmon's
//      attach socket (stdin in; stdout/stderr out, kept apart).
//   3. start(id) → `runc start`; the process runs.
//   4. kill(id, signal) as often as needed; waitExit(id) resolves when conmon
//      has written the exit file (also for exits that happened while berthd was
//      down: exitStatus(id) reads it back).
//   5. delete(id) → `runc delete`, removes the bundle and conmon's files.
// exec(id, execId, …) runs an extra process in a running container through its
// own conmon, with the same attach/wait shape.
import type { Duplex, Readable } from "node:stream";
import type { ResourceLimits } from "./spec-options.js";
import type { RuntimeSpec } from "./spec-types.js";

export type TaskStatus = "created" | "running" | "paused" | "stopped";

export interface ExitStatus {
  exitCode: number;
  /** ISO time the process exited (the exit file's mtime). */
  exitedAt: string;
  oomKilled: boolean;
}

export interface CreateOptions {
  spec: RuntimeSpec;
  tty: boolean;
  /** Keep stdin open for attach (docker -i). */
  openStdin: boolean;
  /** Close stdin after the first attached client detaches (docker --attach + StdinOnce). */
  stdinOnce: boolean;
  /** Where conmon writes the container's log (k8s-file format, stdout and stderr kept apart). */
  logPath: string;
  /** No log at all (--log-driver none): output goes only to attached clients. */
  noLog?: boolean;
  /** Bytes after which conmon starts the log file afresh (renaming a new file over it). */
  logSizeMax?: number;
}

export interface AttachStreams {
  /** Bytes for the process's stdin (ignored unless openStdin). end() closes stdin when stdinOnce. */
  stdin: NodeJS.WritableStream;
  stdout: Readable;
  stderr: Readable;
  /** Detach: closes the socket without touching the process. */
  close(): void;
}

export interface ExecOptions {
  /** The OCI process object: args, env, cwd, user, terminal, capabilities… */
  process: RuntimeSpec["process"];
  tty: boolean;
  openStdin: boolean;
  /** Connect the attach streams before the process runs, so no output is lost. */
  attach: boolean;
}

export interface Runtime {
  create(id: string, opts: CreateOptions): Promise<{ pid: number }>;
  start(id: string): Promise<void>;
  kill(id: string, signal: string | number, opts?: { all?: boolean }): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** runc's view; undefined when runc does not know the container. */
  state(id: string): Promise<{ status: TaskStatus; pid: number } | undefined>;
  /** The recorded exit, or undefined while the process has not exited. */
  exitStatus(id: string): Promise<ExitStatus | undefined>;
  waitExit(id: string): Promise<ExitStatus>;
  attach(id: string): Promise<AttachStreams>;
  resize(id: string, size: { height: number; width: number }): Promise<void>;
  delete(id: string, opts?: { force?: boolean }): Promise<void>;
  /** conmon's pid for the container, for memory accounting and liveness. */
  monitorPid(id: string): Promise<number | undefined>;
  /** New cgroup limits for a running or paused task (docker update); only the limits given change. */
  update(id: string, limits: ResourceLimits): Promise<void>;

  exec(id: string, execId: string, opts: ExecOptions): Promise<{ pid: number; streams?: AttachStreams }>;
  execResize(id: string, execId: string, size: { height: number; width: number }): Promise<void>;
  execWaitExit(id: string, execId: string): Promise<ExitStatus>;
}

export type { Duplex };
