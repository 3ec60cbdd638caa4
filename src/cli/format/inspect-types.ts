// The Go structs `docker inspect -f` templates run on (docker CLI 28, API
// types of moby v28.2), field for field in declaration order, because fmt
// prints a struct's fields in that order: `{{.IPAM.Config}}` is
// "[{10.1.0.0/24  10.1.0.1 map[]}]". Types berth never fills (swarm,
// descriptors) are `ANY`: they print as their value or <nil>.
import { ANY, BOOL, DURATION, INT, PTR_VALUE, STRING, TIME, map, ptr, slice, struct, typed, type GoType, type StructType } from "./go-values.js";

const strings = slice(STRING);
const stringMap = map(STRING);
const EMPTY = struct("struct {}", {});
const set = map(EMPTY);

const PORT_BINDING = struct("nat.PortBinding", { "HostIP/HostIp": STRING, HostPort: STRING });
const PORT_MAP = map(slice(PORT_BINDING));

const HEALTH_CONFIG = struct("container.HealthConfig", {
  Test: strings,
  Interval: DURATION,
  Timeout: DURATION,
  StartPeriod: DURATION,
  StartInterval: DURATION,
  Retries: INT,
});

const CONFIG = struct("container.Config", {
  Hostname: STRING,
  Domainname: STRING,
  User: STRING,
  AttachStdin: BOOL,
  AttachStdout: BOOL,
  AttachStderr: BOOL,
  ExposedPorts: set,
  Tty: BOOL,
  OpenStdin: BOOL,
  StdinOnce: BOOL,
  Env: strings,
  Cmd: strings,
  Healthcheck: ptr(HEALTH_CONFIG),
  ArgsEscaped: BOOL,
  Image: STRING,
  Volumes: set,
  WorkingDir: STRING,
  Entrypoint: strings,
  NetworkDisabled: BOOL,
  MacAddress: STRING,
  OnBuild: strings,
  Labels: stringMap,
  StopSignal: STRING,
  StopTimeout: PTR_VALUE,
  Shell: strings,
});

const HEALTH = struct("container.Health", {
  Status: STRING,
  FailingStreak: INT,
  Log: slice(ptr(struct("container.HealthcheckResult", { Start: TIME, End: TIME, ExitCode: INT, Output: STRING }))),
});

const STATE = struct("container.State", {
  Status: STRING,
  Running: BOOL,
  Paused: BOOL,
  Restarting: BOOL,
  OOMKilled: BOOL,
  Dead: BOOL,
  Pid: INT,
  ExitCode: INT,
  Error: STRING,
  StartedAt: STRING,
  FinishedAt: STRING,
  Health: ptr(HEALTH),
});

// Docker's Ulimit and blkio devices print through their String() methods.
const ULIMIT = struct(
  "container.Ulimit",
  { Name: STRING, Hard: INT, Soft: INT },
  (j) => `${String(j.Name)}=${String(j.Soft)}:${String(j.Hard)}`,
);
const WEIGHT_DEVICE = struct("blkiodev.WeightDevice", { Path: STRING, Weight: INT }, (j) => `${String(j.Path)}:${String(j.Weight)}`);
const THROTTLE_DEVICE = struct("blkiodev.ThrottleDevice", { Path: STRING, Rate: INT }, (j) => `${String(j.Path)}:${String(j.Rate)}`);

const RESOURCES = struct("container.Resources", {
  "CPUShares/CpuShares": INT,
  Memory: INT,
  "NanoCPUs/NanoCpus": INT,
  CgroupParent: STRING,
  BlkioWeight: INT,
  BlkioWeightDevice: slice(ptr(WEIGHT_DEVICE)),
  BlkioDeviceReadBps: slice(ptr(THROTTLE_DEVICE)),
  BlkioDeviceWriteBps: slice(ptr(THROTTLE_DEVICE)),
  BlkioDeviceReadIOps: slice(ptr(THROTTLE_DEVICE)),
  BlkioDeviceWriteIOps: slice(ptr(THROTTLE_DEVICE)),
  "CPUPeriod/CpuPeriod": INT,
  "CPUQuota/CpuQuota": INT,
  "CPURealtimePeriod/CpuRealtimePeriod": INT,
  "CPURealtimeRuntime/CpuRealtimeRuntime": INT,
  CpusetCpus: STRING,
  CpusetMems: STRING,
  Devices: slice(struct("container.DeviceMapping", { PathOnHost: STRING, PathInContainer: STRING, CgroupPermissions: STRING })),
  DeviceCgroupRules: strings,
  DeviceRequests: slice(
    struct("container.DeviceRequest", { Driver: STRING, Count: INT, DeviceIDs: strings, Capabilities: slice(strings), Options: stringMap }),
  ),
  KernelMemory: INT,
  KernelMemoryTCP: INT,
  MemoryReservation: INT,
  MemorySwap: INT,
  MemorySwappiness: PTR_VALUE,
  OomKillDisable: PTR_VALUE,
  PidsLimit: PTR_VALUE,
  Ulimits: slice(ptr(ULIMIT)),
  "CPUCount/CpuCount": INT,
  "CPUPercent/CpuPercent": INT,
  IOMaximumIOps: INT,
  IOMaximumBandwidth: INT,
});

