// The Runtime on runc + conmon. Everything needed to find a container again
// lives in files under <root>/<id>/, so a new Runtime object (berthd restarted,
// even after SIGKILL) picks up where the old one left off:
//
//   <root>/<id>/config.json     the OCI bundle (rootfs is an absolute path)
//              /conmon.pid      conmon's pid (monitorPid, liveness)
//              /pidfile         the container's init pid, written by runc
//              /runc.log        runc's JSON log for create
//              /attach, /ctl    conmon's attach socket and control FIFO
//              /exits/<id>      the exit code, written by conmon
//              /persist/oom     present when the cgroup saw an OOM kill
//              /exec/<execId>/  the same set for each exec, with process.json
//
// runc keeps its own state under runtimeRoot (runc --root). Each conmon runs
// in the shared berth-conmon cgroup, not berthd's (conmon-cgroup.ts).
import { constants } from "node:fs";
import { mkdir, open, readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConflictError, InvalidArgumentError, NotFoundError, isErrno } from "../errors.js";
import { connectAttach } from "./attach-socket.js";
import { moveToConmonCgroup } from "./conmon-cgroup.js";
import { launchConmon } from "./conmon-launch.js";
import { cgroupOomKills, fileExists, readExitFile, waitForStatus, writeUnknownExit } from "./exit-file.js";
import { dockerError, runc, runcState, type RuncOptions } from "./runc.js";
import type { AttachStreams, CreateOptions, ExecOptions, ExitStatus, Runtime } from "./runtime.js";
import { isCgroupV2 } from "./spec.js";
import type { RuntimeSpec } from "./spec-types.js";
import { writeFileAtomic } from "./write-file-atomic.js";

export interface ConmonRuntimeOptions {
  /** Where each container's files go, e.g. <exec-root>/runtime. */
  root: string;
  /** Default /usr/sbin/runc. */
  runtimePath?: string;
  /** Default /usr/bin/conmon. */
  conmonPath?: string;
  /** runc --root; default "runc" beside root (e.g. <exec-root>/runc). */
  runtimeRoot?: string;
}

