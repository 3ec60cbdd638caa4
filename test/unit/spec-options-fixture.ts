// A plain container's SpecOptions for runtime tests; each test overrides what it is about.
import type { SpecOptions } from "../../src/runtime/spec-options.js";

export function specOptions(extra: Partial<SpecOptions> = {}): SpecOptions {
  return {
    rootfs: "/var/lib/berth/rootfs/x",
    readonlyRootfs: false,
    args: ["sh"],
    env: ["PATH=/bin"],
    cwd: "/",
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: "box",
    tty: false,
    network: { mode: "none" },
    capAdd: [],
    capDrop: [],
    privileged: false,
    noNewPrivileges: false,
    resources: {},
    mounts: [],
    cgroupsPath: "/berth/x",
    ...extra,
  };
}
