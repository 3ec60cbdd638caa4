// What `docker create` does to its body before anything runs: merge with the
// image's config exactly as Docker does (daemon/commit.go merge), decide the
// command, fill HostConfig defaults and reject values Docker rejects, with its
// wording. Pure but for reading the host's cgroup facts (limits are checked
// against them): unit-tested as a table of image config × body → Config.
import { InvalidArgumentError } from "../errors.js";
import type { ContainerConfig, ContainerCreateBody, HostConfig } from "../api/types/index.js";
import type { ImageRuntimeConfig } from "../oci/types.js";
import { cgroupHost, type CgroupHost } from "../runtime/cgroup-host.js";
import { checkResources } from "../runtime/resource-check.js";
import type { ResourceLimits } from "../runtime/spec-options.js";
import { checkTmpfs } from "./tmpfs-mounts.js";
import { mergeHealthcheck } from "./health.js";

const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export function mergeConfig(body: ContainerCreateBody, image: ImageRuntimeConfig | undefined): ContainerConfig {
  const { HostConfig: _hc, NetworkingConfig: _nc, ...user } = body;
  const img = image ?? {};
  // Docker's zero values, so templates like {{.Config.Tty}} print false rather than nothing.
  const out: ContainerConfig = {
    Domainname: "",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    ...user,
  };

  if (!out.User) out.User = img.User ?? "";
  if (!out.WorkingDir) out.WorkingDir = img.WorkingDir ?? "";
  if (!out.StopSignal && img.StopSignal) out.StopSignal = img.StopSignal;
  const healthcheck = mergeHealthcheck(out.Healthcheck ?? undefined, img.Healthcheck);
  if (healthcheck) out.Healthcheck = healthcheck;
  else delete out.Healthcheck; // a null from the body is dropped, as dockerd's nil pointer is
  if (img.ExposedPorts || out.ExposedPorts) out.ExposedPorts = { ...img.ExposedPorts, ...out.ExposedPorts };
  if (img.Volumes || out.Volumes) out.Volumes = { ...img.Volumes, ...out.Volumes };
  out.Labels = { ...img.Labels, ...out.Labels };

  // The body's variables come first; the image's are appended unless overridden by key.
  const env = [...(out.Env ?? [])];
  const keys = new Set(env.map(envKey));
  for (const e of img.Env ?? []) if (!keys.has(envKey(e))) env.push(e);
  out.Env = env;

  // An entrypoint from the body replaces the image's and, with it, the image's
  // Cmd (which was written for the old entrypoint). `[""]` resets the entrypoint.
  const userEntrypoint = out.Entrypoint as string[] | null | undefined;
  if (userEntrypoint === undefined || userEntrypoint === null) {
    out.Entrypoint = img.Entrypoint ?? undefined;
    if (!out.Cmd || out.Cmd.length === 0) out.Cmd = img.Cmd ?? undefined;
  } else if (userEntrypoint.length === 0) {
    if (!out.Cmd || out.Cmd.length === 0) out.Cmd = img.Cmd ?? undefined;
  } else if (userEntrypoint.length === 1 && userEntrypoint[0] === "") {
    out.Entrypoint = undefined;
  }
  if (out.Entrypoint === undefined) delete out.Entrypoint;
  if (out.Cmd === undefined) delete out.Cmd;
  return out;
}

function envKey(e: string): string {
  const i = e.indexOf("=");
  return i < 0 ? e : e.slice(0, i);
}

/** Path and Args as inspect shows them; throws Docker's 400 when there is nothing to run. */
export function commandOf(config: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (argv.length === 0) throw new InvalidArgumentError("No command specified");
  return { path: argv[0]!, args: argv.slice(1) };
}

/** "bridge" covers the default bridge and user-defined networks alike: both are bridge networks with their own netns. */
export type NetworkKind = "none" | "host" | "container" | "bridge";

export function networkKind(hostConfig: HostConfig): NetworkKind {
  const mode = hostConfig.NetworkMode ?? "default";
  if (mode === "host" || mode === "none") return mode;
  if (mode.startsWith("container:")) return "container";
  return "bridge";
}

