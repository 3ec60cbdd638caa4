// The host's side of --ulimit: which limits exist, and how high this process
// may set them. runc sets a container's rlimits with setrlimit from a process
// that inherited berthd's; without CAP_SYS_RESOURCE no hard limit can go above
// the one berthd has, so a spec asking for more would fail inside runc with an
// opaque "error setting rlimit type 7". Callers check against these first.
import { readFileSync } from "node:fs";

/** Docker's ulimit names → the line of /proc/self/limits that holds the limit. */
export const ULIMIT_NAMES: Readonly<Record<string, string>> = {
  core: "Max core file size",
  cpu: "Max cpu time",
  data: "Max data size",
  fsize: "Max file size",
  locks: "Max file locks",
  memlock: "Max locked memory",
  msgqueue: "Max msgqueue size",
  nice: "Max nice priority",
  nofile: "Max open files",
  nproc: "Max processes",
  rss: "Max resident set",
  rtprio: "Max realtime priority",
  rttime: "Max realtime timeout",
  sigpending: "Max pending signals",
  stack: "Max stack size",
};

const CAP_SYS_RESOURCE = 24n;

/**
 * The hard limit this process holds for a ulimit name, or undefined when it
 * may set any value (unlimited, or it holds CAP_SYS_RESOURCE).
 */
export function hostHardLimit(name: string, read: (path: string) => string = (p) => readFileSync(p, "utf8")): number | undefined {
  const caps = /^CapEff:\s*([0-9a-f]+)$/m.exec(read("/proc/self/status"))?.[1];
  if (caps !== undefined && (BigInt(`0x${caps}`) >> CAP_SYS_RESOURCE) & 1n) return undefined;
  const label = ULIMIT_NAMES[name];
  if (!label) return undefined;
  const line = read("/proc/self/limits")
    .split("\n")
    .find((l) => l.startsWith(label));
  // Columns after the label: soft, hard, units.
  const hard = line?.slice(label.length).trim().split(/\s+/)[1];
  if (hard === undefined || hard === "unlimited") return undefined;
  return Number.parseInt(hard, 10);
}
