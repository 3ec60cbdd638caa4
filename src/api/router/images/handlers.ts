// Image endpoints. Long operations (pull, push, load, import) answer with Docker's JSON
// message stream; save answers with the tar itself.
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import type { ServerResponse } from "node:http";
import { InvalidArgumentError, NotImplementedError } from "../../../errors.js";
import type { Credentials } from "../../../registry/registry.js";
import type { JSONMessage } from "../../types/index.js";
import { decodeRegistryAuth, parseAuthJson, toCredentials } from "../../registry-auth.js";
import { checkPlatform, pullTarget, pushTarget } from "./distribution-query.js";
import { parseFilters } from "../../../oci/filters.js";
import type { RequestContext } from "../../router.js";
import type { ImagesBackend } from "./backend.js";
import { boolParam } from "../../query.js";
import { writeJson } from "../../respond.js";
import { openJsonStream } from "../../json-stream.js";
import { download } from "./download.js";
import { withLegacyImageFields } from "../../versions.js";

/** "repo" + "tag" as the API splits them back into one reference; a digest "tag" is joined with "@". */
function joinReference(repo: string, tag: string | null): string {
  if (!tag) return repo;
  return tag.startsWith("sha256:") ? `${repo}@${tag}` : `${repo}:${tag}`;
}

/** Runs a long operation, writing its messages as Docker's JSON stream. */
async function streamMessages(res: ServerResponse, run: (onMessage: (m: JSONMessage) => void) => Promise<void>): Promise<void> {
  const out = openJsonStream(res);
  try {
    await run((m) => out.write(m));
  } catch (err) {
    out.fail(err);
  }
  out.end();
}

function headerCredentials(header: string | string[] | undefined): Credentials | undefined {
  try {
    return toCredentials(decodeRegistryAuth(typeof header === "string" ? header : undefined));
  } catch (err) {
    if (err instanceof InvalidArgumentError) return undefined;
    throw err;
  }
}

/** An AuthConfig is a few hundred bytes; this bounds what an old-style body may make the daemon hold. */
const MAX_AUTH_BODY = 64 * 1024;

