// The API edge of distribution: POST /images/create?fromImage= (pull),
// POST /images/{name}/push and POST /auth against the in-process harness —
// how the query and X-Registry-Auth reach the backend, the status of early
// failures, and failures after the stream started travelling in-band.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./api-harness.js";
import { decodeRegistryAuth, parseAuthJson, toCredentials } from "../../src/api/registry-auth.js";
import { encodeRegistryAuth } from "../../src/client/images.js";
import { InvalidArgumentError } from "../../src/errors.js";

const b64url = (text: string): string => Buffer.from(text).toString("base64url");
const auth = (value: object): Record<string, string> => ({ "X-Registry-Auth": encodeRegistryAuth(value) });
const lines = (text: string): unknown[] => text.trim().split("\n").map((l) => JSON.parse(l) as unknown);

describe("X-Registry-Auth", () => {
  it("round-trips docker's padded base64url", () => {
    const header = encodeRegistryAuth({ username: "u?>", password: "p~~~", serveraddress: "r.example" });
    assert.match(header, /^[A-Za-z0-9_-]+=*$/);
    assert.equal(header.length % 4, 0);
    assert.deepEqual(decodeRegistryAuth(header), { username: "u?>", password: "p~~~", serveraddress: "r.example" });
    assert.equal(encodeRegistryAuth({}), "e30=");
  });

  it("accepts the standard alphabet and missing padding, as older clients send", () => {
    const json = '{"username":"a>?","password":"b"}';
    assert.deepEqual(decodeRegistryAuth(Buffer.from(json).toString("base64")), { username: "a>?", password: "b" });
    assert.deepEqual(decodeRegistryAuth(b64url(json)), { username: "a>?", password: "b" });
    assert.deepEqual(decodeRegistryAuth(""), {});
    assert.deepEqual(decodeRegistryAuth("e30="), {});
  });

  it("reports malformed values with moby's wording", () => {
    const cases: [string, string][] = [
      ["!!!", "invalid X-Registry-Auth header: must be a valid base64url-encoded string"],
      [b64url("{"), "invalid X-Registry-Auth header: invalid JSON: "],
      [b64url('{"username":1}'), "invalid X-Registry-Auth header: invalid JSON: json: cannot unmarshal number into Go struct field AuthConfig.username of type string"],
      [b64url("[]"), "invalid X-Registry-Auth header: invalid JSON: json: cannot unmarshal array into Go value of type registry.AuthConfig"],
    ];
    for (const [header, message] of cases) {
      assert.throws(() => decodeRegistryAuth(header), (err: Error) => err instanceof InvalidArgumentError && err.message.startsWith(message), header);
    }
    assert.throws(() => parseAuthJson(""), { message: "invalid X-Registry-Auth header: EOF" });
  });

  it("maps to the registry client's credentials, decoding a bare auth field", () => {
    assert.equal(toCredentials({}), undefined);
    assert.equal(toCredentials({ serveraddress: "x", email: "e" }), undefined);
    assert.deepEqual(toCredentials({ auth: Buffer.from("bob:pw:with:colons").toString("base64") }), { username: "bob", password: "pw:with:colons" });
    assert.deepEqual(toCredentials({ username: "a", password: "b", auth: Buffer.from("x:y").toString("base64") }), { username: "a", password: "b" });
    assert.deepEqual(toCredentials({ identitytoken: "it", registrytoken: "rt" }), { identityToken: "it", registryToken: "rt" });
  });
});

