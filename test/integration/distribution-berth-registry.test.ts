// berth's client against berth's own registry server (`berth registry serve`):
// anonymous, Basic (htpasswd) and token auth with `berth login`; and a pull
// killed halfway (berthd SIGKILLed) that leaves no image and works when repeated.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { serveRegistry } from "../../src/registry/server/serve.js";
import { startDaemon, type Daemon } from "./harness.js";
import { census } from "./bad-input-fixtures.js";
import { makeContext, removeContext } from "./build-fixtures.js";

describe("berth client with berth's registry server", () => {
  let a: Daemon;
  let b: Daemon;
  let dir: string;
  let ctx: string;
  const servers: Array<{ close(): Promise<void> }> = [];
  const home = (name: string) => ({ HOME: join(dir, name), BERTH_CONFIG: join(dir, name, ".berth"), DOCKER_CONFIG: join(dir, name, ".docker") });
  const serve = async (opts: Partial<Parameters<typeof serveRegistry>[0]>) => {
    const root = await mkdtemp(join(dir, "root-"));
    const reg = await serveRegistry({ addr: "127.0.0.1:0", root, log: () => undefined, ...opts });
    servers.push(reg);
    return new URL(reg.url).host;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "bdreg-"));
    [a, b] = await Promise.all([startDaemon(), startDaemon({ busybox: false })]);
    ctx = await makeContext({ Dockerfile: 'FROM busybox\nRUN echo from berth registry > /msg\nCMD ["cat", "/msg"]\n' });
    assert.equal((await a.berth(["build", "-q", "-t", "local/app:1", ctx])).code, 0);
    await writeFile(join(dir, "htpasswd"), `alice:${bcrypt.hashSync("s3cret", 4)}\n`);
  });
  after(async () => {
    for (const s of servers) await s.close();
    await Promise.all([a?.destroy(), b?.destroy()]);
    if (ctx) await removeContext(ctx);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const roundTrip = async (host: string, env: Record<string, string> = {}) => {
    const name = `${host}/team/app:1`;
    assert.equal((await a.berth(["tag", "local/app:1", name])).code, 0);
    const push = await a.berth(["push", name], { env });
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /1: digest: sha256:[0-9a-f]{64} size: \d+/);
    const pull = await b.berth(["pull", name], { env });
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal((await b.berth(["run", "--rm", name])).stdout, "from berth registry\n");
    await b.berth(["rmi", name]);
  };

  test("anonymous push and pull", async () => {
    await roundTrip(await serve({}));
  });

  test("Basic auth: refused without login, works after berth login", async () => {
    const host = await serve({ htpasswd: join(dir, "htpasswd") });
    const name = `${host}/team/app:1`;
    await a.berth(["tag", "local/app:1", name]);
    const refused = await a.berth(["push", name], { env: home("basic") });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /unauthorized|authentication required|no basic auth credentials/i);
    const wrong = await a.berth(["login", "-u", "alice", "--password-stdin", host], { input: "nope\n", env: home("basic") });
    assert.notEqual(wrong.code, 0);
    const ok = await a.berth(["login", "-u", "alice", "--password-stdin", host], { input: "s3cret\n", env: home("basic") });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Login Succeeded/);
    await roundTrip(host, home("basic"));
  });

  test("token auth: the built-in token endpoint grants what the user may do", async () => {
    const host = await serve({ htpasswd: join(dir, "htpasswd"), auth: "token" });
    const ok = await a.berth(["login", "-u", "alice", "--password-stdin", host], { input: "s3cret\n", env: home("token") });
    assert.equal(ok.code, 0, ok.stderr);
    await roundTrip(host, home("token"));
    const anonymous = await b.berth(["pull", `${host}/team/app:1`], { env: home("nobody") });
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /pull access denied|unauthorized|denied/i);
  });

  test("a pull killed halfway leaves no image, and the same pull then works", async () => {
    const host = await serve({});
    const big = await makeContext({
      Dockerfile: "FROM busybox\n" + [1, 2, 3].map((i) => `RUN head -c 20000000 /dev/urandom > /r${i}\n`).join(""),
    });
    try {
      const name = `${host}/team/big:1`;
      assert.equal((await a.berth(["build", "-q", "-t", name, big])).code, 0);
      assert.equal((await a.berth(["push", name])).code, 0);
      const before = census(b.dataRoot);
      const pulling = b.spawnBerth(["pull", name]);
      await new Promise<void>((resolve) => {
        pulling.stdout?.on("data", (c: Buffer) => {
          if (/Downloading|Extracting|Download complete/.test(c.toString())) resolve();
        });
        pulling.on("exit", () => resolve());
      });
      await b.kill("SIGKILL");
      pulling.kill("SIGKILL");
      await b.restart();
      assert.equal((await b.berth(["images", "-q", name])).stdout, "");
      // Start-up collected what the pull had stored: the store is as it was.
      assert.deepEqual(census(b.dataRoot), before);
      const again = await b.berth(["pull", name]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal((await b.berth(["run", "--rm", name, "ls", "/r3"])).stdout, "/r3\n");
    } finally {
      await removeContext(big);
    }
  });
});