const MOUNT = struct("mount.Mount", {
  Type: STRING,
  Source: STRING,
  Target: STRING,
  ReadOnly: BOOL,
  Consistency: STRING,
  BindOptions: ptr(
    struct("mount.BindOptions", {
      Propagation: STRING,
      NonRecursive: BOOL,
      CreateMountpoint: BOOL,
      ReadOnlyNonRecursive: BOOL,
      ReadOnlyForceRecursive: BOOL,
    }),
  ),
  VolumeOptions: ptr(
    struct("mount.VolumeOptions", {
      NoCopy: BOOL,
      Labels: stringMap,
      Subpath: STRING,
      DriverConfig: ptr(struct("mount.Driver", { Name: STRING, Options: stringMap })),
    }),
  ),
  ImageOptions: ptr(struct("mount.ImageOptions", { Subpath: STRING })),
  TmpfsOptions: ptr(struct("mount.TmpfsOptions", { SizeBytes: INT, Mode: INT, Options: slice(strings) })),
  ClusterOptions: ptr(struct("mount.ClusterOptions", {})),
});

const HOST_CONFIG = struct("container.HostConfig", {
  Binds: strings,
  ContainerIDFile: STRING,
  LogConfig: struct("container.LogConfig", { Type: STRING, Config: stringMap }),
  NetworkMode: STRING,
  PortBindings: PORT_MAP,
  RestartPolicy: struct("container.RestartPolicy", { Name: STRING, MaximumRetryCount: INT }),
  AutoRemove: BOOL,
  VolumeDriver: STRING,
  VolumesFrom: strings,
  ConsoleSize: slice(INT),
  Annotations: stringMap,
  CapAdd: strings,
  CapDrop: strings,
  CgroupnsMode: STRING,
  "DNS/Dns": strings,
  "DNSOptions/DnsOptions": strings,
  "DNSSearch/DnsSearch": strings,
  ExtraHosts: strings,
  GroupAdd: strings,
  IpcMode: STRING,
  Cgroup: STRING,
  Links: strings,
  OomScoreAdj: INT,
  PidMode: STRING,
  Privileged: BOOL,
  PublishAllPorts: BOOL,
  ReadonlyRootfs: BOOL,
  SecurityOpt: strings,
  StorageOpt: stringMap,
  Tmpfs: stringMap,
  UTSMode: STRING,
  UsernsMode: STRING,
  ShmSize: INT,
  Sysctls: stringMap,
  Runtime: STRING,
  Isolation: STRING,
  "^Resources": RESOURCES,
  Mounts: slice(MOUNT),
  MaskedPaths: strings,
  ReadonlyPaths: strings,
  Init: PTR_VALUE,
});

const ENDPOINT_SETTINGS = struct("network.EndpointSettings", {
  IPAMConfig: ptr(struct("network.EndpointIPAMConfig", { IPv4Address: STRING, IPv6Address: STRING, LinkLocalIPs: strings })),
  Links: strings,
  Aliases: strings,
  MacAddress: STRING,
  DriverOpts: stringMap,
  GwPriority: INT,
  NetworkID: STRING,
  EndpointID: STRING,
  Gateway: STRING,
  IPAddress: STRING,
  IPPrefixLen: INT,
  IPv6Gateway: STRING,
  GlobalIPv6Address: STRING,
  GlobalIPv6PrefixLen: INT,
  DNSNames: strings,
});

const ADDRESS = struct("network.Address", { Addr: STRING, PrefixLen: INT });

const NETWORK_SETTINGS = struct("container.NetworkSettings", {
  "^NetworkSettingsBase": struct("container.NetworkSettingsBase", {
    Bridge: STRING,
    SandboxID: STRING,
    SandboxKey: STRING,
    Ports: PORT_MAP,
    HairpinMode: BOOL,
    LinkLocalIPv6Address: STRING,
    LinkLocalIPv6PrefixLen: INT,
    SecondaryIPAddresses: slice(ADDRESS),
    SecondaryIPv6Addresses: slice(ADDRESS),
  }),
  "^DefaultNetworkSettings": struct("container.DefaultNetworkSettings", {
    EndpointID: STRING,
    Gateway: STRING,
    GlobalIPv6Address: STRING,
    GlobalIPv6PrefixLen: INT,
    IPAddress: STRING,
    IPPrefixLen: INT,
    IPv6Gateway: STRING,
    MacAddress: STRING,
  }),
  Networks: map(ptr(ENDPOINT_SETTINGS)),
});

