// `remote=`: the daemon fetches the build context itself, as dockerd's
// remotecontext.Detect does. An http(s) URL may serve a tarball or a bare
// Dockerfile (the build service tells them apart); git repositories would
// need a git client in the daemon, which berth does not have.
import { Readable, Transform } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { ForbiddenError, InvalidArgumentError, NotFoundError, NotImplementedError, SystemError, UnauthorizedError } from "../../../errors.js";
import type { JSONMessage } from "../../types/index.js";

/** dockerd's urlutil.IsGitURL: git://, git@, github.com/, or an http(s) URL whose path ends in .git (optionally #ref). */
function isGitUrl(url: string): boolean {
  if (/^https?:\/\//.test(url) && /\.git(?:#.+)?$/.test(url)) return true;
  return ["git://", "github.com/", "git@"].some((prefix) => url.startsWith(prefix));
}

/** dockerd reports the download every 512 KiB, so a slow fetch still shows it moving. */
const REPORT_EVERY = 512 * 1024;

function counting(url: string, total: number | undefined, onMessage: (m: JSONMessage) => void): Transform {
  let current = 0;
  let reported = 0;
  const report = (): void => {
    reported = current;
    onMessage({ status: "Downloading context", id: url, progressDetail: total ? { current, total } : { current } });
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      current += chunk.length;
      if (current - reported >= REPORT_EVERY) report();
      done(null, chunk);
    },
    flush(done) {
      if (current !== reported || current === 0) report();
      done();
    },
  });
}

function statusError(status: number, message: string): Error {
  if (status === 404) return new NotFoundError(message);
  if (status === 400) return new InvalidArgumentError(message);
  if (status === 401) return new UnauthorizedError(message);
  if (status === 403) return new ForbiddenError(message);
  return new SystemError(message);
}

/** Opens the remote context; progress of the download goes to onMessage as dockerd's "Downloading context" lines. */
export async function openRemoteContext(url: string, io: { onMessage: (m: JSONMessage) => void; signal: AbortSignal }): Promise<Readable> {
  if (isGitUrl(url)) throw new NotImplementedError(`git build contexts are not supported: berth cannot clone ${url}; send the context as a tar archive instead`);
  if (!/^https?:\/\//.test(url)) throw new InvalidArgumentError(`remoteURL (${url}) could not be recognized as URL`);
  const failed = (detail: string): string => `error downloading remote context ${url}: ${detail}`;
  let resp: Response;
  try {
    resp = await fetch(url, { signal: io.signal });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new SystemError(failed(`Get "${url}": ${cause}`), { cause: err });
  }
  if (resp.status >= 400) {
    const text = (await resp.text()).trim();
    throw statusError(resp.status, failed(`failed to GET ${url} with status ${resp.status} ${resp.statusText}: ${text}`));
  }
  if (!resp.body) throw new SystemError(failed("empty body"));
  const length = Number(resp.headers.get("content-length") ?? "");
  const body = Readable.fromWeb(resp.body as ReadableStream<Uint8Array>);
  const progress = counting(url, Number.isSafeInteger(length) && length > 0 ? length : undefined, io.onMessage);
  body.once("error", (err) => progress.destroy(err));
  return body.pipe(progress);
}
