// Shared by the bad-input-* and crash-* tests: raw API requests, hand-made
// (and deliberately hostile) image archives, and a census of what a daemon
// keeps in its data root, so a test can prove that a failure left nothing behind.
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import tar from "tar-stream";

export interface Reply {
  status: number;
  body: string;
}

/** One HTTP request over the daemon's unix socket; Content-Type is JSON unless `headers` says otherwise. */
export function request(
  socketPath: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers: { "Content-Type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The "message" of a Docker error body, or of the first error line in a JSON-message stream. */
export function errorMessage(body: string): string | undefined {
  for (const line of body.split("\n")) {
    if (line.trim() === "") continue;
    const parsed = JSON.parse(line) as { message?: string; error?: string; errorDetail?: { message?: string } };
    const message = parsed.errorDetail?.message ?? parsed.error ?? parsed.message;
    if (message !== undefined) return message;
  }
  return undefined;
}

export const sha256 = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");

export interface TarEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link";
  data?: Buffer;
  linkname?: string;
}

/** A tar of `entries` with names written exactly as given (tar-stream does not clean them). */
export async function pack(entries: TarEntry[]): Promise<Buffer> {
  const p = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on("data", (c: unknown) => chunks.push(c as Buffer));
    p.on("end", resolve);
    p.on("error", reject);
  });
  const mtime = new Date("2024-01-01T00:00:00Z");
  for (const e of entries) {
    const type = e.type ?? "file";
    const header = { name: e.name, type, mode: type === "directory" ? 0o755 : 0o644, mtime, uid: 0, gid: 0 };
    if (type === "symlink" || type === "link") p.entry({ ...header, linkname: e.linkname! });
    else p.entry(header, e.data ?? Buffer.alloc(0));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const GO_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" };

/**
 * A `docker save` archive in the Docker 25+ layout (blobs/sha256/…, manifest.json)
 * holding one image tagged `tag` with `layers` (uncompressed tars). `diffIds`
 * overrides what the config claims, to make a lying archive.
 */
export async function dockerArchive(opts: { tag: string; layers: Buffer[]; diffIds?: string[] }): Promise<{ archive: Buffer; id: string }> {
  const config = Buffer.from(
    JSON.stringify({
      architecture: GO_ARCH[process.arch] ?? process.arch,
      os: "linux",
      config: { Cmd: ["sh"] },
      created: "2024-01-01T00:00:00Z",
      rootfs: { type: "layers", diff_ids: opts.diffIds ?? opts.layers.map((l) => `sha256:${sha256(l)}`) },
    }),
  );
  const configPath = `blobs/sha256/${sha256(config)}`;
  const layerPaths = opts.layers.map((l) => `blobs/sha256/${sha256(l)}`);
  const manifest = Buffer.from(JSON.stringify([{ Config: configPath, RepoTags: [opts.tag], Layers: layerPaths }]));
  const archive = await pack([
    { name: "blobs/", type: "directory" },
    { name: "blobs/sha256/", type: "directory" },
    { name: configPath, data: config },
    ...opts.layers.map((data, i) => ({ name: layerPaths[i]!, data })),
    { name: "manifest.json", data: manifest },
  ]);
  return { archive, id: `sha256:${sha256(config)}` };
}

/** An ordinary, harmless layer with one file: the control case for the hostile ones. */
export function plainLayer(content: string): Promise<Buffer> {
  return pack([
    { name: "etc/", type: "directory" },
    { name: "etc/marker", data: Buffer.from(content) },
  ]);
}

export interface Census {
  /** Verified blobs in the content store. */
  blobs: string[];
  /** Writes in progress under content/ingest. */
  ingest: string[];
  /** Snapshot directories of the storage driver (overlay2/ or vfs/), temporary ones included. */
  snapshots: string[];
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** What the data root holds, read straight from disk. */
export function census(dataRoot: string): Census {
  const snapshots = [...names(join(dataRoot, "overlay2")).filter((n) => n !== "l"), ...names(join(dataRoot, "vfs"))];
  return {
    blobs: names(join(dataRoot, "content/blobs/sha256")),
    ingest: names(join(dataRoot, "content/ingest")),
    snapshots,
  };
}
