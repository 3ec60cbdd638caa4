// What the volumes router needs: the API part of the volume service. The
// container-facing verbs (reference, mount…) stay out of the router's reach.
import type { VolumeService } from "../../../volume/volume-service.js";

export type VolumesBackend = Pick<VolumeService, "create" | "list" | "inspect" | "remove" | "prune">;
