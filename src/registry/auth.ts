// Authorization for one registry, driven by its challenges (Docker's token
// authentication, https://distribution.github.io/distribution/spec/auth/token/):
//   Basic  → the credentials, on every request;
//   Bearer → a token from the realm for (service, scopes): GET with the
//            credentials as Basic (or none: anonymous pulls get tokens too),
//            or the OAuth2 POST with an identity token as refresh_token;
//            cached per (realm, service, scopes, credentials) until it
//            expires (expires_in, 60 s when absent, counted from issued_at);
//   a registry token (Docker's "registrytoken") is sent as Bearer as is.
import { createHash } from "node:crypto";
import type { Agent } from "node:http";
import { UnauthorizedError, SystemError } from "../errors.js";
import type { Challenge } from "./challenge.js";
import { readBody, send } from "./http.js";
import type { Credentials } from "./registry.js";
import { errorForResponse, readRegistryError } from "./registry-error.js";

/** Docker's OAuth client id, sent to token servers. */
const CLIENT_ID = "docker";
const DEFAULT_TOKEN_SECONDS = 60;
const TOKEN_BODY_LIMIT = 1 << 20;

export interface Authorization {
  /** The Authorization header, when there is one to send. */
  header?: string;
  /** True when the token came from the realm for this request (a 401 then is final). */
  fresh: boolean;
}

export interface TokenResponse {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** An OAuth refresh token: Docker's identity token, returned by `docker login`. */
  refreshToken?: string;
}

export interface TokenRequest {
  realm: string;
  service?: string;
  scopes: readonly string[];
  credentials?: Credentials;
  /** Asks for a refresh token (what `docker login` does). */
  offline?: boolean;
  agent: (url: URL) => Agent;
  userAgent?: string;
  signal?: AbortSignal;
}

const tokenCache = new Map<string, Promise<TokenResponse>>();

/** The header for a request under `challenges`; tokens are shared until they expire. */
export async function authorize(
  challenges: readonly Challenge[],
  req: Omit<TokenRequest, "realm" | "service" | "offline">,
): Promise<Authorization> {
  const creds = req.credentials;
  if (creds?.registryToken) return { header: `Bearer ${creds.registryToken}`, fresh: false };
  const bearer = challenges.find((c) => c.scheme === "bearer" && c.params.realm);
  if (bearer) {
    const key = JSON.stringify([bearer.params.realm, bearer.params.service ?? "", [...req.scopes].sort(), fingerprint(creds)]);
    const cached = tokenCache.get(key);
    if (cached) {
      const token = await cached;
      if (token.expiresAt > Date.now()) return { header: `Bearer ${token.token}`, fresh: false };
      if (tokenCache.get(key) === cached) tokenCache.delete(key);
    }
    let pending = tokenCache.get(key);
    const fresh = pending === undefined;
    if (!pending) {
      const tokenReq: TokenRequest = { ...req, realm: bearer.params.realm! };
      if (bearer.params.service) tokenReq.service = bearer.params.service;
      pending = fetchToken(tokenReq);
      tokenCache.set(key, pending);
      pending.catch(() => tokenCache.delete(key));
    }
    return { header: `Bearer ${(await pending).token}`, fresh };
  }
  if (challenges.some((c) => c.scheme === "basic")) {
    // Docker's wording when a registry asks for Basic auth and nobody logged in.
    if (creds?.username === undefined) throw new UnauthorizedError("no basic auth credentials");
    return { header: basic(creds.username, creds.password ?? ""), fresh: true };
  }
  return { fresh: false };
}

/** Forgets a token the registry refused, so the next request asks the realm again. */
export function forgetTokens(challenges: readonly Challenge[], scopes: readonly string[], creds?: Credentials): void {
  for (const c of challenges) {
    if (c.scheme !== "bearer") continue;
    tokenCache.delete(JSON.stringify([c.params.realm, c.params.service ?? "", [...scopes].sort(), fingerprint(creds)]));
  }
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

// Tokens are cached per identity without keeping the secrets themselves as keys.
function fingerprint(creds: Credentials | undefined): string {
  if (!creds) return "";
  return createHash("sha256")
    .update(JSON.stringify([creds.username ?? "", creds.password ?? "", creds.identityToken ?? ""]))
    .digest("hex");
}

/** One round trip to the token endpoint. Refusals are UnauthorizedErrors with the token server's words. */
export async function fetchToken(req: TokenRequest): Promise<TokenResponse> {
  const url = new URL(req.realm);
  const headers: Record<string, string> = {};
  if (req.userAgent) headers["user-agent"] = req.userAgent;
  let body: Buffer | undefined;
  let method = "GET";
  const creds = req.credentials;
  if (creds?.identityToken) {
    // OAuth2 refresh-token grant (RFC 6749 §6), as Docker does with an identity token.
    method = "POST";
    const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: creds.identityToken, client_id: CLIENT_ID });
    if (req.service) form.set("service", req.service);
    if (req.scopes.length > 0) form.set("scope", req.scopes.join(" "));
    if (req.offline) form.set("access_type", "offline");
    body = Buffer.from(form.toString());
    headers["content-type"] = "application/x-www-form-urlencoded";
  } else {
    if (req.service) url.searchParams.append("service", req.service);
    for (const scope of req.scopes) url.searchParams.append("scope", scope);
    if (creds?.username) {
      url.searchParams.append("account", creds.username);
      headers.authorization = basic(creds.username, creds.password ?? "");
    }
    if (req.offline) {
      url.searchParams.append("offline_token", "true");
      url.searchParams.append("client_id", CLIENT_ID);
    }
  }
  const started = Date.now();
  const sendReq: Parameters<typeof send>[0] = { method, url, headers, agent: req.agent(url) };
  if (body) sendReq.body = body;
  if (req.signal) sendReq.signal = req.signal;
  const res = await send(sendReq);
  if (res.statusCode !== 200) {
    throw errorForResponse(await readRegistryError(res));
  }
  const json = parseTokenBody(await readBody(res, TOKEN_BODY_LIMIT));
  const token = json.access_token || json.token;
  if (!token) throw new SystemError("authorization server did not include a token in the response");
  const issued = json.issued_at ? Date.parse(json.issued_at) : NaN;
  const seconds = json.expires_in && json.expires_in > 0 ? json.expires_in : DEFAULT_TOKEN_SECONDS;
  const out: TokenResponse = { token, expiresAt: (Number.isNaN(issued) ? started : issued) + seconds * 1000 };
  if (json.refresh_token) out.refreshToken = json.refresh_token;
  return out;
}

interface TokenBody {
  token?: string;
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  issued_at?: string;
}

function parseTokenBody(bytes: Buffer): TokenBody {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    if (err instanceof SyntaxError) throw new SystemError(`unable to decode token response: ${err.message}`);
    throw err;
  }
  if (typeof json !== "object" || json === null) throw new SystemError("unable to decode token response");
  const o = json as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  const out: TokenBody = {};
  const fields = { token: str(o.token), access_token: str(o.access_token), refresh_token: str(o.refresh_token), issued_at: str(o.issued_at) };
  for (const [k, v] of Object.entries(fields)) if (v) out[k as keyof typeof fields] = v;
  if (typeof o.expires_in === "number") out.expires_in = o.expires_in;
  return out;
}
