// The real docker CLI pushes, pulls, logs in and out through berthd (POST
// /images/create?fromImage=, POST /images/{name}/push, POST /auth) against the
// distribution registry and berth's own registry server (open, Basic and token
// auth). Each assertion was checked against a real dockerd; set
// DOCKER_CLI_TEST_HOST=unix:///var/run/docker.sock to run the same file
// against one (everything it makes is named after a random prefix and removed
// afterwards, by reference or by ID), and DOCKER_CLI_TEST_BIN to pick the
// docker client (20.10 and 28.x). Every docker invocation uses a temp
// DOCKER_CONFIG, so logins never touch ~/.docker. Skipped, loudly, without a
// docker client or without /usr/bin/docker-registry. Both daemons treat
// 127.0.0.0/8 registries as insecure, so everything is plain http.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { serveRegistry, type RunningRegistry as BerthRegistry } from "../../src/registry/server/serve.js";
import { startDaemon, type Daemon } from "./harness.js";
import { distributionRegistry, startDistribution, type RunningRegistry } from "./distribution-fixtures.js";
import { dockerRunner, type Run } from "./docker-cli-build-fixtures.js";
import { pushedDigest } from "./docker-cli-distribution-fixtures.js";

const dockerPath =
  process.env.DOCKER_CLI_TEST_BIN || spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
const externalHost = process.env.DOCKER_CLI_TEST_HOST;
if (!dockerPath) console.warn("SKIPPING docker CLI distribution tests: no docker client installed (apt-get install docker.io)");
if (!distributionRegistry) console.warn("SKIPPING docker CLI distribution tests: no docker-registry (apt-get install docker-registry)");

const lines = (s: string): string[] => s.split("\n").filter(Boolean);
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const PASSWORD = "s3cret";

