// The registry server's endpoints against a real server on 127.0.0.1:0 and a
// temp root: the happy paths, and a hand-written request for each error code.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { OCI_CODES, toErrorResponse, RegistryError, type OciCode } from "../../src/registry/server/errors.js";
import { NotFoundError } from "../../src/errors.js";
import { errorCode, OCI_INDEX, OCI_MANIFEST, pushBlob, pushImage, sha, startRegistry, type TestRegistry } from "./registry-server-harness.js";

const ZERO = `sha256:${"0".repeat(64)}`;
let reg: TestRegistry;
before(async () => {
  reg = await startRegistry({ allowDelete: true });
});
after(async () => {
  await reg.close();
});

describe("base and catalog", () => {
  test("GET /v2/ is 200 {} with the API version header", async () => {
    const res = await reg.req("GET", "/v2/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("docker-distribution-api-version"), "registry/2.0");
    assert.deepEqual(await res.json(), {});
  });

  test("catalog pages with n/last and a Link header", async () => {
    for (const name of ["cat/a", "cat/b", "cat/c"]) await pushBlob(reg, name, `x${name}`);
    const first = await reg.req("GET", "/v2/_catalog?n=2");
    const body = (await first.json()) as { repositories: string[] };
    assert.equal(body.repositories.length, 2);
    const link = first.headers.get("link");
    assert.match(link ?? "", /^<\/v2\/_catalog\?n=2&last=[^>]+>; rel="next"$/);
    const all = (await (await reg.req("GET", "/v2/_catalog")).json()) as { repositories: string[] };
    assert.ok(["cat/a", "cat/b", "cat/c"].every((n) => all.repositories.includes(n)));
    assert.deepEqual(all.repositories, [...all.repositories].sort());
  });
});

describe("blobs", () => {
  test("chunked upload in order, status, Range GET and HEAD", async () => {
    const post = await reg.req("POST", "/v2/chunky/blobs/uploads/");
    assert.equal(post.status, 202);
    assert.equal(post.headers.get("range"), "0-0");
    const uuid = post.headers.get("docker-upload-uuid");
    const loc = post.headers.get("location")!;
    assert.equal(loc, `/v2/chunky/blobs/uploads/${uuid}`);
    const p1 = await reg.req("PATCH", loc, { body: "hello", headers: { "Content-Range": "0-4", "Content-Type": "application/octet-stream" } });
    assert.equal(p1.status, 202);
    assert.equal(p1.headers.get("range"), "0-4");
    const status = await reg.req("GET", loc);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get("range"), "0-4");
    const p2 = await reg.req("PATCH", loc, { body: "world", headers: { "Content-Range": "5-9" } });
    assert.equal(p2.headers.get("range"), "0-9");
    const digest = sha("helloworld!");
    const put = await reg.req("PUT", `${loc}?digest=${digest}`, { body: "!", headers: { "Content-Range": "10-10" } });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get("location"), `/v2/chunky/blobs/${digest}`);
    assert.equal(put.headers.get("docker-content-digest"), digest);
    const get = await reg.req("GET", `/v2/chunky/blobs/${digest}`, { headers: { Range: "bytes=2-6" } });
    assert.equal(get.status, 206);
    assert.equal(get.headers.get("content-range"), "bytes 2-6/11");
    assert.equal(get.headers.get("content-type"), "application/octet-stream");
    assert.equal(await get.text(), "llowo");
    const head = await reg.req("HEAD", `/v2/chunky/blobs/${digest}`);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "11");
    assert.equal(head.headers.get("docker-content-digest"), digest);
    // The upload dir is gone once committed.
    assert.deepEqual(await readdir(join(reg.root, "repositories/chunky/_uploads")), []);
  });

  test("cross-repository mount links an existing blob (201) and falls back to a session (202)", async () => {
    const digest = await pushBlob(reg, "mount/src", "shared layer");
    const ok = await reg.req("POST", `/v2/mount/dst/blobs/uploads/?mount=${digest}&from=mount/src`);
    assert.equal(ok.status, 201);
    assert.equal(ok.headers.get("location"), `/v2/mount/dst/blobs/${digest}`);
    assert.equal(await (await reg.req("GET", `/v2/mount/dst/blobs/${digest}`)).text(), "shared layer");
    const miss = await reg.req("POST", `/v2/mount/dst/blobs/uploads/?mount=${ZERO}&from=mount/src`);
    assert.equal(miss.status, 202);
    assert.ok(miss.headers.get("docker-upload-uuid"));
  });

  test("DELETE unlinks the blob from the repository only", async () => {
    const digest = await pushBlob(reg, "del/a", "to delete");
    await pushBlob(reg, "del/b", "to delete");
    assert.equal((await reg.req("DELETE", `/v2/del/a/blobs/${digest}`)).status, 202);
    assert.equal((await reg.req("HEAD", `/v2/del/a/blobs/${digest}`)).status, 404);
    assert.equal((await reg.req("HEAD", `/v2/del/b/blobs/${digest}`)).status, 200);
  });

  test("DELETE of an upload is 204 and forgets it", async () => {
    const loc = (await reg.req("POST", "/v2/cancel/blobs/uploads/")).headers.get("location")!;
    assert.equal((await reg.req("DELETE", loc)).status, 204);
    assert.equal((await reg.req("GET", loc)).status, 404);
  });
});

