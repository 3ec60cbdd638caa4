// buildSpec: SpecOptions → the OCI runtime config.json runc reads, with
// Docker's defaults (moby oci/defaults.go and daemon/oci_linux.go): the same
// namespaces, capabilities, mounts, masked and read-only paths, devices,
// seccomp profile and cgroup limits a `docker run` container gets.
import { existsSync, readFileSync } from "node:fs";
import { allCapabilities, containerCapabilities } from "./capabilities.js";
import { cgroupHost, type CgroupHost } from "./cgroup-host.js";
import { DEFAULT_DEVICES, defaultDeviceRules, hostDevices, type DeviceRule, type SpecDevice } from "./devices.js";
import { checkResources } from "./resource-check.js";
import { defaultSeccompProfile } from "./seccomp-default.js";
import type { NamespaceChoice, ResourceLimits, Rlimit, SpecMount, SpecOptions } from "./spec-options.js";
import type { RuntimeMount, RuntimeSpec } from "./spec-types.js";

const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;
const CPU_PERIOD = 100_000;
const MAX_NOFILE = 1_048_576;

export const MASKED_PATHS: readonly string[] = [
  "/proc/asound",
  "/proc/acpi",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
];

export const READONLY_PATHS: readonly string[] = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/** Throws InvalidArgumentError (Docker's words) for limits the host cannot honour. */
export function buildSpec(opts: SpecOptions): RuntimeSpec {
  const host = opts.host ?? cgroupHost();
  checkResources(opts.resources, host);
  const caps = opts.privileged ? allCapabilities() : containerCapabilities(opts.capAdd, opts.capDrop);
  const nofile = Math.min(MAX_NOFILE, hardNofileLimit());
  const spec: RuntimeSpec = {
    ociVersion: "1.0.2",
    process: {
      terminal: opts.tty,
      user: { uid: opts.user.uid, gid: opts.user.gid, additionalGids: opts.user.additionalGids },
      args: opts.args,
      env: opts.env,
      cwd: opts.cwd,
      // Inheritable and ambient stay empty (Docker ≥ 20.10, CVE-2022-24769):
      // a non-root process gets no capabilities through exec.
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: withRlimits([{ type: "RLIMIT_NOFILE", hard: nofile, soft: nofile }], opts.rlimits ?? []),
      noNewPrivileges: opts.noNewPrivileges,
      oomScoreAdj: 0,
    },
    root: { path: opts.rootfs, readonly: opts.readonlyRootfs },
    hostname: opts.hostname,
    mounts: mounts(opts),
    linux: {
      namespaces: namespaces(opts, host),
      cgroupsPath: opts.cgroupsPath,
      resources: resources(opts.resources, { privileged: opts.privileged, host, extra: opts.devices ?? [] }),
      devices: mergeDevices(
        opts.privileged ? mergeDevices(DEFAULT_DEVICES, hostDevices()) : DEFAULT_DEVICES.map((d) => ({ ...d })),
        (opts.devices ?? []).map((d) => d.node),
      ),
    },
  };
  if (opts.sysctls && Object.keys(opts.sysctls).length > 0) spec.linux!.sysctl = { ...opts.sysctls };
  if (opts.domainname) spec.domainname = opts.domainname;
  if (opts.labels && Object.keys(opts.labels).length > 0) spec.annotations = { ...opts.labels };
  if (!opts.privileged) {
    spec.linux!.maskedPaths = [...MASKED_PATHS];
    spec.linux!.readonlyPaths = [...READONLY_PATHS];
    if (opts.seccomp !== "unconfined") spec.linux!.seccomp = { ...defaultSeccompProfile(caps) };
  }
  return spec;
}

/** True on a pure cgroup v2 host (not hybrid, where v2 is only mounted at /sys/fs/cgroup/unified). */
export function isCgroupV2(): boolean {
  return existsSync("/sys/fs/cgroup/cgroup.controllers");
}

function namespaces(opts: SpecOptions, host: CgroupHost): { type: string; path?: string }[] {
  const ns: { type: string; path?: string }[] = [];
  const choose = (type: string, choice: NamespaceChoice = { mode: "private" }) => {
    if (choice.mode === "private") ns.push({ type });
    else if (choice.mode === "path") ns.push({ type, path: choice.path });
  };
  choose("pid", opts.pid);
  choose("ipc", opts.ipc);
  ns.push({ type: "uts" }, { type: "mount" });
  if (opts.network.mode === "none") ns.push({ type: "network" });
  else if (opts.network.mode === "path") ns.push({ type: "network", path: opts.network.path });
  // Docker's default cgroupns mode is "private" on v2 and "host" on v1, where
  // runc cannot virtualise the v1 hierarchies anyway.
  if ((opts.cgroupns ?? (host.version === 2 ? "private" : "host")) === "private") ns.push({ type: "cgroup" });
  return ns;
}

