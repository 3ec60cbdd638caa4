// The HTTP edge as table rows: request → status → body, against fake
// backends on a private socket.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createApiServer } from "../../src/api/server.js";
import { httpRequest, startHarness, type Harness } from "./api-harness.js";

const JSON_HEADERS = { "Content-Type": "application/json" };
const createBody = (extra: object) => JSON.stringify({ Image: "busybox", ...extra });

// [method, path, status, body: exact text or pattern, request body?]
type Row = [string, string, number, string | RegExp, string?];

const rows: Row[] = [
  ["GET", "/_ping", 200, "OK"],
  ["HEAD", "/_ping", 200, ""],
  ["GET", "/v1.45/_ping", 200, "OK"],
  ["GET", "/v1.24/_ping", 200, "OK"],
  ["GET", "/v1.12/_ping", 400, '{"message":"client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"}\n'],
  ["GET", "/v1.99/version", 400, '{"message":"client version 1.99 is too new. Maximum supported API version is 1.45"}\n'],
  ["GET", "/v1.45/no/such/route", 404, '{"message":"page not found"}\n'],
  ["PUT", "/v1.45/containers/json", 404, '{"message":"page not found"}\n'],
  ["GET", "/version", 200, /"ApiVersion":"1.45".*"MinAPIVersion":"1.24"/],
  ["GET", "/info", 200, /"ID":"berth-test"/],
  ["GET", "/system/df", 200, /^\{"LayersSize":1000,"Images":\[\{"Id":"sha256:aa",.*"Containers":4\}\],"Containers":\[\{"Id":"c1",.*"Volumes":\[\],"BuildCache":\[\]\}\n$/],
  // Query booleans as dockerd parses them.
  ["GET", "/containers/json?all=1", 200, /"Id":"stopped"/],
  ["GET", "/containers/json?all=True", 200, /"all":"true"/],
  ["GET", "/containers/json?all=0", 200, /"all":"false"/],
  ["GET", "/containers/json?all=", 200, /"all":"false"/],
  ["GET", "/containers/json?filters=notjson", 400, /invalid filter/],
  // Error kinds mapped to statuses.
  ["GET", "/v1.45/containers/nope/json", 404, '{"message":"No such container: nope"}\n'],
  ["POST", "/containers/c1/start", 304, ""],
  ["POST", "/containers/stopped/kill", 409, '{"message":"Container stopped is not running"}\n'],
  ["POST", "/containers/stopped/stop", 304, ""],
  ["GET", "/containers/c1/top?ps_args=aux", 200, /"aux"/],
  ["POST", "/containers/c1/resize?h=10&w=x", 400, /strconv.Atoi: parsing \\"x\\": invalid syntax/],
  ["POST", "/containers/c1/resize?h=10&w=20", 200, ""],
  ["POST", "/containers/c1/rename?name=-bad", 400, /Invalid container name \(-bad\)/],
  ["POST", "/containers/c1/wait?condition=sometime", 400, '{"message":"invalid condition: \\"sometime\\""}\n'],
  ["POST", "/containers/nope/wait", 404, /No such container: nope/],
  ["DELETE", "/containers/c1?link=1", 501, /links are not supported/],
  // Create: name rules, JSON errors, type errors.
  ["POST", "/containers/create?name=bad%20name", 400, '{"message":"Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"}\n', createBody({})],
  ["POST", "/containers/create?name=a", 400, /Invalid container name \(a\)/, createBody({})],
  ["POST", "/containers/create?name=/web_1.a-b", 201, '{"Id":"new1","Warnings":[]}\n', createBody({})],
  ["POST", "/containers/create", 400, `{"message":"invalid JSON: invalid character 'x' looking for beginning of value"}\n`, "xyz"],
  ["POST", "/containers/create", 400, /invalid JSON: /, "{not json"],
  ["POST", "/containers/create", 400, /invalid JSON: unexpected EOF/, '{"Image": "busybox"'],
  ["POST", "/containers/create", 400, /invalid JSON: EOF/, ""],
  ["POST", "/containers/create", 400, /cannot unmarshal array into Go value of type object/, "[]"],
  ["POST", "/containers/create", 400, /cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type strslice.StrSlice/, createBody({ Cmd: 42 })],
  ["POST", "/containers/create", 400, /cannot unmarshal number into Go struct field ContainerConfigWrapper.Env of type string/, createBody({ Env: ["A=1", 2] })],
  ["POST", "/containers/create", 400, /HostConfig.Memory of type int64/, createBody({ HostConfig: { Memory: "1g" } })],
  // Logs.
  ["GET", "/containers/c1/logs", 400, '{"message":"Bad parameters: you must choose at least one stream"}\n'],
  ["GET", "/containers/t1/logs?stdout=1&stderr=1", 200, "hello\noops\n"],
  ["GET", "/containers/t1/logs?stdout=1&timestamps=1", 200, "2024-01-02T03:04:05.000000001Z hello\n"],
  ["GET", "/containers/t1/logs?stdout=1&stderr=1&tail=1", 200, "oops\n"],
  ["GET", "/containers/nope/logs?stdout=1", 404, /No such container: nope/],
  // Exec.
  ["POST", "/containers/c1/exec", 201, '{"Id":"exec-ls--l"}\n', JSON.stringify({ Cmd: ["ls", "-l"] })],
  ["POST", "/containers/c1/exec", 201, '{"Id":"exec-ls"}\n', JSON.stringify({ Cmd: "ls" })],
  ["POST", "/containers/c1/exec", 400, '{"message":"No exec command specified"}\n', JSON.stringify({ Cmd: [] })],
  ["POST", "/containers/nope/exec", 404, /No such container: nope/, JSON.stringify({ Cmd: ["ls"] })],
  ["POST", "/exec/nope/start", 404, /No such exec instance: nope/, JSON.stringify({ Detach: true })],
  ["POST", "/exec/e1/start", 200, "", JSON.stringify({ Detach: true })],
  ["GET", "/exec/e1/json", 200, /"ID":"e1"/],
  ["POST", "/exec/e1/resize?h=1&w=2", 200, ""],
  // Images: names with slashes and colons match greedily.
  ["GET", "/images/localhost:5000/foo/bar:1/json", 200, /"RepoTags":\["localhost:5000\/foo\/bar:1"\]/],
  ["GET", "/images/busybox:latest/history", 200, /"Tags":\["busybox:latest"\]/],
  ["GET", "/images/nope/json", 404, '{"message":"No such image: nope"}\n'],
  ["GET", "/images/json?filter=busybox", 200, /"RepoTags":\["busybox"\]/],
  ["GET", '/images/json?filters={"reference":["a"]}', 200, /"RepoTags":\["a"\]/],
  ["POST", "/images/busybox:latest/tag?repo=localhost:5000/x&tag=2", 201, ""],
  ["POST", "/images/busybox:latest/tag", 400, /repository name must have at least one component/],
  ["DELETE", "/images/busybox:latest", 409, /must force/],
  ["DELETE", "/images/busybox:latest?force=1", 200, '[{"Untagged":"busybox:latest"}]\n'],
  ["GET", "/images/busybox:latest/get", 200, "TAR:busybox:latest"],
  ["GET", "/images/get?names=busybox:latest&names=localhost:5000/foo/bar:1", 200, "TAR:busybox:latest,localhost:5000/foo/bar:1"],
  ["GET", "/images/get?names=nope", 404, /No such image: nope/],
  ["GET", "/images/search?term=x", 501, /not implemented/],
  ["POST", "/images/create?fromImage=denied/x&tag=1", 404, /pull access denied for denied\/x/],
  ["POST", "/images/create?fromImage=busybox&tag=latest", 200, '{"status":"Status: Image is up to date for busybox:latest"}\n'],
  ["POST", "/images/create?fromSrc=ftp://example/x.tar", 400, /unsupported URL scheme/],
  ["POST", "/images/create", 400, /fromImage or fromSrc/],
  ["POST", "/images/load?quiet=1", 200, '{"stream":"Loaded image: busybox:latest\\n"}\n', "tarbytes"],
];

describe("api server", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  for (const [method, urlPath, status, expected, body] of rows) {
    test(`${method} ${urlPath} ${body ?? ""} → ${status}`, async () => {
      const r = await h.request(method, urlPath, { body, headers: body !== undefined ? JSON_HEADERS : undefined });
      assert.equal(r.status, status, r.text);
      if (typeof expected === "string") assert.equal(r.text, expected);
      else assert.match(r.text, expected);
    });
  }

  test("every response carries the version headers; /_ping adds its own", async () => {
    const r = await h.request("GET", "/_ping");
    assert.equal(r.headers["api-version"], "1.45");
    assert.equal(r.headers["docker-experimental"], "false");
    assert.equal(r.headers["ostype"], "linux");
    assert.match(String(r.headers["server"]), /^Berth\/0\.1\.0 \(linux\)$/);
    assert.equal(r.headers["builder-version"], "1");
    assert.equal(r.headers["cache-control"], "no-cache, no-store, must-revalidate");
    assert.equal(r.headers["pragma"], "no-cache");
    const err = await h.request("GET", "/containers/nope/json");
    assert.equal(err.headers["api-version"], "1.45");
    assert.equal(err.headers["content-type"], "application/json");
  });

  test("create passes the body on with a string Cmd made an array and the name without its slash", async () => {
    const r = await h.request("POST", "/containers/create?name=/web", { body: createBody({ Cmd: "echo hi", Entrypoint: null }), headers: JSON_HEADERS });
    assert.equal(r.status, 201);
    assert.equal(h.recorded.created?.name, "web");
    assert.deepEqual(h.recorded.created?.body.Cmd, ["echo hi"]);
    assert.equal(h.recorded.created?.body.Entrypoint, null);
  });

  test("a body that is not declared as JSON is refused", async () => {
    const r = await h.request("POST", "/containers/create", { body: createBody({}), headers: { "Content-Type": "text/plain" } });
    assert.equal(r.status, 400);
    assert.match(r.text, /unsupported Content-Type header \(text\/plain\): must be 'application\/json'/);
  });

  test("stop passes t, and signal only from API 1.42 on", async () => {
    await h.request("POST", "/v1.41/containers/c1/stop?t=3&signal=SIGINT");
    assert.deepEqual(h.recorded.stop, { id: "c1", timeout: 3, signal: undefined });
    h.containers.get("c1")!.running = true;
    await h.request("POST", "/v1.45/containers/c1/stop?t=3&signal=SIGINT");
    assert.deepEqual(h.recorded.stop, { id: "c1", timeout: 3, signal: "SIGINT" });
    h.containers.get("c1")!.running = true;
  });

  test("logs without a TTY are stdcopy frames, typed multiplexed from 1.42 and raw-stream before", async () => {
    const r = await h.request("GET", "/containers/c1/logs?stdout=1&stderr=1");
    assert.equal(r.headers["content-type"], "application/vnd.docker.multiplexed-stream");
    const { demux } = await import("./api-harness.js");
    assert.deepEqual(demux(r.body), [
      [1, "hello\n"],
      [2, "oops\n"],
    ]);
    const old = await h.request("GET", "/v1.41/containers/c1/logs?stderr=1");
    assert.equal(old.headers["content-type"], "application/vnd.docker.raw-stream");
    assert.deepEqual(demux(old.body), [[2, "oops\n"]]);
    const tty = await h.request("GET", "/containers/t1/logs?stdout=1");
    assert.equal(tty.headers["content-type"], "application/vnd.docker.raw-stream");
  });

  test("wait sends its headers at once and the body when the container exits", async () => {
    const http = await import("node:http");
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request({ socketPath: h.socketPath, method: "POST", path: "/containers/c1/wait?condition=next-exit" }, (res) => {
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers["content-type"], "application/json");
        // The response has started while the wait is still pending.
        assert.ok(h.recorded.finishWait);
        let text = "";
        res.on("data", (c: Buffer) => (text += c));
        res.on("end", () => resolve(text));
        h.recorded.finishWait(3);
      });
      req.on("error", reject);
      req.end();
    });
    assert.deepEqual(JSON.parse(body), { StatusCode: 3 });
  });

  test("import from the request body ends with the image ID", async () => {
    const r = await h.request("POST", "/images/create?fromSrc=-&repo=myimg&tag=v1&changes=CMD%20%5B%22sh%22%5D&changes=ENV%20A%3D1&message=hi", { body: "rootfs-tar" });
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "application/json");
    assert.equal(r.text, '{"status":"sha256:bb"}\n');
    assert.deepEqual(h.recorded.imported, { reference: "myimg:v1", changes: ['CMD ["sh"]', "ENV A=1"], body: "rootfs-tar" });
  });

  test("load without quiet streams progress too", async () => {
    const r = await h.request("POST", "/images/load", { body: "tar" });
    const lines = r.text.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.equal(lines[0].status, "Loading layer");
    assert.equal(lines[1].stream, "Loaded image: busybox:latest\n");
  });

  test("events: replay from since, filtered, ending at until", async () => {
    const until = Math.floor(Date.now() / 1000);
    const filters = encodeURIComponent(JSON.stringify({ type: ["container"], event: ["start"] }));
    const r = await h.request("GET", `/events?since=0&until=${until}&filters=${filters}`);
    assert.equal(r.status, 200);
    const got = r.text.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(got.map((e) => `${e.Type} ${e.Action}`), ["container start"]);
    const byLabel = await h.request("GET", `/events?since=0&until=${until}&filters=${encodeURIComponent('{"label":["team=a"]}')}`);
    assert.equal(byLabel.text.trim().split("\n").length, 1);
    const byImage = await h.request("GET", `/events?since=0&until=${until}&filters=${encodeURIComponent('{"image":["busybox"]}')}`);
    assert.equal(byImage.text.trim().split("\n").length, 3);
    const byName = await h.request("GET", `/events?until=${until}&filters=${encodeURIComponent('{"container":["we"]}')}`);
    assert.equal(byName.text.trim().split("\n").length, 2);
    // As dockerd: a key events do not know is not refused, and filters nothing out.
    const all = await h.request("GET", `/events?since=0&until=${until}`);
    const unknown = await h.request("GET", `/events?since=0&until=${until}&filters=${encodeURIComponent('{"colour":["red"]}')}`);
    assert.equal(unknown.status, 200);
    assert.equal(unknown.text, all.text);
  });

  test("one log line per request", async () => {
    await h.request("GET", "/v1.45/info");
    const line = h.logs.find((l) => (l as { path?: string }).path === "/v1.45/info") as { method: string; status: number; ms: number };
    assert.equal(line.method, "GET");
    assert.equal(line.status, 200);
    assert.equal(typeof line.ms, "number");
  });
});

