// Image names may contain slashes ("localhost:5000/foo/bar"), so {name*}
// matches greedily; literal paths come first so they are never taken for names.
import type { Route } from "../../router.js";
import type { ImagesBackend } from "./backend.js";
import { imageHandlers } from "./handlers.js";
import { imagePruneHandler } from "./prune-handler.js";

export function imageRoutes(backend: ImagesBackend): Route[] {
  const h = imageHandlers(backend);
  return [
    { method: "GET", path: "/images/json", handler: h.list },
    { method: "GET", path: "/images/search", handler: h.search },
    { method: "GET", path: "/images/get", handler: h.getMany },
    { method: "POST", path: "/images/load", handler: h.load },
    { method: "POST", path: "/images/prune", handler: imagePruneHandler(backend) },
    { method: "POST", path: "/images/create", handler: h.create },
    { method: "GET", path: "/images/{name*}/json", handler: h.inspect },
    { method: "GET", path: "/images/{name*}/history", handler: h.history },
    { method: "GET", path: "/images/{name*}/get", handler: h.getOne },
    { method: "POST", path: "/images/{name*}/tag", handler: h.tag },
    { method: "POST", path: "/images/{name*}/push", handler: h.push },
    { method: "DELETE", path: "/images/{name*}", handler: h.remove },
  ];
}
