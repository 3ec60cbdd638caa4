// /info and /version: real figures about this host and this daemon.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import type { SystemInfo, SystemVersion, EventMessage } from "../api/types/index.js";
import type { Events } from "./events.js";
import { version as berthVersion } from "./version.js";

export interface SystemDeps {
  id: string;
  dataRoot: string;
  driver: string;
  events: Events;
  counts(): Promise<{ containers: number; running: number; paused: number; stopped: number; images: number }>;
}

export const API_VERSION = "1.45";
export const MIN_API_VERSION = "1.24";

export function goArch(arch: string = process.arch): string {
  return ({ x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" } as Record<string, string>)[arch] ?? arch;
}

function osPrettyName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    return m?.[1] ?? "Linux";
  } catch {
    return "Linux";
  }
}

export function cgroupVersion(): "1" | "2" {
  return existsSync("/sys/fs/cgroup/cgroup.controllers") ? "2" : "1";
}

export function createSystemBackend(deps: SystemDeps) {
  return {
    async info(): Promise<SystemInfo> {
      const c = await deps.counts();
      return {
        ID: deps.id,
        Containers: c.containers,
        ContainersRunning: c.running,
        ContainersPaused: c.paused,
        ContainersStopped: c.stopped,
        Images: c.images,
        Driver: deps.driver,
        DriverStatus: [["Backing Filesystem", "extfs"]],
        DockerRootDir: deps.dataRoot,
        Plugins: { Volume: ["local"], Network: ["host", "null"], Log: ["json-file", "local"] },
        MemoryLimit: true,
        SwapLimit: true,
        CpuCfsPeriod: true,
        CpuCfsQuota: true,
        CPUShares: true,
        CPUSet: true,
        PidsLimit: true,
        OomKillDisable: cgroupVersion() === "1",
        IPv4Forwarding: true,
        Debug: false,
        NFd: 0,
        NGoroutines: 0,
        SystemTime: new Date().toISOString(),
        LoggingDriver: "json-file",
        CgroupDriver: "cgroupfs",
        CgroupVersion: cgroupVersion(),
        NEventsListener: 0,
        KernelVersion: os.release(),
        OperatingSystem: osPrettyName(),
        OSVersion: "",
        OSType: "linux",
        Architecture: os.machine(),
        NCPU: os.cpus().length,
        MemTotal: os.totalmem(),
        IndexServerAddress: "https://index.docker.io/v1/",
        RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ["127.0.0.0/8"], Mirrors: [] },
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
        LiveRestoreEnabled: true,
        Isolation: "",
        InitBinary: "tini",
        SecurityOptions: ["name=seccomp,profile=builtin"],
        Warnings: [],
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
      return deps.events.subscribe(onEvent, since);
    },
  };
}
