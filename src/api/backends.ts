// Everything the API edge calls, one narrow backend per router. berthd's
// wiring (daemon/) builds this from its services; tests pass small fakes.
import type { SystemBackend } from "./router/system/backend.js";
import type { ContainersBackend } from "./router/containers/backend.js";
import type { ExecBackend } from "./router/exec/backend.js";
import type { ImagesBackend } from "./router/images/backend.js";
import type { DiskUsageBackend } from "./router/system/backend.js";
import type { BuildBackend } from "./router/build/backend.js";
import type { NetworksBackend } from "./router/networks/backend.js";
import type { VolumesBackend } from "./router/volumes/backend.js";

export type { SystemBackend, ContainersBackend, ExecBackend, ImagesBackend, DiskUsageBackend, BuildBackend, NetworksBackend, VolumesBackend };

export interface Backends {
  system: SystemBackend;
  containers: ContainersBackend;
  exec: ExecBackend;
  images: ImagesBackend;
  /** GET /system/df, assembled by the daemon from every service that owns data (daemon/system-df.ts). */
  diskUsage: DiskUsageBackend;
  build: BuildBackend;
  networks: NetworksBackend;
  volumes: VolumesBackend;
}
