// GET /v2/ (the version check clients probe first) and GET /v2/_catalog.
import { paginate, sendJson, type RequestContext } from "../context.js";
import { listRepositories } from "../storage/repositories.js";

export async function getBase(ctx: RequestContext): Promise<void> {
  // No needs: anonymous is turned away whenever auth is on, which is how clients learn the challenge.
  await ctx.authorize([]);
  sendJson(ctx.res, 200, {});
}

export async function getCatalog(ctx: RequestContext): Promise<void> {
  await ctx.authorize([{ type: "registry", name: "catalog", actions: ["*"] }]);
  const { page, link } = paginate(await listRepositories(ctx.root), ctx.url, "/v2/_catalog");
  sendJson(ctx.res, 200, { repositories: page }, link ? { Link: link } : {});
}
