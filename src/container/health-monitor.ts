// Healthchecks, the running part: one timer per running container with a
// healthcheck, each tick a probe run as an exec in the container (the
// container's user, env and working directory, as dockerd's), its result fed
// to the state machine of health.ts. The state lives in memory, as the brief
// of berth's health has it: after a berthd restart the running containers
// are armed again and start over at "starting".
//
// Armed when a run starts (the "change" to running with a new startedAt),
// held while paused, ended (state kept for inspect) when the run ends,
// dropped with the container.
import { Writable } from "node:stream";
import { isErrno } from "../errors.js";
import type { ExecService } from "./container-service.js";
import { nowIso, publish, type Context } from "./context.js";
import { createExecService } from "./exec.js";
import {
  applyResult,
  capOutput,
  goDuration,
  initialHealth,
  MAX_OUTPUT_BYTES,
  nextDelay,
  probeArgs,
  probeSettings,
  type HealthResult,
  type HealthState,
} from "./health.js";
import type { ContainerRecord } from "./records.js";

interface Monitor {
  state: HealthState;
  /** The run being probed; a result for an older run is dropped. */
  startedAt: string;
  timer?: NodeJS.Timeout;
  /** Aborts the probe in flight when the run ends. */
  probing?: AbortController;
  active: boolean;
}

interface Health {
  monitors: Map<string, Monitor>;
  execs: ExecService;
}

const byContext = new WeakMap<Context, Health>();

/** Starts following the container service's changes; call once per Context, before recovery. */
export function watchHealth(ctx: Context): void {
  const health: Health = { monitors: new Map(), execs: createExecService(ctx) };
  byContext.set(ctx, health);
  ctx.changes.on("change", (rec: ContainerRecord) => onChange(ctx, health, rec));
  ctx.changes.on("removed", (rec: ContainerRecord) => {
    halt(health.monitors.get(rec.id));
    health.monitors.delete(rec.id);
  });
}

/** Arms the running containers recovery found (their state did not change, so no "change" came). */
export function armRunning(ctx: Context): void {
  const health = byContext.get(ctx);
  if (!health) return;
  for (const rec of ctx.records.list()) if (rec.state.status === "running") onChange(ctx, health, rec);
}

/** The container's health for inspect and ps; undefined when it has no healthcheck or never ran with one. */
export function healthOf(ctx: Context, id: string): HealthState | undefined {
  return byContext.get(ctx)?.monitors.get(id)?.state;
}

function onChange(ctx: Context, health: Health, rec: ContainerRecord): void {
  const args = probeArgs(rec.config.Healthcheck ?? undefined, rec.config.Shell?.length ? rec.config.Shell : undefined);
  let mon = health.monitors.get(rec.id);
  if (!args) return;
  if (rec.state.status !== "running") {
    // Paused, exited, being removed: no probes; the last state stays for inspect.
    halt(mon);
    return;
  }
  if (mon?.active && mon.startedAt === rec.state.startedAt) return;
  if (!mon || mon.startedAt !== rec.state.startedAt) {
    halt(mon);
    mon = { state: initialHealth(mon?.state), startedAt: rec.state.startedAt, active: false };
    health.monitors.set(rec.id, mon);
  }
  mon.active = true;
  schedule(ctx, health, rec.id, mon, args);
}

function halt(mon: Monitor | undefined): void {
  if (!mon) return;
  mon.active = false;
  clearTimeout(mon.timer);
  mon.timer = undefined;
  mon.probing?.abort();
}

function schedule(ctx: Context, health: Health, id: string, mon: Monitor, args: string[]): void {
  const rec = ctx.records.find(id);
  if (!rec || !mon.active) return;
  const settings = probeSettings(rec.config.Healthcheck ?? {});
  const delay = nextDelay(mon.state, { settings, sinceStartMs: Date.now() - Date.parse(mon.startedAt) });
  mon.timer = setTimeout(() => {
    mon.timer = undefined;
    void tick(ctx, health, id, mon, args).catch((err: unknown) => ctx.log?.("warn", "health check failed to run", { id, error: String(err) }));
  }, delay);
  // A pending probe must not keep berthd (or a test) alive.
  mon.timer.unref();
}

async function tick(ctx: Context, health: Health, id: string, mon: Monitor, args: string[]): Promise<void> {
  const rec = ctx.records.find(id);
  if (!rec || !mon.active) return;
  const settings = probeSettings(rec.config.Healthcheck ?? {});
  const started = Date.now();
  const abort = new AbortController();
  mon.probing = abort;
  const result = await probe(ctx, health.execs, rec, { args, timeoutMs: settings.timeoutMs, signal: abort.signal });
  mon.probing = undefined;
  // The run ended meanwhile: dockerd drops such a result, and so do we.
  if (!mon.active || abort.signal.aborted || health.monitors.get(id) !== mon) return;
  const before = mon.state.Status;
  mon.state = applyResult(mon.state, result, { settings, sinceStartMs: started - Date.parse(mon.startedAt) });
  if (mon.state.Status !== before) publish(ctx, rec, `health_status: ${mon.state.Status}`);
  schedule(ctx, health, id, mon, args);
}

/** One probe: an exec of `args`, its output (capped) and exit code; -1 and the reason when it could not run or timed out. */
async function probe(
  ctx: Context,
  execs: ExecService,
  rec: ContainerRecord,
  opts: { args: string[]; timeoutMs: number; signal: AbortSignal },
): Promise<HealthResult> {
  const Start = nowIso();
  const sink = outputSink();
  let execId: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    ({ id: execId } = await execs.create(rec.id, {
      Cmd: opts.args,
      AttachStdout: true,
      AttachStderr: true,
      ...(rec.config.User ? { User: rec.config.User } : {}),
      ...(rec.config.WorkingDir ? { WorkingDir: rec.config.WorkingDir } : {}),
    }));
    const { done } = await execs.start(execId, { detach: false, tty: false }, { stdout: sink.stream, stderr: sink.stream }, opts.signal);
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), opts.timeoutMs);
    });
    if ((await Promise.race([done.then(() => "done" as const), timedOut])) === "timeout") {
      // dockerd kills a probe that overran; its output is replaced by the reason.
      const pid = ctx.execs.get(execId)?.pid;
      if (pid) killQuietly(pid);
      return { Start, End: nowIso(), ExitCode: -1, Output: `Health check exceeded timeout (${goDuration(opts.timeoutMs)})` };
    }
    const exitCode = ctx.execs.get(execId)?.exitCode ?? -1;
    return { Start, End: nowIso(), ExitCode: exitCode, Output: capOutput(sink.output(), sink.truncated()) };
  } catch (err) {
    return { Start, End: nowIso(), ExitCode: -1, Output: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
    // Probe execs are many (one per interval): they are not kept as the user's execs are.
    if (execId) ctx.execs.delete(execId);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch (err) {
    // Exited between the timeout and the kill.
    if (!isErrno(err, "ESRCH")) throw err;
  }
}

/** stdout and stderr together, as dockerd reads a probe's output, keeping the first MAX_OUTPUT_BYTES. */
function outputSink(): { stream: Writable; output(): Buffer; truncated(): boolean } {
  const parts: Buffer[] = [];
  let size = 0;
  let cut = false;
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const room = MAX_OUTPUT_BYTES - size;
      if (chunk.length > room) cut = true;
      if (room > 0) {
        parts.push(chunk.subarray(0, room));
        size += Math.min(room, chunk.length);
      }
      cb();
    },
  });
  return { stream, output: () => Buffer.concat(parts), truncated: () => cut };
}
