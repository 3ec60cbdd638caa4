// One conmon-run process — a container's init or one exec — and its files
// under <root>/<id>/ (or <root>/<id>/exec/<execId>/): the arguments conmon
// gets, whether it still runs, the exit status it recorded (or 255 when it
// died without recording one), and the terminal resize through its FIFO.
// conmon-runtime.ts (lifecycle) and conmon-exec.ts (exec) build on these.
import { constants, readFileSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConflictError, InvalidArgumentError, NotFoundError, isErrno } from "../errors.js";
import { cgroupOomKills, fileExists, readExitFile, writeUnknownExit } from "./exit-file.js";
import type { RuncOptions } from "./runc.js";
import type { ExitStatus } from "./runtime.js";
import { isCgroupV2 } from "./spec.js";

/** What every conmon operation needs: where bundles live and which binaries to run. */
export interface ConmonContext {
  root: string;
  conmonPath: string;
  rc: RuncOptions;
}

/** The files of one conmon-run process: a container's init or one exec. */
export interface ProcessFiles {
  dir: string;
  conmonPid: string;
  pidfile: string;
  runcLog: string;
  exitDir: string;
  exitFile: string;
  persistDir: string;
}

// runc's own rule for container ids; it also keeps ids safe as path components.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$/;
// How long delete waits for conmon to record the exit before it stops waiting.
const CONMON_EXIT_WAIT_MS = 10_000;

export function containerFiles(ctx: ConmonContext, id: string): ProcessFiles {
  return processFiles(path.join(ctx.root, checkId(id)), id);
}

export function execFiles(ctx: ConmonContext, id: string, execId: string): ProcessFiles {
  return processFiles(path.join(ctx.root, checkId(id), "exec", checkId(execId)), id);
}

/** The container's files; NotFoundError when it has no bundle. */
export async function requireBundle(ctx: ConmonContext, id: string): Promise<ProcessFiles> {
  const f = containerFiles(ctx, id);
  if (!(await fileExists(path.join(f.dir, "config.json")))) throw new NotFoundError(`No such container: ${id}`);
  return f;
}

export function processFiles(dir: string, id: string): ProcessFiles {
  const exitDir = path.join(dir, "exits");
  return {
    dir,
    conmonPid: path.join(dir, "conmon.pid"),
    pidfile: path.join(dir, "pidfile"),
    runcLog: path.join(dir, "runc.log"),
    exitDir,
    exitFile: path.join(exitDir, id),
    persistDir: path.join(dir, "persist"),
  };
}

export function checkId(id: string): string {
  if (!ID_PATTERN.test(id)) throw new InvalidArgumentError(`invalid id: ${JSON.stringify(id)}`);
  return id;
}

/** Common conmon arguments: who, where, and how to call runc. */
export function conmonArgs(
  rc: RuncOptions,
  proc: { id: string; uuid: string; files: ProcessFiles; tty: boolean; stdin: boolean },
): string[] {
  const f = proc.files;
  const args = [
    "--api-version",
    "-c", proc.id,
    "-u", proc.uuid,
    "-n", proc.id,
    "-r", rc.runtimePath,
    "-b", f.dir,
    "-p", f.pidfile,
    "-P", f.conmonPid,
    "--exit-dir", f.exitDir,
    "--persist-dir", f.persistDir,
    // Socket and FIFOs in the bundle; we connect through /proc/self/fd, so
    // its length does not matter.
    "--full-attach",
    "--runtime-arg", `--root=${rc.runtimeRoot}`,
    "--runtime-arg", "--log-format=json",
    "--runtime-arg", `--log=${f.runcLog}`,
  ];
  if (proc.tty) args.push("-t");
  if (proc.stdin) args.push("-i");
  return args;
}

async function exitStatusOf(f: ProcessFiles, cgroupsPath: string | undefined): Promise<ExitStatus | undefined> {
  const exit = await readExitFile(f.exitFile);
  if (!exit) return undefined;
  const oomKilled =
    (await fileExists(path.join(f.persistDir, "oom"))) ||
    (cgroupsPath !== undefined && (await cgroupOomKills(cgroupsPath, isCgroupV2())) > 0);
  return { ...exit, oomKilled };
}

/** The pid in a pid file (conmon's, or the one runc writes), or undefined when there is none yet. */
export function readPidFile(file: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, "utf8"), 10);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
  return pid > 0 ? pid : undefined;
}

/** conmon's pid if it is still running; the cmdline check guards against a recycled pid. */
export async function liveConmon(f: ProcessFiles): Promise<number | undefined> {
  const pid = readPidFile(f.conmonPid);
  if (pid === undefined) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return cmdline.some((a) => a.endsWith("conmon")) && cmdline.includes(f.pidfile) ? pid : undefined;
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ESRCH")) return undefined;
    throw err;
  }
}

/**
 * The exit status, also when conmon died without writing it: then the
 * process is gone too (or unobservable), and we record 255.
 */
export async function settledStatus(
  f: ProcessFiles,
  opts: { cgroupsPath: string | undefined; processGone: () => Promise<boolean> },
): Promise<ExitStatus | undefined> {
  const status = await exitStatusOf(f, opts.cgroupsPath);
  if (status) return status;
  if (await liveConmon(f)) return undefined;
  // conmon may have written the file and exited between our two looks.
  const again = await exitStatusOf(f, opts.cgroupsPath);
  if (again) return again;
  if (!(await fileExists(f.dir)) || !(await opts.processGone())) return undefined;
  await mkdir(f.exitDir, { recursive: true });
  await writeUnknownExit(f.exitFile);
  return exitStatusOf(f, opts.cgroupsPath);
}

/** Tells conmon the new terminal size through its control FIFO ("1 <height> <width>\n"). */
export async function resizeVia(dir: string, size: { height: number; width: number }, id: string): Promise<void> {
  const h = Math.max(0, Math.floor(size.height));
  const w = Math.max(0, Math.floor(size.width));
  let fh;
  try {
    // Non-blocking: with no conmon reading the FIFO, open fails (ENXIO) instead of hanging.
    fh = await open(path.join(dir, "ctl"), constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (isErrno(err, "ENXIO") || isErrno(err, "ENOENT")) throw new ConflictError(`Container ${id} is not running`);
    throw err;
  }
  try {
    await fh.write(`1 ${h} ${w}\n`);
  } finally {
    await fh.close();
  }
}

/** Waits (bounded) for a conmon to record the exit and leave; SIGKILLs one that does not. */
export async function waitConmonGone(f: ProcessFiles): Promise<void> {
  const deadline = Date.now() + CONMON_EXIT_WAIT_MS;
  let pause = 1;
  for (;;) {
    const pid = await liveConmon(f);
    if (pid === undefined) return;
    if (Date.now() > deadline) {
      try {
        process.kill(pid, "SIGKILL");
      } catch (err) {
        if (!isErrno(err, "ESRCH")) throw err;
      }
      return;
    }
    // conmon leaves within a few ms of writing the exit file, the usual
    // moment we are called: look again soon, then less and less often.
    await sleep(pause);
    pause = Math.min(pause * 2, 50);
  }
}
