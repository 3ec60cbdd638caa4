// POST /build, /build/prune and GET /system/df at the HTTP edge, against a
// fake build service on a private socket: query parsing, Docker's error
// wording, the JSON message stream with its in-band error, -q, remote=.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Readable } from "node:stream";
import { InvalidArgumentError, SystemError } from "../../src/errors.js";
import type { Backends } from "../../src/api/backends.js";
import type { DiskUsageType } from "../../src/api/router/system/backend.js";
import { createApiServer, type ApiServer } from "../../src/api/server.js";
import type { BuildOptions } from "../../src/build/build-service.js";
import type { Filters } from "../../src/oci/filters.js";
import { httpRequest, startHarness, type Harness } from "./api-harness.js";

interface Seen {
  options?: BuildOptions;
  body?: string;
  aborted?: Promise<void>;
  prune?: { all?: boolean; keepStorage?: number; filters?: Filters };
  dfTypes?: DiskUsageType[];
}

class RunFailed extends SystemError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

async function readBody(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

/**
 * The fake builds by the first tag's name: "fail:run" fails a RUN after two
 * steps, "fail:parse" fails before saying anything, "hold:x" waits for the
 * client to go; anything else succeeds with the classic stream.
 */
function buildFake(seen: Seen): Backends["build"] {
  return {
    async build(context, options, io) {
      seen.options = options;
      seen.body = await readBody(context);
      const tag = options.tags[0] ?? "";
      if (tag === "fail:parse") throw new InvalidArgumentError("dockerfile parse error line 2: unknown instruction: FOO");
      io.onMessage({ stream: "Step 1/2 : FROM busybox" });
      io.onMessage({ stream: "\n" });
      io.onMessage({ stream: " ---> 9ce70642db7f\n" });
      io.onMessage({ stream: "Step 2/2 : RUN false" });
      io.onMessage({ stream: "\n" });
      io.onMessage({ stream: " ---> Running in 1a2b3c4d5e6f\n" });
      if (tag === "fail:run") throw new RunFailed("The command '/bin/sh -c false' returned a non-zero code: 3", 3);
      if (tag === "hold:x") {
        seen.aborted = new Promise((resolve) => io.signal.addEventListener("abort", () => resolve()));
        await seen.aborted;
        throw new SystemError("build cancelled");
      }
      io.onMessage({ stream: "Removing intermediate container 1a2b3c4d5e6f\n" });
      io.onMessage({ stream: " ---> 5d6e7f8a9b0c\n" });
      io.onMessage({ aux: { ID: "sha256:5d6e7f8a9b0c" } });
      io.onMessage({ stream: "Successfully built 5d6e7f8a9b0c\n" });
      return { imageId: "sha256:5d6e7f8a9b0c" };
    },
    async prune(opts) {
      seen.prune = opts;
      return { cachesDeleted: ["abc", "def"], spaceReclaimed: 2048 };
    },
  };
}

let harness: Harness;
let server: ApiServer;
let socket: string;
let web: http.Server;
let webUrl: string;
const seen: Seen = {};

before(async () => {
  harness = await startHarness();
  socket = path.join(harness.dir, "build.sock");
  const backends: Backends = {
    ...harness.backends,
    build: buildFake(seen),
    diskUsage: {
      async diskUsage({ types }) {
        seen.dfTypes = [...types].sort();
        return { LayersSize: 10, Images: [], BuildCache: [{ ID: "abc", Type: "regular", Size: 5, InUse: false, Shared: false }] };
      },
    },
  };
  server = createApiServer(backends);
  await server.listen(`unix://${socket}`);
  web = http.createServer((req, res) => {
    if (req.url === "/Dockerfile") res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": "13" }).end("FROM busybox\n");
    else res.writeHead(404).end("nothing here");
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});

after(async () => {
  await server.close();
  await new Promise((resolve) => web.close(resolve));
  await harness.close();
});

const post = (url: string, body = "CONTEXT") => httpRequest(socket, "POST", url, { body, headers: { "Content-Type": "application/x-tar" } });
const lines = (text: string): unknown[] => text.trim().split("\n").map((l) => JSON.parse(l) as unknown);
const q = (value: object): string => encodeURIComponent(JSON.stringify(value));

describe("POST /build", () => {
  test("streams the classic messages, one JSON object per line, and passes the body through", async () => {
    const res = await post("/v1.45/build?t=app:1&t=app:2");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/json");
    assert.deepEqual(lines(res.text), [
      { stream: "Step 1/2 : FROM busybox" },
      { stream: "\n" },
      { stream: " ---> 9ce70642db7f\n" },
      { stream: "Step 2/2 : RUN false" },
      { stream: "\n" },
      { stream: " ---> Running in 1a2b3c4d5e6f\n" },
      { stream: "Removing intermediate container 1a2b3c4d5e6f\n" },
      { stream: " ---> 5d6e7f8a9b0c\n" },
      { aux: { ID: "sha256:5d6e7f8a9b0c" } },
      { stream: "Successfully built 5d6e7f8a9b0c\n" },
    ]);
    assert.equal(seen.body, "CONTEXT");
    assert.deepEqual(seen.options?.tags, ["app:1", "app:2"]);
  });

  test("maps every classic query parameter onto the build options", async () => {
    const query = [
      "dockerfile=sub/Dockerfile.dev",
      "t=x",
      "extrahosts=db:10.0.0.2",
      "extrahosts=cache:10.0.0.3",
      "nocache=1",
      `buildargs=${q({ A: "1", FROM_ENV: null })}`,
      `labels=${q({ team: "a", empty: null })}`,
      `cachefrom=${q(["busybox"])}`,
      "pull=1&rm=0&forcerm=1",
      "memory=104857600&memswap=-1&cpushares=512&cpusetcpus=0-1&cpuperiod=100000&cpuquota=50000&shmsize=67108864",
      "networkmode=host&platform=linux/amd64&target=build&version=1",
    ].join("&");
    const res = await post(`/build?${query}`);
    assert.equal(res.status, 200);
    assert.deepEqual(seen.options, {
      dockerfile: "sub/Dockerfile.dev",
      tags: ["x"],
      buildArgs: { A: "1", FROM_ENV: null },
      labels: { team: "a", empty: "" },
      noCache: true,
      quiet: false,
      network: "host",
      extraHosts: ["db:10.0.0.2", "cache:10.0.0.3"],
      target: "build",
      platform: "linux/amd64",
      resources: { memory: 104857600, memorySwap: -1, cpuShares: 512, cpuPeriod: 100000, cpuQuota: 50000, cpusetCpus: "0-1", shmSize: 67108864 },
    });
  });

  test("defaults: Dockerfile name left to the service, network default, no limits; garbage limits read as none, as in dockerd", async () => {
    await post("/build?memory=lots");
    assert.equal(seen.options?.dockerfile, "");
    assert.equal(seen.options?.network, "default");
    assert.deepEqual(seen.options?.resources, {});
    assert.deepEqual(seen.options?.buildArgs, {});
  });

  const refusals: [string, number, string][] = [
    ["buildargs=%7Bx", 400, "error reading build args: invalid character 'x' looking for beginning of object key string"],
    [`buildargs=${q({ A: 1 })}`, 400, "error reading build args: json: cannot unmarshal number into Go value of type string"],
    [`buildargs=${q([])}`, 400, "error reading build args: json: cannot unmarshal array into Go value of type map[string]*string"],
    ["buildargs=%7B%22A%22%3A%221%22", 400, "error reading build args: unexpected end of JSON input"],
    ["labels=%7Bx", 400, "error reading labels: invalid character 'x' looking for beginning of object key string"],
    [`labels=${q({ a: "1" })}x`, 400, "error reading labels: invalid character 'x' after top-level value"],
    ["cachefrom=x", 400, "invalid character 'x' looking for beginning of value"],
    ["version=2", 400, "buildkit is not enabled on daemon: berth implements the classic builder only (version=1)"],
    ["version=3", 400, 'invalid version "3"'],
    ["squash=1", 400, "squash is only supported with experimental mode"],
    ["shmsize=abc", 400, 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ["remote=git://example.com/x.git", 501, "git build contexts are not supported: berth cannot clone git://example.com/x.git; send the context as a tar archive instead"],
    ["remote=foo", 400, "remoteURL (foo) could not be recognized as URL"],
    ["t=fail:parse", 400, "dockerfile parse error line 2: unknown instruction: FOO"],
  ];
  for (const [query, status, message] of refusals) {
    test(`?${decodeURIComponent(query)} → ${status}`, async () => {
      const res = await post(`/build?${query}`);
      assert.equal(res.status, status);
      assert.deepEqual(JSON.parse(res.text), { message });
    });
  }

  test("a failure after the stream started travels in-band, with a failed RUN's exit code", async () => {
    const res = await post("/build?t=fail:run");
    assert.equal(res.status, 200);
    const all = lines(res.text);
    assert.deepEqual(all.at(-2), { stream: " ---> Running in 1a2b3c4d5e6f\n" });
    const message = "The command '/bin/sh -c false' returned a non-zero code: 3";
    assert.deepEqual(all.at(-1), { errorDetail: { code: 3, message }, error: message });
  });

  test("q=1 sends only the image ID on success", async () => {
    const res = await post("/build?q=1");
    assert.equal(res.status, 200);
    assert.deepEqual(lines(res.text), [{ stream: "sha256:5d6e7f8a9b0c\n" }]);
    assert.equal(seen.options?.quiet, true);
  });

  test("q=1 sends what it held back, then the error, when the build fails", async () => {
    const res = await post("/build?q=1&t=fail:run");
    const all = lines(res.text);
    assert.equal(all.length, 7);
    assert.deepEqual(all[0], { stream: "Step 1/2 : FROM busybox" });
    assert.equal((all[6] as { errorDetail: { code: number } }).errorDetail.code, 3);
  });

  test("remote= fetches the context over http and ignores the body", async () => {
    const res = await post(`/build?remote=${encodeURIComponent(`${webUrl}/Dockerfile`)}`, "IGNORED");
    assert.equal(res.status, 200);
    assert.equal(seen.body, "FROM busybox\n");
    assert.deepEqual(lines(res.text)[0], { status: "Downloading context", id: `${webUrl}/Dockerfile`, progressDetail: { current: 13, total: 13 } });
  });

  test("remote= that answers 404 is a 404 in dockerd's words", async () => {
    const res = await post(`/build?remote=${encodeURIComponent(`${webUrl}/nope`)}`);
    assert.equal(res.status, 404);
    assert.deepEqual(JSON.parse(res.text), { message: `error downloading remote context ${webUrl}/nope: failed to GET ${webUrl}/nope with status 404 Not Found: nothing here` });
  });

  test("a client that goes away cancels the build", async () => {
    seen.aborted = undefined;
    const req = http.request({ socketPath: socket, method: "POST", path: "/build?t=hold:x" });
    req.on("error", () => undefined);
    req.end("CONTEXT");
    await new Promise<void>((resolve) => req.on("response", (res) => res.once("data", () => resolve())));
    req.destroy();
    assert.ok(seen.aborted);
    await seen.aborted;
  });

  test("POST /session is BuildKit's and not routed", async () => {
    const res = await httpRequest(socket, "POST", "/session");
    assert.equal(res.status, 404);
  });
});

describe("POST /build/prune", () => {
  test("reports deleted caches and reclaimed space; passes all, keep-storage and filters", async () => {
    const res = await httpRequest(socket, "POST", `/build/prune?all=1&keep-storage=1000&filters=${q({ until: ["24h"] })}`);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { CachesDeleted: ["abc", "def"], SpaceReclaimed: 2048 });
    assert.equal(seen.prune?.all, true);
    assert.equal(seen.prune?.keepStorage, 1000);
    assert.deepEqual([...(seen.prune?.filters ?? [])], [["until", ["24h"]]]);
  });

  test("keep-storage 0 or absent is no size budget", async () => {
    await httpRequest(socket, "POST", "/build/prune");
    assert.equal(seen.prune?.keepStorage, undefined);
    assert.equal(seen.prune?.all, false);
  });

  test("keep-storage must be an integer", async () => {
    const res = await httpRequest(socket, "POST", "/build/prune?keep-storage=1g");
    assert.equal(res.status, 400);
    assert.match(res.text, /keep-storage is in bytes and expects an integer, got 1g/);
  });
});

describe("GET /system/df", () => {
  test("asks for everything by default", async () => {
    const res = await httpRequest(socket, "GET", "/system/df");
    assert.equal(res.status, 200);
    assert.deepEqual(seen.dfTypes, ["build-cache", "container", "image", "volume"]);
    assert.equal(JSON.parse(res.text).BuildCache[0].ID, "abc");
  });

  test("type= narrows what is computed; an unknown type is a 400", async () => {
    await httpRequest(socket, "GET", "/v1.45/system/df?type=image&type=build-cache");
    assert.deepEqual(seen.dfTypes, ["build-cache", "image"]);
    await httpRequest(socket, "GET", "/v1.41/system/df?type=image");
    assert.deepEqual(seen.dfTypes, ["build-cache", "container", "image", "volume"]);
    const res = await httpRequest(socket, "GET", "/system/df?type=network");
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { message: "unknown object type: network" });
  });
});