async function bodyCredentials(body: Readable): Promise<Credentials | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_AUTH_BODY) throw new InvalidArgumentError(`bad parameters and missing X-Registry-Auth: request body is larger than ${MAX_AUTH_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return toCredentials(parseAuthJson(Buffer.concat(chunks).toString("utf8")));
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    throw new InvalidArgumentError(`bad parameters and missing X-Registry-Auth: ${err.message}`);
  }
}

export function imageHandlers(backend: ImagesBackend) {
  /** Sends a tar stream; a failure after the 200 can only cut the connection. */
  async function sendTar({ res, signal }: RequestContext, names: string[]): Promise<void> {
    const tar = await backend.save(names);
    res.writeHead(200, { "Content-Type": "application/x-tar" });
    try {
      await pipeline(tar, res);
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  /**
   * fromImage: a registry pull. As dockerd, X-Registry-Auth that cannot be
   * decoded is ignored (the pull goes on anonymously); the stream's status is
   * fixed by the first message, so a failure before it gets a real status.
   */
  async function pull(ctx: RequestContext, fromImage: string): Promise<void> {
    const { query, req, res, signal } = ctx;
    const platform = query.get("platform") || undefined;
    if (platform) checkPlatform(platform);
    const { reference, allTags } = pullTarget(fromImage, query.get("tag"));
    const credentials = headerCredentials(req.headers["x-registry-auth"]);
    ctx.body.resume();
    await streamMessages(res, (onMessage) => backend.pull(reference, { platform, allTags, credentials, signal }, onMessage));
  }

  /** fromSrc: "-" means the request body is the rootfs tarball; otherwise a URL the daemon fetches. */
  async function importImage({ body, res, query }: RequestContext, fromSrc: string): Promise<void> {
    const repo = query.get("repo");
    const out = openJsonStream(res);
    try {
      let source: Readable = body;
      if (fromSrc !== "-") {
        body.resume();
        const fetched = await download(fromSrc);
        out.write({ status: `Downloading from ${fetched.url}` });
        source = fetched.body;
      }
      const id = await backend.import(source, {
        reference: repo ? joinReference(repo, query.get("tag")) : undefined,
        changes: query.getAll("changes"),
        message: query.get("message") || undefined,
        source: fromSrc,
        platform: query.get("platform") || undefined,
      });
      out.write({ status: id });
    } catch (err) {
      out.fail(err);
    }
    out.end();
  }

  return {
    async list({ res, query }: RequestContext): Promise<void> {
      const filters = parseFilters(query.get("filters"));
      // The pre-1.41 `filter=<reference>` parameter, still sent by old clients.
      const legacy = query.get("filter");
      if (legacy) filters.set("reference", [...(filters.get("reference") ?? []), legacy]);
      writeJson(res, 200, await backend.list({ all: boolParam(query, "all"), filters, digests: boolParam(query, "digests") }));
    },

    async inspect({ res, params }: RequestContext): Promise<void> {
      writeJson(res, 200, withLegacyImageFields(await backend.inspect(params.name)));
    },

    async history({ res, params }: RequestContext): Promise<void> {
      writeJson(res, 200, await backend.history(params.name));
    },

    async tag({ res, params, query }: RequestContext): Promise<void> {
      const repo = query.get("repo");
      if (!repo) throw new InvalidArgumentError("invalid reference format: repository name must have at least one component");
      await backend.tag(params.name, joinReference(repo, query.get("tag")));
      res.writeHead(201).end();
    },

    async remove({ res, params, query }: RequestContext): Promise<void> {
      const deleted = await backend.remove(params.name, {
        force: boolParam(query, "force"),
        noPrune: boolParam(query, "noprune"),
        usedBy: (imageId) => backend.usedBy(imageId),
      });
      writeJson(res, 200, deleted);
    },

    async getOne(ctx: RequestContext): Promise<void> {
      await sendTar(ctx, [ctx.params.name]);
    },

    async getMany(ctx: RequestContext): Promise<void> {
      await sendTar(ctx, ctx.query.getAll("names"));
    },

    /** Progress lines are dropped with quiet; "Loaded image: …" lines always go out. */
    async load({ body, res, query }: RequestContext): Promise<void> {
      const quiet = boolParam(query, "quiet");
      const out = openJsonStream(res);
      try {
        await backend.load(body, (m) => {
          if (quiet && (m.progress !== undefined || m.progressDetail !== undefined)) return;
          out.write(m);
        });
      } catch (err) {
        out.fail(err);
      }
      out.end();
    },

    async create(ctx: RequestContext): Promise<void> {
      const fromImage = ctx.query.get("fromImage");
      const fromSrc = ctx.query.get("fromSrc");
      if (fromImage) return pull(ctx, fromImage);
      if (fromSrc) return importImage(ctx, fromSrc);
      throw new InvalidArgumentError("either fromImage or fromSrc is required");
    },

    /**
     * Credentials come in X-Registry-Auth (ignored when malformed, as dockerd
     * does); only very old clients send them as the body instead, and dockerd
     * refuses a push that has neither.
     */
    async push({ req, body, res, params, query, signal }: RequestContext): Promise<void> {
      const header = req.headers["x-registry-auth"];
      let credentials: Credentials | undefined;
      if (typeof header === "string" && header !== "") credentials = headerCredentials(header);
      else credentials = await bodyCredentials(body);
      const { reference, allTags } = pushTarget(params.name, query.get("tag"));
      await streamMessages(res, (onMessage) => backend.push(reference, { allTags, credentials, signal }, onMessage));
    },

    async search(): Promise<void> {
      throw new NotImplementedError("image search is not implemented: berth has no registry client yet");
    },
  };
}
