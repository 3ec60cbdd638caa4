// Everything the API edge calls, one narrow backend per router. berthd's
// wiring (daemon/) builds this from its services; tests pass small fakes.
import type { SystemBackend } from "./router/system/backend.js";
import type { ContainersBackend } from "./router/containers/backend.js";
import type { ExecBackend } from "./router/exec/backend.js";
import type { ImagesBackend } from "./router/images/backend.js";

export type { SystemBackend, ContainersBackend, ExecBackend, ImagesBackend };

export interface Backends {
  system: SystemBackend;
  containers: ContainersBackend;
  exec: ExecBackend;
  images: ImagesBackend;
}
