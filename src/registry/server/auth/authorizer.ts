// The registry side of authentication. Every request names what it needs (a
// repository and an action, or the catalog); the authorizer says who is asking
// or throws UNAUTHORIZED (with the challenge a client answers) or DENIED.
//   none   — no --htpasswd: everything is open.
//   basic  — Basic credentials checked against htpasswd, then the policy.
//   token  — a Bearer JWT from our /token endpoint; its access claims decide.
import { RegistryError } from "../errors.js";
import type { Action, Policy } from "./acl.js";
import type { UserDatabase } from "./htpasswd.js";
import type { TokenSigner } from "./token.js";

/** What a request needs: `name` is a repository, or "catalog" with type "registry". */
export interface Need {
  type: "repository" | "registry";
  name: string;
  actions: Action[] | ["*"];
}

export interface Authorizer {
  /** The authenticated user (undefined when anonymous is allowed), or a thrown UNAUTHORIZED/DENIED. */
  authorize(authorization: string | undefined, needs: Need[]): Promise<string | undefined>;
}

export const REALM = "berth-registry";

export const openAuthorizer: Authorizer = { authorize: async () => undefined };

export function basicAuthorizer(users: UserDatabase, policy: Policy): Authorizer {
  const challenge = { "WWW-Authenticate": `Basic realm="${REALM}"` };
  return {
    async authorize(authorization, needs) {
      const creds = parseBasic(authorization);
      if (authorization !== undefined && !(creds && (await users.verify(creds.user, creds.password)))) {
        throw new RegistryError("UNAUTHORIZED", undefined, { headers: challenge });
      }
      const user = creds?.user;
      // No needs (GET /v2/) still asks for a login: that is how clients discover auth.
      if ((needs.length > 0 || user !== undefined) && needs.every((n) => allowed(policy, user, n))) return user;
      if (user === undefined) throw new RegistryError("UNAUTHORIZED", undefined, { headers: challenge });
      throw new RegistryError("DENIED");
    },
  };
}

export function tokenAuthorizer(signer: TokenSigner, opts: { realm: string; service: string; issuer: string }): Authorizer {
  return {
    async authorize(authorization, needs) {
      const scope = needs.map((n) => `${n.type}:${n.name}:${n.actions.join(",")}`).join(" ");
      const base = `Bearer realm="${opts.realm}",service="${opts.service}"${scope ? `,scope="${scope}"` : ""}`;
      const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (!token) throw new RegistryError("UNAUTHORIZED", undefined, { headers: { "WWW-Authenticate": base } });
      const claims = signer.verify(token, { audience: opts.service, issuer: opts.issuer });
      if (!claims) {
        throw new RegistryError("UNAUTHORIZED", undefined, { headers: { "WWW-Authenticate": `${base},error="invalid_token"` } });
      }
      const held = (n: Need): boolean =>
        n.actions.every((a) => claims.access.some((e) => e.type === n.type && e.name === n.name && (e.actions.includes(a) || e.actions.includes("*"))));
      if (!needs.every(held)) {
        // 401 rather than 403: the client may ask the token endpoint again for the missing scope.
        throw new RegistryError("UNAUTHORIZED", undefined, {
          message: "authentication required",
          headers: { "WWW-Authenticate": `${base},error="insufficient_scope"` },
        });
      }
      return claims.sub || undefined;
    },
  };
}

/** The catalog is open to every authenticated user; repositories follow the policy. */
export function allowed(policy: Policy, user: string | undefined, need: Need): boolean {
  if (need.type === "registry") return user !== undefined;
  const actions = need.actions as Action[];
  return policy.granted(user, need.name, actions).length === actions.length;
}

export function parseBasic(authorization: string | undefined): { user: string; password: string } | undefined {
  const m = authorization?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i);
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
