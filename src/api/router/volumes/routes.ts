// The /volumes endpoints, as the API reference lists them.
import type { Route } from "../../router.js";
import type { VolumesBackend } from "./backend.js";
import { volumeHandlers } from "./handlers.js";

export function volumeRoutes(backend: VolumesBackend): Route[] {
  const h = volumeHandlers(backend);
  return [
    { method: "GET", path: "/volumes", handler: h.list },
    { method: "POST", path: "/volumes/create", handler: h.create },
    { method: "POST", path: "/volumes/prune", handler: h.prune },
    { method: "GET", path: "/volumes/{name}", handler: h.inspect },
    { method: "DELETE", path: "/volumes/{name}", handler: h.remove },
  ];
}
