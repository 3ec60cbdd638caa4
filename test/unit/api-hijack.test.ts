// Hijacked streams over a real socket: a raw client speaks HTTP/1.1 with
// `Upgrade: tcp`, as the docker CLI does, and reads what the fake backends
// wrote — stdcopy frames without a TTY, raw bytes with one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { demux, rawExchange, splitResponse, startHarness, type Harness } from "./api-harness.js";

const upgradeRequest = (path: string, body = ""): string =>
  `POST ${path} HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
  (body ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : "") +
  `\r\n${body}`;

/** Concatenated payloads per stream, so the test does not depend on how writes were chunked. */
function byStream(frames: [number, string][]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [stream, text] of frames) out[stream] = (out[stream] ?? "") + text;
  return out;
}

describe("api hijack", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test("attach without a TTY: 101 UPGRADED, then stdout and stderr frames, then EOF", async () => {
    const raw = await rawExchange(h.socketPath, (s) => s.write(upgradeRequest("/v1.45/containers/c1/attach?stream=1&stdout=1&stderr=1")));
    const { head, body } = splitResponse(raw);
    const lines = head.split("\r\n");
    assert.equal(lines[0], "HTTP/1.1 101 UPGRADED");
    assert.ok(lines.includes("Content-Type: application/vnd.docker.multiplexed-stream"), head);
    assert.ok(lines.includes("Connection: Upgrade"), head);
    assert.ok(lines.includes("Upgrade: tcp"), head);
    assert.ok(lines.some((l) => /^api-version: 1\.45$/i.test(l)), head);
    assert.deepEqual(demux(body), [
      [1, "out\n"],
      [2, "err\n"],
    ]);
  });

  test("attach with a TTY gets raw bytes", async () => {
    const raw = await rawExchange(h.socketPath, (s) => s.write(upgradeRequest("/v1.45/containers/t1/attach?stream=1&stdout=1")));
    const { head, body } = splitResponse(raw);
    assert.match(head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    assert.match(head, /Content-Type: application\/vnd\.docker\.raw-stream/);
    assert.equal(body.toString(), "out\nerr\n");
  });

  test("before API 1.42 the framed stream is still typed raw-stream", async () => {
    const raw = await rawExchange(h.socketPath, (s) => s.write(upgradeRequest("/v1.41/containers/c1/attach?stream=1&stdout=1")));
    const { head, body } = splitResponse(raw);
    assert.match(head, /Content-Type: application\/vnd\.docker\.raw-stream/);
    assert.deepEqual(demux(body), [
      [1, "out\n"],
      [2, "err\n"],
    ]);
  });

  test("stdin: early bytes and later ones arrive; closing the write side ends stdin but output continues", async () => {
    const raw = await rawExchange(h.socketPath, (s) => {
      // "hello " travels in the same packet as the headers.
      s.write(upgradeRequest("/v1.45/containers/c1/attach?stream=1&stdin=1&stdout=1&stderr=1") + "hello ");
      s.once("data", () => {
        s.write("world\n");
        s.end();
      });
    });
    const { body } = splitResponse(raw);
    const streams = byStream(demux(body));
    assert.equal(streams[1], "out\nhello world\nbye\n");
    assert.equal(streams[2], "err\n");
  });

  test("an unknown container is a plain 404 before any hijack", async () => {
    const raw = await rawExchange(h.socketPath, (s) => s.write(upgradeRequest("/v1.45/containers/nope/attach?stream=1&stdout=1")));
    const { head, body } = splitResponse(raw);
    assert.match(head, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.match(head, /Api-Version: 1\.45/i);
    assert.match(body.toString(), /No such container: nope/);
  });

  test("exec start: the JSON body is read from the upgraded stream and what follows is stdin", async () => {
    const raw = await rawExchange(h.socketPath, (s) => {
      s.write(upgradeRequest("/v1.45/exec/e1/start", JSON.stringify({ Detach: false, Tty: false })) + "ping\n");
      s.once("data", () => s.end());
    });
    const { head, body } = splitResponse(raw);
    assert.match(head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    assert.match(head, /Content-Type: application\/vnd\.docker\.multiplexed-stream/);
    const streams = byStream(demux(body));
    assert.equal(streams[1], "out\nping\nbye\n");
    assert.equal(streams[2], "err\n");
  });

  test("exec start with Tty: raw bytes", async () => {
    const raw = await rawExchange(h.socketPath, (s) => {
      s.write(upgradeRequest("/exec/e1/start", JSON.stringify({ Tty: true })));
      s.once("data", () => s.end());
    });
    const { head, body } = splitResponse(raw);
    assert.match(head, /Content-Type: application\/vnd\.docker\.raw-stream/);
    assert.equal(body.toString(), "out\nerr\nbye\n");
  });

  test("without Upgrade: 200, same content type, the body is the stream until the connection ends", async () => {
    const { status, headers, body } = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request({ socketPath: h.socketPath, method: "POST", path: "/v1.45/containers/c1/attach?stream=1&stdout=1&stderr=1" }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 200);
    assert.equal(headers["content-type"], "application/vnd.docker.multiplexed-stream");
    assert.equal(headers["transfer-encoding"], undefined);
    assert.deepEqual(demux(body), [
      [1, "out\n"],
      [2, "err\n"],
    ]);
  });

  test("the abort signal fires when the client disconnects", async () => {
    const net = await import("node:net");
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(h.socketPath, () => s.write(upgradeRequest("/containers/hold/attach?stream=1&stdout=1")));
      let seen = "";
      s.on("data", (c: Buffer) => {
        seen += c.toString();
        if (seen.includes("held\n")) {
          s.destroy();
          resolve();
        }
      });
      s.on("error", reject);
    });
    assert.ok(h.recorded.attachAborted);
    await h.recorded.attachAborted;
  });

  test("the request log records the upgrade", async () => {
    await rawExchange(h.socketPath, (s) => s.write(upgradeRequest("/v1.45/containers/t1/attach?stream=1&stdout=1")));
    // The line is written when the server's socket closes, a moment after the client's.
    const find = () => h.logs.find((l) => (l as { status?: number }).status === 101);
    for (let i = 0; i < 200 && !find(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(find(), JSON.stringify(h.logs));
  });
});
