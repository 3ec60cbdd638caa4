// The flags `run` and `create` share, and how they become the body of
// POST /containers/create — the same fields Docker's CLI fills in.
import { readFileSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { ContainerCreateBody, HostConfig } from "../../api/types/index.js";
import { collect, integer, parsed } from "../args.js";
import { parseBytes, parseNanoCpus } from "../format/units.js";
import { UsageError } from "../usage-error.js";
import { resourceHostConfig, swapBytes, type ResourceFlags } from "./resource-flags.js";
import { addNetworkFlags, networkFields, type NetworkFlags } from "./network-flags.js";
import { addVolumeFlags, volumeFields, type VolumeFlags } from "./volume-flags.js";
import { addRuntimeFlags, runtimeHostConfig, type RuntimeFlags } from "./runtime-flags.js";
import { addHealthFlags, healthcheckOf, type HealthFlags } from "./health-flags.js";

export interface ContainerFlags extends ResourceFlags, NetworkFlags, VolumeFlags, RuntimeFlags, HealthFlags {
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  name?: string;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  hostname?: string;
  label?: string[];
  labelFile?: string[];
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  securityOpt?: string[];
  readOnly?: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  init?: boolean;
  attach?: string[];
  volume?: string[];
  pull?: "always" | "missing" | "never";
  detach?: boolean;
}

export const CONTAINER_USAGE = "[OPTIONS] IMAGE [COMMAND] [ARG...]";

export function addContainerFlags(cmd: Command): Command {
  return addHealthFlags(addRuntimeFlags(addVolumeFlags(addNetworkFlags(cmd))))
    .usage(CONTAINER_USAGE)
    .passThroughOptions()
    .helpOption("--help", "Print usage")
    .option("-a, --attach <stream>", "Attach to STDIN, STDOUT or STDERR", collect)
    .option("--cap-add <cap>", "Add Linux capabilities", collect)
    .option("--cap-drop <cap>", "Drop Linux capabilities", collect)
    .option("-c, --cpu-shares <int>", "CPU shares (relative weight)", parsed(integer))
    .option("--cpu-period <int>", "Limit CPU CFS (Completely Fair Scheduler) period", parsed(integer))
    .option("--cpu-quota <int>", "Limit CPU CFS (Completely Fair Scheduler) quota", parsed(integer))
    .option("--cpus <decimal>", "Number of CPUs", parsed(parseNanoCpus))
    .option("--cpuset-cpus <string>", "CPUs in which to allow execution (0-3, 0,1)")
    .option("--cpuset-mems <string>", "MEMs in which to allow execution (0-3, 0,1)")
    .option("--entrypoint <string>", "Overwrite the default ENTRYPOINT of the image")
    .option("-e, --env <list>", "Set environment variables", envFlag)
    .option("--env-file <list>", "Read in a file of environment variables", collect)
    .option("-h, --hostname <string>", "Container host name")
    .option("--init", "Run an init inside the container that forwards signals and reaps processes")
    .option("-i, --interactive", "Keep STDIN open even if not attached")
    .option("-l, --label <list>", "Set meta data on a container", collect)
    .option("--label-file <list>", "Read in a line delimited file of labels", collect)
    .option("-m, --memory <bytes>", "Memory limit", parsed(parseBytes))
    .option("--memory-reservation <bytes>", "Memory soft limit", parsed(parseBytes))
    .option("--memory-swap <bytes>", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", parsed(swapBytes))
    .option("--memory-swappiness <int>", "Tune container memory swappiness (0 to 100) (default -1)", parsed(integer))
    .option("--name <string>", "Assign a name to the container")
    .option("--oom-kill-disable", "Disable OOM Killer")
    .option("--pids-limit <int>", "Tune container pids limit (set -1 for unlimited)", parsed(integer))
    .option("--privileged", "Give extended privileges to this container")
    .addOption(
      new Option("--pull <string>", 'Pull image before running ("always", "missing", "never")')
        .choices(["always", "missing", "never"])
        .default("missing"),
    )
    .option("--read-only", "Mount the container's root filesystem as read only")
    .option("--rm", "Automatically remove the container and its associated anonymous volumes when it exits")
    .option("--security-opt <list>", "Security Options", collect)
    .option("--shm-size <bytes>", "Size of /dev/shm", parsed(parseBytes))
    .option("--stop-signal <string>", "Signal to stop the container")
    .option("--stop-timeout <int>", "Timeout (in seconds) to stop a container", parsed(integer))
    .option("--tmpfs <list>", "Mount a tmpfs directory", collect)
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("-u, --user <string>", "Username or UID (format: <name|uid>[:<group|gid>])")
    .option("-v, --volume <list>", "Bind mount a volume", collect)
    .option("-w, --workdir <string>", "Working directory inside the container");
}

export interface CreateRequest {
  body: ContainerCreateBody;
  name?: string;
}

export function buildCreateRequest(args: string[], flags: ContainerFlags, env: NodeJS.ProcessEnv = process.env): CreateRequest {
  const [image, ...cmd] = args;
  const attach = streamsToAttach(flags);
  const net = networkFields(flags);
  const vol = volumeFields(flags);
  const host: HostConfig = {
    AutoRemove: flags.rm ?? false,
    ...vol.host,
    CapAdd: flags.capAdd?.map(capability),
    CapDrop: flags.capDrop?.map(capability),
    Init: flags.init ? true : undefined,
    Privileged: flags.privileged ?? false,
    ReadonlyRootfs: flags.readOnly ?? false,
    SecurityOpt: flags.securityOpt?.map(securityOpt),
    ...resourceHostConfig(flags),
    ...runtimeHostConfig(flags, { autoRemove: flags.rm ?? false }),
    ...net.host,
  };
  const body: ContainerCreateBody = {
    Hostname: flags.hostname,
    User: flags.user,
    AttachStdin: attach.stdin,
    AttachStdout: attach.stdout,
    AttachStderr: attach.stderr,
    Tty: flags.tty ?? false,
    OpenStdin: flags.interactive ?? false,
    StdinOnce: (flags.interactive ?? false) && attach.stdin,
    Env: environment(flags, env),
    Cmd: cmd.length > 0 ? cmd : undefined,
    Image: image,
    WorkingDir: flags.workdir,
    Entrypoint: flags.entrypoint === undefined ? undefined : [flags.entrypoint],
    Labels: labels(flags),
    StopSignal: flags.stopSignal,
    StopTimeout: flags.stopTimeout,
    Healthcheck: healthcheckOf(flags),
    ExposedPorts: net.exposedPorts,
    Volumes: vol.volumes,
    MacAddress: net.macAddress,
    HostConfig: host,
    NetworkingConfig: net.networkingConfig,
  };
  return { body: dropUndefined(body), name: flags.name };
}

/** Which streams a foreground container attaches: -a picks them, else stdout and stderr (and stdin with -i). */
export function streamsToAttach(flags: ContainerFlags): { stdin: boolean; stdout: boolean; stderr: boolean } {
  if (flags.detach) return { stdin: false, stdout: false, stderr: false };
  if (flags.attach?.length) {
    const wanted = flags.attach.map((s) => s.toLowerCase());
    for (const s of wanted) {
      if (!["stdin", "stdout", "stderr"].includes(s)) throw new UsageError(`invalid argument "${s}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
    }
    return { stdin: wanted.includes("stdin"), stdout: wanted.includes("stdout"), stderr: wanted.includes("stderr") };
  }
  return { stdin: flags.interactive ?? false, stdout: true, stderr: true };
}

function environment(flags: ContainerFlags, env: NodeJS.ProcessEnv): string[] | undefined {
  // A bare NAME in a file takes the client's value, or is left out when the client has none.
  const fromFiles = (flags.envFile ?? []).flatMap((file) => readKeyValueFile(file, (name) => env[name]));
  // A bare NAME on the command line takes the client's value, or goes as is (the daemon unsets it).
  const fromFlags = (flags.env ?? []).map((entry) => {
    const value = entry.includes("=") ? undefined : env[entry];
    return value === undefined ? entry : `${entry}=${value}`;
  });
  const all = [...fromFiles, ...fromFlags];
  return all.length > 0 ? all : undefined;
}

function labels(flags: ContainerFlags): Record<string, string> | undefined {
  const all = [...(flags.labelFile ?? []).flatMap((file) => readKeyValueFile(file)), ...(flags.label ?? [])];
  if (all.length === 0) return undefined;
  return Object.fromEntries(
    all.map((l) => {
      const eq = l.indexOf("=");
      return eq < 0 ? [l, ""] : [l.slice(0, eq), l.slice(eq + 1)];
    }),
  );
}

/**
 * An --env-file or --label-file, read as the docker CLI reads them: a UTF-8
 * BOM dropped, blank and "#" lines skipped, leading blanks trimmed, values
 * kept verbatim; a bare NAME is looked up with `lookup` (dropped without one).
 */
export function readKeyValueFile(file: string, lookup?: (name: string) => string | undefined): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new UsageError(`open ${file}: ${reason}`);
  }
  const out: string[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .forEach((raw) => {
      const line = raw.replace(/\r$/, "").trimStart();
      if (line === "" || line.startsWith("#")) return;
      const eq = line.indexOf("=");
      const name = eq < 0 ? line : line.slice(0, eq);
      const bad = (why: string) => new UsageError(`invalid env file (${file}): ${why}`);
      if (/\s/.test(name)) throw bad(`variable '${name}' contains whitespaces`);
      if (name === "") throw bad(`no variable name on line '${line}'`);
      if (eq >= 0) out.push(line);
      else {
        const value = lookup?.(name);
        if (value !== undefined) out.push(`${name}=${value}`);
      }
    });
  return out;
}

/** `-e` as pflag checks it: a variable needs a name. */
export function envFlag(value: string, previous: string[] | undefined): string[] {
  if (value === "" || value.startsWith("=")) throw new InvalidArgumentError(`invalid environment variable: ${value}`);
  return collect(value, previous);
}

/** "net_admin" → "CAP_NET_ADMIN"; "ALL" stays. */
function capability(cap: string): string {
  const upper = cap.toUpperCase();
  return upper === "ALL" || upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
}

function securityOpt(opt: string): string {
  // A seccomp profile is sent inline: the daemon cannot read the client's files.
  const m = /^seccomp[=:](.+)$/.exec(opt);
  if (m && m[1] !== "unconfined" && m[1] !== "builtin") {
    try {
      return `seccomp=${JSON.stringify(JSON.parse(readFileSync(m[1], "utf8")))}`;
    } catch (err) {
      throw new UsageError(`opening seccomp profile (${m[1]}) failed: ${(err as Error).message}`);
    }
  }
  if (opt === "no-new-privileges") return opt;
  if (!/[=:]/.test(opt)) throw new UsageError(`invalid --security-opt: ${JSON.stringify(opt)}`);
  return opt;
}

function dropUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = v !== null && typeof v === "object" && !Array.isArray(v) ? dropUndefined(v as object) : v;
  }
  return out as T;
}
