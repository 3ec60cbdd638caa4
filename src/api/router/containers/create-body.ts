// Validation of POST /containers/create (and the name rules rename shares):
// the checks dockerd makes before anything is created.
import { InvalidArgumentError } from "../../../errors.js";
import type { ContainerCreateBody } from "../../types/index.js";
import { checkFields, type FieldKind } from "../../fields.js";

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Returns the name without its optional leading slash; throws Docker's 400 for a bad one. */
export function checkContainerName(name: string): string {
  if (!NAME.test(name)) {
    throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.replace(/^\//, "");
}

const CONFIG_FIELDS: Record<string, FieldKind> = {
  Hostname: "string",
  Domainname: "string",
  User: "string",
  AttachStdin: "bool",
  AttachStdout: "bool",
  AttachStderr: "bool",
  ExposedPorts: "object",
  Tty: "bool",
  OpenStdin: "bool",
  StdinOnce: "bool",
  Env: "strings",
  Cmd: "strslice",
  Healthcheck: "object",
  ArgsEscaped: "bool",
  Image: "string",
  Volumes: "object",
  WorkingDir: "string",
  Entrypoint: "strslice",
  NetworkDisabled: "bool",
  OnBuild: "strings",
  Labels: "labels",
  StopSignal: "string",
  StopTimeout: "number",
  Shell: "strslice",
  HostConfig: "object",
  NetworkingConfig: "object",
};

const HOST_CONFIG_FIELDS: Record<string, FieldKind> = {
  Binds: "strings",
  NetworkMode: "string",
  PortBindings: "object",
  RestartPolicy: "object",
  AutoRemove: "bool",
  VolumeDriver: "string",
  VolumesFrom: "strings",
  Mounts: "array",
  CapAdd: "strslice",
  CapDrop: "strslice",
  Dns: "strings",
  DnsOptions: "strings",
  DnsSearch: "strings",
  ExtraHosts: "strings",
  Privileged: "bool",
  PublishAllPorts: "bool",
  ReadonlyRootfs: "bool",
  SecurityOpt: "strings",
  Tmpfs: "labels",
  Memory: "number",
  MemorySwap: "number",
  NanoCpus: "number",
  CpuShares: "number",
  CpuPeriod: "number",
  CpuQuota: "number",
  PidsLimit: "number",
  Init: "bool",
  ShmSize: "number",
  Sysctls: "labels",
  Ulimits: "array",
};

export function parseCreateBody(body: Record<string, unknown>): ContainerCreateBody {
  const config = checkFields(body, CONFIG_FIELDS, "ContainerConfigWrapper");
  if (config.HostConfig) {
    config.HostConfig = checkFields(config.HostConfig as Record<string, unknown>, HOST_CONFIG_FIELDS, "ContainerConfigWrapper.HostConfig");
  }
  return config as ContainerCreateBody;
}
