// Volumes, bind mounts and tmpfs end to end through the CLI against a private
// berthd: data kept across containers, copy-up of image content, read-only
// binds, tmpfs mounts and tmpfs volumes, anonymous volumes from an image's
// VOLUME and `rm -v`, --volumes-from, prune, system df, Docker's errors —
// and no mount left behind.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDaemon, type Daemon, type Result } from "./harness.js";

async function mountsUnder(prefix: string): Promise<string[]> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  return info
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p.startsWith(prefix));
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never happened: ${what}`);
}

describe("volumes, binds and tmpfs", () => {
  let d: Daemon;
  let dir: string;
  const berth = async (args: string[], opts: { input?: string } = {}): Promise<Result> => d.berth(args, opts);
  const ok = async (args: string[]): Promise<string> => {
    const r = await berth(args);
    assert.equal(r.code, 0, `berth ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const mountpoint = async (name: string) => (await ok(["volume", "inspect", "-f", "{{.Mountpoint}}", name])).trim();

  before(async () => {
    d = await startDaemon();
    dir = await mkdtemp(join(tmpdir(), "bt-vol-"));
  });
  after(async () => {
    const left = d ? await mountsUnder(d.dataRoot + "/volumes") : [];
    await d?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
    assert.deepEqual(left, [], "volume mounts left behind");
  });

  test("a named volume is created on first use and keeps data across containers", async () => {
    await ok(["run", "--rm", "-v", "keep:/data", "busybox", "sh", "-c", "echo hello > /data/f"]);
    assert.equal(await ok(["run", "--rm", "-v", "keep:/data:ro", "busybox", "cat", "/data/f"]), "hello\n");
    assert.equal(await readFile(join(await mountpoint("keep"), "f"), "utf8"), "hello\n");
    assert.match(await ok(["volume", "ls"]), /^DRIVER +VOLUME NAME\nlocal +keep\n/m);
  });

  test("copy-up: the image's content goes into an empty volume, never into a non-empty one (nor with nocopy)", async () => {
    const listing = await ok(["run", "--rm", "-v", "etcvol:/etc", "busybox", "ls", "/etc"]);
    assert.ok(listing.split("\n").includes("passwd"), listing);
    const data = await mountpoint("etcvol");
    const [copied, image] = await Promise.all([stat(join(data, "passwd")), ok(["run", "--rm", "busybox", "stat", "-c", "%a %u %g", "/etc/passwd"])]);
    assert.equal(`${(copied.mode & 0o777).toString(8)} ${copied.uid} ${copied.gid}\n`, image);

    // The files berth binds over /etc (hosts, hostname, resolv.conf) show up on a volume there, as with Docker.
    const ownFiles = (listing: string) => listing.split("\n").filter((f) => f && !["hostname", "hosts", "resolv.conf"].includes(f));
    await ok(["run", "--rm", "-v", "full:/x", "busybox", "touch", "/x/only"]);
    assert.deepEqual(ownFiles(await ok(["run", "--rm", "-v", "full:/etc", "busybox", "ls", "/etc"])), ["only"]);
    assert.deepEqual(ownFiles(await ok(["run", "--rm", "-v", "nc:/etc:nocopy", "busybox", "ls", "/etc"])), []);
    assert.match(await ok(["run", "--rm", "-v", "nc:/etc:nocopy", "busybox", "cat", "/etc/hostname"]), /^[0-9a-f]{12}\n$/);
  });

  test("binds: writes go through, a read-only bind refuses them", async () => {
    await ok(["run", "--rm", "-v", `${dir}:/h`, "busybox", "sh", "-c", "echo w > /h/written"]);
    assert.equal(await readFile(join(dir, "written"), "utf8"), "w\n");
    const r = await berth(["run", "--rm", "-v", `${dir}:/h:ro`, "busybox", "touch", "/h/x"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /touch: \/h\/x: Read-only file system/);
    // A file binds too; a missing -v source is made a directory, as dockerd makes it.
    assert.equal(await ok(["run", "--rm", "-v", `${join(dir, "written")}:/etc/w:ro`, "-v", `${join(dir, "made")}:/made`, "busybox", "cat", "/etc/w"]), "w\n");
    assert.ok((await stat(join(dir, "made"))).isDirectory());
    const m = await berth(["run", "--rm", "--mount", `type=bind,source=${dir},target=/h,readonly`, "busybox", "touch", "/h/x"]);
    assert.equal(m.code, 1);
    assert.match(m.stderr, /Read-only file system/);
  });

  test("--mount type=tmpfs and --tmpfs give sized tmpfs mounts", async () => {
    const out = await ok(["run", "--rm", "--mount", "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770", "--tmpfs", "/run:size=2m", "busybox", "sh", "-c", "df -k /t /run | tail -n 2 | awk '{print $1, $2}'; stat -c %a /t"]);
    assert.equal(out, "tmpfs 1024\ntmpfs 2048\n1770\n");
  });

  test("a volume with -o type=tmpfs is mounted while used and unmounted when its last user stops", async () => {
    await ok(["volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=2m", "tv"]);
    assert.equal(await ok(["volume", "inspect", "-f", "{{json .Options}}", "tv"]), '{"device":"tmpfs","o":"size=2m","type":"tmpfs"}\n');
    const data = await mountpoint("tv");
    await ok(["run", "-d", "--name", "tvuser", "-v", "tv:/t", "busybox", "sh", "-c", "echo x > /t/f; sleep 60"]);
    assert.deepEqual(await mountsUnder(data), [data]);
    assert.match(await ok(["exec", "tvuser", "df", "-k", "/t"]), /tmpfs +2048 /);
    await ok(["rm", "-f", "tvuser"]);
    await eventually(async () => (await mountsUnder(data)).length === 0, "tmpfs volume unmounted");
    // A tmpfs keeps nothing once unmounted.
    assert.equal(await ok(["run", "--rm", "-v", "tv:/t", "busybox", "ls", "/t"]), "");
    await eventually(async () => (await mountsUnder(data)).length === 0, "tmpfs volume unmounted again");
  });

  test("a tmpfs volume stays mounted for a container that runs on across a berthd restart, and goes when it stops", async () => {
    await ok(["volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "tv2"]);
    const data = await mountpoint("tv2");
    await ok(["run", "-d", "--name", "survivor", "-v", "tv2:/t", "busybox", "sh", "-c", "echo kept > /t/f; sleep 60"]);
    await d.restart();
    assert.deepEqual(await mountsUnder(data), [data]);
    assert.equal(await ok(["exec", "survivor", "cat", "/t/f"]), "kept\n");
    await ok(["stop", "-t", "0", "survivor"]);
    await eventually(async () => (await mountsUnder(data)).length === 0, "tmpfs volume unmounted after the restart");
    await ok(["rm", "survivor"]);
    await ok(["volume", "rm", "tv2"]);
  });

  test("an image's VOLUME is an anonymous volume filled from the image; rm keeps it, rm -v removes it", async () => {
    await writeFile(join(dir, "Dockerfile"), "FROM busybox\nRUN mkdir /vol && echo seed > /vol/seed\nVOLUME /vol\n");
    await ok(["build", "-q", "-t", "withvol:1", dir]);
    const volumeOf = async (ctr: string) => (await ok(["inspect", "-f", "{{range .Mounts}}{{.Name}} {{.Destination}} {{.Driver}} {{.RW}}{{end}}", ctr])).trim();

    assert.equal(await ok(["run", "--name", "anon1", "withvol:1", "cat", "/vol/seed"]), "seed\n");
    const [name1, dest, driver, rw] = (await volumeOf("anon1")).split(" ");
    assert.match(name1!, /^[0-9a-f]{64}$/);
    assert.deepEqual([dest, driver, rw], ["/vol", "local", "true"]);
    await ok(["rm", "anon1"]);
    assert.ok((await ok(["volume", "ls", "-q"])).split("\n").includes(name1!), "plain rm keeps the anonymous volume");

    await ok(["create", "--name", "anon2", "withvol:1"]);
    const [name2] = (await volumeOf("anon2")).split(" ");
    await ok(["rm", "-v", "anon2"]);
    assert.ok(!(await ok(["volume", "ls", "-q"])).split("\n").includes(name2!), "rm -v removes the anonymous volume");

    // `volume prune` takes the unused anonymous volume that plain rm left, and no named one.
    const pruned = await ok(["volume", "prune", "-f"]);
    assert.match(pruned, new RegExp(`^Deleted Volumes:\\n${name1}\\n\\nTotal reclaimed space: \\d+(\\.\\d+)?k?B\\n$`));
    assert.ok((await ok(["volume", "ls", "-q"])).split("\n").includes("keep"));
  });

  test("volume rm of a volume in use is a conflict naming the container", async () => {
    const id = (await ok(["create", "-v", "busy:/b", "busybox"])).trim();
    const r = await berth(["volume", "rm", "busy"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error response from daemon: remove busy: volume is in use - [${id}]\n`);
    const inspect = JSON.parse(await ok(["inspect", id])) as [{ Mounts: unknown[]; HostConfig: { Binds: string[] } }];
    assert.deepEqual(inspect[0].HostConfig.Binds, ["busy:/b"]);
    assert.deepEqual(inspect[0].Mounts, [
      { Type: "volume", Name: "busy", Source: await mountpoint("busy"), Destination: "/b", Driver: "local", Mode: "z", RW: true, Propagation: "" },
    ]);
    await ok(["rm", id]);
    assert.equal(await ok(["volume", "rm", "busy"]), "busy\n");
    const missing = await berth(["volume", "rm", "busy"]);
    assert.equal(missing.stderr, "Error response from daemon: get busy: no such volume\n");
    assert.equal((await berth(["volume", "rm", "-f", "busy"])).code, 0);
  });

  test("--volumes-from shares another container's volumes, read-only when asked", async () => {
    await ok(["create", "--name", "src", "-v", "shared:/shared", "busybox"]);
    await ok(["run", "--rm", "--volumes-from", "src", "busybox", "sh", "-c", "echo y > /shared/z"]);
    assert.equal(await ok(["run", "--rm", "--volumes-from", "src:ro", "busybox", "cat", "/shared/z"]), "y\n");
    const r = await berth(["run", "--rm", "--volumes-from", "src:ro", "busybox", "touch", "/shared/w"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Read-only file system/);
    await ok(["rm", "src"]);
  });

  test("system df counts the volumes", async () => {
    const names = (await ok(["volume", "ls", "-q"])).split("\n").filter(Boolean);
    const rows = (await ok(["system", "df", "--format", "{{json .}}"])).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
    const row = rows.find((r) => r.Type === "Local Volumes");
    assert.equal(row?.TotalCount, String(names.length));
    assert.equal(row?.Active, "0");
    assert.match(await ok(["system", "df", "-v"]), /Local Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\n(.*\n)*keep +0 +6B\n/);
  });

  test("prune -a takes named volumes too", async () => {
    await ok(["volume", "create", "--label", "keep=yes", "labelled"]);
    const out = await ok(["volume", "prune", "-a", "-f", "--filter", "label!=keep=yes"]);
    assert.match(out, /^Deleted Volumes:\n/);
    assert.deepEqual((await ok(["volume", "ls", "-q"])).split("\n").filter(Boolean), ["labelled"]);
  });

  test("Docker's errors: a relative host path, a missing --mount bind source, a duplicate mount point", async () => {
    const rel = await berth(["run", "--rm", "-v", "data/x:/x", "busybox", "true"]);
    assert.equal(rel.code, 125);
    assert.match(rel.stderr, /Error response from daemon: create data\/x: "data\/x" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed\. If you intended to pass a host directory, use absolute path/);
    const relTarget = await berth(["run", "--rm", "-v", `${dir}:ctr`, "busybox", "true"]);
    assert.equal(relTarget.code, 125);
    assert.match(relTarget.stderr, new RegExp(`invalid volume specification: '${dir}:ctr': invalid mount config for type "bind": invalid mount path: 'ctr' mount path must be absolute`));
    const missing = join(dir, "nope");
    const bind = await berth(["run", "--rm", "--mount", `type=bind,source=${missing},target=/x`, "busybox", "true"]);
    assert.equal(bind.code, 125);
    assert.match(bind.stderr, new RegExp(`Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${missing}`));
    const dup = await berth(["run", "--rm", "-v", "a1:/x", "--mount", "type=volume,src=a2,dst=/x", "busybox", "true"]);
    assert.equal(dup.code, 125);
    assert.match(dup.stderr, /Error response from daemon: Duplicate mount point: \/x/);
    assert.ok(!(await ok(["volume", "ls", "-q"])).split("\n").includes("a1"), "a refused create makes no volume");
    const flag = await berth(["run", "--rm", "--mount", "type=bind", "busybox", "true"]);
    assert.equal(flag.code, 125);
    assert.match(flag.stderr, /invalid argument "type=bind" for "--mount" flag: target is required/);
  });

  test("volume inspect of a missing volume, and create's checks", async () => {
    const r = await berth(["volume", "inspect", "ghost"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "[]\n");
    assert.equal(r.stderr, "Error: No such volume: ghost\n");
    const opt = await berth(["volume", "create", "-o", "color=red", "bad"]);
    assert.equal(opt.code, 1);
    assert.equal(opt.stderr, `Error response from daemon: create bad: invalid option: "color"\n`);
    assert.match(await ok(["volume", "create"]), /^[0-9a-f]{64}\n$/);
  });

  test("nothing is left mounted under the volumes or the test's directory", async () => {
    await eventually(async () => (await mountsUnder(join(d.dataRoot, "volumes"))).length === 0, "no volume mounts");
    assert.deepEqual(await mountsUnder(dir), []);
    assert.ok((await readdir(dir)).includes("Dockerfile"));
  });
});
