// The registry client against a small registry written here with Node's http:
// Bearer challenges and a token realm (counted), token expiry, redirects of
// blob GETs to another port (no Authorization there), a storage that ignores
// Range, a manifest whose digest lies, a blob cut short, tag pagination, and
// `login`'s token flows (password, identity token, wrong password).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { after, before, beforeEach, describe, it } from "node:test";
import { InvalidArgumentError, UnauthorizedError } from "../../src/errors.js";
import { MediaType } from "../../src/oci/types.js";
import { login } from "../../src/registry/login.js";
import { registryErrorOf } from "../../src/registry/registry-error.js";
import type { Credentials, RegistryOptions } from "../../src/registry/registry.js";
import { openRepository } from "../../src/registry/repository.js";

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.DockerManifest, config: {}, layers: [] }));
const blob = Buffer.from("0123456789".repeat(1000));
const TAGS = ["a", "b", "c", "d", "e"];

interface TokenRequestSeen {
  method: string;
  query: URLSearchParams;
  body: string;
  authorization?: string;
}

describe("registry client with Bearer tokens", () => {
  let registry: http.Server;
  let storage: http.Server;
  let host: string;
  let storagePort: number;
  const tokenRequests: TokenRequestSeen[] = [];
  const storageAuth: (string | undefined)[] = [];
  const validTokens = new Map<string, string>(); // token → granted scope
  let expiredTokens = false;

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const challenge = (res: http.ServerResponse, scope: string, error?: string) =>
    json(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required", detail: null }] }, {
      "www-authenticate": `Bearer realm="http://${host}/token",service="test.registry",scope="${scope}"${error ? `,error="${error}"` : ""}`,
    });

  function token(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string): void {
    const seen: TokenRequestSeen = { method: req.method!, query: url.searchParams, body };
    if (req.headers.authorization) seen.authorization = req.headers.authorization;
    tokenRequests.push(seen);
    const form = new URLSearchParams(body);
    let user = "";
    if (req.method === "POST") {
      if (form.get("grant_type") !== "refresh_token" || form.get("refresh_token") !== "refresh-alice") {
        return json(res, 401, { details: "invalid refresh token" });
      }
      user = "alice";
    } else if (req.headers.authorization) {
      const [u, p] = Buffer.from(req.headers.authorization.replace(/^Basic /, ""), "base64").toString().split(":");
      if (u !== "alice" || p !== "pw") return json(res, 401, { details: "incorrect username or password" });
      user = "alice";
    }
    const scopes = req.method === "POST" ? (form.get("scope") ?? "").split(" ") : url.searchParams.getAll("scope");
    // Anonymous users get lib/ only; alice gets everything.
    const granted = scopes.filter((s) => user === "alice" || s.startsWith("repository:lib/")).join(" ");
    const t = `tok-${tokenRequests.length}`;
    validTokens.set(t, granted);
    const issuedAt = new Date(Date.now() - (expiredTokens ? 3600_000 : 0)).toISOString();
    const out: Record<string, unknown> = { token: t, expires_in: 300, issued_at: issuedAt };
    if (url.searchParams.get("offline_token") === "true" || form.get("access_type") === "offline") out.refresh_token = "refresh-alice";
    json(res, 200, out);
  }

  function v2(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (url.pathname === "/v2/") {
      const t = req.headers.authorization?.replace(/^Bearer /, "");
      if (t && validTokens.has(t)) return json(res, 200, {});
      return challenge(res, "");
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs|tags)\/(.+)$/.exec(url.pathname);
    if (!m) return json(res, 404, { errors: [{ code: "NAME_UNKNOWN", message: "repository name not known to registry" }] });
    const [, name, kind, ref] = m as unknown as [string, string, string, string];
    const scope = `repository:${name}:pull`;
    const t = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
    if (t !== "registry-token" && !validTokens.get(t)?.includes(scope)) {
      return challenge(res, scope, validTokens.has(t) ? "insufficient_scope" : undefined);
    }
    if (kind === "tags") {
      const last = url.searchParams.get("last");
      const start = last ? TAGS.indexOf(last) + 1 : 0;
      const page = TAGS.slice(start, start + 2);
      const headers: http.OutgoingHttpHeaders = {};
      if (start + 2 < TAGS.length) headers.link = `</v2/${name}/tags/list?n=2&last=${page[page.length - 1]}>; rel="next"`;
      return json(res, 200, { name, tags: page }, headers);
    }
    if (kind === "manifests") {
      if (ref === "missing") return json(res, 404, { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown", detail: { Tag: ref } }] });
      const claimed = ref === "lying" ? sha("something else") : sha(manifest);
      res.writeHead(200, { "content-type": MediaType.DockerManifest, "docker-content-digest": claimed, "content-length": manifest.length });
      return void res.end(req.method === "HEAD" ? undefined : manifest);
    }
    if (ref === sha("cut")) {
      // Promises 10000 bytes, sends 100, hangs up.
      res.writeHead(200, { "content-length": 10000 });
      res.write(blob.subarray(0, 100), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.writeHead(307, { location: `http://127.0.0.1:${storagePort}/storage/${ref}` });
    res.end();
  }

  before(async () => {
    registry = http.createServer((req, res) => {
      const url = new URL(req.url!, `http://${host}`);
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => (url.pathname === "/token" ? token(req, res, url, body) : v2(req, res, url)));
    });
    // Storage that ignores Range: the client must skip the bytes itself.
    storage = http.createServer((req, res) => {
      storageAuth.push(req.headers.authorization);
      res.writeHead(200, { "content-length": blob.length, "content-type": "application/octet-stream" });
      res.end(blob);
    });
    await new Promise<void>((r) => registry.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => storage.listen(0, "127.0.0.1", r));
    host = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
    storagePort = (storage.address() as AddressInfo).port;
  });

  after(() => {
    for (const s of [registry, storage]) {
      s.closeAllConnections();
      s.close();
    }
  });

  beforeEach(() => {
    tokenRequests.length = 0;
    storageAuth.length = 0;
    expiredTokens = false;
  });

  // Each test its own repository name, so that tokens cached by an earlier test do not count.
  const options = (creds?: Credentials): RegistryOptions => ({ credentials: () => creds, insecureRegistries: [], certsDir: "/nonexistent" });
  const readAll = async (s: Readable) => {
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  it("gets an anonymous token once and reuses it", async () => {
    const repo = openRepository({ domain: host, path: "lib/reuse" }, options(), "pull");
    for (let i = 0; i < 3; i++) assert.deepEqual((await repo.getManifest("latest")).bytes, manifest);
    assert.equal((await repo.statManifest("latest"))?.digest, sha(manifest));
    assert.equal(tokenRequests.length, 1);
    assert.equal(tokenRequests[0]!.query.get("service"), "test.registry");
    assert.deepEqual(tokenRequests[0]!.query.getAll("scope"), ["repository:lib/reuse:pull"]);
    assert.equal(tokenRequests[0]!.authorization, undefined);
  });

  it("asks for a new token when the last one has expired", async () => {
    expiredTokens = true;
    const repo = openRepository({ domain: host, path: "lib/expiry" }, options(), "pull");
    await repo.getManifest("latest");
    await repo.getManifest("latest");
    assert.equal(tokenRequests.length, 2);
  });

  it("sends credentials to the realm and asks for pull,push when pushing", async () => {
    const repo = openRepository({ domain: host, path: "team/app" }, options({ username: "alice", password: "pw" }), "push");
    await repo.getManifest("latest");
    assert.equal(tokenRequests.length, 1);
    assert.equal(tokenRequests[0]!.authorization, `Basic ${Buffer.from("alice:pw").toString("base64")}`);
    assert.equal(tokenRequests[0]!.query.get("account"), "alice");
    assert.deepEqual(tokenRequests[0]!.query.getAll("scope"), ["repository:team/app:pull,push"]);
  });

  it("refuses a repository the token does not grant, with the registry's codes on the error", async () => {
    const repo = openRepository({ domain: host, path: "team/secret" }, options(), "pull");
    await assert.rejects(repo.getManifest("latest"), (err: unknown) => {
      assert.ok(err instanceof UnauthorizedError);
      assert.deepEqual(registryErrorOf(err)?.errors.map((e) => e.code), ["DENIED", "UNAUTHORIZED"]);
      assert.match(err.message, /denied: requested access to the resource is denied/);
      return true;
    });
    assert.equal(tokenRequests.length, 1);
  });

  it("sends a registry token as is", async () => {
    const repo = openRepository({ domain: host, path: "team/direct" }, options({ registryToken: "registry-token" }), "pull");
    assert.deepEqual((await repo.getManifest("latest")).bytes, manifest);
    assert.equal(tokenRequests.length, 0);
  });

  it("follows a blob redirect to another port without the Authorization header, skipping bytes when Range is ignored", async () => {
    const repo = openRepository({ domain: host, path: "lib/blobs" }, options(), "pull");
    const whole = await repo.getBlob(sha(blob));
    assert.equal(whole.size, blob.length);
    assert.deepEqual(await readAll(whole.stream), blob);
    const rest = await repo.getBlob(sha(blob), { offset: 4321 });
    assert.deepEqual(await readAll(rest.stream), blob.subarray(4321));
    assert.equal(await repo.statBlob(sha(blob)), blob.length);
    assert.deepEqual(storageAuth, [undefined, undefined, undefined]);
  });

  it("fails the stream of a blob the server cuts short", async () => {
    const repo = openRepository({ domain: host, path: "lib/blobs" }, options(), "pull");
    const { stream, size } = await repo.getBlob(sha("cut"));
    assert.equal(size, 10000);
    await assert.rejects(readAll(stream));
  });

  it("rejects a manifest whose bytes do not match Docker-Content-Digest, naming both digests", async () => {
    const repo = openRepository({ domain: host, path: "lib/lying" }, options(), "pull");
    await assert.rejects(repo.getManifest("lying"), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.ok(err.message.includes(sha("something else")) && err.message.includes(sha(manifest)), err.message);
      return true;
    });
    await assert.rejects(repo.getManifest(sha("other")), InvalidArgumentError);
  });

  it("words a missing manifest as dockerd does", async () => {
    const repo = openRepository({ domain: host, path: "lib/app" }, options(), "pull");
    await assert.rejects(repo.getManifest("missing"), { message: `manifest for ${host}/lib/app:missing not found: manifest unknown: manifest unknown` });
  });

  it("follows Link pagination of the tag list", async () => {
    const repo = openRepository({ domain: host, path: "lib/tags" }, options(), "pull");
    assert.deepEqual(await repo.listTags(), TAGS);
  });

  it("logs in through the token realm and returns the refresh token as identity token", async () => {
    assert.deepEqual(await login(host, { username: "alice", password: "pw" }, options()), { identityToken: "refresh-alice" });
    assert.equal(tokenRequests[0]!.query.get("offline_token"), "true");
    assert.equal(tokenRequests[0]!.query.get("client_id"), "docker");
    await login(`http://${host}`, { identityToken: "refresh-alice" }, options());
    assert.equal(tokenRequests[1]!.method, "POST");
    assert.equal(new URLSearchParams(tokenRequests[1]!.body).get("grant_type"), "refresh_token");
  });

  it("refuses a wrong password at login with dockerd's wording", async () => {
    await assert.rejects(login(host, { username: "alice", password: "nope" }, options()), (err: unknown) => {
      assert.ok(err instanceof UnauthorizedError);
      assert.equal(err.message, `Get "http://${host}/v2/": unauthorized: incorrect username or password`);
      return true;
    });
  });
});
