// Authentication and authorization of the registry server: Basic against a
// bcrypt htpasswd file, the built-in token endpoint with signed JWTs, and the
// per-repository policy file.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { parseAcl } from "../../src/registry/server/auth/acl.js";
import { loadHtpasswd } from "../../src/registry/server/auth/htpasswd.js";
import { libtrustKeyId, newClaims, tokenSigner } from "../../src/registry/server/auth/token.js";
import { errorCode, pushBlob, startRegistry, type TestRegistry } from "./registry-server-harness.js";

let dir: string;
let htpasswd: string;
let acl: string;
let tokenKey: string;
const basic = (user: string, password: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-rs-auth-"));
  htpasswd = join(dir, "htpasswd");
  // One entry per bcrypt prefix htpasswd and other tools write.
  const entry = (user: string, pw: string, prefix: string): string => `${user}:${bcrypt.hashSync(pw, 5).replace(/^\$2[ab]\$/, prefix)}`;
  await writeFile(htpasswd, [entry("alice", "wonderland", "$2y$"), entry("bob", "builder", "$2a$"), entry("carol", "singer", "$2b$")].join("\n") + "\n");
  acl = join(dir, "acl.json");
  await writeFile(acl, JSON.stringify({
    rules: [
      { users: ["alice"], repositories: ["*"], actions: ["*"] },
      { users: ["bob"], repositories: ["bob/*"], actions: ["pull", "push"] },
      { users: ["*"], repositories: ["shared/*"], actions: ["pull"] },
      { users: ["anonymous"], repositories: ["public/*"], actions: ["pull"] },
    ],
  }));
  tokenKey = join(dir, "token.pem");
  await writeFile(tokenKey, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("htpasswd", () => {
  test("verifies $2y$, $2a$ and $2b$ entries and rejects wrong passwords", async () => {
    const db = await loadHtpasswd(htpasswd);
    assert.equal(await db.verify("alice", "wonderland"), true);
    assert.equal(await db.verify("bob", "builder"), true);
    assert.equal(await db.verify("carol", "singer"), true);
    assert.equal(await db.verify("alice", "wrong"), false);
    assert.equal(await db.verify("nobody", "x"), false);
  });
});

describe("acl", () => {
  test("grants the listed actions to users, any authenticated user, and anonymous", () => {
    const policy = parseAcl(JSON.stringify({ rules: [{ users: ["*"], repositories: ["team/*"], actions: ["pull"] }, { users: ["anonymous"], repositories: ["pub"], actions: ["pull"] }] }));
    assert.deepEqual(policy.granted("dan", "team/a/b", ["pull", "push"]), ["pull"]);
    assert.deepEqual(policy.granted(undefined, "team/a", ["pull"]), []);
    assert.deepEqual(policy.granted(undefined, "pub", ["pull"]), ["pull"]);
    assert.throws(() => parseAcl('{"rules":[{"users":["a"],"repositories":["*"],"actions":["fly"]}]}'), /unknown action fly/);
  });
});

describe("basic auth", () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ htpasswd, acl });
  });
  after(async () => reg.close());

  test("anonymous GET /v2/ is challenged with Basic realm", async () => {
    const res = await reg.req("GET", "/v2/");
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), 'Basic realm="berth-registry"');
    assert.equal(await errorCode(res), "UNAUTHORIZED");
  });

  test("a wrong password is 401, the right one 200", async () => {
    assert.equal((await reg.req("GET", "/v2/", { headers: basic("alice", "nope") })).status, 401);
    assert.equal((await reg.req("GET", "/v2/", { headers: basic("alice", "wonderland") })).status, 200);
  });

  test("the policy decides per repository: DENIED (403) for a user, 401 for anonymous", async () => {
    await pushBlob(reg, "bob/app", "bob's", basic("bob", "builder"));
    const denied = await reg.req("POST", "/v2/alice/app/blobs/uploads/", { headers: basic("bob", "builder") });
    assert.equal(denied.status, 403);
    assert.equal(await errorCode(denied), "DENIED");
    assert.equal((await reg.req("GET", "/v2/bob/app/tags/list")).status, 401);
    const digest = await pushBlob(reg, "public/x", "for all", basic("alice", "wonderland"));
    assert.equal((await reg.req("GET", `/v2/public/x/blobs/${digest}`)).status, 200);
    assert.equal((await reg.req("GET", `/v2/shared/x/blobs/${digest}`, { headers: basic("carol", "singer") })).status, 404);
  });
});

