// Where Docker's inspect structs have slices and maps. `docker inspect -f`
// runs its template on the typed Go struct, so a null (or omitted) slice
// prints "[]" and a map "map[]", where decoded JSON would print "<nil>" or
// "<no value>". withGoTypes() marks those places in the decoded JSON with
// GoNil values; `{{json …}}` still writes them as null, and fields that were
// absent stay absent from `{{json .}}` output.
import { NIL_MAP, NIL_SLICE } from "./go-print.js";

export type GoType =
  | { kind: "slice"; of?: GoType }
  | { kind: "map"; of?: GoType }
  | { kind: "struct"; fields: Record<string, GoType> };

const slice = (of?: GoType): GoType => ({ kind: "slice", of });
const map = (of?: GoType): GoType => ({ kind: "map", of });
const struct = (fields: Record<string, GoType>): GoType => ({ kind: "struct", fields });

/** Fields that are all []string or []struct. */
const slices = (...names: string[]): Record<string, GoType> => Object.fromEntries(names.map((n) => [n, slice()]));
const maps = (...names: string[]): Record<string, GoType> => Object.fromEntries(names.map((n) => [n, map()]));

/** container.Config, in both container and image inspect. */
const CONFIG = struct({
  ...slices("Env", "Cmd", "Entrypoint", "OnBuild", "Shell"),
  ...maps("ExposedPorts", "Volumes", "Labels"),
  Healthcheck: struct(slices("Test")),
});

const HOST_CONFIG = struct({
  ...slices(
    "Binds",
    "VolumesFrom",
    "CapAdd",
    "CapDrop",
    "Dns",
    "DnsOptions",
    "DnsSearch",
    "ExtraHosts",
    "GroupAdd",
    "Links",
    "SecurityOpt",
    "BlkioWeightDevice",
    "BlkioDeviceReadBps",
    "BlkioDeviceWriteBps",
    "BlkioDeviceReadIOps",
    "BlkioDeviceWriteIOps",
    "Devices",
    "DeviceCgroupRules",
    "DeviceRequests",
    "Ulimits",
    "Mounts",
    "MaskedPaths",
    "ReadonlyPaths",
  ),
  ...maps("StorageOpt", "Tmpfs", "Sysctls", "Annotations"),
  LogConfig: struct(maps("Config")),
  PortBindings: map(slice()),
});

const ENDPOINT = struct({
  ...slices("Links", "Aliases", "DNSNames"),
  ...maps("DriverOpts"),
  IPAMConfig: struct(slices("LinkLocalIPs")),
});

export const CONTAINER_INSPECT = struct({
  ...slices("Args", "Mounts", "ExecIDs"),
  State: struct({ Health: struct(slices("Log")) }),
  Config: CONFIG,
  HostConfig: HOST_CONFIG,
  NetworkSettings: struct({
    ...slices("SecondaryIPAddresses", "SecondaryIPv6Addresses"),
    Ports: map(slice()),
    Networks: map(ENDPOINT),
  }),
  GraphDriver: struct(maps("Data")),
});

export const IMAGE_INSPECT = struct({
  ...slices("RepoTags", "RepoDigests"),
  Config: CONFIG,
  ContainerConfig: CONFIG,
  RootFS: struct(slices("Layers")),
  GraphDriver: struct(maps("Data")),
});

/** A copy of `value` with nil slices and maps marked where `type` has them. */
export function withGoTypes(value: unknown, type: GoType): unknown {
  switch (type.kind) {
    case "slice":
      if (value === null || value === undefined) return NIL_SLICE;
      return Array.isArray(value) && type.of ? value.map((v) => withGoTypes(v, type.of!)) : value;
    case "map":
      if (value === null || value === undefined) return NIL_MAP;
      if (!isObject(value) || !type.of) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withGoTypes(v, type.of!)]));
    case "struct": {
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = { ...value };
      for (const [field, fieldType] of Object.entries(type.fields)) {
        if (field in out) out[field] = withGoTypes(out[field], fieldType);
        else if (fieldType.kind !== "struct") {
          // Omitted by the daemon (omitempty): readable by templates, invisible to JSON.
          Object.defineProperty(out, field, { value: withGoTypes(undefined, fieldType), enumerable: false });
        }
      }
      return out;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
