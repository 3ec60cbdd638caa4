// The HTTP side of one registry host, shared by a repository client and
// `login`. Lifecycle:
//   1. openTransport(host, …) — nothing is sent yet.
//   2. The first request pings GET /v2/ (as dockerd does): this picks the
//      endpoint (https; for insecure hosts http when https fails to connect or
//      to handshake) and learns the auth challenges from a 401.
//   3. Every request to the endpoint's origin carries the Authorization the
//      challenges call for (auth.ts). A 401 on a request that went without
//      one, or with a cached token, is retried once with fresh challenges and
//      a new token when its body can be sent again.
//   4. GET/HEAD follow redirects (blob storage often lives on another host);
//      Authorization is never sent off the endpoint's origin.
import type { Agent, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { SystemError } from "../errors.js";
import { authorize, forgetTokens, type Authorization } from "./auth.js";
import { parseChallenges, type Challenge } from "./challenge.js";
import { drain, send, urlOp } from "./http.js";
import { agentsFor, endpointCandidates, isInsecureRegistry, type Agents } from "./hosts.js";
import type { Credentials, RegistryOptions } from "./registry.js";

export interface TransportRequest {
  method: string;
  /** A path under the endpoint ("/v2/x/manifests/y") or a URL (an upload's Location). */
  target: string | URL;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | Readable;
  /** Token scopes for this request; the transport's own when absent. */
  scopes?: readonly string[];
  followRedirects?: boolean;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  /** Sent instead of what the challenges call for (login checks a token it fetched itself). */
  authorization?: string;
}

export interface Transport {
  /** "registry-1.docker.io", "localhost:5000". */
  readonly host: string;
  /** The endpoint chosen by the ping ("https://host/" or "http://host/"). */
  endpoint(signal?: AbortSignal): Promise<URL>;
  /** The challenges the registry has sent so far (empty: it asked for nothing). */
  challenges(): readonly Challenge[];
  /** The keep-alive agent for a URL (the registry's TLS settings); valid once endpoint() resolved. */
  agentFor(url: URL): Agent;
  /** Sends a request; the response, whatever its status, is the caller's to read or drain. */
  request(req: TransportRequest): Promise<IncomingMessage>;
}

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function openTransport(
  host: string,
  opts: { options: RegistryOptions; credentials?: Credentials; scopes: readonly string[] },
): Transport {
  const { options, credentials } = opts;
  let challenges: Challenge[] = [];
  let agents: Agents | undefined;
  let chosen: Promise<URL> | undefined;

  const agentFor = (url: URL) => (url.protocol === "https:" ? agents!.https : agents!.http);
  const withUserAgent = (headers: OutgoingHttpHeaders = {}): OutgoingHttpHeaders =>
    options.userAgent ? { ...headers, "user-agent": options.userAgent } : { ...headers };

  async function ping(signal?: AbortSignal): Promise<URL> {
    const insecure = await isInsecureRegistry(host, options.insecureRegistries);
    agents = await agentsFor(host, { certsDir: options.certsDir, insecure });
    const candidates = endpointCandidates(host, insecure);
    for (const [i, base] of candidates.entries()) {
      const url = new URL("/v2/", base);
      let res: IncomingMessage;
      try {
        res = await send({ method: "GET", url, headers: withUserAgent(), agent: agentFor(url), ...(signal ? { signal } : {}) });
      } catch (err) {
        // Only a transport failure moves on to plain http, and only for insecure hosts.
        if (err instanceof SystemError && i < candidates.length - 1) continue;
        throw err;
      }
      if (res.statusCode === 401) challenges = parseChallenges(res.headersDistinct["www-authenticate"]);
      drain(res);
      return base;
    }
    throw new Error("unreachable: no endpoint candidates");
  }

  function endpoint(signal?: AbortSignal): Promise<URL> {
    if (!chosen) {
      chosen = ping(signal);
      chosen.catch(() => (chosen = undefined));
    }
    return chosen;
  }

  function authorization(scopes: readonly string[], signal?: AbortSignal): Promise<Authorization> {
    const req: Parameters<typeof authorize>[1] = { scopes, agent: agentFor };
    if (credentials) req.credentials = credentials;
    if (options.userAgent) req.userAgent = options.userAgent;
    if (signal) req.signal = signal;
    return authorize(challenges, req);
  }

  async function request(r: TransportRequest): Promise<IncomingMessage> {
    const base = await endpoint(r.signal);
    const scopes = r.scopes ?? opts.scopes;
    const replayable = r.body === undefined || Buffer.isBuffer(r.body);
    let url = typeof r.target === "string" ? new URL(r.target, base) : r.target;
    let retried = false;
    for (let hops = 0; ; ) {
      const sameOrigin = url.origin === base.origin;
      const knewChallenges = challenges.length > 0;
      const auth: Authorization = !sameOrigin
        ? { fresh: false }
        : r.authorization !== undefined
          ? { header: r.authorization, fresh: true }
          : await authorization(scopes, r.signal);
      const headers = withUserAgent(r.headers);
      if (auth.header) headers.authorization = auth.header;
      const res = await send({
        method: r.method,
        url,
        headers,
        agent: agentFor(url),
        ...(r.body !== undefined ? { body: r.body } : {}),
        ...(r.signal ? { signal: r.signal } : {}),
        ...(r.onProgress ? { onProgress: r.onProgress } : {}),
      });
      if (res.statusCode === 401 && sameOrigin && replayable && !retried) {
        const learned = parseChallenges(res.headersDistinct["www-authenticate"]);
        const staleToken = auth.header !== undefined && !auth.fresh && credentials?.registryToken === undefined;
        if ((!knewChallenges && learned.length > 0) || staleToken) {
          drain(res);
          retried = true;
          if (staleToken) forgetTokens(challenges, scopes, credentials);
          if (learned.length > 0) challenges = learned;
          continue;
        }
      }
      const location = res.headers.location;
      const follows = r.followRedirects && (r.method === "GET" || r.method === "HEAD");
      if (follows && REDIRECTS.has(res.statusCode ?? 0) && location) {
        drain(res);
        if (++hops > MAX_REDIRECTS) throw new SystemError(`${urlOp(r.method, url)}: stopped after ${MAX_REDIRECTS} redirects`);
        url = new URL(location, url);
        continue;
      }
      return res;
    }
  }

  return { host, endpoint, challenges: () => challenges, agentFor, request };
}
