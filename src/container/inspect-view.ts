// How a stored container reads in `docker inspect`: Docker's field order and
// Go's zero values (null for an unset list or map, "" and 0 otherwise), plus
// the defaults dockerd fills in at create (IPC and cgroup namespace modes, the
// runtime, masked and read-only paths). Records keep what the client sent;
// these views are computed on the way out, so old records read the same.
import type { ContainerConfig, HostConfig } from "../api/types/index.js";
import { MASKED_PATHS, READONLY_PATHS } from "../runtime/spec.js";

// Docker's container.Config, in its order; null where Go has a nil slice or map.
const configFields: Record<string, unknown> = {
  Hostname: "",
  Domainname: "",
  User: "",
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  ExposedPorts: undefined,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: null,
  Cmd: null,
  Healthcheck: undefined,
  ArgsEscaped: undefined,
  Image: "",
  Volumes: null,
  WorkingDir: "",
  Entrypoint: null,
  NetworkDisabled: undefined,
  MacAddress: undefined,
  OnBuild: null,
  Labels: {},
};

export function configView(config: ContainerConfig): ContainerConfig {
  const stored = config as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, zero] of Object.entries(configFields)) {
    const value = stored[key];
    const isEmpty = value === undefined || value === null || (key !== "Labels" && isEmptyCollection(value));
    const shown = isEmpty ? zero : value;
    if (shown !== undefined) out[key] = shown;
  }
  // Present only when set (Go's omitempty), after the fixed fields as in Docker.
  for (const [key, value] of Object.entries(stored)) {
    if (!(key in configFields) && value !== undefined && value !== null && value !== "") out[key] = value;
  }
  sortMaps(out, ["ExposedPorts", "Volumes", "Labels"]);
  return out as ContainerConfig;
}

/** Go writes a map's keys in sorted order; records keep the client's order. */
function sortMaps(out: Record<string, unknown>, fields: string[]): void {
  for (const field of fields) {
    const value = out[field];
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    out[field] = Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

function isEmptyCollection(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

// Docker's HostConfig with its embedded Resources, in order, with Go's zero values.
const hostConfigFields: Record<string, unknown> = {
  Binds: null,
  ContainerIDFile: "",
  LogConfig: { Type: "", Config: null },
  NetworkMode: "",
  PortBindings: null,
  RestartPolicy: { Name: "", MaximumRetryCount: 0 },
  AutoRemove: false,
  VolumeDriver: "",
  VolumesFrom: null,
  ConsoleSize: [0, 0],
  CapAdd: null,
  CapDrop: null,
  CgroupnsMode: "",
  Dns: null,
  DnsOptions: null,
  DnsSearch: null,
  ExtraHosts: null,
  GroupAdd: null,
  IpcMode: "",
  Cgroup: "",
  Links: null,
  OomScoreAdj: 0,
  PidMode: "",
  Privileged: false,
  PublishAllPorts: false,
  ReadonlyRootfs: false,
  SecurityOpt: null,
  UTSMode: "",
  UsernsMode: "",
  ShmSize: 0,
  Runtime: "",
  Isolation: "",
  CpuShares: 0,
  Memory: 0,
  NanoCpus: 0,
  CgroupParent: "",
  BlkioWeight: 0,
  BlkioWeightDevice: null,
  BlkioDeviceReadBps: null,
  BlkioDeviceWriteBps: null,
  BlkioDeviceReadIOps: null,
  BlkioDeviceWriteIOps: null,
  CpuPeriod: 0,
  CpuQuota: 0,
  CpuRealtimePeriod: 0,
  CpuRealtimeRuntime: 0,
  CpusetCpus: "",
  CpusetMems: "",
  Devices: null,
  DeviceCgroupRules: null,
  DeviceRequests: null,
  MemoryReservation: 0,
  MemorySwap: 0,
  MemorySwappiness: null,
  OomKillDisable: false,
  PidsLimit: null,
  Ulimits: null,
  CpuCount: 0,
  CpuPercent: 0,
  IOMaximumIOps: 0,
  IOMaximumBandwidth: 0,
  MaskedPaths: null,
  ReadonlyPaths: null,
};

export function hostConfigView(hc: HostConfig, opts: { cgroupV2: boolean }): HostConfig {
  const stored = hc as Record<string, unknown>;
  // What dockerd decides at create when the client left these out.
  const defaults: Record<string, unknown> = {
    CgroupnsMode: opts.cgroupV2 ? "private" : "host",
    IpcMode: "private",
    Runtime: "runc",
    ...(hc.Privileged ? {} : { MaskedPaths: [...MASKED_PATHS], ReadonlyPaths: [...READONLY_PATHS] }),
  };
  const out: Record<string, unknown> = {};
  for (const [key, zero] of Object.entries(hostConfigFields)) {
    let value = stored[key] ?? defaults[key] ?? zero;
    if (value === "" && key in defaults) value = defaults[key];
    out[key] = value;
  }
  // -1 (the CLI's "unset") and 0 both mean no limit: Docker shows null.
  if (typeof out.MemorySwappiness === "number" && out.MemorySwappiness < 0) out.MemorySwappiness = null;
  if (typeof out.PidsLimit === "number" && out.PidsLimit <= 0) out.PidsLimit = null;
  for (const [key, value] of Object.entries(stored)) {
    if (!(key in hostConfigFields) && value !== undefined && value !== null) out[key] = value;
  }
  sortMaps(out, ["PortBindings", "Tmpfs", "Sysctls", "StorageOpt", "Annotations"]);
  if (out.LogConfig && typeof out.LogConfig === "object") out.LogConfig = { ...(out.LogConfig as object) };
  sortMaps(out.LogConfig as Record<string, unknown>, ["Config"]);
  return out as HostConfig;
}