/** The files of one conmon-run process: a container's init or one exec. */
interface ProcessFiles {
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

export function createConmonRuntime(opts: ConmonRuntimeOptions): Runtime {
  const root = path.resolve(opts.root);
  const conmonPath = opts.conmonPath ?? "/usr/bin/conmon";
  const rc: RuncOptions = {
    runtimePath: opts.runtimePath ?? "/usr/sbin/runc",
    runtimeRoot: path.resolve(opts.runtimeRoot ?? path.join(path.dirname(root), "runc")),
  };

  const containerFiles = (id: string): ProcessFiles => processFiles(path.join(root, checkId(id)), id);
  const execFiles = (id: string, execId: string): ProcessFiles =>
    processFiles(path.join(root, checkId(id), "exec", checkId(execId)), id);

  /** Common conmon arguments: who, where, and how to call runc. */
  const conmonArgs = (id: string, uuid: string, f: ProcessFiles, io: { tty: boolean; stdin: boolean }): string[] => {
    const args = [
      "--api-version",
      "-c", id,
      "-u", uuid,
      "-n", id,
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
    if (io.tty) args.push("-t");
    if (io.stdin) args.push("-i");
    return args;
  };

  const exitStatusOf = async (f: ProcessFiles, cgroupsPath: string | undefined): Promise<ExitStatus | undefined> => {
    const exit = await readExitFile(f.exitFile);
    if (!exit) return undefined;
    const oomKilled =
      (await fileExists(path.join(f.persistDir, "oom"))) ||
      (cgroupsPath !== undefined && (await cgroupOomKills(cgroupsPath, isCgroupV2())) > 0);
    return { ...exit, oomKilled };
  };

  /** conmon's pid if it is still running; the cmdline check guards against a recycled pid. */
  const liveConmon = async (f: ProcessFiles): Promise<number | undefined> => {
    let pid: number;
    try {
      pid = Number.parseInt(await readFile(f.conmonPid, "utf8"), 10);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw err;
    }
    if (!(pid > 0)) return undefined;
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
      return cmdline.some((a) => a.endsWith("conmon")) && cmdline.includes(f.pidfile) ? pid : undefined;
    } catch (err) {
      if (isErrno(err, "ENOENT") || isErrno(err, "ESRCH")) return undefined;
      throw err;
    }
  };

  /**
   * The exit status, also when conmon died without writing it: then the
   * process is gone too (or unobservable), and we record 255.
   */
  const settledStatus = async (
    f: ProcessFiles,
    cgroupsPath: string | undefined,
    processGone: () => Promise<boolean>,
  ): Promise<ExitStatus | undefined> => {
    const status = await exitStatusOf(f, cgroupsPath);
    if (status) return status;
    if (await liveConmon(f)) return undefined;
    // conmon may have written the file and exited between our two looks.
    const again = await exitStatusOf(f, cgroupsPath);
    if (again) return again;
    if (!(await fileExists(f.dir)) || !(await processGone())) return undefined;
    await mkdir(f.exitDir, { recursive: true });
    await writeUnknownExit(f.exitFile);
    return exitStatusOf(f, cgroupsPath);
  };

  const containerGone = (id: string) => async (): Promise<boolean> => {
    const state = await runcState(rc, id);
    return state === undefined || state.status === "stopped";
  };

  const cgroupsPathOf = async (id: string): Promise<string | undefined> => {
    try {
      const spec = JSON.parse(await readFile(containerFiles(id).dir + "/config.json", "utf8")) as RuntimeSpec;
      return spec.linux?.cgroupsPath;
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw err;
    }
  };

  const requireBundle = async (id: string): Promise<ProcessFiles> => {
    const f = containerFiles(id);
    if (!(await fileExists(path.join(f.dir, "config.json")))) throw new NotFoundError(`No such container: ${id}`);
    return f;
  };

  const runtime: Runtime = {
    async create(id, createOpts: CreateOptions) {
      const f = containerFiles(id);
      if (await runcState(rc, id)) throw new ConflictError(`container ${id} already exists in the runtime`);
      // Leftovers of an attempt that died half-way are ours to replace.
      await rm(f.dir, { recursive: true, force: true });
      await mkdir(f.exitDir, { recursive: true, mode: 0o700 });
      await mkdir(f.persistDir, { recursive: true, mode: 0o700 });
      await mkdir(rc.runtimeRoot, { recursive: true, mode: 0o700 });
      await writeFileAtomic(path.join(f.dir, "config.json"), JSON.stringify(createOpts.spec, null, 2));
      const args = conmonArgs(id, id, f, { tty: createOpts.tty, stdin: createOpts.openStdin });
      // conmon closes stdin when an attached client goes, unless told not to;
      // Docker closes it only for StdinOnce.
      if (createOpts.openStdin && !createOpts.stdinOnce) args.push("--leave-stdin-open");
      args.push("-l", `k8s-file:${createOpts.logPath}`);
      try {
        const pid = await launchConmon({ conmonPath, args, cwd: f.dir, beforeFork: moveToConmonCgroup });
        return { pid };
      } catch (err) {
        // A failed create leaves nothing behind (runc already cleaned up its side).
        await runc(rc, ["delete", "--force", id]).catch(() => undefined);
        await rm(f.dir, { recursive: true, force: true });
        throw err;
      }
    },

    async start(id) {
      await requireBundle(id);
      await runc(rc, ["start", id]).catch((err: unknown) => {
        throw dockerError(err, id);
      });
    },

    async kill(id, signal, killOpts) {
      const args = ["kill"];
      if (killOpts?.all) args.push("--all");
      args.push(checkId(id), String(signal));
      await runc(rc, args).catch((err: unknown) => {
        throw dockerError(err, id);
      });
    },

    async pause(id) {
      await runc(rc, ["pause", checkId(id)]).catch((err: unknown) => {
        throw dockerError(err, id);
      });
    },

    async resume(id) {
      await runc(rc, ["resume", checkId(id)]).catch((err: unknown) => {
        throw dockerError(err, id);
      });
    },

    async state(id) {
      return runcState(rc, checkId(id));
    },

    async exitStatus(id) {
      const f = containerFiles(id);
      return settledStatus(f, await cgroupsPathOf(id), containerGone(id));
    },

    async waitExit(id) {
      const f = await requireBundle(id);
      const cgroupsPath = await cgroupsPathOf(id);
      return waitForStatus(f.exitDir, () => settledStatus(f, cgroupsPath, containerGone(id)));
    },

    async attach(id) {
      const f = await requireBundle(id);
      return connectAttach(f.dir).catch((err: unknown) => {
        // conmon removes the socket when it exits.
        if (isErrno(err, "ENOENT") || isErrno(err, "ECONNREFUSED")) {
          throw new ConflictError(`Container ${id} is not running`);
        }
        throw err;
      });
    },

    async resize(id, size) {
      await resizeVia(containerFiles(id).dir, size, id);
    },

    async delete(id, deleteOpts) {
      const f = containerFiles(id);
      const state = await runcState(rc, id);
      if (state && state.status !== "stopped") {
        if (!deleteOpts?.force) {
          throw new ConflictError(`cannot delete container ${id}: it is ${state.status}`);
        }
        // A frozen process cannot die; thaw it first.
        if (state.status === "paused") await runc(rc, ["resume", id]).catch(() => undefined);
        await runc(rc, ["kill", "--all", id, "KILL"]).catch(() => undefined);
      }
      await waitConmonGone(f, liveConmon);
      // Exec monitors end with the container's processes; make sure of it.
      for (const execId of await readdir(path.join(f.dir, "exec")).catch(() => [] as string[])) {
        await waitConmonGone(processFiles(path.join(f.dir, "exec", execId), id), liveConmon);
      }
      if (state) {
        await runc(rc, ["delete", "--force", id]).catch((err: unknown) => {
          const mapped = dockerError(err, id);
          if (!(mapped instanceof NotFoundError)) throw err;
        });
      }
      await rm(f.dir, { recursive: true, force: true });
    },

    async monitorPid(id) {
      return liveConmon(containerFiles(id));
    },

    async exec(id, execId, execOpts: ExecOptions) {
      await requireBundle(id);
      const state = await runcState(rc, id);
      if (state?.status === "paused") throw new ConflictError(`Container ${id} is paused, unpause the container before exec`);
      if (state?.status !== "running") throw new ConflictError(`Container ${id} is not running`);
      const f = execFiles(id, execId);
      if (await fileExists(f.dir)) throw new ConflictError(`exec ${execId} already exists`);
      await mkdir(f.exitDir, { recursive: true, mode: 0o700 });
      await mkdir(f.persistDir, { recursive: true, mode: 0o700 });
      const processFile = path.join(f.dir, "process.json");
      await writeFileAtomic(processFile, JSON.stringify({ ...execOpts.process, terminal: execOpts.tty }, null, 2));
      const args = conmonArgs(id, execId, f, { tty: execOpts.tty, stdin: execOpts.openStdin });
      args.push("-e", "--exec-process-spec", processFile, "-l", "none");
      let streams: AttachStreams | undefined;
      if (execOpts.attach) args.push("--exec-attach");
      try {
        const pid = await launchConmon({
          conmonPath,
          args,
          cwd: f.dir,
          beforeFork: moveToConmonCgroup,
          beforeStart: execOpts.attach
            ? async () => {
                streams = await connectAttach(f.dir);
              }
            : undefined,
        });
        return { pid, streams };
      } catch (err) {
        streams?.close();
        await rm(f.dir, { recursive: true, force: true });
        throw err;
      }
    },

    async execResize(id, execId, size) {
      await resizeVia(execFiles(id, execId).dir, size, id);
    },

    async execWaitExit(id, execId) {
      const f = execFiles(id, execId);
      if (!(await fileExists(f.dir))) throw new NotFoundError(`No such exec instance: ${execId}`);
      // An exec's process is gone once its conmon is: nothing else can tell.
      return waitForStatus(f.exitDir, () => settledStatus(f, undefined, async () => true));
    },
  };
  return runtime;
}

function processFiles(dir: string, id: string): ProcessFiles {
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

function checkId(id: string): string {
  if (!ID_PATTERN.test(id)) throw new InvalidArgumentError(`invalid id: ${JSON.stringify(id)}`);
  return id;
}

/** Tells conmon the new terminal size through its control FIFO ("1 <height> <width>\n"). */
async function resizeVia(dir: string, size: { height: number; width: number }, id: string): Promise<void> {
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
async function waitConmonGone(f: ProcessFiles, liveConmon: (f: ProcessFiles) => Promise<number | undefined>): Promise<void> {
  const deadline = Date.now() + CONMON_EXIT_WAIT_MS;
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
    await sleep(50);
  }
}
