// Bad input over the raw API gets Docker's status codes and a JSON message,
// and corrupts nothing: the daemon still serves afterwards.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startDaemon, type Daemon } from "./harness.js";

function request(socketPath: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers: { "Content-Type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("API errors", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  const rows: [string, string, string | undefined, number, RegExp][] = [
    ["GET", "/_ping", undefined, 200, /^OK$/],
    ["GET", "/v1.12/version", undefined, 400, /client version 1\.12 is too old/],
    ["GET", "/v1.45/containers/nope/json", undefined, 404, /No such container: nope/],
    ["POST", "/v1.45/containers/create", "{not json", 400, /"message"/],
    ["POST", "/v1.45/containers/create", JSON.stringify({ Image: "busybox", Cmd: 42 }), 400, /"message"/],
    ["POST", "/v1.45/containers/create", JSON.stringify({ Image: "no-such-image:1", Cmd: ["true"] }), 404, /No such image: no-such-image:1/],
    ["POST", "/v1.45/containers/create?name=bad%20name", JSON.stringify({ Image: "busybox", Cmd: ["true"] }), 400, /Invalid container name/],
    ["POST", "/v1.45/containers/create", JSON.stringify({ Image: "busybox", Cmd: ["true"], HostConfig: { Memory: 1024 } }), 400, /Minimum memory limit allowed is 6MB/],
    ["GET", "/v1.45/images/Bad%2FName/json", undefined, 400, /invalid reference format/],
    ["GET", "/v1.45/no/such/route", undefined, 404, /page not found/],
  ];
  for (const [method, path, body, status, pattern] of rows) {
    test(`${method} ${path} ${body ?? ""} → ${status}`, async () => {
      const r = await request(d.socket, method, path, body);
      assert.equal(r.status, status, r.body);
      assert.match(r.body, pattern);
    });
  }

  test("a duplicate name is 409 and the first container is untouched", async () => {
    const create = JSON.stringify({ Image: "busybox", Cmd: ["true"] });
    const first = await request(d.socket, "POST", "/v1.45/containers/create?name=twin", create);
    assert.equal(first.status, 201);
    const second = await request(d.socket, "POST", "/v1.45/containers/create?name=twin", create);
    assert.equal(second.status, 409);
    assert.match(JSON.parse(second.body).message, /^Conflict\. The container name "\/twin" is already in use by container "[0-9a-f]{64}"/);
    const inspect = await request(d.socket, "GET", "/v1.45/containers/twin/json");
    assert.equal(JSON.parse(inspect.body).Id, JSON.parse(first.body).Id);
    await request(d.socket, "DELETE", "/v1.45/containers/twin");
  });

  test("every response advertises the API version", async () => {
    const r = await request(d.socket, "GET", "/version");
    assert.equal(r.headers["api-version"], "1.45");
    assert.equal(JSON.parse(r.body).ApiVersion, "1.45");
  });
});
