// bin/berth build / builder prune / system df as a user runs them, against
// berth's own API server with a fake build service on a temporary socket:
// output without a TTY, -q, --iidfile, exit codes and error wording.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Readable } from "node:stream";
import { InvalidArgumentError, SystemError } from "../../src/errors.js";
import type { Backends } from "../../src/api/backends.js";
import { createApiServer, type ApiServer } from "../../src/api/server.js";
import type { BuildOptions } from "../../src/build/build-service.js";
import { startHarness, type Harness } from "./api-harness.js";

const BIN = fileURLToPath(new URL("../../../bin/berth", import.meta.url));

class RunFailed extends SystemError {
  readonly exitCode = 3;
}

let harness: Harness;
let server: ApiServer;
let host: string;
const seen: { options?: BuildOptions; body?: string } = {};

async function readBody(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

const build: Backends["build"] = {
  async build(context, options, io) {
    seen.options = options;
    seen.body = await readBody(context);
    if (seen.body.includes("FOO")) throw new InvalidArgumentError("dockerfile parse error line 2: unknown instruction: FOO");
    io.onMessage({ stream: "Step 1/2 : FROM busybox" });
    io.onMessage({ stream: "\n" });
    io.onMessage({ stream: " ---> 9ce70642db7f\n" });
    io.onMessage({ stream: "Step 2/2 : RUN make" });
    io.onMessage({ stream: "\n" });
    io.onMessage({ stream: " ---> Running in 1a2b3c4d5e6f\n" });
    io.onMessage({ stream: "\u001b[91mno rule\n\u001b[0m" });
    if (seen.body.includes("fail")) throw new RunFailed("The command '/bin/sh -c make' returned a non-zero code: 3");
    io.onMessage({ stream: "Removing intermediate container 1a2b3c4d5e6f\n" });
    io.onMessage({ stream: " ---> 5d6e7f8a9b0c\n" });
    io.onMessage({ aux: { ID: `sha256:5d6e7f8a9b0c${"0".repeat(52)}` } });
    io.onMessage({ stream: "Successfully built 5d6e7f8a9b0c\n" });
    io.onMessage({ stream: "Successfully tagged app:latest\n" });
    return { imageId: `sha256:5d6e7f8a9b0c${"0".repeat(52)}` };
  },
  async prune() {
    return { cachesDeleted: ["k1", "k2"], spaceReclaimed: 10390 };
  },
};

before(async () => {
  harness = await startHarness();
  const socket = path.join(harness.dir, "cli.sock");
  server = createApiServer({
    ...harness.backends,
    build,
    diskUsage: { diskUsage: async () => ({ LayersSize: 0, Images: [], Containers: [], Volumes: [], BuildCache: [] }) },
  });
  host = await server.listen(`unix://${socket}`);
});

after(async () => {
  await server.close();
  await harness.close();
});

function berth(args: string[], stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, BERTH_HOST: host, DOCKER_HOST: "" },
      stdio: ["pipe", "pipe", "pipe"],
      cwd: harness.dir,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const ID = `sha256:5d6e7f8a9b0c${"0".repeat(52)}`;

describe("berth build", () => {
  test("prints the stream as the docker CLI does without a TTY", async () => {
    const r = await berth(["build", "-t", "app", "--build-arg", "A=1", "-"], "FROM busybox\n");
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      "Sending build context to Docker daemon      13B\r\r\n" +
        "Step 1/2 : FROM busybox\n ---> 9ce70642db7f\nStep 2/2 : RUN make\n ---> Running in 1a2b3c4d5e6f\n\u001b[91mno rule\n\u001b[0m" +
        "Removing intermediate container 1a2b3c4d5e6f\n ---> 5d6e7f8a9b0c\nSuccessfully built 5d6e7f8a9b0c\nSuccessfully tagged app:latest\n",
    );
    assert.equal(seen.body, "FROM busybox\n");
    assert.deepEqual(seen.options?.tags, ["app"]);
    assert.deepEqual(seen.options?.buildArgs, { A: "1" });
  });

  test("a directory is packed into a tar with its Dockerfile; -f is relative to the working directory", async () => {
    const dir = path.join(harness.dir, "ctx");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "Dockerfile"), "FROM busybox\nCOPY hello.txt /\n");
    await writeFile(path.join(dir, "hello.txt"), "hello from the context\n");
    await writeFile(path.join(harness.dir, "Other.Dockerfile"), "FROM busybox\n");
    const r = await berth(["build", "ctx"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Sending build context to Docker daemon +\d+(\.\d+)?kB\r\r\nStep 1\/2 : FROM busybox\n/);
    assert.equal(seen.options?.dockerfile, "Dockerfile");
    assert.ok(seen.body?.includes("hello from the context"));
    const outside = await berth(["build", "-f", "Other.Dockerfile", "ctx"]);
    assert.equal(outside.code, 0, outside.stderr);
    assert.match(seen.options?.dockerfile ?? "", /^\.dockerfile\.[0-9a-f]+$/);
  });

  test("-q prints only the ID; --iidfile gets it from the aux message", async () => {
    const quiet = await berth(["build", "-q", "-"], "FROM busybox\n");
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stdout, `${ID}\n`);
    const file = path.join(harness.dir, "iid");
    await writeFile(file, "stale");
    const r = await berth(["build", "--iidfile", file, "-"], "FROM busybox\n");
    assert.equal(r.code, 0);
    assert.equal(await readFile(file, "utf8"), ID);
  });

  test("a failed RUN exits with its code and prints the error bare on stderr", async () => {
    const r = await berth(["build", "-"], "FROM busybox\nRUN fail\n");
    assert.equal(r.code, 3);
    assert.equal(r.stderr, "The command '/bin/sh -c make' returned a non-zero code: 3\n");
    assert.match(r.stdout, / ---> Running in 1a2b3c4d5e6f\n\u001b\[91mno rule\n\u001b\[0m$/);
  });

  test("with -q a failure shows the held progress on stderr", async () => {
    const r = await berth(["build", "-q", "-"], "FROM busybox\nRUN fail\n");
    assert.equal(r.code, 3);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^Sending build context to Docker daemon {6}22B\r\r\nStep 1\/2 : FROM busybox\n[\s\S]*returned a non-zero code: 3\n$/);
  });

  test("an error before the build starts is the daemon's error response", async () => {
    const r = await berth(["build", "-"], "FROM busybox\nFOO bar\n");
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "Error response from daemon: dockerfile parse error line 2: unknown instruction: FOO\n");
  });

  const refusals: [string[], number, string][] = [
    [["build", "-f", "-", "-"], 1, "invalid argument: can't use stdin for both build context and dockerfile\n"],
    [["build", "nonexist"], 1, 'unable to prepare context: path "nonexist" not found\n'],
    [["build"], 1, "berth: 'berth build' requires exactly 1 argument\n\nUsage:  berth build [OPTIONS] PATH | URL | -\n\nSee 'berth build --help' for more information\n"],
  ];
  for (const [args, code, stderr] of refusals) {
    test(`berth ${args.join(" ")} → ${code}`, async () => {
      const r = await berth(args);
      assert.equal(r.stderr, stderr);
      assert.equal(r.code, code);
    });
  }

  test("a file is no context: docker wants a directory, a URL or -", async () => {
    await writeFile(path.join(harness.dir, "ctx.tar"), "");
    const r = await berth(["build", "ctx.tar"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `unable to prepare context: context must be a directory: ${path.join(harness.dir, "ctx.tar")}\n`);
  });
});

describe("berth builder prune and system df", () => {
  test("builder prune -f prints what went and the space", async () => {
    const r = await berth(["builder", "prune", "-f"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "Deleted build cache objects:\nk1\nk2\n\nTotal reclaimed space: 10.39kB\n");
  });

  test("builder prune asks first; no answer is a quiet no", async () => {
    const r = await berth(["builder", "prune", "--all"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "WARNING! This will remove all build cache. Are you sure you want to continue? [y/N] ");
    const yes = await berth(["builder", "prune"], "y\n");
    assert.match(yes.stdout, /\[y\/N\] Deleted build cache objects:\nk1\nk2\n\nTotal reclaimed space: 10.39kB\n$/);
  });

  test("system df prints the summary table", async () => {
    const r = await berth(["system", "df"]);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\nImages          0         0         0B        0B\nContainers      0         0         0B        0B\nLocal Volumes   0         0         0B        0B\nBuild Cache     0         0         0B        0B\n",
    );
  });
});
