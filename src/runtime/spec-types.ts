// The OCI runtime-spec config.json (the subset berth writes), per
// opencontainers/runtime-spec config.md and config-linux.md.

export interface RuntimeProcess {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: {
    bounding?: string[];
    effective?: string[];
    inheritable?: string[];
    permitted?: string[];
    ambient?: string[];
  };
  rlimits?: { type: string; hard: number; soft: number }[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

export interface RuntimeMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface RuntimeSpec {
  ociVersion: string;
  process: RuntimeProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  domainname?: string;
  mounts?: RuntimeMount[];
  annotations?: Record<string, string>;
  linux?: Record<string, unknown> & {
    namespaces?: { type: string; path?: string }[];
    cgroupsPath?: string;
    resources?: Record<string, unknown>;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: Record<string, unknown>;
    devices?: Record<string, unknown>[];
    sysctl?: Record<string, string>;
  };
}
