// Each conmon leaves berthd's cgroups for a shared "berth-conmon" cgroup at
// the root of every hierarchy berthd is in (each v1 controller, name=systemd,
// and the v2 tree, hybrid or pure), as podman does with its conmon cgroup. A
// supervisor that stops berthd by killing its cgroup (systemd's default
// KillMode=control-group) then leaves the monitors, and so the containers,
// running; a memory limit on berthd does not count its containers' monitors.
//
// launchConmon calls moveToConmonCgroup while conmon waits on its start pipe,
// before it forks anything, so its children (runc, and the container's
// process until runc moves it to the container's cgroup) start out there.
import { open, write } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import path from "node:path";
import { isErrno } from "../errors.js";

export const CONMON_CGROUP = "berth-conmon";

interface Hierarchy {
  /** Where it is mounted. */
  mountPoint: string;
  /** cpuset v1 refuses tasks until cpus and mems are set. */
  cpusetV1: boolean;
}

// conmon starts on the path of every container start, so the hierarchies
// (berthd's own, fixed for its lifetime) are found once, and each directory's
// cgroup.procs is opened once and kept; a directory removed behind our back is
// made and opened again.
let hierarchies: Promise<Hierarchy[]> | undefined;
const procsFiles = new Map<string, Promise<number>>();

/** Moves `pid` into <hierarchy root>/berth-conmon in every hierarchy this process belongs to. */
export async function moveToConmonCgroup(pid: number): Promise<void> {
  hierarchies ??= ownHierarchies().catch((err: unknown) => {
    hierarchies = undefined;
    throw err;
  });
  await Promise.all((await hierarchies).map((h) => moveInto(h, pid)));
}

// The writes go to libuv's pool, all at once, one write each on a kept file
// descriptor. Moving a process between v1 cgroups takes a lock that waits for
// an RCU grace period unless another move took it moments before: on a daemon
// starting containers back to back, the first of a start's ten writes waited
// ~3 ms, and written synchronously that wait stopped the event loop (~4 ms
// per start in 50 starts on a network).
async function moveInto(h: Hierarchy, pid: number): Promise<void> {
  const dir = path.join(h.mountPoint, CONMON_CGROUP);
  try {
    const kept = procsFile(h, dir);
    try {
      await writePid(await kept, pid);
    } catch (err) {
      // ENODEV: the cgroup the kept descriptor names was removed; ENOENT: so was its directory.
      if (!isErrno(err, "ENOENT") && !isErrno(err, "ENODEV")) throw err;
      if (procsFiles.get(dir) === kept) procsFiles.delete(dir);
      await writePid(await procsFile(h, dir), pid);
    }
  } catch (err) {
    // A cgroupfs we may not write (read-only /sys in a container, a
    // delegated subtree) only means conmon stays beside berthd, as before.
    if (isErrno(err, "EROFS") || isErrno(err, "EACCES") || isErrno(err, "EPERM")) return;
    throw err;
  }
}

/**
 * The kept descriptor of `dir`'s cgroup.procs, made and opened on first use.
 * One found stale is dropped but never closed: a write in flight may still
 * hold it, and a closed number can name another file by the time that write
 * runs. It costs a descriptor each time the directory is removed behind our back.
 */
function procsFile(h: Hierarchy, dir: string): Promise<number> {
  const kept = procsFiles.get(dir);
  if (kept !== undefined) return kept;
  const fd = prepare(h, dir).then(() => promisify(open)(path.join(dir, "cgroup.procs"), "w"));
  procsFiles.set(dir, fd);
  // A failed open is tried afresh next time.
  fd.catch(() => {
    if (procsFiles.get(dir) === fd) procsFiles.delete(dir);
  });
  return fd;
}

function writePid(fd: number, pid: number): Promise<void> {
  return new Promise((resolve, reject) => write(fd, `${pid}\n`, 0, (err) => (err ? reject(err) : resolve())));
}

async function prepare(h: Hierarchy, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (h.cpusetV1) await inheritCpuset(dir, h.mountPoint);
}

/**
 * The mount points of the hierarchies in /proc/self/cgroup: a v1 line names
 * its controllers ("4:memory:/x", "1:name=systemd:/x"), matched against the
 * super options of the cgroup mounts; the v2 line ("0::/x") is the cgroup2 mount.
 */
async function ownHierarchies(): Promise<Hierarchy[]> {
  const mounts = (await readFile("/proc/self/mountinfo", "utf8"))
    .split("\n")
    .map(parseMountinfo)
    .filter((m): m is MountEntry => m !== undefined && m.root === "/" && (m.fsType === "cgroup" || m.fsType === "cgroup2"));
  const found = new Map<string, Hierarchy>();
  for (const line of (await readFile("/proc/self/cgroup", "utf8")).split("\n")) {
    const parts = /^(\d+):([^:]*):/.exec(line);
    if (!parts) continue;
    const controllers = parts[2] === "" ? [] : parts[2]!.split(",");
    const mount =
      parts[1] === "0" && controllers.length === 0
        ? mounts.find((m) => m.fsType === "cgroup2")
        : mounts.find((m) => m.fsType === "cgroup" && controllers.every((c) => m.superOptions.includes(c)));
    if (mount && !found.has(mount.mountPoint)) {
      found.set(mount.mountPoint, { mountPoint: mount.mountPoint, cpusetV1: controllers.includes("cpuset") });
    }
  }
  return [...found.values()];
}

interface MountEntry {
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** One /proc/self/mountinfo line (proc(5)); octal escapes only matter for odd mount points. */
function parseMountinfo(line: string): MountEntry | undefined {
  const sep = line.indexOf(" - ");
  if (sep < 0) return undefined;
  const before = line.slice(0, sep).split(" ");
  const after = line.slice(sep + 3).split(" ");
  if (before.length < 5 || after.length < 3) return undefined;
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  return { root: unescape(before[3]!), mountPoint: unescape(before[4]!), fsType: after[0]!, superOptions: after[2]!.split(",") };
}

/** A new v1 cpuset cgroup starts with empty cpus and mems: copy its parent's. */
async function inheritCpuset(dir: string, parent: string): Promise<void> {
  for (const file of ["cpuset.cpus", "cpuset.mems"]) {
    if ((await readFile(path.join(dir, file), "utf8")).trim() !== "") continue;
    await writeFile(path.join(dir, file), await readFile(path.join(parent, file), "utf8"));
  }
}
