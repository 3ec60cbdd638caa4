// The registry server as users run it: `berth registry serve` in its own
// process, skopeo pushing a docker-archive of a busybox image and pulling it
// back, a SIGKILL mid-upload that must leave no blob, SIGTERM for a clean stop,
// and distribution's registry (docker-registry) as the reference for statuses.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const repo = resolve(fileURLToPath(import.meta.url), "../../../..");
const berth = join(repo, "bin/berth");

interface Proc {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts `berth registry serve` on a free port and waits for its "listening" line. */
async function serve(root: string, extra: string[] = []): Promise<Proc> {
  const child = spawn(process.execPath, [berth, "registry", "serve", "--addr", "127.0.0.1:0", "--root", root, ...extra], { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let buf = "";
    child.stderr!.on("data", (c: Buffer) => {
      buf += c.toString();
      const m = /"msg":"listening","url":"([^"]+)"/.exec(buf);
      if (m) resolveUrl(m[1]!);
    });
    void exited.then((code) => reject(new Error(`server exited ${code}: ${buf}`)));
  });
  return { child, url, exited };
}

function sha(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

let dir: string;
let archive: string;
let layerDigest: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-rs-int-"));
  const img = join(dir, "img");
  await run("mkdir", ["-p", img]);
  const { stdout } = await run("bash", [join(repo, "scripts/busybox-rootfs.sh")], { encoding: "buffer", maxBuffer: 64 << 20 });
  await writeFile(join(img, "layer.tar"), stdout);
  layerDigest = sha(stdout);
  const config = JSON.stringify({ architecture: "amd64", os: "linux", config: { Cmd: ["sh"] }, rootfs: { type: "layers", diff_ids: [`sha256:${layerDigest}`] } });
  await writeFile(join(img, `${sha(config)}.json`), config);
  await writeFile(join(img, "manifest.json"), JSON.stringify([{ Config: `${sha(config)}.json`, RepoTags: ["busybox:latest"], Layers: ["layer.tar"] }]));
  archive = join(dir, "busybox.tar");
  await run("tar", ["-C", img, "-cf", archive, "manifest.json", `${sha(config)}.json`, "layer.tar"]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("skopeo round trip", () => {
  let srv: Proc;
  let root: string;
  before(async () => {
    root = await mkdtemp(join(dir, "root-"));
    srv = await serve(root);
  });
  after(async () => {
    srv.child.kill("SIGTERM");
    await srv.exited;
  });

  test("push a docker-archive, pull it back into a dir: the layer's content survives", async () => {
    const host = srv.url.replace("http://", "");
    await run("skopeo", ["copy", "-q", "--dest-tls-verify=false", `docker-archive:${archive}`, `docker://${host}/library/busybox:latest`]);
    const out = join(dir, "pulled");
    await run("skopeo", ["copy", "-q", "--src-tls-verify=false", `docker://${host}/library/busybox:latest`, `dir:${out}`]);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as { layers: { digest: string }[] };
    assert.equal(manifest.layers.length, 1);
    // skopeo compressed the layer on push; its uncompressed bytes are the original tar.
    const { stdout } = await run("bash", ["-c", `gzip -dc < ${join(out, manifest.layers[0]!.digest.slice(7))} | sha256sum`]);
    assert.equal(stdout.split(" ")[0], layerDigest);
    const { stdout: tags } = await run("skopeo", ["list-tags", "--tls-verify=false", `docker://${host}/library/busybox`]);
    assert.deepEqual((JSON.parse(tags) as { Tags: string[] }).Tags, ["latest"]);
  });

  test("SIGTERM stops the server cleanly and releases the lock", async () => {
    const other = await serve(await mkdtemp(join(dir, "root-")));
    other.child.kill("SIGTERM");
    assert.equal(await other.exited, 0);
  });
});

describe("crash safety", () => {
  test("a server killed mid-upload leaves no blob; after restart the upload is still only an upload", async () => {
    const root = await mkdtemp(join(dir, "root-"));
    let srv = await serve(root);
    const post = await fetch(`${srv.url}/v2/crash/blobs/uploads/`, { method: "POST" });
    const loc = post.headers.get("location")!;
    const u = new URL(`${srv.url}${loc}`);
    const chunk = Buffer.alloc(1 << 20, 7);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: "PATCH", headers: { "Transfer-Encoding": "chunked" } });
    req.on("error", () => undefined);
    req.write(chunk);
    const data = join(root, "repositories/crash/_uploads", post.headers.get("docker-upload-uuid")!, "data");
    for (let i = 0; i < 200; i++) {
      const size = await readFile(data).then((b) => b.length);
      if (size > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    srv.child.kill("SIGKILL");
    await srv.exited;
    req.destroy();
    assert.deepEqual(await readdir(join(root, "blobs")).catch(() => []), []);
    srv = await serve(root); // takes over the dead server's lock
    try {
      const status = await fetch(`${srv.url}${loc}`);
      assert.equal(status.status, 204);
      const full = Buffer.concat([chunk, chunk]);
      const put = await fetch(`${srv.url}${loc}?digest=sha256:${sha(full)}`, { method: "PUT" });
      assert.equal(put.status, 400);
      assert.deepEqual(await readdir(join(root, "blobs")).catch(() => []), []);
    } finally {
      srv.child.kill("SIGTERM");
      await srv.exited;
    }
  });
});

describe("same answers as distribution's registry", () => {
  let ours: Proc;
  let theirs: ChildProcess;
  let theirsUrl: string;
  before(async () => {
    ours = await serve(await mkdtemp(join(dir, "root-")));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const cfg = join(dir, "registry.yml");
    await writeFile(cfg, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "dist-root")}\nhttp:\n  addr: 127.0.0.1:${port}\nlog:\n  level: error\n`);
    theirs = spawn("/usr/bin/docker-registry", ["serve", cfg], { stdio: "ignore" });
    theirsUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${theirsUrl}/v2/`).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(async () => {
    ours.child.kill("SIGTERM");
    theirs.kill("SIGTERM");
    await ours.exited;
  });

  const zero = `sha256:${"0".repeat(64)}`;
  // [method, path, body?, headers?] → both registries must answer with the same status (and code).
  const rows: [string, string, string?, Record<string, string>?][] = [
    ["GET", "/v2/"],
    ["GET", `/v2/nope/blobs/${zero}`],
    ["HEAD", `/v2/nope/blobs/${zero}`],
    ["GET", "/v2/nope/manifests/latest"],
    ["GET", "/v2/nope/tags/list"],
    ["POST", "/v2/cmp/blobs/uploads/"],
    // Status only: distribution says BLOB_UPLOAD_INVALID (its _state token is missing); the spec's code is BLOB_UPLOAD_UNKNOWN.
    ["GET", "/v2/cmp/blobs/uploads/00000000-0000-0000-0000-000000000000", undefined, { "X-Status-Only": "1" }],
    ["PUT", "/v2/cmp/manifests/x", "not json", { "Content-Type": "application/vnd.oci.image.manifest.v1+json" }],
    ["PUT", "/v2/cmp/manifests/x", JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "a", digest: zero, size: 1 }, layers: [] }), { "Content-Type": "application/vnd.oci.image.manifest.v1+json" }],
    ["DELETE", "/v2/cmp/manifests/latest"],
  ];
  for (const [method, path, body, headers] of rows) {
    test(`${method} ${path.slice(0, 60)}`, async () => {
      const [a, b] = await Promise.all([ours.url, theirsUrl].map((base) => fetch(`${base}${path}`, { method, body, headers })));
      assert.equal(a!.status, b!.status);
      assert.equal(a!.headers.get("docker-distribution-api-version"), b!.headers.get("docker-distribution-api-version"));
      if (b!.status >= 400 && method !== "HEAD" && !headers?.["X-Status-Only"]) {
        const code = async (r: Response): Promise<string> => ((await r.json()) as { errors: { code: string }[] }).errors[0]!.code;
        assert.equal(await code(a!), await code(b!));
      }
    });
  }
});

