// The registry client against the real distribution registry (Debian's
// docker-registry): anonymous push and pull, cross-repository mounts, Range
// resume, Docker's wording for missing manifests, and Basic auth with an
// htpasswd file (login and requests).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { NotFoundError, UnauthorizedError } from "../../src/errors.js";
import { MediaType } from "../../src/oci/types.js";
import { login } from "../../src/registry/login.js";
import { registryErrorOf } from "../../src/registry/registry-error.js";
import type { Credentials, RegistryOptions, RepositoryClient } from "../../src/registry/registry.js";
import { openRepository } from "../../src/registry/repository.js";

const REGISTRY_BIN = "/usr/bin/docker-registry";
// htpasswd -B for berth:s3cret (cost 5), fixed so the test needs no bcrypt tool.
const HTPASSWD = "berth:$2b$05$Mb.dHGSPdqpRme0YRHfnY.z68xk8mR2/qJ.tsEpGEnLXzl6nmezGu\n";

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

interface Registry {
  host: string;
  proc: ChildProcess;
}

async function startRegistry(dir: string, htpasswd?: string): Promise<Registry> {
  const port = await freePort();
  const auth = htpasswd ? `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${htpasswd}\n` : "";
  const config = path.join(dir, "config.yml");
  await fs.writeFile(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n` +
      `http:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const proc = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (proc.exitCode !== null || i > 200) throw new Error(`docker-registry did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host: `127.0.0.1:${port}`, proc };
}

function options(creds?: Credentials): RegistryOptions {
  return { credentials: () => creds, insecureRegistries: [], certsDir: "/nonexistent-certs.d" };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const layer = Buffer.from("layer bytes ".repeat(5000));
const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
    layers: [{ mediaType: MediaType.OciLayerGzip, digest: sha(layer), size: layer.length }],
  }),
);

// scripts/install.sh must install Debian's docker-registry for this suite to run.
const skip = existsSync(REGISTRY_BIN) ? false : `${REGISTRY_BIN} is not installed (Debian package docker-registry)`;

describe("registry client against docker-registry", { skip }, () => {
  let dir: string;
  let anon: Registry;
  let authed: Registry;
  let repo: RepositoryClient;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "berth-registry-client-"));
    await fs.mkdir(path.join(dir, "anon"));
    await fs.mkdir(path.join(dir, "authed"));
    await fs.writeFile(path.join(dir, "htpasswd"), HTPASSWD);
    anon = await startRegistry(path.join(dir, "anon"));
    authed = await startRegistry(path.join(dir, "authed"), path.join(dir, "htpasswd"));
    repo = openRepository({ domain: anon.host, path: "test/app" }, options(), "push");
  });

  after(async () => {
    for (const r of [anon, authed]) {
      if (r && r.proc.exitCode === null) {
        r.proc.kill("SIGTERM");
        await new Promise((res) => r.proc.once("exit", res));
      }
    }
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("pushes blobs and a manifest over plain http to a loopback registry, then pulls them back", async () => {
    assert.equal(repo.host, anon.host);
    let progress = 0;
    const pushed = await repo.pushBlob({ digest: sha(layer), size: layer.length }, async () => Readable.from([layer]), {
      onProgress: (n) => (progress = n),
    });
    assert.equal(pushed, "uploaded");
    assert.equal(progress, layer.length);
    assert.equal(await repo.pushBlob({ digest: sha(layer), size: layer.length }, async () => Readable.from([layer])), "exists");
    assert.equal(await repo.pushBlob({ digest: sha(config), size: config.length }, async () => Readable.from([config])), "uploaded");
    assert.equal(await repo.putManifest("v1", MediaType.OciManifest, manifest), sha(manifest));

    const pull = openRepository({ domain: anon.host, path: "test/app" }, options(), "pull");
    const byTag = await pull.getManifest("v1");
    assert.deepEqual(byTag, { digest: sha(manifest), mediaType: MediaType.OciManifest, bytes: manifest });
    assert.equal((await pull.getManifest(sha(manifest))).digest, sha(manifest));
    assert.deepEqual(await pull.statManifest("v1"), { digest: sha(manifest), mediaType: MediaType.OciManifest, size: manifest.length });
    assert.equal(await pull.statManifest("missing"), undefined);
    assert.equal(await pull.statBlob(sha(layer)), layer.length);
    assert.equal(await pull.statBlob(sha("absent")), undefined);
    const blob = await pull.getBlob(sha(layer));
    assert.equal(blob.size, layer.length);
    assert.deepEqual(await readAll(blob.stream), layer);
  });

  it("resumes a blob download with Range", async () => {
    const pull = openRepository({ domain: anon.host, path: "test/app" }, options(), "pull");
    const part = await pull.getBlob(sha(layer), { offset: 1000 });
    assert.equal(part.size, layer.length);
    assert.deepEqual(await readAll(part.stream), layer.subarray(1000));
  });

  it("lists tags", async () => {
    await repo.putManifest("v2", MediaType.OciManifest, manifest);
    assert.deepEqual((await repo.listTags()).sort(), ["v1", "v2"]);
  });

  it("mounts a blob from another repository of the same registry", async () => {
    const other = openRepository({ domain: anon.host, path: "test/other" }, options(), "push");
    const result = await other.pushBlob({ digest: sha(layer), size: layer.length }, async () => {
      throw new Error("a mounted blob must not be read");
    }, { mountFrom: "test/app" });
    assert.equal(result, "mounted");
    assert.equal(await other.statBlob(sha(layer)), layer.length);
  });

  it("reports a missing manifest and blob in dockerd's words", async () => {
    const pull = openRepository({ domain: anon.host, path: "test/app" }, options(), "pull");
    await assert.rejects(pull.getManifest("nope"), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.message, `manifest for ${anon.host}/test/app:nope not found: manifest unknown: manifest unknown`);
      assert.equal(registryErrorOf(err)?.errors[0]?.code, "MANIFEST_UNKNOWN");
      return true;
    });
    await assert.rejects(pull.getBlob(sha("absent")), NotFoundError);
  });

  it("refuses an upload whose bytes do not match the digest", async () => {
    await assert.rejects(
      repo.pushBlob({ digest: sha("something else"), size: 5 }, async () => Readable.from([Buffer.from("bytes")])),
      (err: unknown) => {
        assert.equal(registryErrorOf(err)?.errors[0]?.code, "DIGEST_INVALID");
        return true;
      },
    );
  });

  it("works by the name localhost as well", async () => {
    const port = anon.host.split(":")[1];
    const pull = openRepository({ domain: `localhost:${port}`, path: "test/app" }, options(), "pull");
    assert.equal((await pull.getManifest("v1")).digest, sha(manifest));
  });

  it("logs in with Basic credentials and refuses a wrong password with dockerd's wording", async () => {
    assert.deepEqual(await login(authed.host, { username: "berth", password: "s3cret" }, options()), {});
    await assert.rejects(login(`http://${authed.host}/`, { username: "berth", password: "wrong" }, options()), (err: unknown) => {
      assert.ok(err instanceof UnauthorizedError);
      assert.equal(err.message, `login attempt to http://${authed.host}/v2/ failed with status: 401 Unauthorized`);
      return true;
    });
  });

  it("pushes and pulls with Basic credentials; without them the registry refuses", async () => {
    const creds = { username: "berth", password: "s3cret" };
    const push = openRepository({ domain: authed.host, path: "private/app" }, options(creds), "push");
    await push.pushBlob({ digest: sha(config), size: config.length }, async () => Readable.from([config]));
    await push.pushBlob({ digest: sha(layer), size: layer.length }, async () => Readable.from([layer]));
    await push.putManifest("latest", MediaType.OciManifest, manifest);
    const pull = openRepository({ domain: authed.host, path: "private/app" }, options(creds), "pull");
    assert.deepEqual((await pull.getManifest("latest")).bytes, manifest);

    const anonymous = openRepository({ domain: authed.host, path: "private/app" }, options(), "pull");
    await assert.rejects(anonymous.getManifest("latest"), (err: unknown) => {
      assert.ok(err instanceof UnauthorizedError);
      // Docker's words when a registry asks for Basic auth and nobody logged in.
      assert.equal(err.message, "no basic auth credentials");
      return true;
    });
    const wrong = openRepository({ domain: authed.host, path: "private/app" }, options({ username: "berth", password: "no" }), "pull");
    await assert.rejects(wrong.statBlob(sha(layer)), UnauthorizedError);
  });
});
