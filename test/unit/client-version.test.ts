// API version negotiation against daemon stand-ins on temporary Unix sockets:
// the client asks GET /_ping once, speaks the lower of its own version and the
// daemon's Api-Version, and a pinned version (DOCKER_API_VERSION) skips the
// question.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { API_VERSION, createClient } from "../../src/client/client.js";
import { InvalidArgumentError, UnavailableError } from "../../src/errors.js";

interface FakeDaemon {
  host: string;
  /** Request lines seen, "GET /v1.41/containers/json". */
  seen: string[];
  close(): Promise<void>;
}

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "berth-client-version-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A daemon whose /_ping announces `version` (none when undefined) and that answers every versioned path with []. */
async function fakeDaemon(name: string, version: string | undefined, pingStatus = 200): Promise<FakeDaemon> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    const headers: Record<string, string> = version ? { "Api-Version": version } : {};
    if (req.url === "/_ping") {
      res.writeHead(pingStatus, { ...headers, "Content-Type": "text/plain" });
      return res.end(pingStatus === 200 ? "OK" : "down");
    }
    res.writeHead(200, { ...headers, "Content-Type": "application/json" });
    res.end("[]");
  });
  const socket = path.join(dir, `${name}.sock`);
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    host: `unix://${socket}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("API version negotiation", () => {
  it("speaks an older daemon's version, asking once for many requests", async () => {
    const d = await fakeDaemon("old", "1.41");
    const client = createClient({ host: d.host });
    await Promise.all([client.containers.list(), client.images.list(), client.containers.list({ all: true })]);
    await client.volumes.list();
    assert.deepEqual(d.seen, ["GET /_ping", "GET /v1.41/containers/json", "GET /v1.41/images/json", "GET /v1.41/containers/json?all=1", "GET /v1.41/volumes"]);
    assert.equal(await client.apiVersion(), "1.41");
    client.close();
    await d.close();
  });

  it("keeps its own version with a newer daemon", async () => {
    const d = await fakeDaemon("new", "1.47");
    const client = createClient({ host: d.host });
    await client.containers.list();
    assert.deepEqual(d.seen, ["GET /_ping", `GET /v${API_VERSION}/containers/json`]);
    client.close();
    await d.close();
  });

  it("compares versions numerically (1.9 is older than 1.10)", async () => {
    const d = await fakeDaemon("nine", "1.9");
    const client = createClient({ host: d.host });
    assert.equal(await client.apiVersion(), "1.9");
    client.close();
    await d.close();
  });

  it("takes a daemon that does not say for 1.24, and reads the header from an error answer too", async () => {
    const silent = await fakeDaemon("silent", undefined);
    const a = createClient({ host: silent.host });
    await a.containers.list();
    assert.equal(silent.seen.at(-1), "GET /v1.24/containers/json");
    a.close();
    await silent.close();

    const failing = await fakeDaemon("failing", "1.40", 500);
    const b = createClient({ host: failing.host });
    assert.equal(await b.apiVersion(), "1.40");
    b.close();
    await failing.close();
  });

  it("a pinned version is used without asking", async () => {
    const d = await fakeDaemon("pinned", "1.41");
    const client = createClient({ host: d.host, version: "1.43" });
    await client.containers.list();
    assert.deepEqual(d.seen, ["GET /v1.43/containers/json"]);
    client.close();
    await d.close();
    assert.throws(() => createClient({ host: d.host, version: "latest" }), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.equal(err.message, "invalid API version (latest): must be formatted <major>.<minor>");
      return true;
    });
  });

  it("an unreachable daemon is reported, and asked again on the next request", async () => {
    const socket = path.join(dir, "late.sock");
    const client = createClient({ host: `unix://${socket}` });
    await assert.rejects(client.containers.list(), UnavailableError);
    const server = http.createServer((req, res) => {
      res.writeHead(200, { "Api-Version": "1.41", "Content-Type": "application/json" });
      res.end(req.url === "/_ping" ? "OK" : JSON.stringify([{ url: req.url }]));
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    assert.deepEqual(await client.containers.list(), [{ url: "/v1.41/containers/json" }]);
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("a request body that fails while the version is asked fails the request", async () => {
    const d = await fakeDaemon("body", "1.41");
    const client = createClient({ host: d.host });
    // As fs.createReadStream of a missing file: it fails on its own, before anyone reads it.
    const body = new Readable({ read() {} });
    process.nextTick(() => body.destroy(new Error("unreadable archive")));
    await assert.rejects(client.images.load(body), /unreadable archive/);
    assert.ok(!d.seen.some((line) => line.includes("/images/load")));
    client.close();
    await d.close();
  });
});
