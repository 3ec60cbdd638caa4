// One server per root, and no garbage collection while it runs: GC deletes
// blobs no manifest references, and a push in flight has exactly such blobs
// (uploaded, manifest not yet PUT). Node has no flock, so each side owns a pid
// file made with O_EXCL — <root>/serve.lock for the server, <root>/gc.lock for
// GC — writes its own before looking at the other's, and gives way when the
// other's pid is alive. Because both write first and check second, two that
// start together cannot both proceed. A lock whose pid is dead is stale and
// taken over (a server killed with SIGKILL leaves one).
import { link, open, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ConflictError, isErrno } from "../../errors.js";

export interface Lock {
  release(): Promise<void>;
}

export type LockName = "serve" | "gc";

export async function acquireLock(root: string, name: LockName): Promise<Lock> {
  const mine = join(root, `${name}.lock`);
  const other: LockName = name === "serve" ? "gc" : "serve";
  await createPidFile(mine, name);
  const holder = await livePid(join(root, `${other}.lock`));
  if (holder !== undefined) {
    await unlink(mine);
    throw new ConflictError(
      name === "gc"
        ? `registry server (pid ${holder}) is running on ${root}; stop it before garbage-collect`
        : `garbage-collect (pid ${holder}) is running on ${root}; wait for it to finish`,
    );
  }
  return { release: () => unlink(mine).catch((err) => (isErrno(err, "ENOENT") ? undefined : Promise.reject(err))) };
}

async function createPidFile(path: string, name: LockName): Promise<void> {
  for (;;) {
    // Written aside and hard-linked into place, so nobody ever reads an empty lock.
    const tmp = `${path}.${process.pid}.${Date.now()}`;
    const fh = await open(tmp, "wx");
    try {
      await fh.writeFile(`${process.pid}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await link(tmp, path);
      return;
    } catch (err) {
      if (!isErrno(err, "EEXIST")) throw err;
    } finally {
      await unlink(tmp);
    }
    const holder = await livePid(path);
    if (holder !== undefined) {
      throw new ConflictError(name === "serve" ? `a registry server (pid ${holder}) already serves ${path.replace(/\/serve\.lock$/, "")}` : `garbage-collect (pid ${holder}) is already running`);
    }
    await unlink(path).catch((err) => (isErrno(err, "ENOENT") ? undefined : Promise.reject(err)));
  }
}

/** The pid in a lock file when that process is alive. */
async function livePid(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    if (isErrno(err, "ESRCH")) return undefined;
    if (isErrno(err, "EPERM")) return pid;
    throw err;
  }
}