describe("token auth", () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ htpasswd, acl, auth: "token", tokenKey });
  });
  after(async () => reg.close());

  const token = async (scope: string, headers: Record<string, string> = {}): Promise<string> => {
    const res = await reg.req("GET", `/token?service=berth-registry&scope=${encodeURIComponent(scope)}`, { headers });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; access_token: string; expires_in: number };
    assert.equal(body.token, body.access_token);
    return body.token;
  };

  test("requests without a token get a Bearer challenge naming realm, service and scope", async () => {
    const res = await reg.req("GET", "/v2/bob/app/tags/list");
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), `Bearer realm="${reg.url}/token",service="berth-registry",scope="repository:bob/app:pull"`);
  });

  test("a token for push lets bob push and pull his repository; its JWT header and claims are as distribution's", async () => {
    const t = await token("repository:bob/app:pull,push", basic("bob", "builder"));
    const [h, p] = t.split(".").slice(0, 2).map((s) => JSON.parse(Buffer.from(s, "base64url").toString())) as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(h.alg, "EdDSA");
    assert.match(String(h.kid), /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    assert.equal(p.aud, "berth-registry");
    assert.deepEqual(p.access, [{ type: "repository", name: "bob/app", actions: ["pull", "push"] }]);
    const digest = await pushBlob(reg, "bob/app", "via token", { Authorization: `Bearer ${t}` });
    assert.equal((await reg.req("HEAD", `/v2/bob/app/blobs/${digest}`, { headers: { Authorization: `Bearer ${t}` } })).status, 200);
  });

  test("wrong credentials at the token endpoint are 401", async () => {
    const res = await reg.req("GET", "/token?service=berth-registry&scope=repository:bob/app:pull", { headers: basic("bob", "nope") });
    assert.equal(res.status, 401);
  });

  test("a token without the needed scope is 401 insufficient_scope", async () => {
    const t = await token("repository:bob/app:pull,push", basic("bob", "builder"));
    const res = await reg.req("POST", "/v2/alice/app/blobs/uploads/", { headers: { Authorization: `Bearer ${t}` } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /error="insufficient_scope"/);
    // The endpoint grants only what the policy allows: bob asking for alice's repo gets no access.
    const t2 = await token("repository:alice/app:push", basic("bob", "builder"));
    assert.deepEqual(JSON.parse(Buffer.from(t2.split(".")[1]!, "base64url").toString()).access, []);
  });

  test("anonymous tokens carry only anonymous grants", async () => {
    const t = await token("repository:public/x:pull,push");
    assert.deepEqual(JSON.parse(Buffer.from(t.split(".")[1]!, "base64url").toString()).access, [{ type: "repository", name: "public/x", actions: ["pull"] }]);
  });

  test("expired, foreign-signed and wrong-audience tokens are 401 invalid_token", async () => {
    const { createPrivateKey } = await import("node:crypto");
    const { readFile } = await import("node:fs/promises");
    const ours = tokenSigner(createPrivateKey(await readFile(tokenKey)));
    const access = [{ type: "repository", name: "bob/app", actions: ["pull"] }];
    const expired = ours.sign(newClaims({ issuer: "berth-registry", subject: "bob", audience: "berth-registry", access, ttlSeconds: 60, now: Math.floor(Date.now() / 1000) - 3600 }));
    const otherAud = ours.sign(newClaims({ issuer: "berth-registry", subject: "bob", audience: "elsewhere", access, ttlSeconds: 300 }));
    const foreign = tokenSigner(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey).sign(newClaims({ issuer: "berth-registry", subject: "bob", audience: "berth-registry", access, ttlSeconds: 300 }));
    for (const t of [expired, otherAud, foreign]) {
      const res = await reg.req("GET", "/v2/bob/app/tags/list", { headers: { Authorization: `Bearer ${t}` } });
      assert.equal(res.status, 401);
      assert.match(res.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    }
  });

  test("ES256 signatures verify and the kid is the libtrust key ID", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const signer = tokenSigner(privateKey);
    assert.equal(signer.alg, "ES256");
    assert.equal(signer.kid, libtrustKeyId(publicKey));
    const t = signer.sign(newClaims({ issuer: "i", subject: "s", audience: "a", access: [], ttlSeconds: 60 }));
    assert.equal(signer.verify(t, { audience: "a", issuer: "i" })?.sub, "s");
    assert.equal(signer.verify(`${t.slice(0, -4)}AAAA`, { audience: "a", issuer: "i" }), undefined);
  });
});
