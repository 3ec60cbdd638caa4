// `POST /images/create?fromSrc=<url>`: the daemon fetches the tarball itself,
// as dockerd does. Only http(s); a bare host gets http:// like dockerd adds.
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { InvalidArgumentError, NotFoundError, SystemError } from "../../../errors.js";

export async function download(src: string): Promise<{ url: string; body: Readable }> {
  const url = src.includes("://") ? src : `http://${src}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`invalid URL: ${src}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InvalidArgumentError(`unsupported URL scheme for fromSrc: ${parsed.protocol}`);
  }
  let resp: Response;
  try {
    resp = await fetch(parsed);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new SystemError(`error downloading ${url}: ${cause}`, { cause: err });
  }
  if (resp.status >= 400) {
    const text = (await resp.text()).trim();
    const msg = `failed to GET ${url} with status ${resp.status} ${resp.statusText}: ${text}`;
    throw resp.status < 500 ? new NotFoundError(msg) : new SystemError(msg);
  }
  if (!resp.body) throw new SystemError(`failed to GET ${url}: empty body`);
  return { url, body: Readable.fromWeb(resp.body as ReadableStream<Uint8Array>) };
}