describe("token auth and TLS with skopeo", () => {
  test("skopeo logs in through /token over https and pushes; anonymous is refused", async () => {
    const bcrypt = (await import("bcryptjs")).default;
    const htpasswd = join(dir, "htpasswd");
    await writeFile(htpasswd, `alice:${bcrypt.hashSync("pw", 5).replace(/^\$2b\$/, "$2y$")}\n`);
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    await run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"]);
    const srv = await serve(await mkdtemp(join(dir, "root-")), ["--htpasswd", htpasswd, "--auth", "token", "--tls-cert", cert, "--tls-key", key]);
    try {
      assert.match(srv.url, /^https:/);
      const dest = `docker://${srv.url.replace("https://", "")}/team/app:1`;
      await assert.rejects(run("skopeo", ["copy", "-q", "--dest-tls-verify=false", `docker-archive:${archive}`, dest]));
      await run("skopeo", ["copy", "-q", "--dest-tls-verify=false", "--dest-creds", "alice:pw", `docker-archive:${archive}`, dest]);
      const { stdout } = await run("skopeo", ["inspect", "--tls-verify=false", "--creds", "alice:pw", dest]);
      assert.equal((JSON.parse(stdout) as { Layers: string[] }).Layers.length, 1);
    } finally {
      srv.child.kill("SIGTERM");
      await srv.exited;
    }
  });
});
