// /info and /version: real figures about this host and this daemon.
import os from "node:os";
import type { SystemInfo, SystemVersion, EventMessage } from "../api/types/index.js";
import type { Events } from "./events.js";
import { cgroupHost } from "../runtime/cgroup-host.js";
import { backingFilesystem, openFileDescriptors, osRelease, runcCommit } from "./system-host.js";
import { version as berthVersion } from "./version.js";

export interface SystemDeps {
  id: string;
  dataRoot: string;
  driver: string;
  events: Events;
  /** The runc binary, asked once for its commit. */
  runtimePath: string;
  /** Registries (host[:port]) and CIDRs berth talks to without TLS verification. */
  insecureRegistries: string[];
  counts(): Promise<{ containers: number; running: number; paused: number; stopped: number; images: number }>;
}

export const API_VERSION = "1.45";
export const MIN_API_VERSION = "1.24";

export function goArch(arch: string = process.arch): string {
  return ({ x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" } as Record<string, string>)[arch] ?? arch;
}

export function createSystemBackend(deps: SystemDeps) {
  let runcVersion: Promise<string> | undefined;
  let listeners = 0;
  return {
    async info(): Promise<SystemInfo> {
      const c = await deps.counts();
      const release = osRelease();
      const host = cgroupHost();
      return {
        ID: deps.id,
        Containers: c.containers,
        ContainersRunning: c.running,
        ContainersPaused: c.paused,
        ContainersStopped: c.stopped,
        Images: c.images,
        Driver: deps.driver,
        DriverStatus: driverStatus(deps.driver, deps.dataRoot),
        DockerRootDir: deps.dataRoot,
        Plugins: { Volume: ["local"], Network: ["bridge", "host", "null"], Log: ["json-file", "local"] },
        MemoryLimit: true,
        SwapLimit: host.swapLimit,
        CpuCfsPeriod: true,
        CpuCfsQuota: true,
        CPUShares: true,
        CPUSet: true,
        PidsLimit: true,
        OomKillDisable: host.version === 1,
        IPv4Forwarding: true,
        Debug: false,
        NFd: openFileDescriptors(),
        // Node has no goroutines; its pending handles are the nearest count of concurrent work.
        NGoroutines: process.getActiveResourcesInfo().length,
        SystemTime: new Date().toISOString(),
        LoggingDriver: "json-file",
        CgroupDriver: "cgroupfs",
        CgroupVersion: String(host.version) as "1" | "2",
        NEventsListener: listeners,
        KernelVersion: os.release(),
        OperatingSystem: release.prettyName,
        OSVersion: release.versionId,
        OSType: "linux",
        Architecture: os.machine(),
        NCPU: host.numCpus,
        MemTotal: os.totalmem(),
        IndexServerAddress: "https://index.docker.io/v1/",
        RegistryConfig: registryConfig(deps.insecureRegistries),
        GenericResources: undefined,
        HttpProxy: process.env.HTTP_PROXY ?? "",
        HttpsProxy: process.env.HTTPS_PROXY ?? "",
        NoProxy: process.env.NO_PROXY ?? "",
        Name: os.hostname(),
        Labels: [],
        ExperimentalBuild: false,
        ServerVersion: berthVersion,
        Runtimes: { runc: { path: "runc" } },
        DefaultRuntime: "runc",
        Swarm: { NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "" },
        LiveRestoreEnabled: true,
        Isolation: "",
        InitBinary: "tini",
        ContainerdCommit: { ID: "" },
        RuncCommit: { ID: await (runcVersion ??= runcCommit(deps.runtimePath)) },
        InitCommit: { ID: "" },
        SecurityOptions: ["name=seccomp,profile=builtin", ...(host.version === 2 ? ["name=cgroupns"] : [])],
        Warnings: host.swapLimit ? [] : ["WARNING: No swap limit support"],
      };
    },
    version(): SystemVersion {
      return {
        Platform: { Name: "berth" },
        Components: [
          {
            Name: "Engine",
            Version: berthVersion,
            Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: "linux", Arch: goArch(), KernelVersion: os.release() },
          },
        ],
        Version: berthVersion,
        ApiVersion: API_VERSION,
        MinAPIVersion: MIN_API_VERSION,
        GitCommit: "berth",
        GoVersion: `node${process.versions.node}`,
        Os: "linux",
        Arch: goArch(),
        KernelVersion: os.release(),
        BuildTime: "",
      };
    },
    subscribe(onEvent: (e: EventMessage) => void, since?: number): () => void {
      const unsubscribe = deps.events.subscribe(onEvent, since);
      listeners++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        listeners--;
        unsubscribe();
      };
    },
  };
}

/** What dockerd's storage driver reports: overlay2 describes its backing filesystem; vfs nothing. */
function driverStatus(driver: string, dataRoot: string): [string, string][] {
  if (driver !== "overlay2") return [];
  return [
    ["Backing Filesystem", backingFilesystem(dataRoot)],
    ["Supports d_type", "true"],
    ["Native Overlay Diff", "true"],
    ["userxattr", "false"],
  ];
}

/** Docker Hub, plus each insecure registry by name; CIDRs (and loopback, always) apart. */
function registryConfig(insecure: string[]): NonNullable<SystemInfo["RegistryConfig"]> {
  const cidrs = ["127.0.0.0/8", ...insecure.filter((r) => r.includes("/"))];
  const indexConfigs: Record<string, { Name: string; Mirrors: string[]; Secure: boolean; Official: boolean }> = {
    "docker.io": { Name: "docker.io", Mirrors: [], Secure: true, Official: true },
  };
  for (const name of insecure.filter((r) => !r.includes("/"))) indexConfigs[name] = { Name: name, Mirrors: [], Secure: false, Official: false };
  return { IndexConfigs: indexConfigs, InsecureRegistryCIDRs: [...new Set(cidrs)], Mirrors: [] };
}
