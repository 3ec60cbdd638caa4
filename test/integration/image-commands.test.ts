// images, history, image inspect, tag and rmi through a private daemon, with
// the outputs dockerd gives for the same images and commands.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import tar from "tar-stream";
import { busyboxTar, startDaemon, type Daemon } from "./harness.js";

/** Bytes Docker counts for an unpacked layer on overlay2: regular files, plus each symlink's target. */
async function diskSize(layer: Buffer): Promise<number> {
  const extract = tar.extract();
  let size = 0;
  const done = (async () => {
    for await (const entry of extract) {
      if (entry.header.type === "file") size += entry.header.size ?? 0;
      if (entry.header.type === "symlink") size += Buffer.byteLength(entry.header.linkname ?? "");
      entry.resume();
    }
  })();
  extract.end(layer);
  await done;
  return size;
}

describe("image commands", () => {
  let d: Daemon;
  let rootfs: Buffer;
  let bb: string;
  let labelled: string;

  const ok = async (args: string[], input?: Buffer): Promise<string> => {
    const r = await d.berth(args, input ? { input } : undefined);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const fails = async (args: string[]): Promise<string> => {
    const r = await d.berth(args);
    assert.equal(r.code, 1, `${args.join(" ")} should fail: ${r.stdout}`);
    return r.stderr;
  };

  before(async () => {
    d = await startDaemon();
    rootfs = await busyboxTar();
    bb = (await ok(["image", "inspect", "--format", "{{.Id}}", "busybox"])).trim();
    labelled = (await ok(["import", "-c", "LABEL tier=web", "-c", "LABEL owner=me", "-", "cmd-l:1"], rootfs)).trim();
    await ok(["tag", "cmd-l:1", "cmd-l:2"]);
  });

  after(async () => {
    await d?.destroy();
  });

  it("inspect shows dockerd's Config shape and its layer size", async () => {
    const [img] = JSON.parse(await ok(["image", "inspect", "busybox"])) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(img!), [
      "Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "ContainerConfig", "DockerVersion", "Author", "Config",
      "Architecture", "Os", "Size", "GraphDriver", "RootFS", "Metadata",
    ]);
    assert.deepEqual(img!.Config, {
      Hostname: "", Domainname: "", User: "", AttachStdin: false, AttachStdout: false, AttachStderr: false,
      Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: ["sh"], Image: "", Volumes: null,
      WorkingDir: "", Entrypoint: null, OnBuild: null, Labels: null,
    });
    const driver = (await ok(["info", "--format", "{{.Driver}}"])).trim();
    if (driver === "overlay2") assert.equal(img!.Size, await diskSize(rootfs));
    assert.match((img!.Metadata as { LastTagTime: string }).LastTagTime, /^\d{4}-\d\d-\d\dT/);
  });

  it("images -q prints one ID per name, as docker does", async () => {
    const short = labelled.slice(7, 19);
    assert.equal(await ok(["images", "-q", "cmd-l"]), `${short}\n${short}\n`);
    assert.equal(await ok(["images", "-q", "--no-trunc", "cmd-l:2"]), `${labelled}\n`);
  });

  it("filters by label, label!, dangling, reference, before, since and until", async () => {
    const names = async (...filters: string[]): Promise<string[]> =>
      (await ok(["images", ...filters.flatMap((f) => ["--filter", f]), "--format", "{{.Repository}}:{{.Tag}}"]))
        .split("\n")
        .filter(Boolean)
        .sort();
    assert.deepEqual(await names("label=tier=web"), ["cmd-l:1", "cmd-l:2"]);
    assert.deepEqual(await names("label=tier=web", "label=owner"), ["cmd-l:1", "cmd-l:2"]);
    assert.deepEqual(await names("label=tier=db"), []);
    assert.deepEqual(await names("label!=tier"), ["busybox:latest"]);
    assert.deepEqual(await names("dangling=false"), ["busybox:latest", "cmd-l:1", "cmd-l:2"]);
    assert.deepEqual(await names("dangling=true"), []);
    assert.deepEqual(await names("reference=cmd-*:2"), ["cmd-l:2"]);
    assert.deepEqual(await names("since=busybox"), ["cmd-l:1", "cmd-l:2"]);
    assert.deepEqual(await names("before=cmd-l:1"), ["busybox:latest"]);
    assert.deepEqual(await names("until=1h"), []);
    assert.deepEqual(await names("until=2099-01-01T00:00:00Z"), ["busybox:latest", "cmd-l:1", "cmd-l:2"]);
    assert.equal(await fails(["images", "--filter", "dangling=maybe"]), "Error response from daemon: invalid filter 'dangling=[maybe]'\n");
    assert.equal(await fails(["images", "--filter", "color=red"]), "Error response from daemon: invalid filter 'color'\n");
    assert.equal(await fails(["images", "--filter", "since=nope:1"]), "Error response from daemon: No such image: nope:1\n");
  });

  it("formats rows and headers as docker does", async () => {
    assert.equal(
      await ok(["images", "--format", "{{.Repository}}|{{.Tag}}|{{.Digest}}|{{.Containers}}|{{.SharedSize}}", "cmd-l:1"]),
      "cmd-l|1|<none>|N/A|N/A\n",
    );
    assert.match(await ok(["images", "--digests", "cmd-l:1"]), /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE\ncmd-l\s+1\s+<none>\s+/);
    const json = JSON.parse(await ok(["images", "--format", "json", "busybox"])) as Record<string, string>;
    assert.equal(json.Repository, "busybox");
    assert.equal(json.ID, bb.slice(7, 19));
  });

  it("history shows the import, with docker's columns and flags", async () => {
    assert.match(await ok(["history", "cmd-l:1"]), /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n[0-9a-f]{12}\s+.*Imported from -\n$/);
    assert.match(await ok(["history", "-H=false", "cmd-l:1"]), /^IMAGE\s+CREATED AT\s+CREATED BY\s+SIZE\s+COMMENT\n[0-9a-f]{12}\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\d+\s+Imported from -\n$/);
    assert.equal(await ok(["history", "-q", "cmd-l:1"]), `${labelled.slice(7, 19)}\n`);
    assert.equal(await ok(["history", "-q", "--no-trunc", "cmd-l:1"]), `${labelled}\n`);
  });

  it("tag refuses bad names and digests with docker's words", async () => {
    assert.match(await fails(["tag", "busybox", "Bad/Name"]), /invalid reference format: repository name \(Name\) must be lowercase/);
    assert.match(await fails(["tag", "nope", "x:1"]), /No such image: nope:latest/);
    assert.match(await fails(["tag", "busybox", `x@sha256:${"a".repeat(64)}`]), /refusing to create a tag with a digest reference/);
  });

  it("rmi untags, deletes with the last name, and answers 409 as dockerd does", async () => {
    await ok(["tag", "cmd-l:1", "other/cmd-l:3"]);
    const short = labelled.slice(7, 19);
    assert.equal(
      await fails(["rmi", short]),
      `Error response from daemon: conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories\n`,
    );
    assert.equal(await ok(["rmi", "cmd-l:2"]), "Untagged: cmd-l:2\n");
    assert.equal(await fails(["rmi", "cmd-l"]), "Error response from daemon: No such image: cmd-l:latest\n");

    await ok(["create", "--name", "cmd-user", "cmd-l:1", "true"]);
    const cid = (await ok(["inspect", "--format", "{{.Id}}", "cmd-user"])).trim().slice(0, 12);
    assert.equal(await ok(["rmi", "other/cmd-l:3"]), "Untagged: other/cmd-l:3\n");
    assert.equal(
      await fails(["rmi", "cmd-l:1"]),
      `Error response from daemon: conflict: unable to remove repository reference "cmd-l:1" (must force) - container ${cid} is using its referenced image ${short}\n`,
    );
    assert.equal(
      await fails(["rmi", short]),
      `Error response from daemon: conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${cid}\n`,
    );
    await ok(["rm", "cmd-user"]);
    // The layer is busybox's too, so only the image goes.
    assert.equal(await ok(["rmi", short]), `Untagged: cmd-l:1\nDeleted: ${labelled}\n`);
  });

  it("rmi -f of a missing image reports it but succeeds, as docker does", async () => {
    const r = await d.berth(["rmi", "-f", "nope:1"]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "Error response from daemon: No such image: nope:1\n");
    const without = await d.berth(["rmi", "nope:1"]);
    assert.equal(without.code, 1);
  });
});
