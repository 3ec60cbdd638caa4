// Creating a container as `run` and `create` do: on "No such image", say so,
// pull it (unless --pull=never) and try again; print the daemon's warnings.
import { NotFoundError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { showJSONMessages } from "../json-messages.js";
import type { CreateRequest } from "./container-flags.js";
import { loadCredentials } from "../credentials.js";
import { parseNormalizedNamed } from "../../oci/reference.js";

export async function createContainer(
  ctx: CliContext,
  req: CreateRequest,
  pull: "always" | "missing" | "never" = "missing",
): Promise<string> {
  const client = ctx.client();
  const image = req.body.Image ?? "";
  if (pull === "always") await pullImage(ctx, image);
  let created;
  try {
    created = await client.containers.create(req.body, { name: req.name });
  } catch (err) {
    if (!(err instanceof NotFoundError) || pull !== "missing" || !/No such image/i.test(err.message)) throw err;
    ctx.err(`Unable to find image '${withTag(image)}' locally\n`);
    await pullImage(ctx, image);
    created = await client.containers.create(req.body, { name: req.name });
  }
  for (const warning of created.Warnings ?? []) ctx.err(`WARNING: ${warning}\n`);
  return created.Id;
}

async function pullImage(ctx: CliContext, image: string): Promise<void> {
  const [name, tag] = splitRef(image);
  // The credentials `berth login` stored for the image's registry, as docker run sends them.
  const auth = await loadCredentials(parseNormalizedNamed(image).domain);
  await showJSONMessages(await ctx.client().images.pull(name, { ...(tag !== undefined ? { tag } : {}), ...(auth ? { auth } : {}) }), process.stderr);
}

/** "busybox" → "busybox:latest"; a digest or tag stays as given. */
function withTag(image: string): string {
  const [name, tag] = splitRef(image);
  return image.includes("@") ? image : `${name}:${tag}`;
}

function splitRef(image: string): [string, string | undefined] {
  if (image.includes("@")) return [image, undefined];
  const colon = image.lastIndexOf(":");
  if (colon > image.lastIndexOf("/")) return [image.slice(0, colon), image.slice(colon + 1)];
  return [image, "latest"];
}
