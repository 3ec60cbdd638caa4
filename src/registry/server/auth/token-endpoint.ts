// GET /token?service=…&scope=repository:<name>:pull,push — the built-in token
// server of token mode. Credentials come as Basic auth (checked against
// htpasswd; wrong ones are a 401); without them the request is anonymous. The
// token grants the intersection of what was asked and what the policy allows —
// possibly nothing, as the Docker token spec prescribes, so the registry side
// answers the real request with 401 insufficient_scope.
import { RegistryError } from "../errors.js";
import { isRepositoryName } from "../names.js";
import { ACTIONS, type Action, type Policy } from "./acl.js";
import { parseBasic, REALM } from "./authorizer.js";
import type { UserDatabase } from "./htpasswd.js";
import { newClaims, type AccessEntry, type TokenSigner } from "./token.js";

export const TOKEN_TTL_S = 300;

export interface TokenResponse {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
}

export async function issueToken(
  query: URLSearchParams,
  opts: { authorization?: string; users: UserDatabase; policy: Policy; signer: TokenSigner; service: string; issuer: string },
): Promise<TokenResponse> {
  let user: string | undefined;
  if (opts.authorization !== undefined) {
    const creds = parseBasic(opts.authorization);
    if (!creds || !(await opts.users.verify(creds.user, creds.password))) {
      throw new RegistryError("UNAUTHORIZED", undefined, { headers: { "WWW-Authenticate": `Basic realm="${REALM}"` } });
    }
    user = creds.user;
  }
  const service = query.get("service");
  if (service !== null && service !== opts.service) throw new RegistryError("DENIED", { service }, { message: "unknown service" });
  const access: AccessEntry[] = [];
  for (const scope of query.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean)) {
    const entry = grant(scope, user, opts.policy);
    if (entry) access.push(entry);
  }
  const claims = newClaims({ issuer: opts.issuer, subject: user ?? "", audience: opts.service, access, ttlSeconds: TOKEN_TTL_S });
  const token = opts.signer.sign(claims);
  return { token, access_token: token, expires_in: TOKEN_TTL_S, issued_at: new Date(claims.iat * 1000).toISOString() };
}

function grant(scope: string, user: string | undefined, policy: Policy): AccessEntry | undefined {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first < 0 || last === first) return undefined;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const asked = scope.slice(last + 1).split(",");
  if (type === "registry" && name === "catalog") return user !== undefined && asked.includes("*") ? { type, name, actions: ["*"] } : undefined;
  if (type !== "repository" || !isRepositoryName(name)) return undefined;
  const wanted = asked.includes("*") ? [...ACTIONS] : asked.filter((a): a is Action => ACTIONS.includes(a as Action));
  const actions = policy.granted(user, name, wanted);
  return actions.length > 0 ? { type, name, actions } : undefined;
}