describe("manifests, tags, referrers", () => {
  test("PUT by tag, GET/HEAD by tag and digest with the stored media type", async () => {
    const img = await pushImage(reg, "app/web", "v1");
    for (const ref of ["v1", img.digest]) {
      const res = await reg.req("GET", `/v2/app/web/manifests/${ref}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), OCI_MANIFEST);
      assert.equal(res.headers.get("docker-content-digest"), img.digest);
      assert.equal(await res.text(), img.bytes);
      const head = await reg.req("HEAD", `/v2/app/web/manifests/${ref}`);
      assert.equal(head.headers.get("content-length"), String(Buffer.byteLength(img.bytes)));
    }
  });

  test("an index needs its manifests; tags list pages", async () => {
    const a = await pushImage(reg, "app/multi", "a", { layer: "A" });
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: a.digest, size: Buffer.byteLength(a.bytes) }] });
    const put = await reg.req("PUT", "/v2/app/multi/manifests/b", { body: index, headers: { "Content-Type": OCI_INDEX } });
    assert.equal(put.status, 201);
    await reg.req("PUT", "/v2/app/multi/manifests/c", { body: index, headers: { "Content-Type": OCI_INDEX } });
    const page = await reg.req("GET", "/v2/app/multi/tags/list?n=2");
    assert.deepEqual(await page.json(), { name: "app/multi", tags: ["a", "b"] });
    assert.equal(page.headers.get("link"), '</v2/app/multi/tags/list?n=2&last=b>; rel="next"');
    assert.deepEqual(await (await reg.req("GET", "/v2/app/multi/tags/list?n=2&last=b")).json(), { name: "app/multi", tags: ["c"] });
  });

  test("a manifest with a subject shows up in the referrers index, filtered by artifactType", async () => {
    const img = await pushImage(reg, "app/ref", "v1");
    const sig = await pushImage(reg, "app/ref", "sig", {
      layer: "signature",
      extra: { artifactType: "application/vnd.example.sig", subject: { mediaType: OCI_MANIFEST, digest: img.digest, size: Buffer.byteLength(img.bytes) } },
    });
    const all = await reg.req("GET", `/v2/app/ref/referrers/${img.digest}`);
    assert.equal(all.status, 200);
    assert.equal(all.headers.get("content-type"), OCI_INDEX);
    const index = (await all.json()) as { manifests: { digest: string; artifactType: string }[] };
    assert.deepEqual(index.manifests.map((m) => [m.digest, m.artifactType]), [[sig.digest, "application/vnd.example.sig"]]);
    const filtered = await reg.req("GET", `/v2/app/ref/referrers/${img.digest}?artifactType=application/other`);
    assert.equal(filtered.headers.get("oci-filters-applied"), "artifactType");
    assert.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, []);
  });

  test("DELETE by tag removes the tag, by digest removes the revision", async () => {
    const img = await pushImage(reg, "app/gone", "v1");
    assert.equal((await reg.req("DELETE", "/v2/app/gone/manifests/v1")).status, 202);
    assert.equal((await reg.req("GET", "/v2/app/gone/manifests/v1")).status, 404);
    assert.equal((await reg.req("GET", `/v2/app/gone/manifests/${img.digest}`)).status, 200);
    assert.equal((await reg.req("DELETE", `/v2/app/gone/manifests/${img.digest}`)).status, 202);
    assert.equal((await reg.req("GET", `/v2/app/gone/manifests/${img.digest}`)).status, 404);
  });
});

// One hand-written request per code: [code, status, request].
const ERROR_CASES: [OciCode, number, () => Promise<Response>][] = [
  ["BLOB_UNKNOWN", 404, () => reg.req("GET", `/v2/errs/blobs/${ZERO}`)],
  ["BLOB_UPLOAD_INVALID", 400, async () => {
    // Two PATCHes at once on one session: the second is refused while the first streams.
    const loc = (await reg.req("POST", "/v2/errs/blobs/uploads/")).headers.get("location")!;
    let release!: () => void;
    const body = new ReadableStream({ start: (c) => { c.enqueue(new TextEncoder().encode("a")); return new Promise<void>((r) => (release = () => { c.close(); r(); })); } });
    const first = fetch(`${reg.url}${loc}`, { method: "PATCH", body, duplex: "half" } as RequestInit);
    await new Promise((r) => setTimeout(r, 100));
    const second = await reg.req("PATCH", loc, { body: "b" });
    release();
    await first;
    return second;
  }],
  ["BLOB_UPLOAD_UNKNOWN", 404, () => reg.req("GET", "/v2/errs/blobs/uploads/00000000-0000-0000-0000-000000000000")],
  ["DIGEST_INVALID", 400, () => reg.req("POST", `/v2/errs/blobs/uploads/?digest=${ZERO}`, { body: "not zero" })],
  ["MANIFEST_BLOB_UNKNOWN", 400, () => reg.req("PUT", "/v2/errs/manifests/x", {
    headers: { "Content-Type": OCI_MANIFEST },
    body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "a", digest: ZERO, size: 1 }, layers: [] }),
  })],
  ["MANIFEST_INVALID", 400, () => reg.req("PUT", "/v2/errs/manifests/x", { headers: { "Content-Type": OCI_MANIFEST }, body: "{not json" })],
  ["MANIFEST_UNKNOWN", 404, () => reg.req("GET", "/v2/errs/manifests/nope")],
  ["NAME_INVALID", 400, () => reg.req("GET", "/v2/Upper-Case/tags/list")],
  ["NAME_UNKNOWN", 404, () => reg.req("GET", "/v2/never/pushed/tags/list")],
  ["SIZE_INVALID", 400, async () => {
    // Content-Range announces 10 bytes, the body (and its Content-Length) has 3.
    const loc = (await reg.req("POST", "/v2/errs/blobs/uploads/")).headers.get("location")!;
    return reg.req("PATCH", loc, { body: "abc", headers: { "Content-Range": "0-9" } });
  }],
  ["TAG_INVALID", 400, () => reg.req("GET", "/v2/errs/manifests/-bad-tag")],
  ["UNSUPPORTED", 405, () => reg.req("PUT", "/v2/")],
];

describe("error codes", () => {
  for (const [code, status, send] of ERROR_CASES) {
    test(`${code} → ${status}`, async () => {
      const res = await send();
      assert.equal(res.status, status);
      assert.equal(await errorCode(res), code);
    });
  }

  test("PATCH that does not continue at the current offset → 416 with the current Range", async () => {
    const loc = (await reg.req("POST", "/v2/errs/blobs/uploads/")).headers.get("location")!;
    await reg.req("PATCH", loc, { body: "12345", headers: { "Content-Range": "0-4" } });
    const res = await reg.req("PATCH", loc, { body: "67890", headers: { "Content-Range": "3-7" } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get("range"), "0-4");
  });

  test("digest mismatch at PUT leaves no blob and no upload", async () => {
    const loc = (await reg.req("POST", "/v2/mismatch/blobs/uploads/")).headers.get("location")!;
    await reg.req("PATCH", loc, { body: "some bytes" });
    const res = await reg.req("PUT", `${loc}?digest=${ZERO}`);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), "DIGEST_INVALID");
    await assert.rejects(stat(join(reg.root, "blobs/sha256/00", "0".repeat(64))), { code: "ENOENT" });
    await assert.rejects(stat(join(reg.root, "blobs/sha256", sha("some bytes").slice(7, 9), sha("some bytes").slice(7))), { code: "ENOENT" });
    assert.equal((await reg.req("GET", loc)).status, 404);
  });

  test("deletes are UNSUPPORTED (405) unless allowed", async () => {
    const locked = await startRegistry();
    try {
      const digest = await pushBlob(locked, "nodel", "keep me");
      const res = await locked.req("DELETE", `/v2/nodel/blobs/${digest}`);
      assert.equal(res.status, 405);
      assert.equal(await errorCode(res), "UNSUPPORTED");
      assert.equal((await locked.req("DELETE", "/v2/nodel/manifests/latest")).status, 405);
    } finally {
      await locked.close();
    }
  });

  test("every code has a status, and other kinds map in the same place", () => {
    for (const [code, entry] of Object.entries(OCI_CODES)) {
      assert.equal(toErrorResponse(new RegistryError(code as OciCode)).status, entry.status);
    }
    assert.deepEqual(toErrorResponse(new NotFoundError("x")).status, 404);
    assert.deepEqual(toErrorResponse(new Error("boom")).body.errors[0]!.code, "UNKNOWN");
  });

  test("each request is logged as one JSON line", () => {
    const line = JSON.parse(reg.logs.find((l) => l.includes('"/v2/"'))!) as Record<string, unknown>;
    assert.equal(line.method, "GET");
    assert.equal(line.status, 200);
  });
});
