// Performing mounts described as data (snapshotters and volumes return them;
// only this module mounts). Node has no mount(2), so util-linux's mount and
// umount do the work; the kernel's mount IDs tell what is mounted.
import { spawn } from "node:child_process";
import { closeSync, constants as fsc, openSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { helperEnv, programPath } from "../archive/helper-programs.js";
import { InvalidArgumentError, SystemError, isErrno } from "../errors.js";
import type { Mount } from "../snapshot/snapshotter.js";

// mount(2) copies its data argument (the option string) from one page, NUL
// included; longer strings are cut and fail in confusing ways, so refuse them.
const maxOptionBytes = 4095;

/**
 * Mounts each of `mounts` on `target`, in order; on failure undoes the ones
 * done and throws. `mounted` is what the caller just found isMounted(target)
 * to be, which saves asking the kernel again.
 */
export async function mountAll(mounts: Mount[], target: string, opts: { mounted?: boolean } = {}): Promise<void> {
  let done = 0;
  let mountedBefore = true;
  try {
    for (const m of mounts) {
      if (done === 0) mountedBefore = opts.mounted ?? (await isMounted(target));
      await run("mount", mountArgs(m, target));
      done++;
    }
  } catch (err) {
    for (; done > 0; done--) await run("umount", [target]);
    // mount(8) can fail after mount(2) succeeded (a full disk while it records
    // the mount): a mount left on a target that had none is ours to undo too.
    if (!mountedBefore && (await isMounted(target).catch(() => false))) await unmount(target).catch(() => undefined);
    throw err;
  }
}

function mountArgs(m: Mount, target: string): string[] {
  for (const opt of m.options) {
    if (opt.includes(",")) throw new InvalidArgumentError(`mount option ${JSON.stringify(opt)} contains a comma`);
  }
  const options = m.options.join(",");
  const bytes = Buffer.byteLength(options);
  if (bytes > maxOptionBytes) {
    throw new InvalidArgumentError(`mount options for ${target} are ${bytes} bytes, over the kernel's limit of ${maxOptionBytes}`);
  }
  const bind = m.type === "bind" || m.options.includes("bind") || m.options.includes("rbind");
  // Binds: util-linux turns "bind,ro" into the bind plus the read-only remount it needs.
  const typed = bind ? [] : ["-t", m.type];
  const withBind = bind && !m.options.includes("bind") && !m.options.includes("rbind") ? ["bind", ...m.options] : m.options;
  return [...typed, ...(withBind.length > 0 ? ["-o", withBind.join(",")] : []), m.source, target];
}

/** Unmounts everything stacked on `target`; a target that is not mounted (or absent) is fine. */
export async function unmount(target: string, opts: { lazy?: boolean } = {}): Promise<void> {
  // Each umount removes the top mount; stop once target is no mount point.
  for (let i = 0; i < 64 && (await isMounted(target)); i++) {
    try {
      await run("umount", [...(opts.lazy ? ["-l"] : []), target]);
    } catch (err) {
      if (err instanceof SystemError && /not mounted/.test(err.message)) return;
      throw err;
    }
  }
}

/** True when `target` is a mount point in this process's mount namespace. */
export async function isMounted(target: string): Promise<boolean> {
  let resolved: string;
  try {
    resolved = realpathSync(target);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return false;
    throw err;
  }
  if (resolved === "/") return true;
  // A mount point is the root of a mount other than its parent directory's.
  // Asking the kernel which mount holds each (fdinfo's mnt_id) costs a few
  // syscalls; mountinfo is text generated for every mount in the namespace,
  // which on a daemon with a hundred containers made every start read ~40 kB.
  const own = mountIdOf(resolved);
  const parent = own === undefined ? undefined : mountIdOf(path.dirname(resolved));
  if (own !== undefined && parent !== undefined) return own !== parent;
  return listedInMountinfo(resolved);
}

// O_PATH: names the file without opening it for I/O, so a FIFO does not block
// and no permission on the file itself is needed.
const O_PATH = 0o10000000;

/** The ID of the mount `file` is on (proc(5), fdinfo, since Linux 3.15); undefined where the kernel does not say. */
function mountIdOf(file: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(file, O_PATH | fsc.O_NOFOLLOW);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
  try {
    const m = /^mnt_id:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } finally {
    closeSync(fd);
  }
}

function listedInMountinfo(resolved: string): boolean {
  // Synchronous: procfs answers from memory, and an async read is a round
  // trip to libuv's pool that costs the event loop more than the read.
  const info = readFileSync("/proc/self/mountinfo", "utf8");
  for (const line of info.split("\n")) {
    // Fields: id parent major:minor root mount-point options…; spaces are octal-escaped.
    const point = line.split(" ")[4];
    if (point !== undefined && unescapeOctal(point) === resolved) return true;
  }
  return false;
}

const unescapeOctal = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, code: string) => String.fromCharCode(parseInt(code, 8)));

/** Runs mount or umount; only stderr is kept (one pipe, not three: each is a socket object and an epoll entry). */
function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(programPath(cmd), args, { env: helperEnv(), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", (err) => reject(new SystemError(`${cmd} ${args.join(" ")}: ${err.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      reject(new SystemError(`${cmd} ${args.join(" ")}: ${stderr.trim() || `exit ${code ?? signal}`}`));
    });
  });
}
