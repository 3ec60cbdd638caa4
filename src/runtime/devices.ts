// Device nodes for a container's /dev: the fixed set every container gets, the
// device-cgroup rules that go with them, and (for --privileged) every device
// node of the host.
import { lstatSync, readdirSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, isErrno } from "../errors.js";

// Type aliases rather than interfaces: they must fit the spec's open
// Record<string, unknown> slots.
export type SpecDevice = {
  path: string;
  type: "c" | "b";
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
};

export type DeviceRule = {
  allow: boolean;
  type?: "a" | "c" | "b";
  major?: number;
  minor?: number;
  access: string;
};

/** The nodes runc would create anyway; named so the spec says what the container gets. */
export const DEFAULT_DEVICES: SpecDevice[] = [
  { path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/zero", type: "c", major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/full", type: "c", major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/random", type: "c", major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/urandom", type: "c", major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/tty", type: "c", major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
];

/**
 * Deny everything, then allow mknod of any node (useless without an allow to
 * open it) and use of the default nodes, /dev/console, /dev/ptmx and the ptys.
 */
export function defaultDeviceRules(): DeviceRule[] {
  return [
    { allow: false, access: "rwm" },
    { allow: true, type: "c", access: "m" },
    { allow: true, type: "b", access: "m" },
    ...DEFAULT_DEVICES.map((d): DeviceRule => ({ allow: true, type: d.type, major: d.major, minor: d.minor, access: "rwm" })),
    { allow: true, type: "c", major: 5, minor: 1, access: "rwm" }, // /dev/console
    { allow: true, type: "c", major: 5, minor: 2, access: "rwm" }, // /dev/ptmx
    { allow: true, type: "c", major: 136, access: "rwm" }, // /dev/pts/*
  ];
}

// Filesystems mounted inside /dev that the container gets fresh instances of.
const SKIP_DIRS = new Set(["pts", "shm", "mqueue", "fd", ".lxc", ".lxd-mounts", ".udev"]);

/** Every char and block device under the host's /dev (for --privileged), as runc's GetDevices does. */
export function hostDevices(root = "/dev"): SpecDevice[] {
  const found: SpecDevice[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      // A directory that vanished or that we may not read is simply not shared.
      if (isErrno(err, "ENOENT") || isErrno(err, "EACCES")) return;
      throw err;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      let st: Stats;
      try {
        st = lstatSync(full);
      } catch (err) {
        if (isErrno(err, "ENOENT")) continue;
        throw err;
      }
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(full);
      } else if ((st.isCharacterDevice() || st.isBlockDevice()) && full !== "/dev/console") {
        found.push(nodeOf(full, st));
      }
    }
  };
  walk(root);
  return found;
}

/**
 * --device PathOnHost:PathInContainer:perms as Docker resolves it: a device
 * node becomes one node at PathInContainer; a directory, every node under it
 * (placed under PathInContainer). The nodes keep the host's mode and owner.
 */
export function customDevices(pathOnHost: string, pathInContainer: string, access: string): { node: SpecDevice; access: string }[] {
  let st: Stats;
  try {
    st = lstatSync(pathOnHost);
    if (st.isSymbolicLink()) st = statSync(pathOnHost);
  } catch (err) {
    if (isErrno(err, "ENOENT")) {
      throw new InvalidArgumentError(`error gathering device information while adding custom device "${pathOnHost}": no such file or directory`);
    }
    throw err;
  }
  const target = pathInContainer || pathOnHost;
  if (st.isDirectory()) {
    return hostDevices(pathOnHost).map((node) => ({
      node: { ...node, path: path.join(target, path.relative(pathOnHost, node.path)) },
      access,
    }));
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) {
    throw new InvalidArgumentError(`error gathering device information while adding custom device "${pathOnHost}": not a device node`);
  }
  return [{ node: nodeOf(target, st), access }];
}

function nodeOf(p: string, st: Stats): SpecDevice {
  return {
    path: p,
    type: st.isCharacterDevice() ? "c" : "b",
    major: Math.floor(st.rdev / 256) & 0xfff,
    minor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
    fileMode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
  };
}
