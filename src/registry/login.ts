// What POST /auth does (dockerd's loginV2): ping GET /v2/, answer its
// challenge with the credentials (Basic, or a token fetched as `docker login`
// does, asking for a refresh token), and GET /v2/ again; 200 means the
// credentials are good. A registry that asks for nothing accepts any login,
// as with dockerd.
import http from "node:http";
import { SystemError, UnauthorizedError } from "../errors.js";
import { fetchToken, type TokenRequest } from "./auth.js";
import { drain } from "./http.js";
import { registryHost } from "./hosts.js";
import type { Credentials, RegistryOptions } from "./registry.js";
import { openTransport } from "./transport.js";

export async function login(host: string, creds: Credentials, opts: RegistryOptions): Promise<{ identityToken?: string }> {
  const transport = openTransport(loginHost(host), { options: opts, credentials: creds, scopes: [] });
  const v2 = new URL("/v2/", await transport.endpoint());
  let authorization: string | undefined;
  let identityToken: string | undefined;
  const bearer = transport.challenges().find((c) => c.scheme === "bearer" && c.params.realm);
  if (bearer && !creds.registryToken) {
    const req: TokenRequest = { realm: bearer.params.realm!, scopes: [], credentials: creds, offline: true, agent: transport.agentFor };
    if (bearer.params.service) req.service = bearer.params.service;
    if (opts.userAgent) req.userAgent = opts.userAgent;
    try {
      const token = await fetchToken(req);
      authorization = `Bearer ${token.token}`;
      identityToken = token.refreshToken;
    } catch (err) {
      // dockerd: `Get "https://registry-1.docker.io/v2/": unauthorized: incorrect username or password`.
      if (err instanceof UnauthorizedError) throw new UnauthorizedError(`Get "${v2}": ${err.message}`, { cause: err });
      throw err;
    }
  }
  const res = await transport.request({ method: "GET", target: v2, ...(authorization ? { authorization } : {}) });
  drain(res);
  if (res.statusCode === 200) return identityToken ? { identityToken } : {};
  const message = `login attempt to ${v2} failed with status: ${res.statusCode} ${http.STATUS_CODES[res.statusCode ?? 0] ?? ""}`.trimEnd();
  throw res.statusCode === 401 ? new UnauthorizedError(message) : new SystemError(message);
}

/** "https://index.docker.io/v1/", "docker.io" → "registry-1.docker.io"; "http://localhost:5000/x" → "localhost:5000". */
export function loginHost(serverAddress: string): string {
  const stripped = serverAddress.replace(/^https?:\/\//, "").split("/")[0]!;
  return registryHost(stripped === "" ? "docker.io" : stripped);
}
