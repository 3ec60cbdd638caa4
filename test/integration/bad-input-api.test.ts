// Bad requests over the raw API: malformed JSON, wrong field types, bad
// references and names, bad filters and query values, an oversized body, a
// wrong Content-Type, and clients that hang up in the middle of an upload.
// Each gets a Docker-style status and {"message": …}; afterwards the daemon
// still serves, lists only what was made on purpose, and its data root holds
// no blob, ingest file or snapshot of the failed requests.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { startDaemon, type Daemon } from "./harness.js";
import { census, dockerArchive, errorMessage, pack, request, type Census } from "./bad-input-fixtures.js";

const create = (body: unknown): string => JSON.stringify(body);
const longTag = "t".repeat(129);

describe("bad API input", () => {
  let d: Daemon;
  let baseline: Census;
  let keeper: string;

  before(async () => {
    d = await startDaemon();
    // A container that must come through every bad request untouched.
    const r = await d.berth(["run", "-d", "--name", "keeper", "busybox", "sleep", "300"]);
    assert.equal(r.code, 0, r.stderr);
    keeper = r.stdout.trim();
    baseline = census(d.dataRoot);
  });
  after(async () => {
    await d?.destroy();
  });

  // method, path, body, status, message (the whole "message", or a pattern)
  const rows: [string, string, string | undefined, number, string | RegExp][] = [
    ["POST", "/containers/create", "{not json", 400, /^invalid JSON: /],
    ["POST", "/containers/create", '{"Image": "busybox"', 400, "invalid JSON: unexpected EOF"],
    ["POST", "/containers/create", "", 400, "invalid JSON: EOF"],
    ["POST", "/containers/create", "[1,2]", 400, "json: cannot unmarshal array into Go value of type object"],
    ["POST", "/containers/create", create({ Image: "busybox", Env: "A=1" }), 400, "json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Env of type []string"],
    ["POST", "/containers/create", create({ Image: "busybox", Env: ["A=1", 2] }), 400, "json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Env of type string"],
    ["POST", "/containers/create", create({ Image: "busybox", Cmd: 42 }), 400, "json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type strslice.StrSlice"],
    [
      "POST",
      "/containers/create",
      create({ Image: "busybox", HostConfig: { Memory: "1g" } }),
      400,
      "json: cannot unmarshal string into Go struct field ContainerConfigWrapper.HostConfig.Memory of type int64",
    ],
    ["POST", "/containers/create", create({ Image: "no-such-image:1" }), 404, "No such image: no-such-image:1"],
    ["POST", "/containers/create", create({ Image: "Bad/Name" }), 400, /^invalid reference format: repository name \(Name\) must be lowercase$/],
    ["POST", "/containers/create", create({ Image: "a::b" }), 400, "invalid reference format"],
    ["POST", "/containers/create", create({ Image: `busybox:${longTag}` }), 400, "invalid reference format"],
    ["POST", "/containers/create?name=bad%20name", create({ Image: "busybox" }), 400, "Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"],
    ["POST", "/containers/create?name=-dash", create({ Image: "busybox" }), 400, "Invalid container name (-dash), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"],
    ["POST", "/containers/create?name=keeper", create({ Image: "busybox" }), 409, /^Conflict\. The container name "\/keeper" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.$/],
    ["GET", "/images/Bad%2FName/json", undefined, 400, /^invalid reference format/],
    ["POST", `/images/busybox/tag?repo=busybox&tag=${longTag}`, undefined, 400, "invalid reference format"],
    ["POST", "/images/busybox/tag?repo=a::b", undefined, 400, "invalid reference format"],
    ["GET", "/containers/json?filters=%7Bnot", undefined, 400, /^invalid filter/],
    ["GET", `/containers/json?filters=${encodeURIComponent('{"bogus":{"x":true}}')}`, undefined, 400, /^invalid filter 'bogus'$/i],
    ["GET", `/images/json?filters=${encodeURIComponent('{"bogus":["x"]}')}`, undefined, 400, /^invalid filter 'bogus'$/i],
    ["GET", "/images/json?filters=%5B", undefined, 400, /^invalid filter/],
    ["GET", "/containers/json?limit=abc", undefined, 400, 'strconv.Atoi: parsing "abc": invalid syntax'],
    ["POST", "/containers/keeper/stop?t=abc", undefined, 400, 'strconv.Atoi: parsing "abc": invalid syntax'],
    ["POST", "/containers/keeper/restart?t=1.5", undefined, 400, 'strconv.Atoi: parsing "1.5": invalid syntax'],
    ["POST", "/containers/keeper/wait?condition=bogus", undefined, 400, 'invalid condition: "bogus"'],
    ["POST", "/containers/nope/stop?t=abc", undefined, 400, 'strconv.Atoi: parsing "abc": invalid syntax'],
    ["POST", "/images/create", undefined, 400, /fromImage or fromSrc/],
  ];
  for (const [method, path, body, status, message] of rows) {
    test(`${method} ${path} ${(body ?? "").slice(0, 70)} → ${status}`, async () => {
      const r = await request(d.socket, method, `/v1.45${path}`, body);
      assert.equal(r.status, status, r.body);
      const got = JSON.parse(r.body) as { message: string };
      if (typeof message === "string") assert.equal(got.message, message);
      else assert.match(got.message, message);
    });
  }

  test("a body with a wrong Content-Type is refused", async () => {
    const r = await request(d.socket, "POST", "/v1.45/containers/create?name=typed", create({ Image: "busybox" }), { "Content-Type": "text/plain" });
    assert.equal(r.status, 400);
    assert.equal(errorMessage(r.body), "unsupported Content-Type header (text/plain): must be 'application/json'");
  });

  test("a JSON body over the limit is refused without filling the daemon's memory", async () => {
    const huge = create({ Image: "busybox", Env: [`BIG=${"x".repeat(17 << 20)}`] });
    const r = await request(d.socket, "POST", "/v1.45/containers/create?name=huge", huge);
    assert.equal(r.status, 400);
    assert.match(errorMessage(r.body) ?? "", /^request body is larger than \d+ bytes$/);
  });

  /**
   * Streams `data` to `path` as a chunked upload and hangs up after `cut`
   * bytes have gone out, without waiting for an answer.
   */
  async function hangUpMidUpload(path: string, data: Buffer, cut: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const req = http.request({ socketPath: d.socket, method: "POST", path, headers: { "Content-Type": "application/x-tar" } });
      req.on("error", () => resolve());
      req.on("close", () => resolve());
      const step = 64 * 1024;
      const pump = (off: number): void => {
        if (off >= cut) {
          req.destroy();
          return;
        }
        const more = req.write(data.subarray(off, Math.min(off + step, cut)));
        if (more) setImmediate(() => pump(off + step));
        else req.once("drain", () => pump(off + step));
      };
      pump(0);
    });
  }

  /** The daemon notices a hang-up on its own time: wait for the data root to settle back to the baseline. */
  async function settled(what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const now = census(d.dataRoot);
      if (now.ingest.length === 0 && now.snapshots.length === baseline.snapshots.length && now.blobs.length === baseline.blobs.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(census(d.dataRoot), baseline, `${what} left something in the data root`);
  }

  test("a client that hangs up in the middle of a load leaves nothing, and the same load then works", async () => {
    const big = await pack([{ name: "big.bin", data: randomBytes(24 << 20) }]);
    const { archive } = await dockerArchive({ tag: "half:1", layers: [big] });
    await hangUpMidUpload("/v1.45/images/load", archive, archive.length >> 1);
    await settled("an interrupted load");
    assert.doesNotMatch((await d.berth(["images"])).stdout, /half/);
    const r = await d.berth(["load"], { input: archive });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Loaded image: half:1\n");
    assert.equal((await d.berth(["rmi", "half:1"])).code, 0);
    assert.deepEqual(census(d.dataRoot), baseline);
  });

  test("a client that hangs up in the middle of an import leaves nothing, and the same import then works", async () => {
    const rootfs = await pack([{ name: "big.bin", data: randomBytes(24 << 20) }]);
    await hangUpMidUpload("/v1.45/images/create?fromSrc=-&repo=halfimport&tag=1", rootfs, rootfs.length >> 1);
    await settled("an interrupted import");
    assert.doesNotMatch((await d.berth(["images"])).stdout, /halfimport/);
    const r = await d.berth(["import", "-", "halfimport:1"], { input: rootfs });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await d.berth(["rmi", "halfimport:1"])).code, 0);
    assert.deepEqual(census(d.dataRoot), baseline);
  });

  test("afterwards the daemon serves, and only what was made on purpose is listed", async () => {
    assert.equal((await request(d.socket, "GET", "/_ping")).body, "OK");
    const ps = await d.berth(["ps", "-a", "--format", "{{.Names}} {{.State}}"]);
    assert.equal(ps.stdout, "keeper running\n");
    assert.equal((await d.berth(["inspect", "--format", "{{.Id}}", "keeper"])).stdout.trim(), keeper);
    const images = await d.berth(["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert.equal(images.stdout, "busybox:latest\n");
    const run = await d.berth(["run", "--rm", "busybox", "echo", "still serving"]);
    assert.equal(run.stdout, "still serving\n");
    assert.deepEqual(census(d.dataRoot), baseline);
  });
});
