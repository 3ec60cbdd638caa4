// One HTTP conversation with the daemon: plain requests (JSON in, JSON or a
// stream out) over a keep-alive agent, and hijacked connections for attach and
// exec, where the HTTP request turns into a raw bidirectional byte stream.
import http from "node:http";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { UnavailableError, isErrno } from "../errors.js";
import { errorForStatus } from "./http-error.js";
import { parseHost, type Endpoint } from "./host.js";

export const API_VERSION = "1.45";

export type QueryValue = string | number | boolean | string[] | undefined;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  query?: Record<string, QueryValue>;
  /** A value is sent as JSON; a stream is sent as is (tar archives). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A hijacked connection: raw bytes both ways after the HTTP exchange. */
export interface Hijacked {
  /** The connection; write stdin here. end() half-closes, reading goes on. */
  socket: Socket;
  /** What the daemon sends back, stdcopy frames or raw TTY bytes. */
  output: Readable;
  /** The daemon's Content-Type, telling multiplexed from raw output (API ≥ 1.42). */
  contentType: string | undefined;
}

export interface Transport {
  readonly host: string;
  /** Sends a request; resolves on a 2xx with the response body still unread. */
  request(path: string, opts?: RequestOptions): Promise<http.IncomingMessage>;
  hijack(path: string, opts?: RequestOptions): Promise<Hijacked>;
  close(): void;
}

export function createTransport(host: string): Transport {
  const endpoint = parseHost(host);
  const agent = new http.Agent({ keepAlive: true });
  const unreachable = (err: unknown): Error =>
    isErrno(err, "ECONNREFUSED") || isErrno(err, "ENOENT") || isErrno(err, "ECONNRESET")
      ? new UnavailableError(`Cannot connect to the berth daemon at ${host}. Is the daemon running?`, { cause: err })
      : (err as Error);

  const start = (path: string, opts: RequestOptions, extra: http.RequestOptions): http.ClientRequest => {
    const isStream = isReadable(opts.body);
    const payload = opts.body === undefined || isStream ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { ...opts.headers };
    if (payload) {
      headers["Content-Type"] ??= "application/json";
      headers["Content-Length"] = String(payload.length);
    }
    const req = http.request({
      ...endpointOptions(endpoint),
      method: opts.method ?? "GET",
      path: `/v${API_VERSION}${path}${encodeQuery(opts.query)}`,
      headers,
      ...extra,
    });
    if (isStream) {
      const body = opts.body as Readable;
      // A failing source (unreadable file) must fail the request, not leave it hanging.
      body.once("error", (err) => req.destroy(err));
      body.pipe(req);
    }
    else req.end(payload);
    return req;
  };

  return {
    host,
    request(path, opts = {}) {
      return new Promise((resolve, reject) => {
        const req = start(path, opts, { agent });
        req.on("error", (err) => reject(unreachable(err)));
        req.on("response", (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(res);
          readAll(res).then((body) => reject(errorForStatus(status, body)), reject);
        });
      });
    },
    hijack(path, opts = {}) {
      return new Promise((resolve, reject) => {
        const headers = { ...opts.headers, Connection: "Upgrade", Upgrade: "tcp" };
        // A connection of its own: once hijacked it never returns to the pool.
        const req = start(path, { ...opts, method: opts.method ?? "POST", headers }, { agent: false });
        req.on("error", (err) => reject(unreachable(err)));
        req.on("upgrade", (res, socket, head) => {
          if (head.length > 0) socket.unshift(head);
          resolve({ socket, output: socket, contentType: res.headers["content-type"] });
        });
        // Older daemons answer 200 and then stream on the same connection.
        req.on("response", (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            return resolve({ socket: res.socket as Socket, output: res, contentType: res.headers["content-type"] });
          }
          readAll(res).then((body) => reject(errorForStatus(status, body)), reject);
        });
      });
    },
    close() {
      agent.destroy();
    },
  };
}

// servername is passed through to the agent, which reads it (net.connect options).
function endpointOptions(endpoint: Endpoint): http.RequestOptions & { servername?: string } {
  return "socketPath" in endpoint
    ? // An empty servername spares the agent working one out from the host
      // name for every connection; it only matters to TLS.
      { socketPath: endpoint.socketPath, host: "api.moby.localhost", servername: "" }
    : { host: endpoint.hostname, port: endpoint.port };
}

export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === false) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, value === true ? "1" : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

function isReadable(value: unknown): value is Readable {
  return typeof value === "object" && value !== null && typeof (value as Readable).pipe === "function";
}