describe("docker push/pull/login against berthd", { skip: (!dockerPath && "no docker client installed") || (!distributionRegistry && "no docker-registry") }, () => {
  let d: Daemon | undefined;
  let tmp = "";
  let dist: RunningRegistry | undefined;
  const berthRegistries: BerthRegistry[] = [];
  let basicReg = "";
  let tokenReg = "";
  /** Everything this file makes is named after this prefix, so it can share a daemon. */
  const p = `dcd${randomBytes(3).toString("hex")}`;
  /** The first step after FROM in builds here: makes the build cache chain this run's own on a shared dockerd. */
  const mark = `ARG ${p}_run`;
  const imagesMade: string[] = [];
  let docker: (args: string[], o?: { input?: string }) => Promise<Run>;

  /** Runs docker, asserts it succeeded and returns its stdout. */
  const ok = async (args: string[], o: { input?: string } = {}): Promise<string> => {
    const r = await docker(args, o);
    assert.equal(r.code, 0, `docker ${args.join(" ")} exited ${r.code}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  const startBerthRegistry = async (auth: "basic" | "token"): Promise<string> => {
    const root = await mkdtemp(path.join(tmp, `reg-${auth}-`));
    const htpasswd = path.join(root, "..", `${path.basename(root)}.htpasswd`);
    await writeFile(htpasswd, `alice:${bcrypt.hashSync(PASSWORD, 4)}\n`);
    const reg = await serveRegistry({ addr: "127.0.0.1:0", root, htpasswd, auth, log: () => undefined });
    berthRegistries.push(reg);
    return new URL(reg.url).host;
  };

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "dcd-"));
    let host = externalHost ?? "";
    if (!host) {
      d = await startDaemon();
      host = d.host;
    }
    docker = dockerRunner(dockerPath, { DOCKER_HOST: host, DOCKER_CONFIG: path.join(tmp, "docker-cli"), DOCKER_BUILDKIT: "0" });
    dist = await startDistribution();
    basicReg = await startBerthRegistry("basic");
    tokenReg = await startBerthRegistry("token");
  });

  after(async () => {
    if (docker) {
      // Every reference to our repositories (tags and the digests pushes and pulls record), then what we built, by ID.
      const listed = lines((await docker(["images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}"])).stdout);
      const refs: string[] = [];
      for (const l of listed) {
        const [repo, tag, digest] = l.split(" ");
        if (!repo?.includes(`/${p}/`)) continue;
        if (tag && tag !== "<none>") refs.push(`${repo}:${tag}`);
        if (digest && digest !== "<none>") refs.push(`${repo}@${digest}`);
      }
      for (const ref of refs) await docker(["rmi", ref]);
      for (const id of [...new Set(imagesMade)].reverse()) if ((await docker(["image", "inspect", id])).code === 0) await docker(["rmi", "-f", id]);
    }
    for (const reg of berthRegistries) await reg.close();
    await dist?.stop();
    await d?.destroy();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const pushBusybox = async (ref: string): Promise<Run> => {
    await ok(["tag", "busybox", ref]);
    return docker(["push", ref]);
  };

  let pushed = "";
  const repo = () => `${dist!.host}/${p}/bb`;

  test("1. push: every layer Pushed, then the digest line; again: Layer already exists", async () => {
    const r = await pushBusybox(`${repo()}:1`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = lines(r.stdout);
    assert.equal(out[0], `The push refers to repository [${repo()}]`);
    assert.ok(out.some((l) => /^[0-9a-f]{12}: Pushed$/.test(l)), r.stdout);
    pushed = pushedDigest(r.stdout, "1");
    assert.match(out.at(-1)!, new RegExp(`^1: digest: ${pushed} size: \\d+$`));

    const again = await docker(["push", `${repo()}:1`]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.ok(lines(again.stdout).some((l) => /^[0-9a-f]{12}: Layer already exists$/.test(l)), again.stdout);
    assert.ok(!again.stdout.includes(": Pushed"), again.stdout);
    assert.equal(pushedDigest(again.stdout, "1"), pushed);
  });

  test("2. pull after rmi: the pushed digest, Downloaded newer image, runs; again up to date; by digest; -q", async () => {
    assert.match(pushed, DIGEST, "scenario 1 pushed");
    const ref = `${repo()}:1`;
    await ok(["rmi", ref]);
    const out = lines(await ok(["pull", ref]));
    assert.equal(out[0], `1: Pulling from ${p}/bb`);
    assert.ok(out.includes(`Digest: ${pushed}`), out.join("\n"));
    assert.equal(out.at(-1), ref);
    assert.equal((await ok(["run", "--rm", ref, "echo", "ok"])).trim(), "ok");
    const digests = JSON.parse(await ok(["image", "inspect", "--format", "{{json .RepoDigests}}", ref])) as string[];
    assert.ok(digests.includes(`${repo()}@${pushed}`), JSON.stringify(digests));

    const again = lines(await ok(["pull", ref]));
    assert.ok(again.includes(`Status: Image is up to date for ${ref}`), again.join("\n"));
    assert.equal(again.at(-1), ref);

    const byDigest = `${repo()}@${pushed}`;
    const dig = lines(await ok(["pull", byDigest]));
    assert.equal(dig.at(-1), byDigest);
    assert.ok(dig.some((l) => l.startsWith("Status: ") && l.endsWith(` for ${byDigest}`)), dig.join("\n"));

    assert.equal(await ok(["pull", "-q", ref]), `${ref}\n`);
    // The first pull above re-created a removed tag of an image still there under busybox: dockerd says
    // "Downloaded newer image" whenever a pull makes or moves the tag, whatever it had to download.
    assert.ok(out.includes(`Status: Downloaded newer image for ${ref}`), out.join("\n"));
  });

  test("3. pulling a repository the registry does not have fails with exit 1: manifest unknown", async () => {
    const ref = `${dist!.host}/${p}/nope:1`;
    const r = await docker(["pull", ref]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /manifest for .* not found: manifest unknown/);
    // The request itself fails (404) before any progress, so the client prefixes the daemon's words.
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `Error response from daemon: manifest for ${ref} not found: manifest unknown: manifest unknown\n`);
  });

  const loginRoundTrip = async (reg: () => string, name: string) => {
    const ref = () => `${reg()}/${p}/${name}:1`;
    await ok(["tag", "busybox", ref()]);
    const anonymous = await docker(["push", ref()]);
    assert.equal(anonymous.code, 1, anonymous.stdout + anonymous.stderr);
    // Basic: "no basic auth credentials". Token: an anonymous token without push rights,
    // "denied: requested access to the resource is denied".
    assert.match(anonymous.stderr, /^(no basic auth credentials|denied: requested access to the resource is denied)$/m);

    const wrong = await docker(["login", "-u", "alice", "--password-stdin", reg()], { input: "wrong\n" });
    assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
    // Basic: `login attempt to http://…/v2/ failed with status: 401 Unauthorized`; token: `Get "http://…/v2/": unauthorized…`.
    assert.match(wrong.stderr, /^Error response from daemon: .*(401 Unauthorized|unauthorized)/m);
    assert.ok(!wrong.stdout.includes("Login Succeeded"));

    const right = await docker(["login", "-u", "alice", "--password-stdin", reg()], { input: `${PASSWORD}\n` });
    assert.equal(right.code, 0, right.stdout + right.stderr);
    assert.match(right.stdout, /^Login Succeeded$/m);

    const push = await docker(["push", ref()]);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    const digest = pushedDigest(push.stdout, "1");
    await ok(["rmi", ref()]);
    const pull = lines(await ok(["pull", ref()]));
    assert.ok(pull.includes(`Digest: ${digest}`), pull.join("\n"));
    assert.equal(pull.at(-1), ref());

    assert.equal(await ok(["logout", reg()]), `Removing login credentials for ${reg()}\n`);
    // Logged out: the registry refuses us again.
    await ok(["rmi", ref()]);
    const denied = await docker(["pull", ref()]);
    assert.equal(denied.code, 1, denied.stdout + denied.stderr);
  };

  test("4. Basic auth on berth's registry: refused anonymously, wrong password, login, push, pull, logout", () => loginRoundTrip(() => basicReg, "basic"));

  test("5. token auth on berth's registry: the same round trip", () => loginRoundTrip(() => tokenReg, "token"));

  test("6. a locally built image pushes, and pulls back into a clean state", async () => {
    const ref = `${repo()}-built:1`;
    const build = await docker(["build", "-t", ref, "-"], { input: `FROM busybox\n${mark}\nRUN echo hi > /hi\n` });
    imagesMade.push(...[...build.stdout.matchAll(/^ ---> ([0-9a-f]{12})$/gm)].map((m) => m[1]!));
    assert.equal(build.code, 0, build.stdout + build.stderr);
    const id = (await ok(["image", "inspect", "--format", "{{.Id}}", ref])).trim();
    imagesMade.push(id);
    const push = await docker(["push", ref]);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    const digest = pushedDigest(push.stdout, "1");
    // The RUN layer is new to the registry; busybox's is there already, in another repository, so the daemon may mount it.
    const layers = lines(push.stdout).filter((l) => / (Pushed|Mounted from .+|Layer already exists)$/.test(l));
    assert.equal(layers.length, 2, push.stdout);
    assert.ok(layers.some((l) => l.endsWith(" Pushed")), push.stdout);

    await ok(["rmi", "-f", id]);
    assert.notEqual((await docker(["image", "inspect", ref])).code, 0);
    const pull = lines(await ok(["pull", ref]));
    assert.ok(pull.includes(`Digest: ${digest}`), pull.join("\n"));
    assert.ok(pull.includes(`Status: Downloaded newer image for ${ref}`), pull.join("\n"));
    assert.equal((await ok(["image", "inspect", "--format", "{{.Id}}", ref])).trim(), id);
    assert.equal(await ok(["run", "--rm", ref, "cat", "/hi"]), "hi\n");
  });
});
