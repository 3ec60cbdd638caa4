// `berth registry serve`: the HTTP(S) server. Lifecycle: take <root>/serve.lock
// (lock.ts), load htpasswd/ACL/token key, clear upload dirs older than 24 h
// (and again hourly), listen; each request is authorized and routed
// (routes.ts), errors become the spec's JSON body in one place (errors.ts), and
// one JSON line per request goes to the log. close() stops listening, ends
// idle and in-flight connections and releases the lock.
import { mkdir, readFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { InvalidArgumentError } from "../../errors.js";
import { DEFAULT_POLICY, loadAcl, type Policy } from "./auth/acl.js";
import { basicAuthorizer, openAuthorizer, tokenAuthorizer, type Authorizer } from "./auth/authorizer.js";
import { loadHtpasswd, type UserDatabase } from "./auth/htpasswd.js";
import { loadTokenSigner, type TokenSigner } from "./auth/token.js";
import { issueToken } from "./auth/token-endpoint.js";
import { API_VERSION_HEADER, sendJson, type RequestContext } from "./context.js";
import { toErrorResponse } from "./errors.js";
import { acquireLock } from "./lock.js";
import { route } from "./routes.js";
import { listRepositories } from "./storage/repositories.js";
import { cleanStaleUploads, UPLOAD_MAX_AGE_MS } from "./storage/uploads.js";

export interface ServeOptions {
  /** "HOST:PORT"; default 127.0.0.1:5000 (port 0 picks a free one). */
  addr?: string;
  root: string;
  /** bcrypt htpasswd file; turns authentication on. */
  htpasswd?: string;
  /** "basic" (default with htpasswd) or "token" (built-in token endpoint at /token). */
  auth?: "basic" | "token";
  /** JSON policy file (auth/acl.ts). */
  acl?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** PEM private key (EC P-256 or Ed25519) that signs tokens; generated when absent. */
  tokenKey?: string;
  /** Token audience ("service"); default "berth-registry". */
  service?: string;
  /** Manifest, tag and blob DELETE; off by default (405 UNSUPPORTED), as in distribution. */
  allowDelete?: boolean;
  /** Where request log lines go; default stderr. */
  log?: (line: string) => void;
}

export interface RunningRegistry {
  url: string;
  close(): Promise<void>;
}

const ISSUER = "berth-registry";

export async function serveRegistry(opts: ServeOptions): Promise<RunningRegistry> {
  const { host, port } = parseAddr(opts.addr ?? "127.0.0.1:5000");
  const mode = opts.auth ?? (opts.htpasswd ? "basic" : undefined);
  if (mode && !opts.htpasswd) throw new InvalidArgumentError(`--auth ${mode} needs --htpasswd`);
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new InvalidArgumentError("--tls-cert and --tls-key go together");
  await mkdir(opts.root, { recursive: true });
  const lock = await acquireLock(opts.root, "serve");
  try {
    const users = opts.htpasswd ? await loadHtpasswd(opts.htpasswd) : undefined;
    const policy = opts.acl ? await loadAcl(opts.acl) : DEFAULT_POLICY;
    const service = opts.service ?? ISSUER;
    const signer = mode === "token" ? await loadTokenSigner(opts.tokenKey) : undefined;
    const tls = opts.tlsCert && opts.tlsKey ? { cert: await readFile(opts.tlsCert), key: await readFile(opts.tlsKey) } : undefined;
    const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const scheme = tls ? "https" : "http";
    const authorizerFor = (req: IncomingMessage): Authorizer => {
      if (!users) return openAuthorizer;
      if (!signer) return basicAuthorizer(users, policy);
      return tokenAuthorizer(signer, { realm: `${scheme}://${req.headers.host ?? `${host}:${port}`}/token`, service, issuer: ISSUER });
    };
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void handle(req, res, { root: opts.root, allowDelete: opts.allowDelete ?? false, authorizerFor, log, token: signer && users ? { signer, users, policy, service } : undefined });
    };
    const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
    await cleanUploads(opts.root);
    const sweep = setInterval(() => void cleanUploads(opts.root).catch((err: Error) => log(JSON.stringify({ level: "error", msg: `upload cleanup: ${err.message}` }))), 60 * 60 * 1000);
    sweep.unref();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return {
      url: `${scheme}://${urlHost}:${address.port}`,
      async close() {
        clearInterval(sweep);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await lock.release();
      },
    };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

interface HandleOptions {
  root: string;
  allowDelete: boolean;
  authorizerFor(req: IncomingMessage): Authorizer;
  log(line: string): void;
  token?: { signer: TokenSigner; users: UserDatabase; policy: Policy; service: string };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: HandleOptions): Promise<void> {
  const started = process.hrtime.bigint();
  const url = new URL(req.url ?? "/", "http://registry.invalid");
  let user: string | undefined;
  let failure: string | undefined;
  res.on("close", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const entry = { time: new Date().toISOString(), remote: req.socket.remoteAddress, user, method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(ms * 10) / 10, ...(failure ? { error: failure } : {}) };
    opts.log(JSON.stringify(entry));
  });
  try {
    if (url.pathname === "/token" && opts.token && req.method === "GET") {
      const { signer, users, policy, service } = opts.token;
      sendJson(res, 200, await issueToken(url.searchParams, { authorization: req.headers.authorization, users, policy, signer, service, issuer: ISSUER }));
      return;
    }
    const authorizer = opts.authorizerFor(req);
    const ctx: RequestContext = {
      req,
      res,
      url,
      root: opts.root,
      allowDelete: opts.allowDelete,
      authorize: async (needs) => {
        user = await authorizer.authorize(req.headers.authorization, needs);
      },
    };
    await route(ctx);
  } catch (err) {
    const response = toErrorResponse(err);
    if (response.status >= 500) failure = err instanceof Error ? err.message : String(err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, response.status, response.body, { ...API_VERSION_HEADER, ...response.headers });
    // A refused request may still be sending its body; do not read megabytes we will not store.
    if (!req.complete) res.once("finish", () => req.destroy());
  }
}

async function cleanUploads(root: string): Promise<void> {
  await cleanStaleUploads(root, await listRepositories(root), Date.now() - UPLOAD_MAX_AGE_MS);
}

export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new InvalidArgumentError(`invalid --addr ${addr}: want HOST:PORT`);
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port: Number(m[3]) };
}
