// bin/berth as a user runs it: exit codes and messages for flag mistakes, an
// absent daemon, and the run flow against a small stand-in daemon on a
// temporary socket (create → attach → wait → start → exit status), and
// the names `tag` refuses before any request.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import type { Duplex } from "node:stream";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { frameStdcopy } from "../../src/client/stdcopy.js";

const BIN = fileURLToPath(new URL("../../../bin/berth", import.meta.url));

function berth(args: string[], host: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, BERTH_HOST: host, DOCKER_HOST: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("berth process", () => {
  let dir: string;
  let server: http.Server;
  let host: string;
  const calls: string[] = [];
  const ID = "c0ffee".padEnd(64, "0");

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "berth-cli-"));
    let attached: Duplex | undefined;
    let pending: http.ServerResponse | undefined;
    let exitCode = 0;
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x");
        if (url.pathname === "/_ping") {
          // The client's version negotiation, before its first real request.
          res.writeHead(200, { "Api-Version": "1.45", "Content-Type": "text/plain" });
          return res.end("OK");
        }
        const p = url.pathname.replace(/^\/v1\.45/, "");
        calls.push(`${req.method} ${p}${url.search}`);
        const json = (status: number, value: unknown): void => {
          res.writeHead(status, { "Content-Type": "application/json" });
          res.end(JSON.stringify(value));
        };
        if (p === "/containers/create") {
          const image = (JSON.parse(body) as { Image: string }).Image;
          if (image === "missing") return json(404, { message: "No such image: missing:latest" });
          exitCode = image === "fails" ? 3 : 0;
          return json(201, { Id: ID, Warnings: [] });
        }
        if (p === "/images/create") {
          res.writeHead(200, { "Content-Type": "application/json" });
          return res.end('{"status":"Pulling"}\n{"errorDetail":{"message":"pull access denied for missing"},"error":"pull access denied for missing"}\n');
        }
        if (p.endsWith("/wait")) {
          // Headers go out at once, as moby does, so the client knows the wait is registered.
          res.writeHead(200, { "Content-Type": "application/json" });
          res.flushHeaders();
          pending = res;
          return;
        }
        if (p.endsWith("/start")) {
          if (url.searchParams.has("fail")) return json(500, {});
          res.writeHead(204);
          res.end();
          attached?.end(frameStdcopy("stdout", "hello\n"));
          setTimeout(() => pending?.end(JSON.stringify({ StatusCode: exitCode })), 10);
          return;
        }
        json(404, { message: "page not found" });
      });
    });
    server.on("upgrade", (req: http.IncomingMessage, socket: Duplex) => {
      calls.push(`UPGRADE ${req.url}`);
      socket.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
      socket.write(frameStdcopy("stderr", "starting\n"));
      socket.on("error", () => undefined);
      attached = socket;
    });
    const sock = path.join(dir, "d.sock");
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    host = `unix://${sock}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("prints its version", async () => {
    const r = await berth(["--version"], host);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^berth version \d+\.\d+\.\d+, build \w+\n$/);
  });

  it("exits 125 on an unknown flag, naming it as pflag does", async () => {
    const r = await berth(["run", "--nope", "busybox"], host);
    assert.equal(r.code, 125);
    assert.equal(r.stderr, "unknown flag: --nope\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n");
    assert.equal((await berth(["ps", "-z"], host)).stderr.split("\n")[0], "unknown shorthand flag: 'z' in -z");
  });

  it("exits 1 when operands are missing", async () => {
    const r = await berth(["rm"], host);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^berth: 'berth rm' requires at least 1 argument\n/);
  });

  it("says when the daemon cannot be reached", async () => {
    const gone = `unix://${path.join(dir, "nothing.sock")}`;
    const r = await berth(["ps"], gone);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Cannot connect to the berth daemon at ${gone}. Is the daemon running?\n`);
  });

  it("runs a container: attach before start, wait, exit with its status", async () => {
    calls.length = 0;
    const r = await berth(["run", "--rm", "fails", "sh", "-c", "exit 3"], host);
    assert.equal(r.stdout, "hello\n");
    assert.equal(r.stderr, "starting\n");
    assert.equal(r.code, 3);
    assert.deepEqual(calls, [
      "POST /containers/create",
      `UPGRADE /v1.45/containers/${ID}/attach?stream=1&stdout=1&stderr=1`,
      `POST /containers/${ID}/wait?condition=removed`,
      `POST /containers/${ID}/start`,
    ]);
  });

  it("prints the full ID with -d", async () => {
    const r = await berth(["run", "-d", "busybox"], host);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${ID}\n`);
  });

  it("tries to pull a missing image and exits 125 with the pull error", async () => {
    const r = await berth(["run", "missing"], host);
    assert.equal(r.code, 125);
    assert.equal(
      r.stderr,
      "Unable to find image 'missing:latest' locally\nPulling\nberth: Error response from daemon: pull access denied for missing\n\nRun 'berth run --help' for more information\n",
    );
  });
});

// `berth tag` checks both names on the client, as Docker's client does: a
// bad name is refused with Docker's words and exit status 1 before any
// request, and a good one becomes the repo/tag query Docker sends.
describe("berth tag", () => {
  let dir: string;
  let server: http.Server;
  let host: string;
  const calls: string[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "berth-tag-"));
    server = http.createServer((req, res) => {
      // The client's version negotiation (GET /_ping) is not what this suite looks at.
      if (req.url !== "/_ping") calls.push(`${req.method} ${req.url}`);
      res.writeHead(201, { "Api-Version": "1.45" }).end();
    });
    const socket = path.join(dir, "s.sock");
    await new Promise<void>((r) => server.listen(socket, r));
    host = `unix://${socket}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const refused: [string, string, string][] = [
    ["busybox", "Bad/Name", 'Error parsing reference: "Bad/Name" is not a valid repository/tag: invalid reference format: repository name (Name) must be lowercase'],
    ["busybox", "UPPER", 'Error parsing reference: "UPPER" is not a valid repository/tag: invalid reference format: repository name (library/UPPER) must be lowercase'],
    ["busybox", "busybox:bad tag", 'Error parsing reference: "busybox:bad tag" is not a valid repository/tag: invalid reference format'],
    ["busybox", ":x", 'Error parsing reference: ":x" is not a valid repository/tag: invalid reference format'],
    ["busybox", "a//b", 'Error parsing reference: "a//b" is not a valid repository/tag: invalid reference format'],
    ["busybox", "-x", 'Error parsing reference: "-x" is not a valid repository/tag: invalid reference format'],
    ["Bad/Src", "x", 'Error parsing reference: "Bad/Src" is not a valid repository/tag: invalid reference format: repository name (Src) must be lowercase'],
    ["busybox", `x@sha256:${"0".repeat(64)}`, "refusing to create a tag with a digest reference"],
  ];
  for (const [source, target, message] of refused) {
    it(`refuses ${source} → ${target}`, async () => {
      const r = await berth(["tag", source, target], host);
      assert.equal(r.stderr, `${message}\n`);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
    });
  }

  it("sends the familiar repository and the tag, :latest by default", async () => {
    assert.deepEqual(calls, [], "a refused name makes no request");
    for (const target of ["ok/name:v1", "localhost:5000/x", "docker.io/library/bb:2"]) {
      const r = await berth(["tag", "busybox", target], host);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.deepEqual(calls, [
      "POST /v1.45/images/busybox/tag?repo=ok%2Fname&tag=v1",
      "POST /v1.45/images/busybox/tag?repo=localhost%3A5000%2Fx&tag=latest",
      "POST /v1.45/images/busybox/tag?repo=bb&tag=2",
    ]);
  });
});