describe("api server listen", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "berth-api-listen-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("replaces a stale socket file and makes it 0660", async () => {
    const sock = path.join(dir, "stale.sock");
    // A process that dies without cleaning up leaves its socket file behind.
    spawnSync(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, "SIGKILL"))`]);
    assert.ok((await stat(sock)).isSocket());
    const h = await startHarness();
    const server = createApiServer(h.backends);
    try {
      await server.listen(`unix://${sock}`);
      assert.equal((await stat(sock)).mode & 0o777, 0o660);
      const r = await httpRequest(sock, "GET", "/_ping");
      assert.equal(r.text, "OK");
    } finally {
      await server.close();
      await h.close();
    }
  });

  test("refuses to replace a file that is not a socket", async () => {
    const file = path.join(dir, "plain");
    await writeFile(file, "keep me");
    const h = await startHarness();
    try {
      await assert.rejects(createApiServer(h.backends).listen(`unix://${file}`), /exists and is not a socket/);
    } finally {
      await h.close();
    }
  });

  test("listens on tcp://127.0.0.1:0", async () => {
    const h = await startHarness();
    const server = createApiServer(h.backends);
    try {
      const bound = await server.listen("tcp://127.0.0.1:0");
      const port = Number(/^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(bound)?.[1]);
      assert.ok(port > 0, bound);
      // A second address on the same server, as berthd -H a -H b does.
      const sock = path.join(dir, "second.sock");
      await server.listen(`unix://${sock}`);
      assert.equal((await httpRequest(sock, "GET", "/_ping")).text, "OK");
      const res = await fetch(`http://127.0.0.1:${port}/v1.45/_ping`);
      assert.equal(await res.text(), "OK");
      assert.equal(res.headers.get("api-version"), "1.45");
      await assert.rejects(createApiServer(h.backends).listen("http://x"), /Invalid bind address format/);
    } finally {
      await server.close();
      await h.close();
    }
  });
});
