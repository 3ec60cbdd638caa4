// Starting one conmon and learning the pid of the process it started.
//
// conmon forks twice and the middle process exits, so conmon is no child of
// berthd and lives on when berthd exits. It talks back through pipes whose fd
// numbers it finds in its environment:
//   _OCI_SYNCPIPE   conmon → us: one JSON line, {"data": <pid>} once runc has
//                   created the process, or {"data": <negative>, "message":
//                   "<runc's stderr>"} when that failed. (For an exec a second
//                   line later carries the exit code; we read the exit file.)
//   _OCI_STARTPIPE  us → conmon: conmon waits for one write before it forks
//                   (our moment to move it into its own cgroup); with
//                   --exec-attach its runc child waits for a second one, so
//                   that we can connect to the attach socket first.
//   _OCI_ATTACHPIPE conmon → us (--exec-attach): {"data": 0} once the attach
//                   socket is listening.
// conmon replaces its stdio with /dev/null right after forking, so no pipe of
// ours is left in it to tie it to us or to kill it with SIGPIPE; our ends are
// destroyed once read.
import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { SystemError } from "../errors.js";

export interface LaunchOptions {
  conmonPath: string;
  args: string[];
  /** conmon's working directory: it drops an "oom" file there too. */
  cwd: string;
  /** Called with conmon's pid while it waits, before it forks anything (to place it in a cgroup). */
  beforeFork?: (pid: number) => Promise<void>;
  /**
   * For `--exec-attach`: called once the attach socket listens and before
   * runc runs the process, so that no output is missed.
   */
  beforeStart?: () => Promise<void>;
}

interface SyncMessage {
  data: number;
  message?: string;
}

// runc create can be slow on a loaded machine (cgroups, mounts, seccomp), but
// a conmon that says nothing for this long is stuck.
const SYNC_TIMEOUT_MS = 120_000;

/** Spawns conmon; resolves to the pid runc created, or throws with runc's message. */
export async function launchConmon(opts: LaunchOptions): Promise<number> {
  const withAttach = opts.beforeStart !== undefined;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", _OCI_SYNCPIPE: "3", _OCI_STARTPIPE: "4" };
  if (withAttach) env._OCI_ATTACHPIPE = "5";
  const child = spawn(opts.conmonPath, opts.args, {
    cwd: opts.cwd,
    env,
    detached: true,
    stdio: ["ignore", "ignore", "pipe", "pipe", "pipe", ...(withAttach ? (["pipe"] as const) : [])],
  });
  const pipes = child.stdio.slice(2).filter((s): s is Readable & Writable => s !== null) as (Readable & Writable)[];
  const [stderr, syncPipe, startPipe, attachPipe] = pipes;
  let errText = "";
  stderr!.on("data", (d: Buffer) => {
    if (errText.length < 64 * 1024) errText += d.toString("utf8");
  });
  const spawnFailed = new Promise<never>((_, reject) => child.once("error", reject));
  // Only a failure while we still wait matters; a later one has no one to tell.
  spawnFailed.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  try {
    const failure = (what: string): Error => new SystemError(`conmon failed: ${errText.trim() || what}`);
    if (child.pid !== undefined && opts.beforeFork) {
      try {
        await opts.beforeFork(child.pid);
      } catch (err) {
        // Closing the start pipe would let conmon go on; it must not run unplaced.
        child.kill("SIGKILL");
        throw err;
      }
    }
    startPipe!.write(Buffer.from([0]));
    if (withAttach) {
      const ready = await Promise.race([readLine(attachPipe!), spawnFailed]);
      if (!ready || ready.data < 0) throw failure(ready?.message ?? "no attach socket");
      await opts.beforeStart!();
      startPipe!.write(Buffer.from([0]));
    }
    const msg = await Promise.race([readLine(syncPipe!), spawnFailed]);
    if (!msg) {
      // The sync pipe closed without a word: conmon died early; its stderr says why.
      await exited;
      throw failure("exited without reporting a pid");
    }
    if (msg.data < 0) throw new SystemError(msg.message?.trim() || `conmon failed: runtime exited with ${-msg.data}`);
    return msg.data;
  } finally {
    for (const p of pipes) p.destroy();
    child.unref();
  }
}

/** The first JSON line on a pipe, undefined on EOF, an error after the timeout. */
function readLine(stream: Readable): Promise<SyncMessage | undefined> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => done(new SystemError("conmon did not report in time")), SYNC_TIMEOUT_MS);
    const onData = (d: Buffer): void => {
      buf += d.toString("utf8");
      const nl = buf.indexOf("\n");
      if (nl !== -1) done(undefined, buf.slice(0, nl));
    };
    const onEnd = (): void => done(undefined, buf.trim() === "" ? undefined : buf);
    function done(err?: Error, line?: string): void {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("close", onEnd);
      if (err) return reject(err);
      if (line === undefined) return resolve(undefined);
      try {
        resolve(JSON.parse(line) as SyncMessage);
      } catch (parseErr) {
        reject(new SystemError(`conmon sent ${JSON.stringify(line)}`, { cause: parseErr }));
      }
    }
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("close", onEnd);
  });
}
