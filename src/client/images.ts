// /images endpoints. Pull, push, load and import answer with a JSON-message
// stream whose last message may carry the error; those methods yield the messages.
import type { Readable } from "node:stream";
import type { ImageDeleteItem, ImageHistoryItem, ImageInspect, ImageSummary, JSONMessage } from "../api/types/index.js";
import { InvalidArgumentError } from "../errors.js";
import { familiarName, parseAnyReference, parseNormalizedNamed } from "../oci/reference.js";
import type { RegistryAuthConfig } from "../api/registry-auth.js";
import { parseJSONLines } from "./json-stream.js";
import { encodeFilters, seg, type Filters } from "./query.js";
import { readAll, type Transport } from "./transport.js";

export interface ImageListOptions {
  all?: boolean;
  digests?: boolean;
  sharedSize?: boolean;
  filters?: Filters;
}

export interface ImportOptions {
  /** A tar archive to send, or a URL for the daemon to fetch. */
  source: Readable | { url: string };
  repo?: string;
  tag?: string;
  message?: string;
  /** Dockerfile instructions applied to the config: "CMD ["sh"]", "ENV A=1". */
  changes?: string[];
  platform?: string;
}

export interface PullOptions {
  /** A tag or a digest ("sha256:…"); neither with allTags. */
  tag?: string;
  platform?: string;
  /** Every tag of the repository (`pull -a`): no tag is sent. */
  allTags?: boolean;
  /** Credentials for the image's registry; an empty one is sent without, as docker does. */
  auth?: RegistryAuthConfig;
}

export interface PushOptions {
  tag?: string;
  /** Every local tag of the repository (`push -a`). */
  allTags?: boolean;
  auth?: RegistryAuthConfig;
}

export interface ImagesApi {
  list(opts?: ImageListOptions): Promise<ImageSummary[]>;
  inspect(name: string): Promise<ImageInspect>;
  history(name: string): Promise<ImageHistoryItem[]>;
  /**
   * Names the image `source` also `target` ("repo[:tag]", ":latest" by default).
   * Both are checked here first, as Docker's client does, so a bad name is the
   * client's error ("Error parsing reference: …"), not the daemon's.
   */
  tag(source: string, target: string): Promise<void>;
  remove(name: string, opts?: { force?: boolean; noPrune?: boolean }): Promise<ImageDeleteItem[]>;
  /** A tar archive (docker save format) of the named images. */
  save(names: string[]): Promise<Readable>;
  load(archive: Readable, opts?: { quiet?: boolean }): Promise<AsyncIterable<JSONMessage>>;
  import(opts: ImportOptions): Promise<AsyncIterable<JSONMessage>>;
  /** POST /images/create?fromImage=: `image` is the repository ("busybox", "localhost:5000/app"), the tag goes in opts. */
  pull(image: string, opts?: PullOptions): Promise<AsyncIterable<JSONMessage>>;
  /** POST /images/{name}/push. */
  push(name: string, opts?: PushOptions): Promise<AsyncIterable<JSONMessage>>;
}

export function imagesApi(t: Transport): ImagesApi {
  const json = async <T>(path: string, query?: Record<string, string | boolean | undefined>): Promise<T> =>
    JSON.parse(await readAll(await t.request(path, { query }))) as T;
  return {
    list: (opts = {}) =>
      json("/images/json", {
        all: opts.all,
        digests: opts.digests,
        "shared-size": opts.sharedSize,
        filters: encodeFilters(opts.filters),
      }),
    inspect: (name) => json(`/images/${seg(name)}/json`),
    history: (name) => json(`/images/${seg(name)}/history`),
    tag: async (source, target) => {
      const { repo, tag } = tagTarget(source, target);
      await readAll(await t.request(`/images/${seg(source)}/tag`, { method: "POST", query: { repo, tag } }));
    },
    remove: async (name, opts = {}) =>
      JSON.parse(
        await readAll(await t.request(`/images/${seg(name)}`, { method: "DELETE", query: { force: opts.force, noprune: opts.noPrune } })),
      ) as ImageDeleteItem[],
    save: (names) => t.request("/images/get", { query: { names } }),
    load: async (archive, opts = {}) =>
      parseJSONLines<JSONMessage>(
        await t.request("/images/load", {
          method: "POST",
          body: archive,
          query: { quiet: opts.quiet },
          headers: { "Content-Type": "application/x-tar" },
        }),
      ),
    import: async (opts) => {
      const fromUrl = "url" in opts.source;
      const query = {
        fromSrc: "url" in opts.source ? opts.source.url : "-",
        repo: opts.repo,
        tag: opts.tag,
        message: opts.message,
        changes: opts.changes,
        platform: opts.platform,
      };
      const res = await t.request("/images/create", {
        method: "POST",
        query,
        body: fromUrl ? undefined : opts.source,
        headers: fromUrl ? {} : { "Content-Type": "application/x-tar" },
      });
      return parseJSONLines<JSONMessage>(res);
    },
    pull: async (image, opts = {}) =>
      parseJSONLines<JSONMessage>(
        await t.request("/images/create", {
          method: "POST",
          query: { fromImage: image, tag: opts.allTags ? undefined : opts.tag, platform: opts.platform },
          headers: authHeader(opts.auth),
        }),
      ),
    push: async (name, opts = {}) =>
      parseJSONLines<JSONMessage>(
        await t.request(`/images/${seg(name)}/push`, {
          method: "POST",
          query: { tag: opts.allTags ? undefined : opts.tag },
          headers: authHeader(opts.auth),
        }),
      ),
  };
}

/** X-Registry-Auth: base64url (RFC 4648 §5) of the JSON, padded, as docker's client sends it. */
export function encodeRegistryAuth(config: RegistryAuthConfig): string {
  return Buffer.from(JSON.stringify(config)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** Always sent, "{}" when there are no credentials: dockerd refuses a push without it. */
function authHeader(auth: RegistryAuthConfig | undefined): Record<string, string> {
  return { "X-Registry-Auth": encodeRegistryAuth(auth ?? {}) };
}

/** Docker's client-side checks of `docker tag SOURCE TARGET`; returns the repo and tag to send. */
function tagTarget(source: string, target: string): { repo: string; tag: string } {
  parseNamed(source, parseAnyReference);
  const ref = parseNamed(target, parseNormalizedNamed);
  if (ref.digest !== undefined) throw new InvalidArgumentError("refusing to create a tag with a digest reference");
  return { repo: familiarName(ref), tag: ref.tag ?? "latest" };
}

function parseNamed<T>(name: string, parse: (s: string) => T): T {
  try {
    return parse(name);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    throw new InvalidArgumentError(`Error parsing reference: ${JSON.stringify(name)} is not a valid repository/tag: ${err.message}`);
  }
}
