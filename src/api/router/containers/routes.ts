import type { Route } from "../../router.js";
import type { ContainersBackend } from "./backend.js";
import { containerHandlers } from "./handlers.js";
import { resourceHandlers } from "./resources-handlers.js";
import { containerFsHandlers } from "./fs-handlers.js";

export function containerRoutes(backend: ContainersBackend): Route[] {
  const h = containerHandlers(backend);
  const r = resourceHandlers(backend);
  const fs = containerFsHandlers(backend);
  return [
    { method: "GET", path: "/containers/json", handler: h.list },
    { method: "POST", path: "/containers/create", handler: h.create },
    { method: "POST", path: "/containers/prune", handler: r.prune },
    { method: "GET", path: "/containers/{id}/json", handler: h.inspect },
    { method: "GET", path: "/containers/{id}/top", handler: h.top },
    { method: "GET", path: "/containers/{id}/stats", handler: r.stats },
    { method: "POST", path: "/containers/{id}/update", handler: r.update },
    { method: "GET", path: "/containers/{id}/logs", handler: h.logs },
    { method: "POST", path: "/containers/{id}/start", handler: h.start },
    { method: "POST", path: "/containers/{id}/stop", handler: h.stop },
    { method: "POST", path: "/containers/{id}/restart", handler: h.restart },
    { method: "POST", path: "/containers/{id}/kill", handler: h.kill },
    { method: "POST", path: "/containers/{id}/wait", handler: h.wait },
    { method: "POST", path: "/containers/{id}/resize", handler: h.resize },
    { method: "POST", path: "/containers/{id}/attach", handler: h.attach },
    { method: "POST", path: "/containers/{id}/rename", handler: h.rename },
    { method: "POST", path: "/containers/{id}/pause", handler: h.pause },
    { method: "POST", path: "/containers/{id}/unpause", handler: h.unpause },
    { method: "DELETE", path: "/containers/{id}", handler: h.remove },
    { method: "HEAD", path: "/containers/{id}/archive", handler: fs.statArchive },
    { method: "GET", path: "/containers/{id}/archive", handler: fs.getArchive },
    { method: "PUT", path: "/containers/{id}/archive", handler: fs.putArchive },
    { method: "GET", path: "/containers/{id}/changes", handler: fs.changes },
    { method: "GET", path: "/containers/{id}/export", handler: fs.export },
    { method: "POST", path: "/commit", handler: fs.commit },
  ];
}