describe("POST /images/create?fromImage", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("normalises the name and passes tag, platform and credentials on", async () => {
    const r = await h.request("POST", "/v1.45/images/create?fromImage=localhost:5000/app&tag=v1&platform=linux/arm64/v8", {
      headers: auth({ username: "alice", password: "secret", serveraddress: "localhost:5000" }),
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "application/json");
    assert.equal(h.recorded.pulled?.reference, "localhost:5000/app:v1");
    const { signal, ...opts } = h.recorded.pulled!.opts;
    assert.ok(signal instanceof AbortSignal);
    assert.deepEqual(opts, { platform: "linux/arm64/v8", allTags: false, credentials: { username: "alice", password: "secret" } });
    const messages = lines(r.text);
    assert.deepEqual(messages[0], { status: "Pulling from app", id: "v1" });
    assert.deepEqual(messages.at(-1), { status: "Status: Downloaded newer image for localhost:5000/app:v1" });
  });

  it("reads the reference forms docker clients send", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const rows: [string, string, boolean][] = [
      ["fromImage=busybox&tag=latest", "docker.io/library/busybox:latest", false],
      ["fromImage=docker.io/library/alpine&tag=3", "docker.io/library/alpine:3", false],
      ["fromImage=alpine:3.19", "docker.io/library/alpine:3.19", false],
      ["fromImage=alpine:3.19&tag=edge", "docker.io/library/alpine:edge", false],
      [`fromImage=alpine&tag=${digest}`, `docker.io/library/alpine@${digest}`, false],
      [`fromImage=alpine:3@${digest}&tag=`, `docker.io/library/alpine:3@${digest}`, false],
      ["fromImage=user/app", "docker.io/user/app", true],
      ["fromImage=user/app:", "docker.io/user/app", true],
    ];
    for (const [query, reference, allTags] of rows) {
      const r = await h.request("POST", `/images/create?${query}`);
      assert.equal(r.status, 200, `${query}: ${r.text}`);
      assert.equal(h.recorded.pulled?.reference, reference, query);
      assert.equal(h.recorded.pulled?.opts.allTags, allTags, query);
      assert.equal(h.recorded.pulled?.opts.credentials, undefined, query);
    }
  });

  it("goes on without credentials when X-Registry-Auth is malformed, as dockerd does", async () => {
    for (const header of ["!!!", b64url("{"), "e30="]) {
      const r = await h.request("POST", "/images/create?fromImage=someone/app&tag=1", { headers: { "X-Registry-Auth": header } });
      assert.equal(r.status, 200, header);
      assert.equal(h.recorded.pulled?.opts.credentials, undefined, header);
    }
  });

  it("refuses bad input before pulling, with dockerd's status and wording", async () => {
    const rows: [string, number, string][] = [
      ["fromImage=Bad&tag=1", 400, "invalid reference format: repository name (library/Bad) must be lowercase"],
      ["fromImage=bb&tag=b@d", 400, "invalid tag format"],
      ["fromImage=scratch&tag=latest", 403, "'scratch' is a reserved name"],
      ["fromImage=bb&tag=1&platform=linux/bogus!!", 400, '"bogus!!" is an invalid component of "linux/bogus!!": platform specifier component must match "^[A-Za-z0-9_-]+$": invalid argument'],
      ["fromImage=bb&tag=1&platform=a/b/c/d", 400, '"a/b/c/d": cannot parse platform specifier: invalid argument'],
    ];
    for (const [query, status, message] of rows) {
      h.recorded.pulled = undefined;
      const r = await h.request("POST", `/images/create?${query}`);
      assert.equal(r.status, status, query);
      assert.deepEqual(JSON.parse(r.text), { message }, query);
      assert.equal(h.recorded.pulled, undefined, query);
    }
  });

  it("gives a failure before the first message its real status", async () => {
    const r = await h.request("POST", "/images/create?fromImage=denied/app&tag=1");
    assert.equal(r.status, 404);
    assert.deepEqual(JSON.parse(r.text), {
      message: "pull access denied for denied/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    });
    const ok = await h.request("POST", "/images/create?fromImage=private/app&tag=1", { headers: auth({ username: "alice", password: "secret" }) });
    assert.equal(ok.status, 200);
  });

  it("reports a failure after the first message in-band", async () => {
    const r = await h.request("POST", "/images/create?fromImage=midfail&tag=1");
    assert.equal(r.status, 200);
    assert.deepEqual(lines(r.text), [
      { status: "Pulling from library/midfail", id: "1" },
      { errorDetail: { message: "unexpected EOF" }, error: "unexpected EOF" },
    ]);
  });
});

describe("POST /images/{name}/push", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("pushes the tag asked for with the header's credentials", async () => {
    const r = await h.request("POST", "/v1.45/images/localhost:5000/private/app/push?tag=v2", { headers: auth({ username: "alice", password: "secret" }) });
    assert.equal(r.status, 200);
    assert.equal(h.recorded.pushed?.reference, "localhost:5000/private/app:v2");
    assert.deepEqual(h.recorded.pushed?.opts.credentials, { username: "alice", password: "secret" });
    assert.equal(h.recorded.pushed?.opts.allTags, false);
    assert.deepEqual(lines(r.text).at(-1), { progressDetail: {}, aux: { Tag: "v2", Digest: `sha256:${"e".repeat(64)}`, Size: 527 } });
  });

  it("pushes every tag without a tag, and the name's own tag when it has one", async () => {
    await h.request("POST", "/images/docker.io/library/app/push", { headers: { "X-Registry-Auth": "e30=" } });
    assert.equal(h.recorded.pushed?.reference, "docker.io/library/app");
    assert.equal(h.recorded.pushed?.opts.allTags, true);
    await h.request("POST", "/images/app:3/push", { headers: { "X-Registry-Auth": "e30=" } });
    assert.equal(h.recorded.pushed?.reference, "docker.io/library/app:3");
    assert.equal(h.recorded.pushed?.opts.allTags, false);
  });

  it("takes an old client's credentials from the body, and refuses a push with neither", async () => {
    const r = await h.request("POST", "/images/app/push?tag=1", { body: '{"username":"alice","password":"secret"}' });
    assert.equal(r.status, 200);
    assert.deepEqual(h.recorded.pushed?.opts.credentials, { username: "alice", password: "secret" });
    const none = await h.request("POST", "/images/app/push?tag=1");
    assert.equal(none.status, 400);
    assert.deepEqual(JSON.parse(none.text), { message: "bad parameters and missing X-Registry-Auth: invalid X-Registry-Auth header: EOF" });
  });

  it("ignores a malformed header, as dockerd does", async () => {
    const r = await h.request("POST", "/images/app/push?tag=1", { headers: { "X-Registry-Auth": "%%%" } });
    assert.equal(r.status, 200);
    assert.equal(h.recorded.pushed?.opts.credentials, undefined);
  });

  it("maps early failures to a status and later ones in-band", async () => {
    const missing = await h.request("POST", "/images/missing/push?tag=1", { headers: { "X-Registry-Auth": "e30=" } });
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.text), { message: "An image does not exist locally with the tag: missing" });
    const denied = await h.request("POST", "/images/localhost:5000/private/app/push?tag=1", { headers: { "X-Registry-Auth": "e30=" } });
    assert.equal(denied.status, 200);
    assert.deepEqual(lines(denied.text).slice(-2), [
      { status: "Preparing", progressDetail: {}, id: "cccccccccccc" },
      { errorDetail: { message: "no basic auth credentials" }, error: "no basic auth credentials" },
    ]);
  });

  it("refuses bad names and digests", async () => {
    const rows: [string, string][] = [
      ["/images/Bad/push?tag=1", "invalid reference format: repository name (library/Bad) must be lowercase"],
      ["/images/app/push?tag=no@pe", "invalid tag format"],
      [`/images/app@sha256:${"a".repeat(64)}/push`, "cannot push a digest reference"],
    ];
    for (const [url, message] of rows) {
      const r = await h.request("POST", url, { headers: { "X-Registry-Auth": "e30=" } });
      assert.equal(r.status, 400, url);
      assert.deepEqual(JSON.parse(r.text), { message }, url);
    }
  });
});

