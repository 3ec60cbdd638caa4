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
// in the shared berth-conmon cgroup, not berthd's (conmon-cgroup.ts). This
// file is the container's lifecycle; conmon-process.ts has what one conmon
// process needs, conmon-exec.ts the exec operations.
import { mkdirSync, rmSync } from "node:fs";
import { readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { ConflictError, NotFoundError, isErrno } from "../errors.js";
import { connectAttach } from "./attach-socket.js";
import { moveToConmonCgroup } from "./conmon-cgroup.js";
import { conmonExec } from "./conmon-exec.js";
import { launchConmon } from "./conmon-launch.js";
import {
  checkId,
  conmonArgs,
  containerFiles,
  liveConmon,
  processFiles,
  readPidFile,
  requireBundle,
  resizeVia,
  settledStatus,
  waitConmonGone,
  type ConmonContext,
} from "./conmon-process.js";
import { fileExists, waitForStatus } from "./exit-file.js";
import { startThroughExecFifo } from "./exec-fifo.js";
import { dockerError, runc, runcState } from "./runc.js";
import { runcUpdate } from "./runc-update.js";
import type { CreateOptions, Runtime } from "./runtime.js";
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

export function createConmonRuntime(opts: ConmonRuntimeOptions): Runtime {
  const root = path.resolve(opts.root);
  const ctx: ConmonContext = {
    root,
    conmonPath: opts.conmonPath ?? "/usr/bin/conmon",
    rc: {
      runtimePath: opts.runtimePath ?? "/usr/sbin/runc",
      runtimeRoot: path.resolve(opts.runtimeRoot ?? path.join(path.dirname(root), "runc")),
    },
  };
  const { rc, conmonPath } = ctx;

  const containerGone = (id: string) => async (): Promise<boolean> => {
    const state = await runcState(rc, id);
    return state === undefined || state.status === "stopped";
  };

  // runc keeps a container's state in <runtimeRoot>/<id>/state.json from
  // create until delete; looking at it saves spawning `runc state` (~6 ms,
  // and a fork that blocks the event loop) on every start and removal.
  const knownToRunc = (id: string): Promise<boolean> => fileExists(path.join(rc.runtimeRoot, checkId(id), "state.json"));

  // Every wait and exit status needs a container's cgroup; parsing its
  // config.json (20 kB with the seccomp profile) each time cost ~0.4 ms. Known
  // from create on; after a restart of berthd, read once per container.
  const cgroupsPaths = new Map<string, string | undefined>();
  const cgroupsPathOf = async (id: string): Promise<string | undefined> => {
    if (cgroupsPaths.has(id)) return cgroupsPaths.get(id);
    try {
      const spec = JSON.parse(await readFile(path.join(containerFiles(ctx, id).dir, "config.json"), "utf8")) as RuntimeSpec;
      cgroupsPaths.set(id, spec.linux?.cgroupsPath);
      return spec.linux?.cgroupsPath;
    } catch (err) {
      // Absent, or cut short by a machine crash (it is written without fsync): the cgroup is gone then anyway.
      if (isErrno(err, "ENOENT") || err instanceof SyntaxError) return undefined;
      throw err;
    }
  };

  const runtime: Runtime = {
    async create(id, createOpts: CreateOptions) {
      const f = containerFiles(ctx, id);
      if (await knownToRunc(id)) throw new ConflictError(`container ${id} already exists in the runtime`);
      // Leftovers of an attempt that died half-way are ours to replace.
      // Synchronous, as the small files below: the exec root is a tmpfs
      // (daemon/exec-root.ts), where these take microseconds, less than a
      // round trip to libuv's pool costs the event loop.
      rmSync(f.dir, { recursive: true, force: true });
      mkdirSync(f.exitDir, { recursive: true, mode: 0o700 });
      mkdirSync(f.persistDir, { recursive: true, mode: 0o700 });
      mkdirSync(rc.runtimeRoot, { recursive: true, mode: 0o700 });
      // Not fsynced: the bundle lives under the exec root (/run, usually a
      // tmpfs), and only a machine crash, which ends its containers too,
      // could lose what the page cache holds (cgroupsPathOf copes). Compact:
      // runc reads it at every command, and pretty-printing Docker's seccomp
      // profile doubles its size.
      await writeFileAtomic(path.join(f.dir, "config.json"), JSON.stringify(createOpts.spec), { durable: false });
      cgroupsPaths.set(id, createOpts.spec.linux?.cgroupsPath);
      const args = conmonArgs(rc, { id, uuid: id, files: f, tty: createOpts.tty, stdin: createOpts.openStdin });
      // conmon closes stdin when an attached client goes, unless told not to;
      // Docker closes it only for StdinOnce.
      if (createOpts.openStdin && !createOpts.stdinOnce) args.push("--leave-stdin-open");
      if (createOpts.noLog) args.push("-l", "none");
      else {
        args.push("-l", `k8s-file:${createOpts.logPath}`);
        if (createOpts.logSizeMax) args.push("--log-size-max", String(createOpts.logSizeMax));
      }
      try {
        const pid = await launchConmon({ conmonPath, args, cwd: f.dir, beforeFork: moveToConmonCgroup });
        return { pid };
      } catch (err) {
        // A failed create leaves nothing behind (runc already cleaned up its side).
        await runc(rc, ["delete", "--force", id]).catch(() => undefined);
        await rm(f.dir, { recursive: true, force: true });
        cgroupsPaths.delete(id);
        throw err;
      }
    },

    async start(id) {
      const f = await requireBundle(ctx, id);
      const initPid = readPidFile(f.pidfile);
      if (initPid !== undefined && (await startThroughExecFifo(rc.runtimeRoot, id, initPid))) return;
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
      const f = containerFiles(ctx, id);
      return settledStatus(f, { cgroupsPath: await cgroupsPathOf(id), processGone: containerGone(id) });
    },

    async waitExit(id) {
      const f = await requireBundle(ctx, id);
      const cgroupsPath = await cgroupsPathOf(id);
      return waitForStatus(f.exitDir, () => settledStatus(f, { cgroupsPath, processGone: containerGone(id) }));
    },

    async attach(id) {
      const f = await requireBundle(ctx, id);
      return connectAttach(f.dir).catch((err: unknown) => {
        // conmon removes the socket when it exits.
        if (isErrno(err, "ENOENT") || isErrno(err, "ECONNREFUSED")) {
          throw new ConflictError(`Container ${id} is not running`);
        }
        throw err;
      });
    },

    async resize(id, size) {
      await resizeVia(containerFiles(ctx, id).dir, size, id);
    },

    async delete(id, deleteOpts) {
      const f = containerFiles(ctx, id);
      const [inRunc, hasBundle] = await Promise.all([knownToRunc(id), fileExists(f.dir)]);
      // Nothing of it left (the usual case before a start and at removal).
      if (!inRunc && !hasBundle) return;
      // Once conmon has recorded the exit, runc can only say "stopped".
      const state = !inRunc ? undefined : (await fileExists(f.exitFile)) ? { status: "stopped" as const } : await runcState(rc, id);
      if (state && state.status !== "stopped") {
        if (!deleteOpts?.force) {
          throw new ConflictError(`cannot delete container ${id}: it is ${state.status}`);
        }
        // A frozen process cannot die; thaw it first.
        if (state.status === "paused") await runc(rc, ["resume", id]).catch(() => undefined);
        await runc(rc, ["kill", "--all", id, "KILL"]).catch(() => undefined);
      }
      await waitConmonGone(f);
      // Exec monitors end with the container's processes; make sure of it.
      for (const execId of await readdir(path.join(f.dir, "exec")).catch(() => [] as string[])) {
        await waitConmonGone(processFiles(path.join(f.dir, "exec", execId), id));
      }
      if (state) {
        await runc(rc, ["delete", "--force", id]).catch((err: unknown) => {
          const mapped = dockerError(err, id);
          if (!(mapped instanceof NotFoundError)) throw err;
        });
      }
      await rm(f.dir, { recursive: true, force: true });
      cgroupsPaths.delete(id);
    },

    async monitorPid(id) {
      return liveConmon(containerFiles(ctx, id));
    },

    update: (id, limits) => runcUpdate(rc, checkId(id), limits),

    ...conmonExec(ctx),
  };
  return runtime;
}