const DRIVER_DATA = struct("storage.DriverData", { Data: stringMap, Name: STRING });

const MOUNT_POINT = struct("container.MountPoint", {
  Type: STRING,
  Name: STRING,
  Source: STRING,
  Destination: STRING,
  Driver: STRING,
  Mode: STRING,
  RW: BOOL,
  Propagation: STRING,
});

export const CONTAINER_INSPECT: StructType = struct("container.InspectResponse", {
  "^ContainerJSONBase": ptr(
    struct("container.ContainerJSONBase", {
      "ID/Id": STRING,
      Created: STRING,
      Path: STRING,
      Args: strings,
      State: ptr(STATE),
      Image: STRING,
      ResolvConfPath: STRING,
      HostnamePath: STRING,
      HostsPath: STRING,
      LogPath: STRING,
      Name: STRING,
      RestartCount: INT,
      Driver: STRING,
      Platform: STRING,
      MountLabel: STRING,
      ProcessLabel: STRING,
      AppArmorProfile: STRING,
      ExecIDs: strings,
      HostConfig: ptr(HOST_CONFIG),
      GraphDriver: DRIVER_DATA,
      SizeRw: PTR_VALUE,
      SizeRootFs: PTR_VALUE,
    }),
  ),
  Mounts: slice(MOUNT_POINT),
  Config: ptr(CONFIG),
  NetworkSettings: ptr(NETWORK_SETTINGS),
  ImageManifestDescriptor: ANY,
});

const IMAGE_CONFIG = struct("v1.DockerOCIImageConfig", {
  "^ImageConfig": struct("v1.ImageConfig", {
    User: STRING,
    ExposedPorts: set,
    Env: strings,
    Entrypoint: strings,
    Cmd: strings,
    Volumes: set,
    WorkingDir: STRING,
    Labels: stringMap,
    StopSignal: STRING,
    ArgsEscaped: BOOL,
  }),
  "^DockerOCIImageConfigExt": struct("v1.DockerOCIImageConfigExt", { Healthcheck: ptr(HEALTH_CONFIG), OnBuild: strings, Shell: strings }),
});

export const IMAGE_INSPECT: StructType = struct("image.InspectResponse", {
  "ID/Id": STRING,
  RepoTags: strings,
  RepoDigests: strings,
  Parent: STRING,
  Comment: STRING,
  Created: STRING,
  Container: STRING,
  ContainerConfig: ptr(CONFIG),
  DockerVersion: STRING,
  Author: STRING,
  Config: ptr(IMAGE_CONFIG),
  Architecture: STRING,
  Variant: STRING,
  Os: STRING,
  OsVersion: STRING,
  Size: INT,
  VirtualSize: INT,
  GraphDriver: DRIVER_DATA,
  RootFS: struct("image.RootFS", { Type: STRING, Layers: strings }),
  Metadata: struct("image.Metadata", { LastTagTime: TIME }),
  Descriptor: ANY,
  Manifests: slice(ANY),
});

export const NETWORK_INSPECT: StructType = struct("network.Inspect", {
  Name: STRING,
  "ID/Id": STRING,
  Created: TIME,
  Scope: STRING,
  Driver: STRING,
  EnableIPv4: BOOL,
  EnableIPv6: BOOL,
  IPAM: struct("network.IPAM", {
    Driver: STRING,
    Options: stringMap,
    Config: slice(
      struct("network.IPAMConfig", { Subnet: STRING, IPRange: STRING, Gateway: STRING, "AuxAddress/AuxiliaryAddresses": stringMap }),
    ),
  }),
  Internal: BOOL,
  Attachable: BOOL,
  Ingress: BOOL,
  ConfigFrom: struct("network.ConfigReference", { Network: STRING }),
  ConfigOnly: BOOL,
  Containers: map(
    struct("network.EndpointResource", { Name: STRING, EndpointID: STRING, MacAddress: STRING, IPv4Address: STRING, IPv6Address: STRING }),
  ),
  Options: stringMap,
  Labels: stringMap,
  Peers: slice(struct("network.PeerInfo", { Name: STRING, IP: STRING })),
  Services: map(ANY),
});

export const VOLUME_INSPECT: StructType = struct("volume.Volume", {
  ClusterVolume: ANY,
  CreatedAt: STRING,
  Driver: STRING,
  Labels: stringMap,
  Mountpoint: STRING,
  Name: STRING,
  Options: stringMap,
  Scope: STRING,
  Status: map(ANY),
  UsageData: ptr(struct("volume.UsageData", { RefCount: INT, Size: INT })),
});

/** Decoded inspect JSON as the typed struct Docker's CLI decodes it into. */
export function withGoTypes(value: unknown, type: GoType): unknown {
  return typed(value, type);
}
