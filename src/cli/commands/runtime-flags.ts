// The runtime flags of `run` and `create` — restart policy, namespaces
// (--ipc, --pid, --cgroupns, --userns), --ulimit, --device, --sysctl,
// --group-add, logging — and the HostConfig fields they fill, checked as the
// docker CLI checks them; the rest is the daemon's to refuse in its words.
import type { Command } from "commander";
import type { HostConfig } from "../../api/types/index.js";
import { InvalidArgumentError } from "commander";
import { collect } from "../args.js";
import { UsageError } from "../usage-error.js";

export interface RuntimeFlags {
  restart?: string;
  ipc?: string;
  pid?: string;
  cgroupns?: string;
  userns?: string;
  ulimit?: NonNullable<HostConfig["Ulimits"]>;
  device?: string[];
  sysctl?: string[];
  groupAdd?: string[];
  logDriver?: string;
  logOpt?: string[];
}

export function addRuntimeFlags(cmd: Command): Command {
  return cmd
    .option("--cgroupns <string>", "Cgroup namespace to use (host|private)")
    .option("--device <list>", "Add a host device to the container", collect)
    .option("--group-add <list>", "Add additional groups to join", collect)
    .option("--ipc <string>", "IPC mode to use")
    .option("--log-driver <string>", "Logging driver for the container")
    .option("--log-opt <list>", "Log driver options", collect)
    .option("--pid <string>", "PID namespace to use")
    .option("--restart <string>", "Restart policy to apply when a container exits (default \"no\")")
    .option("--sysctl <map>", "Sysctl options", repeated(sysctlFlag))
    .option("--ulimit <ulimit>", "Ulimit options", repeated(ulimitFlag))
    .option("--userns <string>", "User namespace to use");
}

export function runtimeHostConfig(flags: RuntimeFlags, opts: { autoRemove: boolean }): HostConfig {
  const restart = flags.restart !== undefined ? restartPolicy(flags.restart) : undefined;
  if (restart && restart.Name !== "no" && opts.autoRemove) throw new UsageError("conflicting options: cannot specify both --restart and --rm");
  if (flags.pid && flags.pid !== "host" && !flags.pid.startsWith("container:")) throw new UsageError("--pid: invalid PID mode");
  if (flags.cgroupns && !["host", "private"].includes(flags.cgroupns)) throw new UsageError("--cgroupns: invalid CGROUP mode");
  if (flags.userns && flags.userns !== "host") throw new UsageError("--userns: invalid USER mode");
  return {
    ...(restart ? { RestartPolicy: restart } : {}),
    IpcMode: flags.ipc,
    PidMode: flags.pid,
    CgroupnsMode: flags.cgroupns as HostConfig["CgroupnsMode"],
    UsernsMode: flags.userns,
    Ulimits: flags.ulimit,
    Devices: flags.device?.map(deviceFlag),
    Sysctls: flags.sysctl ? Object.fromEntries(flags.sysctl.map((s) => [s.slice(0, s.indexOf("=")), s.slice(s.indexOf("=") + 1)])) : undefined,
    GroupAdd: flags.groupAdd,
    ...(flags.logDriver || flags.logOpt ? { LogConfig: { Type: (flags.logDriver ?? "") as never, Config: logOpts(flags.logOpt ?? []) } } : {}),
  };
}

/** A repeatable flag's parser whose failure reads like Docker's flag error. */
function repeated<T>(parse: (text: string, previous?: T) => T): (text: string, previous?: T) => T {
  return (text, previous) => {
    try {
      return parse(text, previous);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/** "on-failure:3" → { Name: "on-failure", MaximumRetryCount: 3 }, as the docker CLI parses it. */
export function restartPolicy(text: string): NonNullable<HostConfig["RestartPolicy"]> {
  const [name, count, ...extra] = text.split(":");
  if (extra.length > 0) throw new UsageError(`invalid restart policy format: ${text}`);
  if (count === undefined) return { Name: (name || "no") as never, MaximumRetryCount: 0 };
  if (name !== "on-failure") throw new UsageError("invalid restart policy format: maximum retry count can only be used with 'on-failure'");
  if (!/^-?\d+$/.test(count)) throw new UsageError("invalid restart policy format: maximum retry count must be an integer");
  return { Name: "on-failure", MaximumRetryCount: Number(count) };
}

const ULIMITS = ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];

/** "nofile=1024:2048" (or "nofile=1024", soft = hard), collected. */
function ulimitFlag(text: string, previous?: RuntimeFlags["ulimit"]): NonNullable<RuntimeFlags["ulimit"]> {
  const eq = text.indexOf("=");
  if (eq < 0) throw new Error(`invalid ulimit argument: ${text}`);
  const name = text.slice(0, eq);
  if (!ULIMITS.includes(name)) throw new Error(`invalid ulimit type: ${name}`);
  const parts = text.slice(eq + 1).split(":");
  if (parts.length > 2) throw new Error(`too many limit value arguments - ${text.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const nums = parts.map((p) => {
    if (!/^-?\d+$/.test(p)) throw new Error(`strconv.ParseInt: parsing "${p}": invalid syntax`);
    return Number(p);
  });
  const soft = nums[0]!;
  const hard = nums[1] ?? soft;
  if (nums.length === 2 && soft > hard) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  // A later --ulimit of the same name replaces the earlier one, as in the docker CLI.
  return [...(previous ?? []).filter((u) => u.Name !== name), { Name: name, Soft: soft, Hard: hard }];
}

// The docker CLI lets through only sysctls that are namespaced (opts.ValidateSysctl).
const SYSCTL_KEYS = ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"];
const SYSCTL_PREFIXES = ["net.", "fs.mqueue."];

function sysctlFlag(text: string, previous?: string[]): string[] {
  const eq = text.indexOf("=");
  const key = eq < 0 ? text : text.slice(0, eq);
  if (eq < 0 || !(SYSCTL_KEYS.includes(key) || SYSCTL_PREFIXES.some((p) => key.startsWith(p)))) {
    throw new Error(`sysctl '${text}' is not allowed`);
  }
  return collect(text, previous);
}

/** "/dev/x", "/dev/x:/dev/y", "/dev/x:rw", "/dev/x:/dev/y:rwm" → a device mapping. */
export function deviceFlag(text: string): NonNullable<HostConfig["Devices"]>[number] {
  const parts = text.split(":");
  const validMode = (m: string) => m !== "" && /^[rwm]+$/.test(m) && new Set(m).size === m.length;
  const src = parts[0]!;
  let dst = "";
  let mode = "rwm";
  if (parts.length === 2) {
    if (validMode(parts[1]!)) mode = parts[1]!;
    else dst = parts[1]!;
  } else if (parts.length === 3) {
    if (!validMode(parts[2]!)) throw new UsageError(`invalid device mode: ${parts[2]}`);
    dst = parts[1]!;
    mode = parts[2]!;
  } else if (parts.length > 3) throw new UsageError(`invalid device specification: ${text}`);
  if (!src.startsWith("/")) throw new UsageError(`invalid device specification: ${text}`);
  if (!dst) dst = src;
  return { PathOnHost: src, PathInContainer: dst, CgroupPermissions: mode };
}

function logOpts(list: string[]): Record<string, string> {
  return Object.fromEntries(
    list.map((o) => {
      const eq = o.indexOf("=");
      if (eq < 0) throw new UsageError(`invalid key value pair format in log options: ${o}`);
      return [o.slice(0, eq), o.slice(eq + 1)];
    }),
  );
}
