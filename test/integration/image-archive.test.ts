// save and load through private daemons and the berth CLI: the legacy layout
// `docker save` wrote up to Docker 24 (made here with tar-stream exactly as
// dockerd 20.10 lays it out, duplicate layers as symlinks), the Docker 25+
// layout berth writes, gzip archives, repeated loads, and broken archives that
// must leave nothing behind.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import zlib from "node:zlib";
import tar from "tar-stream";
import { pack, type TarEntry as Entry } from "./bad-input-fixtures.js";
import { busyboxTar, startDaemon, type Daemon } from "./harness.js";

const sha = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");
const GO_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" };
const ARCH = GO_ARCH[process.arch] ?? process.arch;



/** A layer adding one file, /etc/<name>, with `content`. */
function markerLayer(name: string, content: string): Promise<Buffer> {
  return pack([
    { name: "etc/", type: "directory" },
    { name: `etc/${name}`, data: Buffer.from(content) },
  ]);
}

interface LegacyImage {
  tags: string[];
  layers: Buffer[];
  created: string;
}

/**
 * The layout dockerd ≤ 24 writes for `docker save`: one directory per layer
 * (<v1 id>/VERSION, json, layer.tar — a symlink to the first copy when a layer
 * repeats), <config hex>.json, manifest.json and repositories. Returns the
 * archive and the image IDs, which are the sha256 of the config bytes.
 */
async function legacyArchive(images: LegacyImage[]): Promise<{ archive: Buffer; ids: string[] }> {
  const dirs: Entry[] = [];
  const tops: Entry[] = [];
  const manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const firstCopy = new Map<string, string>();
  const ids: string[] = [];
  for (const img of images) {
    const diffIds = img.layers.map((l) => `sha256:${sha(l)}`);
    const config = Buffer.from(
      JSON.stringify({
        architecture: ARCH,
        config: { Cmd: ["sh"], Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] },
        created: img.created,
        history: img.layers.map(() => ({ created: img.created, created_by: "/bin/sh -c #(nop) ADD file" })),
        os: "linux",
        rootfs: { type: "layers", diff_ids: diffIds },
      }),
    );
    const configHex = sha(config);
    ids.push(`sha256:${configHex}`);
    const layerPaths: string[] = [];
    let parent: string | undefined;
    img.layers.forEach((layer, i) => {
      const v1Id = sha(`${configHex} ${i} ${parent ?? ""}`);
      const v1Json = { id: v1Id, ...(parent ? { parent } : {}), created: "1970-01-01T00:00:00Z", os: "linux" };
      dirs.push(
        { name: `${v1Id}/`, type: "directory" },
        { name: `${v1Id}/VERSION`, data: Buffer.from("1.0") },
        { name: `${v1Id}/json`, data: Buffer.from(JSON.stringify(v1Json)) },
      );
      const first = firstCopy.get(diffIds[i]!);
      if (first) dirs.push({ name: `${v1Id}/layer.tar`, type: "symlink", linkname: `../${first}/layer.tar` });
      else {
        firstCopy.set(diffIds[i]!, v1Id);
        dirs.push({ name: `${v1Id}/layer.tar`, data: layer });
      }
      layerPaths.push(`${v1Id}/layer.tar`);
      parent = v1Id;
    });
    tops.push({ name: `${configHex}.json`, data: config });
    manifest.push({ Config: `${configHex}.json`, RepoTags: img.tags, Layers: layerPaths });
    for (const t of img.tags) {
      const [repo, tag] = t.split(":") as [string, string];
      (repositories[repo] ??= {})[tag] = parent!;
    }
  }
  dirs.sort((a, b) => a.name.localeCompare(b.name));
  const archive = await pack([
    ...dirs,
    ...tops,
    { name: "manifest.json", data: Buffer.from(`${JSON.stringify(manifest)}\n`) },
    { name: "repositories", data: Buffer.from(`${JSON.stringify(repositories)}\n`) },
  ]);
  return { archive, ids };
}

