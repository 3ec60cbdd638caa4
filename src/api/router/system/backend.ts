// What the system router needs from the daemon: its description, its version
// and its event bus. Narrow on purpose — the router never sees the daemon.
import type { EventMessage, SystemInfo, SystemVersion } from "../../types/index.js";
import type { ContainersBackend } from "../containers/backend.js";
import type { ImagesBackend } from "../images/backend.js";

export interface SystemBackend {
  info(): Promise<SystemInfo>;
  version(): SystemVersion;
  /** Past events from `since` (Unix seconds), then live ones, until the returned function is called. */
  subscribe(onEvent: (e: EventMessage) => void, since?: number): () => void;
}

/** GET /system/df is assembled from the image and container lists, as dockerd's disk-usage service does. */
export interface DiskUsageBackend {
  images: Pick<ImagesBackend, "list">;
  containers: Pick<ContainersBackend, "list">;
}