const restartPolicies = ["", "no", "always", "unless-stopped", "on-failure"];

/**
 * Fills Docker's HostConfig defaults and rejects what Docker rejects, limits
 * included (checked against `host`, this machine's cgroups by default). Returns warnings.
 */
export function normalizeHostConfig(
  input: HostConfig | undefined,
  opts: { host?: CgroupHost } = {},
): { hostConfig: HostConfig; warnings: string[] } {
  // Docker's zero values first, so inspect templates find every common field.
  const hc: HostConfig = {
    AutoRemove: false,
    Privileged: false,
    ReadonlyRootfs: false,
    PublishAllPorts: false,
    Memory: 0,
    MemorySwap: 0,
    NanoCpus: 0,
    CpuShares: 0,
    CpuPeriod: 0,
    CpuQuota: 0,
    ShmSize: DEFAULT_SHM_SIZE,
    ConsoleSize: [0, 0],
    ...input,
  };
  const warnings: string[] = [];

  // The networks themselves are resolved and checked at create (network-create.ts), against the records.
  if (!hc.NetworkMode) hc.NetworkMode = "default";

  // Limits the host cannot honour are refused now, as Docker does, not at start.
  warnings.push(...checkResources(resourcesOf(hc), opts.host ?? cgroupHost()));
  checkTmpfs(hc.Tmpfs);
  // Docker records its default swap limit, twice the memory, in the HostConfig.
  if (hc.Memory && hc.Memory > 0 && !hc.MemorySwap) hc.MemorySwap = 2 * hc.Memory;
  if (hc.ShmSize !== undefined && hc.ShmSize < 0) throw new InvalidArgumentError("SHM size can not be less than 0");
  if (!hc.ShmSize) hc.ShmSize = DEFAULT_SHM_SIZE;

  const policy = { Name: hc.RestartPolicy?.Name || "no", MaximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0 };
  if (!restartPolicies.includes(policy.Name)) {
    throw new InvalidArgumentError(
      `invalid restart policy: unknown policy '${policy.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
    );
  }
  if (policy.MaximumRetryCount < 0) throw new InvalidArgumentError("invalid restart policy: maximum retry count cannot be negative");
  if (policy.MaximumRetryCount > 0 && policy.Name !== "on-failure") {
    throw new InvalidArgumentError("invalid restart policy: maximum retry count can only be used with 'on-failure'");
  }
  hc.RestartPolicy = policy as HostConfig["RestartPolicy"];
  if (hc.AutoRemove && policy.Name !== "no") {
    throw new InvalidArgumentError("can't create 'AutoRemove' container with restart policy");
  }
  // Options given without a driver are the default driver's, as dockerd takes them.
  if (!hc.LogConfig?.Type) hc.LogConfig = { Type: "json-file", Config: hc.LogConfig?.Config ?? {} };
  return { hostConfig: hc, warnings };
}

/** The limits of a HostConfig in the runtime's terms; zero and unset fields are left out. */
export function resourcesOf(hc: HostConfig): ResourceLimits {
  return {
    ...(hc.Memory ? { memory: hc.Memory } : {}),
    ...(hc.MemorySwap ? { memorySwap: hc.MemorySwap } : {}),
    ...(hc.MemoryReservation ? { memoryReservation: hc.MemoryReservation } : {}),
    ...(typeof hc.MemorySwappiness === "number" ? { memorySwappiness: hc.MemorySwappiness } : {}),
    ...(hc.OomKillDisable ? { oomKillDisable: true } : {}),
    ...(hc.NanoCpus ? { nanoCpus: hc.NanoCpus } : {}),
    ...(hc.CpuShares ? { cpuShares: hc.CpuShares } : {}),
    ...(hc.CpuQuota ? { cpuQuota: hc.CpuQuota } : {}),
    ...(hc.CpuPeriod ? { cpuPeriod: hc.CpuPeriod } : {}),
    ...(hc.CpusetCpus ? { cpusetCpus: hc.CpusetCpus } : {}),
    ...(hc.CpusetMems ? { cpusetMems: hc.CpusetMems } : {}),
    ...(hc.PidsLimit ? { pidsLimit: hc.PidsLimit } : {}),
  };
}
