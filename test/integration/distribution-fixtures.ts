// Registries for the distribution tests, on 127.0.0.1 only: the distribution
// registry (Debian's docker-registry) when installed, and a hand-made one
// that serves whatever bytes a test gives it (a wrong digest, a cut blob).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const distributionRegistry = spawnSync("sh", ["-c", "command -v docker-registry"], { encoding: "utf8" }).stdout.trim();

export interface RunningRegistry {
  /** "127.0.0.1:PORT" */
  host: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts the distribution registry on a free port with a temp storage root. */
export async function startDistribution(): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "dreg-"));
  const port = await freePort();
  const config = join(dir, "config.yml");
  await writeFile(
    config,
    ["version: 0.1", "log:", "  level: error", "storage:", "  filesystem:", `    rootdirectory: ${dir}/data`, "  delete:", "    enabled: true", "http:", `  addr: 127.0.0.1:${port}`, ""].join("\n"),
  );
  const child: ChildProcess = spawn(distributionRegistry, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (c: Buffer) => (log += c.toString()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v2/`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`docker-registry did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const sha256 = (b: Buffer | string): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/**
 * A one-layer image as a registry serves it: its manifest, and its config and
 * gzip layer by digest. `diffId` is what the config claims the layer holds.
 */
export function oneLayerImage(layer: Buffer, diffId: string): { manifest: Buffer; blobs: Map<string, Buffer> } {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [diffId] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      config: { mediaType: "application/vnd.docker.container.image.v1+json", size: config.length, digest: sha256(config) },
      layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: layer.length, digest: sha256(layer) }],
    }),
  );
  return { manifest, blobs: new Map([[sha256(config), config], [sha256(layer), layer]]) };
}

/**
 * A registry that serves one image, byte for byte as given: blobs by digest
 * (the served bytes may differ from the digest they are served under) and one
 * manifest under a tag. Enough for pulls; it refuses everything else.
 */
export async function startFakeRegistry(image: { repo: string; tag: string; manifest: Buffer; blobs: Map<string, Buffer> }): Promise<RunningRegistry & { server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/v2/") return void res.writeHead(200, { "Docker-Distribution-API-Version": "registry/2.0" }).end("{}");
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m || m[1] !== image.repo) return void res.writeHead(404).end();
    if (m[2] === "manifests" && (m[3] === image.tag || m[3] === sha256(image.manifest))) {
      res.writeHead(200, {
        "Content-Type": "application/vnd.docker.distribution.manifest.v2+json",
        "Content-Length": image.manifest.length,
        "Docker-Content-Digest": sha256(image.manifest),
      });
      return void res.end(req.method === "HEAD" ? undefined : image.manifest);
    }
    const blob = m[2] === "blobs" ? image.blobs.get(m[3]!) : undefined;
    if (!blob) return void res.writeHead(404, { "Content-Type": "application/json" }).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}');
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": blob.length });
    res.end(req.method === "HEAD" ? undefined : blob);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    server,
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
