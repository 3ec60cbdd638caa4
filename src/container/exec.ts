// docker exec: exec instances live in memory, as in Docker (they do not
// outlive the daemon). create checks the container and records the request;
// start builds the process from the container's own spec (capabilities,
// rlimits, env) with the exec's args, env, cwd, user and TTY, runs it through
// the runtime, streams its stdio and records its exit code.
import { randomBytes } from "node:crypto";
import type { ExecCreateBody, ExecInspect } from "../api/types/index.js";
import { ConflictError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { ExecService, StdioStreams } from "./container-service.js";
import { containerEnv, containerSpec, processEnv, processUser } from "./container-spec.js";
import { pathsOf, publish, type Context, type ExecRecord } from "./context.js";
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from "./detach-keys.js";
import type { ContainerRecord } from "./records.js";
import { startFailure } from "./start-error.js";
import { connectStdio } from "./stdio.js";

export function createExecService(ctx: Context): ExecService {
  // Execs go with their container.
  ctx.changes.on("removed", (rec: ContainerRecord) => {
    for (const [id, ex] of ctx.execs) if (ex.containerId === rec.id) ctx.execs.delete(id);
  });

  const get = (execId: string): ExecRecord => {
    const ex = ctx.execs.get(execId);
    if (!ex) throw new NotFoundError(`No such exec instance: ${execId}`);
    return ex;
  };

  const runningContainer = (idOrName: string): ContainerRecord => {
    const rec = ctx.records.get(idOrName);
    if (rec.state.status === "paused") throw new ConflictError(`Container ${rec.id} is paused, unpause the container before exec`);
    if (rec.state.status !== "running") throw new ConflictError(`Container ${rec.id} is not running`);
    return rec;
  };

  return {
    async create(containerIdOrName: string, body: ExecCreateBody) {
      const rec = runningContainer(containerIdOrName);
      if (!body.Cmd || body.Cmd.length === 0) throw new InvalidArgumentError("No exec command specified");
      if (body.DetachKeys) parseDetachKeys(body.DetachKeys);
      const id = randomBytes(32).toString("hex");
      ctx.execs.set(id, { id, containerId: rec.id, config: body, status: "created", pid: 0, exitCode: null });
      publish(ctx, rec, `exec_create: ${eventCommand(body.Cmd)}`, { execID: id });
      return { id };
    },

    async start(execId, opts, io, signal) {
      const ex = get(execId);
      if (ex.status === "running") throw new ConflictError(`Error: Exec command ${execId} is already running`);
      if (ex.status === "exited") throw new ConflictError(`Error: Exec command ${execId} has already run`);
      const rec = runningContainer(ex.containerId);
      const cfg = ex.config;
      const tty = cfg.Tty ?? false;
      const attach = !opts.detach && io !== undefined;

      // Claim it before the first await, so a second start is refused.
      ex.status = "running";
      let started: Awaited<ReturnType<Context["runtime"]["exec"]>>;
      try {
        const spec = await containerSpec(ctx, rec, cfg.Privileged ? { privileged: true } : {});
        const user = cfg.User ? await processUser(pathsOf(ctx, rec.id).rootfs, cfg.User, rec.hostConfig) : spec.process.user;
        const [height, width] = cfg.ConsoleSize ?? [];
        const process = {
          ...spec.process,
          args: cfg.Cmd ?? [],
          // Built afresh as Docker does: TERM follows the exec's TTY, not the container's.
          env: processEnv(containerEnv(rec.config, tty), cfg.Env ?? []),
          cwd: cfg.WorkingDir || spec.process.cwd,
          user,
          terminal: tty,
          ...(tty && height && width ? { consoleSize: { height, width } } : {}),
        };
        try {
          started = await ctx.runtime.exec(rec.id, execId, { process, tty, openStdin: attach && (cfg.AttachStdin ?? false), attach });
        } catch (err) {
          const failure = startFailure(err, "exec");
          ex.exitCode = failure.exitCode === 128 ? 126 : failure.exitCode;
          throw failure.error;
        }
      } catch (err) {
        // As Docker: an exec that never ran (unknown user, runc refused it) reports 126 unless runc said more.
        ex.status = "exited";
        ex.exitCode ??= 126;
        throw err;
      }
      ex.pid = started.pid;
      publish(ctx, rec, `exec_start: ${eventCommand(cfg.Cmd ?? [])}`, { execID: execId });

      const exited = ctx.runtime.execWaitExit(rec.id, execId).then(
        (exit) => {
          ex.status = "exited";
          ex.exitCode = exit.exitCode;
          publish(ctx, rec, "exec_die", { execID: execId, exitCode: String(exit.exitCode) });
        },
        (err: unknown) => {
          ex.status = "exited";
          ctx.log?.("warn", "exec exit unknown", { id: rec.id, execId, error: String(err) });
        },
      );
      if (!attach || !started.streams || !io) return { tty, done: Promise.resolve() };

      const withStdin = cfg.AttachStdin ?? false;
      const detachKeys = tty && withStdin ? parseDetachKeys(cfg.DetachKeys || DEFAULT_DETACH_KEYS) : undefined;
      const done = connectStdio(started.streams, io as StdioStreams, {
        stdin: withStdin,
        stdout: cfg.AttachStdout ?? true,
        stderr: cfg.AttachStderr ?? true,
        ...(detachKeys ? { detachKeys } : {}),
        signal,
      }).then(async (how) => {
        // The client asks for the exit code next (exec inspect): have it recorded by then.
        if (how === "exited") await exited;
      });
      return { tty, done };
    },

    async isTty(execId) {
      return get(execId).config.Tty ?? false;
    },

    async inspect(execId): Promise<ExecInspect> {
      const ex = get(execId);
      const cmd = ex.config.Cmd ?? [];
      return {
        CanRemove: false,
        DetachKeys: ex.config.DetachKeys ?? "",
        ID: ex.id,
        Running: ex.status === "running",
        ...(ex.exitCode !== null ? { ExitCode: ex.exitCode } : {}),
        ProcessConfig: {
          privileged: ex.config.Privileged ?? false,
          user: ex.config.User ?? "",
          tty: ex.config.Tty ?? false,
          entrypoint: cmd[0] ?? "",
          arguments: cmd.slice(1),
        },
        OpenStdin: ex.config.AttachStdin ?? false,
        OpenStderr: ex.config.AttachStderr ?? false,
        OpenStdout: ex.config.AttachStdout ?? false,
        ContainerID: ex.containerId,
        Pid: ex.pid,
      };
    },

    async resize(execId, size) {
      const ex = get(execId);
      if (ex.status !== "running") throw new ConflictError(`Exec ${execId} is not running`);
      await ctx.runtime.execResize(ex.containerId, execId, size);
    },
  };
}

/** Docker names an exec in its events as the command, a space, then the joined arguments (a trailing space when none). */
function eventCommand(cmd: string[]): string {
  return `${cmd[0] ?? ""} ${cmd.slice(1).join(" ")}`;
}
