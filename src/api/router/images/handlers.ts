// Image endpoints. Long operations (load, import) answer with Docker's JSON
// message stream; save answers with the tar itself.
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { errorKind, InvalidArgumentError, NotImplementedError } from "../../../errors.js";
import { parseFilters } from "../../../oci/filters.js";
import type { RequestContext } from "../../router.js";
import type { ImagesBackend } from "./backend.js";
import { boolParam } from "../../query.js";
import { writeJson } from "../../respond.js";
import { openJsonStream } from "../../json-stream.js";
import { download } from "./download.js";

/** "repo" + "tag" as the API splits them back into one reference; a digest "tag" is joined with "@". */
function joinReference(repo: string, tag: string | null): string {
  if (!tag) return repo;
  return tag.startsWith("sha256:") ? `${repo}@${tag}` : `${repo}:${tag}`;
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

  /** fromImage: pulling needs the registry client (not there yet); an image already present is "up to date". */
  async function pull(ctx: RequestContext, image: string): Promise<void> {
    const ref = joinReference(image, ctx.query.get("tag"));
    try {
      await backend.resolve(ref);
    } catch (err) {
      if (errorKind(err) !== "not-found") throw err;
      throw new NotImplementedError(`pull access for ${ref} is not implemented yet: berth has no registry client, and the image is not present locally`);
    }
    const out = openJsonStream(ctx.res);
    out.write({ status: `Status: Image is up to date for ${ref}` });
    out.end();
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
      writeJson(res, 200, await backend.inspect(params.name));
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

    async search(): Promise<void> {
      throw new NotImplementedError("image search is not implemented: berth has no registry client yet");
    },
  };
}
