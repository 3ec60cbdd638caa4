// One HTTP conversation with the daemon: plain requests (JSON in, JSON or a
// stream out) over a keep-alive agent, and hijacked connections for attach and
// exec, where the HTTP request turns into a raw bidirectional byte stream.
//
// Every request carries an API version in its path. Unless the caller pins one
// (DOCKER_API_VERSION), the first request asks the daemon first, as the docker
// CLI does: GET /_ping, whose Api-Version header is the newest the daemon
// speaks, and the lower of that and API_VERSION is used from then on. So
// berth works against an older dockerd (20.10 speaks 1.41) at the cost of one
// round trip per client.
import http from "node:http";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { UnavailableError, isErrno } from "../errors.js";
import { compareVersions } from "../oci/versions.js";
import { errorForStatus } from "./http-error.js";
import { parseHost, type Endpoint } from "./host.js";

/** The newest API version this client speaks. */
export const API_VERSION = "1.45";
/** What a daemon that sends no Api-Version header speaks: the last version before the header existed. */
const UNANNOUNCED_VERSION = "1.24";

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
  /** The daemon's Content-Type, telling multiplexed from raw output; undefined below API 1.42, where it tells nothing. */
  contentType: string | undefined;
}

export interface Transport {
  readonly host: string;
  /** The version requests are sent with: the pinned one, or negotiated with the daemon on first use. */
  apiVersion(): Promise<string>;
  /** Sends a request; resolves on a 2xx with the response body still unread. */
  request(path: string, opts?: RequestOptions): Promise<http.IncomingMessage>;
  hijack(path: string, opts?: RequestOptions): Promise<Hijacked>;
  close(): void;
}

export function createTransport(host: string, opts: { version?: string } = {}): Transport {
  const endpoint = parseHost(host);
  const agent = new http.Agent({ keepAlive: true });
  const unreachable = (err: unknown): Error =>
    isErrno(err, "ECONNREFUSED") || isErrno(err, "ENOENT") || isErrno(err, "ECONNRESET")
      ? new UnavailableError(`Cannot connect to the berth daemon at ${host}. Is the daemon running?`, { cause: err })
      : (err as Error);

  let negotiated: Promise<string> | undefined = opts.version ? Promise.resolve(opts.version) : undefined;
  const apiVersion = (): Promise<string> =>
    (negotiated ??= pingVersion(endpoint, agent).then(
      (server) => (compareVersions(server, API_VERSION) < 0 ? server : API_VERSION),
      (err: unknown) => {
        // Not remembered: the next request asks again, as the daemon may be up by then.
        negotiated = undefined;
        throw unreachable(err);
      },
    ));

  const start = (path: string, version: string, opts: RequestOptions, extra: http.RequestOptions): http.ClientRequest => {
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
      path: `/v${version}${path}${encodeQuery(opts.query)}`,
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

  /** Starts the request once the version is known; a body stream failing meanwhile fails it too. */
  const send = (opts: RequestOptions, reject: (err: unknown) => void, go: (version: string) => void): void => {
    const body = isReadable(opts.body) ? opts.body : undefined;
    let bodyFailed = false;
    const early = (err: unknown): void => {
      bodyFailed = true;
      reject(err);
    };
    body?.once("error", early);
    apiVersion().then((version) => {
      body?.off("error", early);
      if (!bodyFailed) go(version);
    }, reject);
  };

  return {
    host,
    apiVersion,
    request(path, opts = {}) {
      return new Promise((resolve, reject) => {
        send(opts, reject, (version) => {
          const req = start(path, version, opts, { agent });
          req.on("error", (err) => reject(unreachable(err)));
          req.on("response", (res) => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(res);
            readAll(res).then((body) => reject(errorForStatus(status, body)), reject);
          });
        });
      });
    },
    hijack(path, opts = {}) {
      return new Promise((resolve, reject) => {
        send(opts, reject, (version) => {
          // Before 1.42 dockerd calls every hijacked stream raw, multiplexed or not: only the TTY tells.
          const mediaType = (res: http.IncomingMessage): string | undefined =>
            compareVersions(version, "1.42") >= 0 ? res.headers["content-type"] : undefined;
          const headers = { ...opts.headers, Connection: "Upgrade", Upgrade: "tcp" };
          // A connection of its own: once hijacked it never returns to the pool.
          const req = start(path, version, { ...opts, method: opts.method ?? "POST", headers }, { agent: false });
          req.on("error", (err) => reject(unreachable(err)));
          req.on("upgrade", (res, socket, head) => {
            if (head.length > 0) socket.unshift(head);
            resolve({ socket, output: socket, contentType: mediaType(res) });
          });
          // Older daemons answer 200 and then stream on the same connection.
          req.on("response", (res) => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              return resolve({ socket: res.socket as Socket, output: res, contentType: mediaType(res) });
            }
            readAll(res).then((body) => reject(errorForStatus(status, body)), reject);
          });
        });
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/**
 * The newest version the daemon speaks, from the Api-Version header of its
 * unversioned /_ping. Any answer counts, even an error status (a daemon that
 * is shutting down still says it), as with the docker CLI.
 */
function pingVersion(endpoint: Endpoint, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...endpointOptions(endpoint), agent, method: "GET", path: "/_ping" });
    req.on("error", reject);
    req.on("response", (res) => {
      res.resume();
      const header = res.headers["api-version"];
      resolve(typeof header === "string" && /^\d+(\.\d+)*$/.test(header) ? header : UNANNOUNCED_VERSION);
    });
    req.end();
  });
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
