// The exec part of the conmon Runtime: an extra process in a running
// container, run by its own conmon with `runc exec` from a process.json
// under <root>/<id>/exec/<execId>/, attached to before it starts when asked.
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { ConflictError, NotFoundError } from "../errors.js";
import { connectAttach } from "./attach-socket.js";
import { moveToConmonCgroup } from "./conmon-cgroup.js";
import { launchConmon } from "./conmon-launch.js";
import { conmonArgs, execFiles, requireBundle, resizeVia, settledStatus, type ConmonContext } from "./conmon-process.js";
import { fileExists, waitForStatus } from "./exit-file.js";
import { runcState } from "./runc.js";
import type { AttachStreams, ExecOptions, Runtime } from "./runtime.js";
import { writeFileAtomic } from "./write-file-atomic.js";

export function conmonExec(ctx: ConmonContext): Pick<Runtime, "exec" | "execResize" | "execWaitExit"> {
  const { rc, conmonPath } = ctx;
  return {
    async exec(id, execId, execOpts: ExecOptions) {
      await requireBundle(ctx, id);
      const state = await runcState(rc, id);
      if (state?.status === "paused") throw new ConflictError(`Container ${id} is paused, unpause the container before exec`);
      if (state?.status !== "running") throw new ConflictError(`Container ${id} is not running`);
      const f = execFiles(ctx, id, execId);
      if (await fileExists(f.dir)) throw new ConflictError(`exec ${execId} already exists`);
      await mkdir(f.exitDir, { recursive: true, mode: 0o700 });
      await mkdir(f.persistDir, { recursive: true, mode: 0o700 });
      const processFile = path.join(f.dir, "process.json");
      // Read once, by the runc exec that follows: no fsync.
      await writeFileAtomic(processFile, JSON.stringify({ ...execOpts.process, terminal: execOpts.tty }, null, 2), { durable: false });
      const args = conmonArgs(rc, { id, uuid: execId, files: f, tty: execOpts.tty, stdin: execOpts.openStdin });
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
      await resizeVia(execFiles(ctx, id, execId).dir, size, id);
    },

    async execWaitExit(id, execId) {
      const f = execFiles(ctx, id, execId);
      if (!(await fileExists(f.dir))) throw new NotFoundError(`No such exec instance: ${execId}`);
      // An exec's process is gone once its conmon is: nothing else can tell.
      return waitForStatus(f.exitDir, () => settledStatus(f, { cgroupsPath: undefined, processGone: async () => true }));
    },
  };
}
