// One HTTP exchange with Node's http/https, streaming both ways: the response
// comes back as soon as its head arrives (a blob body is the caller's to
// consume), a Readable request body is piped, not buffered. Transport failures
// become SystemErrors worded like Go's url.Error (`Get "https://…": …`), which
// is what dockerd prints.
import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import { Readable, Transform } from "node:stream";
import { InvalidArgumentError, SystemError } from "../errors.js";

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | Readable;
  agent: http.Agent;
  signal?: AbortSignal;
  /** Counts the bytes of a Readable body as they are sent (cumulative). */
  onProgress?: (bytes: number) => void;
}

/** Go's url.Error operation: "Get", "Head", "Patch"… */
export function urlOp(method: string, url: URL | string): string {
  return `${method[0]!.toUpperCase()}${method.slice(1).toLowerCase()} "${url.toString()}"`;
}

export function send(req: HttpRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (req.url.protocol === "https:" ? https : http).request(req.url, {
      method: req.method,
      headers: req.headers,
      agent: req.agent,
      signal: req.signal,
    });
    request.once("response", resolve);
    request.once("error", (err) => reject(transportError(req, err)));
    const body = req.body;
    if (body === undefined) request.end();
    else if (Buffer.isBuffer(body)) request.end(body);
    else {
      let sent = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          sent += chunk.length;
          req.onProgress?.(sent);
          done(null, chunk);
        },
      });
      // A failing source must fail the request, not leave it waiting for more body.
      body.once("error", (err) => request.destroy(err));
      // A request that dies mid-body must release the source (an open file, a pipe).
      request.once("close", () => {
        if (!body.readableEnded) body.destroy();
      });
      body.pipe(counter).pipe(request);
    }
  });
}

function transportError(req: HttpRequest, err: Error): Error {
  if (req.signal?.aborted) return err; // the caller's cancellation, passed on as is
  return new SystemError(`${urlOp(req.method, req.url)}: ${err.message}`, { cause: err });
}

/** Reads a whole (small) body: manifests, tag lists, tokens, error documents. */
export async function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(res.headers["content-length"]);
  if (declared > limit) {
    res.destroy();
    throw new InvalidArgumentError(`response body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.destroy();
      throw new InvalidArgumentError(`response body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A single-valued response header (the first, when a server repeats it). */
export function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Discards a body so the keep-alive connection can be reused. */
export function drain(res: IncomingMessage): void {
  // A connection that drops under a body nobody reads is no failure of the
  // exchange; unheard, the stream's "error" would be an uncaught exception.
  res.on("error", () => {});
  res.resume();
}

/** Drops the first `count` bytes of a stream (a registry that ignored Range). */
export function skipBytes(source: Readable, count: number): Readable {
  let left = count;
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (left >= chunk.length) {
        left -= chunk.length;
        done();
        return;
      }
      const rest = left > 0 ? chunk.subarray(left) : chunk;
      left = 0;
      done(null, rest);
    },
  });
  source.once("error", (err) => out.destroy(err));
  out.once("close", () => {
    if (!source.destroyed && !source.readableEnded) source.destroy();
  });
  return source.pipe(out);
}
