// What the container service asks of a container's runtime spec. buildSpec()
// (runtime/spec.ts) turns this into the OCI runtime config.json, applying
// Docker's defaults: its capability set, masked and read-only /proc and /sys
// paths, the default seccomp profile, the default devices, and cgroup limits.
import type { CgroupHost } from "./cgroup-host.js";
import type { SpecDevice } from "./devices.js";

/** A namespace a container gets: its own (the default), the host's, or one to join (an nsfs path, /proc/<pid>/ns/ipc). */
export type NamespaceChoice = { mode: "private" } | { mode: "host" } | { mode: "path"; path: string };

/** A process resource limit as the OCI spec names it ("RLIMIT_NOFILE"). */
export interface Rlimit {
  type: string;
  soft: number;
  hard: number;
}

export interface SpecMount {
  destination: string;
  type: string; // "bind", "tmpfs", "proc"…
  source: string;
  options: string[];
}

export interface ResourceLimits {
  /** bytes; 0 = unlimited */
  memory?: number;
  /** bytes of memory+swap; -1 = unlimited swap; 0 = unset (2× memory, as Docker) */
  memorySwap?: number;
  /** bytes; the soft limit (v1 memory.soft_limit_in_bytes, v2 memory.low); 0 = none */
  memoryReservation?: number;
  /** 0–100; -1 or absent = the kernel's default. cgroup v1 only, as in Docker. */
  memorySwappiness?: number;
  /** cgroup v1 only, as in Docker: v2 has no switch for it. */
  oomKillDisable?: boolean;
  /** NanoCPUs (1e9 = one CPU) */
  nanoCpus?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** ≤0 = unlimited */
  pidsLimit?: number;
}

export interface SpecOptions {
  /** Absolute path of the mounted root filesystem. */
  rootfs: string;
  readonlyRootfs: boolean;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  hostname: string;
  domainname?: string;
  tty: boolean;
  /** "none" (own net namespace, only lo), "host" (the host's), or a path to an existing netns. */
  network: { mode: "none" } | { mode: "host" } | { mode: "path"; path: string };
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  noNewPrivileges: boolean;
  /** "unconfined" disables seccomp; undefined = Docker's default profile. */
  seccomp?: "unconfined";
  resources: ResourceLimits;
  /** Extra mounts after the default ones (/etc/hosts, /etc/resolv.conf, /etc/hostname, binds, volumes). */
  mounts: SpecMount[];
  /** cgroup path as runc takes it (cgroupfs driver): e.g. "/berth/<id>". */
  cgroupsPath: string;
  /** Shared memory size in bytes for /dev/shm (default 64 MiB). */
  shmSize?: number;
  labels?: Record<string, string>;
  /** --ulimit: replace the default limit of the same type (callers keep them within the host's hard limits). */
  rlimits?: Rlimit[];
  /** --device: extra nodes, each with the cgroup access ("rwm") the container gets to it. */
  devices?: { node: SpecDevice; access: string }[];
  /** --sysctl: namespaced kernel parameters (runc refuses those that are not). */
  sysctls?: Record<string, string>;
  /** --ipc, --pid: private unless told otherwise. */
  ipc?: NamespaceChoice;
  pid?: NamespaceChoice;
  /** --cgroupns; absent = Docker's default for the host (private on v2, host on v1). */
  cgroupns?: "host" | "private";
  /** --ipc host / container:<id>: /dev/shm is a bind of this path instead of a fresh tmpfs. */
  shmSource?: string;
  /** The host's cgroup facts the spec depends on; read from /sys/fs/cgroup when absent. */
  host?: CgroupHost;
}
