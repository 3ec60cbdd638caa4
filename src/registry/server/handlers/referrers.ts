// GET /v2/<name>/referrers/<digest>: an OCI index of the manifests whose
// `subject` is the digest, optionally filtered by artifactType. A subject
// nobody refers to (or that does not exist) yields an empty index, per spec.
import { MediaType } from "../../../oci/types.js";
import { sendJson, type RequestContext } from "../context.js";
import { checkDigest } from "../names.js";
import { listReferrers } from "../storage/manifests.js";

export async function getReferrers(ctx: RequestContext, name: string, rawDigest: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["pull"] }]);
  const subject = checkDigest(rawDigest);
  const artifactType = ctx.url.searchParams.get("artifactType");
  let manifests = await listReferrers(ctx.root, name, subject);
  if (artifactType !== null) manifests = manifests.filter((m) => m.artifactType === artifactType);
  sendJson(
    ctx.res,
    200,
    { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests },
    { "Content-Type": MediaType.OciIndex, ...(artifactType !== null ? { "OCI-Filters-Applied": "artifactType" } : {}) },
  );
}