async function untar(archive: Buffer): Promise<Map<string, { type: string; data: Buffer; mtime: number }>> {
  const out = new Map<string, { type: string; data: Buffer; mtime: number }>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.set(entry.header.name, { type: entry.header.type ?? "file", data: Buffer.concat(chunks), mtime: entry.header.mtime?.getTime() ?? -1 });
    }
  })();
  extract.end(archive);
  await done;
  return out;
}

/** What the data root holds: blob names and snapshot directories. */
async function stored(d: Daemon): Promise<{ blobs: string[]; snapshots: string[] }> {
  const list = async (dir: string): Promise<string[]> => (existsSync(dir) ? (await fs.readdir(dir)).sort() : []);
  const snapshots = [...(await list(path.join(d.dataRoot, "overlay2"))), ...(await list(path.join(d.dataRoot, "vfs")))];
  return {
    blobs: await list(path.join(d.dataRoot, "content", "blobs", "sha256")),
    snapshots: snapshots.filter((n) => n !== "l"),
  };
}

describe("image save and load", () => {
  let d: Daemon;
  let other: Daemon;
  let tmp: string;
  let legacy: { archive: Buffer; ids: string[] };
  let legacyFile: string;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "berth-image-archive-"));
    [d, other] = await Promise.all([startDaemon({ busybox: false }), startDaemon({ busybox: false })]);
    const rootfs = await busyboxTar();
    legacy = await legacyArchive([
      { tags: ["arch-a:1", "arch-a:2"], layers: [rootfs, await markerLayer("marker", "layer two\n")], created: "2024-02-01T10:00:00.123456789Z" },
      { tags: ["arch-b:1"], layers: [rootfs], created: "2024-02-02T10:00:00Z" },
    ]);
    legacyFile = path.join(tmp, "legacy.tar");
    await fs.writeFile(legacyFile, legacy.archive);
  });

  after(async () => {
    await Promise.all([d?.destroy(), other?.destroy()]);
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it("loads the legacy layout docker save wrote, with the same image IDs, and runs it", async () => {
    const r = await d.berth(["load", "-i", legacyFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Loaded image: arch-a:1\nLoaded image: arch-a:2\nLoaded image: arch-b:1\n");
    const ids = await d.berth(["images", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]);
    assert.deepEqual(ids.stdout.trim().split("\n").sort(), [
      `arch-a:1 ${legacy.ids[0]}`,
      `arch-a:2 ${legacy.ids[0]}`,
      `arch-b:1 ${legacy.ids[1]}`,
    ]);
    const run = await d.berth(["run", "--rm", "arch-a:1", "cat", "/etc/marker"]);
    assert.equal(run.stdout, "layer two\n", run.stderr);
    const layers = await d.berth(["image", "inspect", "--format", "{{len .RootFS.Layers}} {{.Created}}", "arch-b:1"]);
    assert.equal(layers.stdout.trim(), "1 2024-02-02T10:00:00Z");
  });

  it("loads the same archive again without duplicating anything", async () => {
    const before = await stored(d);
    const r = await d.berth(["load", "-i", legacyFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Loaded image: arch-a:1\nLoaded image: arch-a:2\nLoaded image: arch-b:1\n");
    assert.deepEqual(await stored(d), before);
    assert.equal((await d.berth(["images", "-q"])).stdout.trim().split("\n").length, 3);
  });

  it("loads a gzip-compressed archive from stdin", async () => {
    assert.equal((await d.berth(["rmi", "arch-b:1"])).code, 0);
    const r = await d.berth(["load"], { input: zlib.gzipSync(legacy.archive) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Loaded image: arch-b:1\n/);
    assert.equal((await d.berth(["image", "inspect", "--format", "{{.Id}}", "arch-b:1"])).stdout.trim(), legacy.ids[1]);
  });

  it("refuses truncated and corrupt archives, keeps nothing of them, and stays up", async () => {
    const fresh = await legacyArchive([
      { tags: ["broken:1"], layers: [await markerLayer("fresh", `${Date.now()}\n`)], created: "2024-03-01T00:00:00Z" },
    ]);
    const before = await stored(d);
    // Cut inside the config, after the layer's blob was already stored.
    const cut = fresh.archive.indexOf(Buffer.from('{"architecture"')) + 10;
    const gz = zlib.gzipSync(fresh.archive);
    const cases: [string, Buffer, RegExp][] = [
      ["truncated", fresh.archive.subarray(0, cut), /Error processing tar file: unexpected EOF/],
      ["truncated gzip", gz.subarray(0, Math.floor(gz.length / 2)), /Error processing tar file: unexpected EOF/],
      ["not a tar", Buffer.from("garbage garbage\n"), /Error processing tar file: unexpected EOF/],
      ["empty", Buffer.alloc(0), /invalid archive: no manifest.json or index.json found/],
    ];
    for (const [what, input, message] of cases) {
      const r = await d.berth(["load"], { input });
      assert.equal(r.code, 1, `${what}: ${r.stdout}`);
      assert.match(r.stderr, message, what);
      assert.deepEqual(await stored(d), before, `${what} left something behind`);
    }
    const images = await d.berth(["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert.deepEqual(images.stdout.trim().split("\n").sort(), ["arch-a:1", "arch-a:2", "arch-b:1"]);
  });

  it("refuses a layer whose content does not match the config's DiffID", async () => {
    const good = await legacyArchive([{ tags: ["lying:1"], layers: [await markerLayer("x", "x\n")], created: "2024-03-02T00:00:00Z" }]);
    const entries = await untar(good.archive);
    const forged: Entry[] = [...entries].map(([name, e]) => ({
      name,
      type: e.type as Entry["type"],
      data: name.endsWith("layer.tar") ? Buffer.from(e.data.toString("latin1").replace("x\n", "y\n"), "latin1") : e.data,
    }));
    const before = await stored(d);
    const r = await d.berth(["load"], { input: await pack(forged) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid diffID for layer/);
    assert.deepEqual(await stored(d), before);
  });

  it("saves the Docker 25+ layout: OCI index and blobs plus manifest.json and repositories", async () => {
    const out = path.join(tmp, "saved.tar");
    const r = await d.berth(["save", "-o", out, "arch-a:1", "arch-b"]);
    assert.equal(r.code, 0, r.stderr);
    const files = await untar(await fs.readFile(out));
    for (const [name, e] of files) {
      assert.equal(e.mtime, 0, `${name} is dated the epoch, as dockerd dates it`);
      if (name.startsWith("blobs/sha256/") && e.type === "file") assert.equal(sha(e.data), path.basename(name), name);
    }
    assert.deepEqual(JSON.parse(files.get("oci-layout")!.data.toString()), { imageLayoutVersion: "1.0.0" });
    const manifestJson = JSON.parse(files.get("manifest.json")!.data.toString()) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    assert.deepEqual(manifestJson.map((m) => [m.Config, m.RepoTags]), [
      [`blobs/sha256/${legacy.ids[0]!.slice(7)}`, ["arch-a:1"]],
      [`blobs/sha256/${legacy.ids[1]!.slice(7)}`, ["arch-b:1"]],
    ]);
    const repositories = JSON.parse(files.get("repositories")!.data.toString()) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(repositories).sort(), ["arch-a", "arch-b"]);
    const index = JSON.parse(files.get("index.json")!.data.toString()) as {
      mediaType: string;
      manifests: { digest: string; mediaType: string; annotations: Record<string, string> }[];
    };
    assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
    assert.deepEqual(
      index.manifests.map((m) => [m.annotations["io.containerd.image.name"], m.annotations["org.opencontainers.image.ref.name"]]),
      [["docker.io/library/arch-a:1", "1"], ["docker.io/library/arch-b:1", "1"]],
    );
    const manifest = JSON.parse(files.get(`blobs/sha256/${index.manifests[0]!.digest.slice(7)}`)!.data.toString()) as {
      config: { digest: string };
      layers: { digest: string; mediaType: string; size: number }[];
    };
    assert.equal(manifest.config.digest, legacy.ids[0]);
    assert.deepEqual(manifest.layers.map((l) => l.mediaType), ["application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar"]);
    assert.deepEqual(manifestJson[0]!.Layers, manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`));
    // The shared busybox layer is written once.
    assert.equal([...files.keys()].filter((n) => n === manifestJson[1]!.Layers[0]).length, 1);
  });

  it("saves by ID without names, and the archive loads elsewhere with the same IDs", async () => {
    const byId = path.join(tmp, "by-id.tar");
    assert.equal((await d.berth(["save", "-o", byId, legacy.ids[1]!.slice(7, 19)])).code, 0);
    const files = await untar(await fs.readFile(byId));
    assert.equal(files.has("repositories"), false);
    assert.deepEqual(JSON.parse(files.get("manifest.json")!.data.toString())[0].RepoTags, null);
    assert.equal(JSON.parse(files.get("index.json")!.data.toString()).manifests.length, 1);
    const loadedId = await other.berth(["load", "-i", byId]);
    assert.equal(loadedId.stdout, `Loaded image ID: ${legacy.ids[1]}\n`, loadedId.stderr);

    const saved = await d.berth(["save", "-o", path.join(tmp, "a.tar"), "arch-a"]);
    assert.equal(saved.code, 0, saved.stderr);
    const r = await other.berth(["load", "-i", path.join(tmp, "a.tar")]);
    assert.equal(r.stdout, "Loaded image: arch-a:1\nLoaded image: arch-a:2\n", r.stderr);
    assert.equal((await other.berth(["image", "inspect", "--format", "{{.Id}}", "arch-a:2"])).stdout.trim(), legacy.ids[0]);
    const run = await other.berth(["run", "--rm", "arch-a:2", "cat", "/etc/marker"]);
    assert.equal(run.stdout, "layer two\n", run.stderr);
  });

  it("loads an OCI layout that has no manifest.json, naming images from the index", async () => {
    const files = await untar(await fs.readFile(path.join(tmp, "saved.tar")));
    const oci = [...files]
      .filter(([name]) => name !== "manifest.json" && name !== "repositories")
      .map(([name, e]) => ({ name, type: e.type as Entry["type"], data: e.data }));
    assert.equal((await other.berth(["rmi", "arch-a:1"])).code, 0);
    const r = await other.berth(["load"], { input: await pack(oci) });
    assert.equal(r.stdout, "Loaded image: arch-a:1\nLoaded image: arch-b:1\n", r.stderr);
  });

  it("keeps no blob an archive carries that no image uses (Docker 25's v1 layer configs)", async () => {
    const files = await untar(await fs.readFile(path.join(tmp, "saved.tar")));
    const v1Config = Buffer.from(JSON.stringify({ id: "0".repeat(64), created: "1970-01-01T00:00:00Z", os: "linux" }));
    const entries: Entry[] = [...files].map(([name, e]) => ({ name, type: e.type as Entry["type"], data: e.data }));
    entries.splice(2, 0, { name: `blobs/sha256/${sha(v1Config)}`, data: v1Config });
    const r = await other.berth(["load"], { input: await pack(entries) });
    assert.equal(r.code, 0, r.stderr);
    const blobs = await fs.readdir(path.join(other.dataRoot, "content", "blobs", "sha256"));
    assert.equal(blobs.includes(sha(v1Config)), false);
    assert.equal(blobs.includes(legacy.ids[0]!.slice(7)), true);
  });

  it("names what is missing when saving", async () => {
    const r = await d.berth(["save", "-o", path.join(tmp, "none.tar"), "arch-a:1", "nope:1"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No such image: nope:1/);
    assert.equal(existsSync(path.join(tmp, "none.tar")), false);
  });
});
