// The route table, read top to bottom like the distribution spec's endpoint
// list. Repository names contain slashes, so each pattern anchors on the fixed
// suffix after the name; the name is validated once here for every route.
import type { RequestContext } from "./context.js";
import { RegistryError } from "./errors.js";
import { getBase, getCatalog } from "./handlers/base.js";
import { deleteBlob, getBlob } from "./handlers/blobs.js";
import { deleteManifestHandler, getManifest, putManifestHandler } from "./handlers/manifests.js";
import { getReferrers } from "./handlers/referrers.js";
import { getTags } from "./handlers/tags.js";
import { deleteUpload, getUpload, patchUpload, postUpload, putUpload } from "./handlers/uploads.js";
import { checkName } from "./names.js";

type Handler = (ctx: RequestContext, name: string, arg: string) => Promise<void>;

interface Route {
  pattern: RegExp;
  methods: Partial<Record<string, Handler>>;
}

const ROUTES: Route[] = [
  { pattern: /^\/v2\/?$/, methods: { GET: getBase, HEAD: getBase } },
  { pattern: /^\/v2\/_catalog$/, methods: { GET: getCatalog } },
  { pattern: /^\/v2\/(.+)\/tags\/list$/, methods: { GET: getTags } },
  { pattern: /^\/v2\/(.+)\/manifests\/([^/]+)$/, methods: { GET: getManifest, HEAD: getManifest, PUT: putManifestHandler, DELETE: deleteManifestHandler } },
  { pattern: /^\/v2\/(.+)\/blobs\/uploads\/?$/, methods: { POST: postUpload } },
  { pattern: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, methods: { GET: getUpload, PATCH: patchUpload, PUT: putUpload, DELETE: deleteUpload } },
  { pattern: /^\/v2\/(.+)\/blobs\/([^/]+)$/, methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob } },
  { pattern: /^\/v2\/(.+)\/referrers\/([^/]+)$/, methods: { GET: getReferrers } },
];

/** Runs the matching handler; a path nobody serves is a 404, a known path with another method a 405. */
export async function route(ctx: RequestContext): Promise<void> {
  const path = ctx.url.pathname;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const handler = r.methods[ctx.req.method ?? "GET"];
    if (!handler) throw new RegistryError("UNSUPPORTED", { method: ctx.req.method });
    const name = m[1] === undefined ? "" : checkName(decodeURIComponent(m[1]));
    return handler(ctx, name, m[2] === undefined ? "" : decodeURIComponent(m[2]));
  }
  throw new RegistryError("UNKNOWN", { path }, { status: 404, message: "page not found" });
}