describe("POST /auth", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const post = (body: string) => h.request("POST", "/v1.45/auth", { body, headers: { "Content-Type": "application/json" } });

  it("answers Login Succeeded with an empty identity token, as dockerd does", async () => {
    const r = await post('{"username":"alice","password":"secret","serveraddress":"localhost:5000"}');
    assert.equal(r.status, 200);
    assert.equal(r.text, '{"IdentityToken":"","Status":"Login Succeeded"}\n');
    assert.deepEqual(h.recorded.auth, { username: "alice", password: "secret", serveraddress: "localhost:5000" });
  });

  it("is 401 with the registry's message for bad credentials", async () => {
    const r = await post('{"username":"alice","password":"wrong","serveraddress":"localhost:5000"}');
    assert.equal(r.status, 401);
    assert.deepEqual(JSON.parse(r.text), { message: "login attempt to http://localhost:5000/v2/ failed with status: 401 Unauthorized" });
  });

  it("is 400 for a body that is not an AuthConfig", async () => {
    for (const [body, message] of [
      ["", "invalid JSON: EOF"],
      ["{bad", /^invalid JSON: /],
      ['{"username":true}', "json: cannot unmarshal bool into Go struct field AuthConfig.username of type string"],
    ] as const) {
      const r = await post(body);
      assert.equal(r.status, 400, body);
      const got = (JSON.parse(r.text) as { message: string }).message;
      if (typeof message === "string") assert.equal(got, message, body);
      else assert.match(got, message, body);
    }
  });
});
