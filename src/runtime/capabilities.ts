// Linux capabilities as the OCI spec names them (CAP_*), and Docker's rules for
// turning --cap-add/--cap-drop into the set a container gets.
import { readFileSync } from "node:fs";
import { InvalidArgumentError, isErrno } from "../errors.js";

/** Every capability by number (capabilities(7)); the index is the kernel's bit. */
const ALL_NAMES = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
] as const;

/** Docker's default set (moby oci/caps/defaults.go), unchanged since 20.10. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

let hostCaps: string[] | undefined;

/**
 * The capabilities a container can be given: those this kernel knows (runc
 * refuses other names) and this process holds in its bounding set (runc
 * cannot grant more than it has, and fails with "unable to apply caps"). So
 * "ALL" and --privileged mean all that berthd can give, where Docker fails
 * outright when it runs without some capability.
 */
export function allCapabilities(): string[] {
  if (hostCaps === undefined) {
    let last = ALL_NAMES.length - 1;
    try {
      last = Math.min(last, Number.parseInt(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8"), 10));
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
    const bounding = boundingSet();
    hostCaps = ALL_NAMES.slice(0, last + 1).filter((_, bit) => (bounding >> BigInt(bit)) & 1n);
  }
  return [...hostCaps];
}

/** CapBnd of /proc/self/status: bit n set = capability n may be held. */
function boundingSet(): bigint {
  const line = readFileSync("/proc/self/status", "utf8")
    .split("\n")
    .find((l) => l.startsWith("CapBnd:"));
  return line ? BigInt(`0x${line.slice("CapBnd:".length).trim()}`) : ~0n;
}

/** "net_admin", "NET_ADMIN", "cap_net_admin" → "CAP_NET_ADMIN"; "all" → "ALL". */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === "ALL") return "ALL";
  const full = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  if (!(ALL_NAMES as readonly string[]).includes(full)) {
    throw new InvalidArgumentError(`unknown capability: "${full}"`);
  }
  return full;
}

/**
 * Docker's TweakCapabilities: adding "ALL" gives everything but the drops;
 * dropping "ALL" gives just the adds; otherwise the defaults minus the drops
 * plus the adds (so an add beats a drop of the same capability).
 */
export function containerCapabilities(capAdd: string[], capDrop: string[]): string[] {
  const adds = capAdd.map(normalizeCapability);
  const drops = capDrop.map(normalizeCapability);
  const known = allCapabilities();
  let caps: Set<string>;
  if (adds.includes("ALL")) {
    caps = new Set(known.filter((cap) => !drops.includes(cap)));
  } else if (drops.includes("ALL")) {
    caps = new Set(adds);
  } else {
    caps = new Set([...DEFAULT_CAPABILITIES.filter((cap) => !drops.includes(cap)), ...adds]);
  }
  // The kernel's order keeps specs stable; names this kernel lacks are left out
  // because runc refuses them.
  return known.filter((cap) => caps.has(cap));
}
