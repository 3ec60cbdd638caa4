// berth pull / push / login / logout as a user runs them, against the
// in-process API harness on a private socket, with a temporary HOME: the
// output docker prints, exit codes, the credentials file, and which
// credentials reach the daemon in X-Registry-Auth.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startHarness, type Harness } from "./api-harness.js";

const BIN = fileURLToPath(new URL("../../../bin/berth", import.meta.url));
const b64 = (s: string): string => Buffer.from(s).toString("base64");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("berth pull, push, login, logout", () => {
  let h: Harness;
  let home: string;

  const berth = (args: string[], opts: { stdin?: string } = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH, HOME: home, BERTH_HOST: `unix://${h.socketPath}` },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(opts.stdin ?? "");
    });
  const berthFile = (): string => path.join(home, ".berth", "config.json");

  before(async () => {
    h = await startHarness();
    home = path.join(h.dir, "home");
    await mkdir(home);
  });
  after(() => h.close());

  it("pulls with docker's output: default tag, plain progress lines, full reference", async () => {
    const r = await berth(["pull", "localhost:5000/app"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        "Using default tag: latest",
        "latest: Pulling from app",
        "aaaaaaaaaaaa: Pulling fs layer",
        "bbbbbbbbbbbb: Pulling fs layer",
        "aaaaaaaaaaaa: Download complete",
        "aaaaaaaaaaaa: Pull complete",
        "bbbbbbbbbbbb: Download complete",
        "bbbbbbbbbbbb: Pull complete",
        `Digest: sha256:${"d".repeat(64)}`,
        "Status: Downloaded newer image for localhost:5000/app:latest",
        "localhost:5000/app:latest",
        "",
      ].join("\n"),
    );
    assert.equal(r.stderr, "");
    assert.equal(h.recorded.pulled?.reference, "localhost:5000/app:latest");
    assert.equal(h.recorded.pulled?.opts.credentials, undefined);
  });

  it("prints only the reference with -q, pins digests, and pulls every tag with -a", async () => {
    const q = await berth(["image", "pull", "-q", "busybox"]);
    assert.deepEqual([q.code, q.stdout, q.stderr], [0, "docker.io/library/busybox:latest\n", ""]);
    const digest = `sha256:${"a".repeat(64)}`;
    const d = await berth(["pull", "-q", `alpine@${digest}`]);
    assert.equal(d.stdout, `docker.io/library/alpine@${digest}\n`);
    assert.equal(h.recorded.pulled?.reference, `docker.io/library/alpine@${digest}`);
    const all = await berth(["pull", "-a", "--platform", "linux/amd64", "user/app"]);
    assert.equal(all.code, 0, all.stderr);
    assert.ok(all.stdout.startsWith("latest: Pulling from user/app\n"), all.stdout);
    assert.ok(all.stdout.endsWith("Status: Downloaded newer image for user/app\ndocker.io/user/app\n"), all.stdout);
    assert.deepEqual([h.recorded.pulled?.reference, h.recorded.pulled?.opts.allTags, h.recorded.pulled?.opts.platform], ["docker.io/user/app", true, "linux/amd64"]);
  });

  it("reports failures as docker does", async () => {
    const tagged = await berth(["pull", "-a", "user/app:1"]);
    assert.deepEqual([tagged.code, tagged.stderr], [1, "tag can't be used with --all-tags/-a\n"]);
    const denied = await berth(["pull", "denied/app"]);
    assert.equal(denied.code, 1);
    assert.equal(
      denied.stderr,
      "Error response from daemon: pull access denied for denied/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n",
    );
    // An error inside the stream is printed as the message alone.
    const mid = await berth(["pull", "midfail:1"]);
    assert.deepEqual([mid.code, mid.stdout, mid.stderr], [1, "1: Pulling from library/midfail\n", "unexpected EOF\n"]);
    const digestPush = await berth(["push", `app@sha256:${"a".repeat(64)}`]);
    assert.deepEqual([digestPush.code, digestPush.stderr], [1, "cannot push a digest reference\n"]);
  });

  it("logs in, files docker's config.json, and sends the credentials on push and pull", async () => {
    const denied = await berth(["push", "localhost:5000/private/app"]);
    assert.equal(denied.code, 1);
    assert.equal(denied.stdout, "Using default tag: latest\nThe push refers to repository [localhost:5000/private/app]\ncccccccccccc: Preparing\n");
    assert.equal(denied.stderr, "no basic auth credentials\n");

    const login = await berth(["login", "-u", "alice", "-p", "secret", "localhost:5000"]);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, "Login Succeeded\n");
    assert.equal(
      login.stderr,
      "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n\n" +
        `WARNING! Your credentials are stored unencrypted in '${berthFile()}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`,
    );
    assert.deepEqual(h.recorded.auth, { username: "alice", password: "secret", serveraddress: "localhost:5000" });
    assert.equal(await readFile(berthFile(), "utf8"), '{\n\t"auths": {\n\t\t"localhost:5000": {\n\t\t\t"auth": "YWxpY2U6c2VjcmV0"\n\t\t}\n\t}\n}');
    assert.equal((await stat(berthFile())).mode & 0o777, 0o600);

    const push = await berth(["push", "localhost:5000/private/app:v2"]);
    assert.equal(push.code, 0, push.stderr);
    assert.equal(
      push.stdout,
      `The push refers to repository [localhost:5000/private/app]\ncccccccccccc: Preparing\ncccccccccccc: Pushed\nv2: digest: sha256:${"e".repeat(64)} size: 527\n`,
    );
    assert.deepEqual(h.recorded.pushed?.opts.credentials, { username: "alice", password: "secret" });
    const quiet = await berth(["push", "-q", "localhost:5000/private/app"]);
    assert.deepEqual([quiet.code, quiet.stdout], [0, "localhost:5000/private/app:latest\n"]);
    const pull = await berth(["pull", "-q", "localhost:5000/private/app"]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.deepEqual(h.recorded.pulled?.opts.credentials, { username: "alice", password: "secret" });
  });

  it("logs in again with the stored credentials, and from stdin without the warning", async () => {
    const again = await berth(["login", "localhost:5000"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, "Login Succeeded\n");
    assert.equal(
      again.stderr,
      "Authenticating with existing credentials... [Username: alice]\n\n Info -> To login with a different account, run 'berth logout' followed by 'berth login'\n\n\n",
    );
    const stdin = await berth(["login", "-u", "alice", "--password-stdin", "localhost:5000"], { stdin: "secret\n" });
    assert.deepEqual([stdin.code, stdin.stdout, stdin.stderr], [0, "Login Succeeded\n", ""]);
  });

  it("refuses bad credentials and bad flag combinations with docker's wording", async () => {
    const before = await readFile(berthFile(), "utf8");
    const wrong = await berth(["login", "-u", "alice", "--password-stdin", "localhost:5000"], { stdin: "wrong\n" });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, "Error response from daemon: login attempt to http://localhost:5000/v2/ failed with status: 401 Unauthorized\n");
    assert.equal(await readFile(berthFile(), "utf8"), before);
    const rows: [string[], string][] = [
      [["login", "-u", "alice", "-p", "", "r:1"], "password is empty\n"],
      [["login", "--password-stdin", "r:1"], "the --password-stdin option requires --username to be set\n"],
      [["login", "-u", "alice", "-p", "x", "--password-stdin", "r:1"], "conflicting options: cannot specify both --password and --password-stdin\n"],
      [["login", "-u", "", "r:1"], "username is empty\n"],
      [["login", "-u", "alice", "r:1"], "Error: Cannot perform an interactive login from a non TTY device\n"],
    ];
    for (const [args, stderr] of rows) {
      const r = await berth(args);
      assert.deepEqual([r.code, r.stderr], [1, stderr], args.join(" "));
    }
  });

  it("falls back to Docker's config.json, which logout leaves alone", async () => {
    const dockerFile = path.join(home, ".docker", "config.json");
    await mkdir(path.dirname(dockerFile), { recursive: true });
    const text = JSON.stringify({ auths: { "https://localhost:5001": { auth: b64("alice:secret") } } });
    await writeFile(dockerFile, text);
    const push = await berth(["push", "localhost:5001/private/app:1"]);
    assert.equal(push.code, 0, push.stderr);
    assert.deepEqual(h.recorded.pushed?.opts.credentials, { username: "alice", password: "secret" });
    const out = await berth(["logout", "https://localhost:5001/"]);
    assert.deepEqual([out.code, out.stdout, out.stderr], [0, "Removing login credentials for localhost:5001\n", ""]);
    assert.equal(await readFile(dockerFile, "utf8"), text);
  });

  it("logs out, after which nothing is sent", async () => {
    const out = await berth(["logout", "localhost:5000"]);
    assert.deepEqual([out.code, out.stdout], [0, "Removing login credentials for localhost:5000\n"]);
    assert.deepEqual(JSON.parse(await readFile(berthFile(), "utf8")), { auths: {} });
    await berth(["pull", "-q", "localhost:5000/app"]);
    assert.equal(h.recorded.pulled?.opts.credentials, undefined);
    const hub = await berth(["logout"]);
    assert.equal(hub.stdout, "Removing login credentials for https://index.docker.io/v1/\n");
  });
});