function mounts(opts: SpecOptions): RuntimeMount[] {
  const ro = opts.privileged ? [] : ["ro"];
  const shmSize = opts.shmSize && opts.shmSize > 0 ? opts.shmSize : DEFAULT_SHM_SIZE;
  const defaults: RuntimeMount[] = [
    { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    {
      destination: "/dev/pts",
      type: "devpts",
      source: "devpts",
      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
    },
    // A fresh sysfs needs the container's own network namespace only inside a
    // user namespace; berth runs containers as real root, so this works in the
    // host's network namespace too.
    { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", ...ro] },
    { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", ...ro] },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
    opts.shmSource
      ? { destination: "/dev/shm", type: "bind", source: opts.shmSource, options: ["rbind", "rprivate"] }
      : {
          destination: "/dev/shm",
          type: "tmpfs",
          source: "shm",
          options: ["nosuid", "noexec", "nodev", "mode=1777", `size=${shmSize}`],
        },
  ];
  // A user's mount on a default destination (a tmpfs on /dev/shm, say) replaces the default.
  const taken = new Set(opts.mounts.map((m) => m.destination.replace(/\/+$/, "") || "/"));
  return [...defaults.filter((m) => !taken.has(m.destination)), ...opts.mounts.map(toRuntimeMount)];
}

function toRuntimeMount(m: SpecMount): RuntimeMount {
  return { destination: m.destination, type: m.type, source: m.source, options: [...m.options] };
}

function resources(
  limits: ResourceLimits,
  opts: { privileged: boolean; host: CgroupHost; extra: NonNullable<SpecOptions["devices"]> },
): Record<string, unknown> {
  const devices: DeviceRule[] = opts.privileged
    ? [{ allow: true, access: "rwm" }]
    : [
        ...defaultDeviceRules(),
        ...opts.extra.map(({ node, access }): DeviceRule => ({ allow: true, type: node.type, major: node.major, minor: node.minor, access })),
      ];
  const res: Record<string, unknown> = { devices };

  const memory: Record<string, number | boolean> = {};
  if (limits.memory && limits.memory > 0) {
    memory.limit = limits.memory;
    // Without swap accounting runc would fail writing the limit; Docker drops it too.
    if (opts.host.swapLimit) {
      if (limits.memorySwap === -1) memory.swap = -1;
      else if (limits.memorySwap && limits.memorySwap > 0) memory.swap = limits.memorySwap;
      else memory.swap = 2 * limits.memory;
    }
  }
  if (limits.memoryReservation && limits.memoryReservation > 0) memory.reservation = limits.memoryReservation;
  // v1 only: checkResources warned that v2 discards them, as Docker does.
  if (opts.host.version === 1) {
    const swappiness = limits.memorySwappiness ?? -1;
    if (swappiness >= 0) memory.swappiness = swappiness;
    if (limits.oomKillDisable) memory.disableOOMKiller = true;
  }
  if (Object.keys(memory).length > 0) res.memory = memory;

  const cpu: Record<string, number | string> = {};
  if (limits.nanoCpus && limits.nanoCpus > 0) {
    cpu.period = CPU_PERIOD;
    cpu.quota = Math.round((limits.nanoCpus * CPU_PERIOD) / 1e9);
  } else {
    if (limits.cpuPeriod && limits.cpuPeriod > 0) cpu.period = limits.cpuPeriod;
    if (limits.cpuQuota && limits.cpuQuota > 0) cpu.quota = limits.cpuQuota;
  }
  if (limits.cpuShares && limits.cpuShares > 0) cpu.shares = limits.cpuShares;
  if (limits.cpusetCpus) cpu.cpus = limits.cpusetCpus;
  if (limits.cpusetMems) cpu.mems = limits.cpusetMems;
  if (Object.keys(cpu).length > 0) res.cpu = cpu;

  if (limits.pidsLimit && limits.pidsLimit > 0) res.pids = { limit: limits.pidsLimit };
  return res;
}

/**
 * The hard RLIMIT_NOFILE of this process: without CAP_SYS_RESOURCE runc cannot
 * raise a limit above it, so the spec must not ask for more.
 */
function hardNofileLimit(): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  const hard = line?.trim().split(/\s+/)[4];
  if (hard === undefined || hard === "unlimited") return MAX_NOFILE;
  return Number.parseInt(hard, 10);
}

/** The defaults with each override replacing the limit of its type. */
function withRlimits(defaults: Rlimit[], overrides: Rlimit[]): Rlimit[] {
  const byType = new Map(defaults.map((r) => [r.type, r]));
  for (const r of overrides) byType.set(r.type, { type: r.type, hard: r.hard, soft: r.soft });
  return [...byType.values()];
}

function mergeDevices(base: SpecDevice[], extra: SpecDevice[]): SpecDevice[] {
  const byPath = new Map(base.map((d) => [d.path, { ...d }]));
  for (const d of extra) if (!byPath.has(d.path)) byPath.set(d.path, d);
  return [...byPath.values()];
}
