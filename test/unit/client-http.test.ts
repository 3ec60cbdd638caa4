// The typed client against a tiny daemon stand-in on a temporary Unix socket:
// status codes become error kinds, hijacked streams work both with a 101
// upgrade and a plain 200, and half-closing stdin keeps the output flowing.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { Duplex } from "node:stream";
import { Readable } from "node:stream";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createClient, fromDaemon, type Client } from "../../src/client/client.js";
import { frameStdcopy } from "../../src/client/stdcopy.js";
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  NotModifiedError,
  SystemError,
  UnavailableError,
} from "../../src/errors.js";

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

describe("client over a unix socket", () => {
  let dir: string;
  let server: http.Server;
  let client: Client;
  const seen: Seen[] = [];

  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "berth-client-"));
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ method: req.method ?? "", url: req.url ?? "", body, headers: req.headers });
        const url = new URL(req.url ?? "/", "http://x");
        switch (`${req.method} ${url.pathname}`) {
          case "GET /_ping":
            // The version negotiation every client does first (see client-version.test.ts).
            res.writeHead(200, { "Content-Type": "text/plain", "Api-Version": "1.45" });
            return res.end("OK");
          case "GET /v1.45/_ping":
            res.writeHead(200, { "Content-Type": "text/plain" });
            return res.end("OK");
          case "GET /v1.45/containers/nope/json":
            return json(res, 404, { message: "No such container: nope" });
          case "POST /v1.45/containers/c1/start":
            res.writeHead(304);
            return res.end();
          case "DELETE /v1.45/containers/c1":
            return json(res, 409, { message: "You cannot remove a running container c1" });
          case "POST /v1.45/containers/create":
            return url.searchParams.get("name") === "bad"
              ? json(res, 400, { message: "Invalid container name (bad)" })
              : json(res, 201, { Id: "abc123", Warnings: [] });
          case "GET /v1.45/info":
            res.writeHead(500, { "Content-Type": "text/plain" });
            return res.end("boom\n");
          case "GET /v1.45/containers/c1/logs":
            res.writeHead(200, { "Content-Type": "application/vnd.docker.multiplexed-stream" });
            // One frame split across two writes, then a stderr frame.
            {
              const frame = frameStdcopy("stdout", "line one\n");
              res.write(frame.subarray(0, 5));
              setTimeout(() => {
                res.write(Buffer.concat([frame.subarray(5), frameStdcopy("stderr", "oops\n")]));
                res.end();
              }, 10);
            }
            return;
          case "GET /v1.45/events":
            res.writeHead(200, { "Content-Type": "application/json" });
            res.write('{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{}},"time":1}\n{"Type":"con');
            return res.end('tainer","Action":"die","Actor":{"ID":"c1","Attributes":{}},"time":2}\n');
          case "POST /v1.45/images/load":
            res.writeHead(200, { "Content-Type": "application/json" });
            return res.end(`{"stream":"Loaded image: t:1 (${body.length} bytes)\\n"}\n`);
          default:
            return json(res, 404, { message: "page not found" });
        }
      });
    });
    server.on("upgrade", (req: http.IncomingMessage, socket: Duplex) => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", body: "", headers: req.headers });
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/v1.45/containers/plain/attach") {
        // An old-style daemon: 200 and then the raw stream on the same connection.
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n");
        socket.end("raw output");
        return;
      }
      socket.write(
        "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
      );
      socket.write(frameStdcopy("stderr", "ready\n"));
      socket.on("data", (data: Buffer) => socket.write(frameStdcopy("stdout", `echo:${data.toString()}`)));
      // The client half-closed stdin: answer once more, then close.
      socket.on("end", () => socket.end(frameStdcopy("stdout", "bye\n")));
    });
    await new Promise<void>((resolve) => server.listen(path.join(dir, "d.sock"), resolve));
    client = createClient({ host: `unix://${path.join(dir, "d.sock")}` });
  });

  after(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("pings through the version prefix", async () => {
    assert.equal(await client.ping(), "OK");
    assert.equal(seen.at(-1)?.url, "/v1.45/_ping");
  });

  it("maps statuses to error kinds with the daemon's message", async () => {
    await assert.rejects(client.containers.inspect("nope"), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.message, "No such container: nope");
      assert.ok(fromDaemon(err));
      return true;
    });
    await assert.rejects(client.containers.start("c1"), NotModifiedError);
    await assert.rejects(client.containers.remove("c1", { force: false }), ConflictError);
    await assert.rejects(client.containers.create({ Image: "x" }, { name: "bad" }), InvalidArgumentError);
    await assert.rejects(client.info(), (err: unknown) => err instanceof SystemError && err.message === "boom");
  });

  it("sends create bodies as JSON with the name in the query", async () => {
    const res = await client.containers.create({ Image: "busybox", Cmd: ["ls", "-l"] }, { name: "web" });
    assert.equal(res.Id, "abc123");
    const req = seen.at(-1);
    assert.equal(req?.url, "/v1.45/containers/create?name=web");
    assert.equal(req?.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(req?.body ?? ""), { Image: "busybox", Cmd: ["ls", "-l"] });
  });

  it("reports an absent daemon as unreachable", async () => {
    const gone = createClient({ host: `unix://${path.join(dir, "missing.sock")}` });
    await assert.rejects(gone.ping(), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.equal(err.message, `Cannot connect to the berth daemon at unix://${path.join(dir, "missing.sock")}. Is the daemon running?`);
      assert.ok(!fromDaemon(err));
      return true;
    });
    gone.close();
  });

  it("demuxes logs whose frames are split across chunks", async () => {
    const out: string[] = [];
    for await (const { stream, data } of await client.containers.logs("c1", { stdout: true, stderr: true, tail: "all" })) {
      out.push(`${stream}:${data.toString()}`);
    }
    assert.deepEqual(out, ["stdout:line one\n", "stderr:oops\n"]);
    assert.equal(seen.at(-1)?.url, "/v1.45/containers/c1/logs?stdout=1&stderr=1&tail=all");
  });

  it("streams events as parsed JSON", async () => {
    const actions: string[] = [];
    for await (const e of await client.events({ filters: { type: ["container"] } })) actions.push(e.Action ?? "");
    assert.deepEqual(actions, ["start", "die"]);
    assert.equal(seen.at(-1)?.url, `/v1.45/events?filters=${encodeURIComponent('{"type":["container"]}')}`);
  });

  it("sends a request body stream (image load)", async () => {
    const messages = [];
    for await (const m of await client.images.load(Readable.from([Buffer.from("tar-bytes")]), { quiet: true })) messages.push(m);
    assert.deepEqual(messages, [{ stream: "Loaded image: t:1 (9 bytes)\n" }]);
    assert.equal(seen.at(-1)?.headers["content-type"], "application/x-tar");
  });

  it("hijacks attach with a 101 upgrade; half-close keeps output coming", async () => {
    const io = await client.containers.attach("c1", { stream: true, stdin: true, stdout: true, stderr: true, tty: false });
    const req = seen.at(-1);
    assert.equal(req?.headers.upgrade, "tcp");
    assert.equal(req?.headers.connection, "Upgrade");
    assert.equal(req?.url, "/v1.45/containers/c1/attach?stream=1&stdin=1&stdout=1&stderr=1");
    const out: string[] = [];
    for await (const { stream, data } of io.output) {
      out.push(`${stream}:${data.toString()}`);
      if (data.toString() === "ready\n") io.write("hello");
      if (data.toString() === "echo:hello") io.closeWrite();
    }
    assert.deepEqual(out, ["stderr:ready\n", "stdout:echo:hello", "stdout:bye\n"]);
  });

  it("accepts a plain 200 answer to a hijack request", async () => {
    const io = await client.containers.attach("plain", { stream: true, stdout: true, tty: true });
    const out: string[] = [];
    for await (const { stream, data } of io.output) out.push(`${stream}:${data.toString()}`);
    assert.deepEqual(out, ["stdout:raw output"]);
  });
});
