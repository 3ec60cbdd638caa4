// GET /v2/<name>/tags/list with n/last pagination.
import { paginate, sendJson, type RequestContext } from "../context.js";
import { RegistryError } from "../errors.js";
import { listTags } from "../storage/manifests.js";
import { repositoryExists } from "../storage/repositories.js";

export async function getTags(ctx: RequestContext, name: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["pull"] }]);
  if (!(await repositoryExists(ctx.root, name))) throw new RegistryError("NAME_UNKNOWN", { name });
  const { page, link } = paginate(await listTags(ctx.root, name), ctx.url, `/v2/${name}/tags/list`);
  sendJson(ctx.res, 200, { name, tags: page }, link ? { Link: link } : {});
}
