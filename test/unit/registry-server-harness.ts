// Shared by the registry server tests: a server on 127.0.0.1:0 over a fresh
// temp root, a fetch wrapper, and helpers that push blobs and manifests.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveRegistry, type ServeOptions } from "../../src/registry/server/serve.js";

export interface TestRegistry {
  url: string;
  root: string;
  logs: string[];
  req(method: string, path: string, opts?: { headers?: Record<string, string>; body?: string | Buffer }): Promise<Response>;
  close(): Promise<void>;
}

export async function startRegistry(opts: Partial<ServeOptions> = {}): Promise<TestRegistry> {
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), "berth-rs-")));
  const logs: string[] = [];
  const running = await serveRegistry({ addr: "127.0.0.1:0", log: (l) => logs.push(l), ...opts, root });
  return {
    url: running.url,
    root,
    logs,
    req: (method, path, o = {}) => fetch(`${running.url}${path}`, { method, headers: o.headers, body: o.body === undefined ? undefined : new Uint8Array(Buffer.from(o.body)), redirect: "manual" }),
    async close() {
      await running.close();
      if (!opts.root) await rm(root, { recursive: true, force: true });
    },
  };
}

export function sha(data: string | Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Monolithic upload of one blob; returns its digest. */
export async function pushBlob(reg: TestRegistry, name: string, data: string | Buffer, headers: Record<string, string> = {}): Promise<string> {
  const digest = sha(data);
  const res = await reg.req("POST", `/v2/${name}/blobs/uploads/?digest=${digest}`, { body: data, headers: { "Content-Type": "application/octet-stream", ...headers } });
  if (res.status !== 201) throw new Error(`push blob: ${res.status} ${await res.text()}`);
  return digest;
}

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** Pushes a config and one layer, then an OCI manifest under `ref`; returns the manifest digest and its parts. */
export async function pushImage(
  reg: TestRegistry,
  name: string,
  ref: string,
  opts: { layer?: string; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
): Promise<{ digest: string; config: string; layer: string; bytes: string }> {
  const configText = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, n: opts.layer ?? "" });
  const layerText = opts.layer ?? `layer of ${name}:${ref}`;
  const config = await pushBlob(reg, name, configText, opts.headers);
  const layer = await pushBlob(reg, name, layerText, opts.headers);
  const bytes = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config, size: Buffer.byteLength(configText) },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer, size: Buffer.byteLength(layerText) }],
    ...opts.extra,
  });
  const res = await reg.req("PUT", `/v2/${name}/manifests/${ref}`, { body: bytes, headers: { "Content-Type": OCI_MANIFEST, ...opts.headers } });
  if (res.status !== 201) throw new Error(`push manifest: ${res.status} ${await res.text()}`);
  return { digest: sha(bytes), config, layer, bytes };
}

export async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { errors: { code: string }[] };
  return body.errors[0]!.code;
}
