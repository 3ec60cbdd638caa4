// `ps` as Docker lists: -a, -q, -n, -l, -s, --no-trunc, every filter the
// brief names, --format (table, json, fields), and the daemon's wording for
// bad filters. Three containers: exited (3), created, running.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { busyboxTar, startDaemon, type Daemon } from "./harness.js";

describe("container ps", () => {
  let d: Daemon;
  const ids: Record<string, string> = {};
  before(async () => {
    d = await startDaemon();
    // An image of its own (another ID) for the ancestor filter.
    const other = await d.berth(["import", "--change", "ENV FLAVOUR=other", "-", "other:1"], { input: await busyboxTar() });
    assert.equal(other.code, 0, other.stderr);
    assert.equal((await d.berth(["run", "--name", "first", "-l", "tier=web", "busybox", "sh", "-c", "exit 3"])).code, 3);
    await d.berth(["create", "--name", "second", "-l", "tier=db", "-l", "backup", "other:1", "echo", "hello world, this is long"]);
    await d.berth(["run", "-d", "--name", "third", "-l", "tier=web", "busybox", "sleep", "300"]);
    for (const name of ["first", "second", "third"]) {
      ids[name] = (await d.berth(["inspect", "--format", "{{.Id}}", name])).stdout.trim();
    }
  });
  after(async () => {
    await d?.destroy();
  });

  const names = async (...args: string[]) => {
    const r = await d.berth(["ps", ...args, "--format", "{{.Names}}"]);
    assert.equal(r.stderr, "");
    return r.stdout.split("\n").filter(Boolean);
  };

  test("running only by default, all with -a, newest first", async () => {
    assert.deepEqual(await names(), ["third"]);
    assert.deepEqual(await names("-a"), ["third", "second", "first"]);
  });

  test("-q prints short IDs, --no-trunc full ones", async () => {
    const q = await d.berth(["ps", "-a", "-q"]);
    assert.equal(q.stdout, [ids.third, ids.second, ids.first].map((id) => `${id.slice(0, 12)}\n`).join(""));
    const full = await d.berth(["ps", "-aq", "--no-trunc"]);
    assert.equal(full.stdout, `${ids.third}\n${ids.second}\n${ids.first}\n`);
  });

  test("-n and -l look at every container, running or not", async () => {
    assert.deepEqual(await names("-n", "2"), ["third", "second"]);
    assert.deepEqual(await names("-l"), ["third"]);
    await d.berth(["create", "--name", "newest", "busybox", "true"]);
    assert.deepEqual(await names("-l"), ["newest"]);
    await d.berth(["rm", "newest"]);
  });

  test("the default table: Docker's columns, quoted command, truncation", async () => {
    const r = await d.berth(["ps", "-a", "--filter", "name=first"]);
    const lines = r.stdout.split("\n");
    assert.match(lines[0]!, /^CONTAINER ID {3}IMAGE {5}COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    assert.match(lines[1]!, new RegExp(`^${ids.first!.slice(0, 12)} {3}busybox {3}"sh -c 'exit 3'" +.* ago +Exited \\(3\\) .* ago +first$`));
    const long = await d.berth(["ps", "-a", "--filter", "name=second", "--format", "{{.Command}}|{{.Image}}"]);
    assert.equal(long.stdout, '"echo \'hello world, …"|other:1\n');
    const untrunc = await d.berth(["ps", "-a", "--no-trunc", "--filter", "name=second", "--format", "{{.Command}}"]);
    assert.equal(untrunc.stdout, "\"echo 'hello world, this is long'\"\n");
  });

  test("-s adds the SIZE column; a --format showing .Size or the whole row fetches sizes", async () => {
    const r = await d.berth(["ps", "-s", "--filter", "name=third"]);
    assert.match(r.stdout.split("\n")[0]!, /NAMES +SIZE$/);
    assert.match(r.stdout.split("\n")[1]!, /third +\d+B \(virtual [\d.]+MB\)$/);
    const json = JSON.parse((await d.berth(["ps", "--filter", "name=third", "--format", "{{json .}}"])).stdout) as Record<string, unknown>;
    assert.match(String(json.Size), /^\d+B \(virtual [\d.]+MB\)$/);
    assert.equal(json.State, "running");
    assert.equal(json.Names, "third");
    assert.equal(json.Labels, "tier=web");
    assert.equal(json.Networks, "bridge");
    assert.match(String(json.Status), /^Up /);
  });

  test("filters: id, name, label, status, exited, ancestor, before, since", async () => {
    assert.deepEqual(await names("-a", "--filter", `id=${ids.second!.slice(0, 8)}`), ["second"]);
    assert.deepEqual(await names("-a", "--filter", "name=^/?f"), ["first"]);
    assert.deepEqual(await names("-a", "--filter", "label=tier=web"), ["third", "first"]);
    assert.deepEqual(await names("-a", "--filter", "label=backup"), ["second"]);
    assert.deepEqual(await names("-a", "--filter", "label=tier", "--filter", "label=backup"), ["second"]);
    // status and exited imply -a.
    assert.deepEqual(await names("--filter", "status=exited"), ["first"]);
    assert.deepEqual(await names("--filter", "status=created", "--filter", "status=running"), ["third", "second"]);
    assert.deepEqual(await names("--filter", "exited=3"), ["first"]);
    assert.deepEqual(await names("--filter", "exited=0"), []);
    assert.deepEqual(await names("-a", "--filter", "ancestor=other:1"), ["second"]);
    assert.deepEqual(await names("-a", "--filter", "ancestor=busybox"), ["third", "first"]);
    assert.deepEqual(await names("-a", "--filter", "before=third"), ["second", "first"]);
    assert.deepEqual(await names("-a", "--filter", "since=first"), ["third", "second"]);
  });

  test("bad filters in the daemon's words", async () => {
    const cases: [string[], string][] = [
      [["--filter", "status=sleepy"], "invalid filter 'status=sleepy'"],
      [["--filter", "colour=red"], "invalid filter 'colour'"],
      [["--filter", "exited=x"], 'strconv.Atoi: parsing "x": invalid syntax'],
      [["--filter", "before=ghost"], "no such container ghost"],
    ];
    for (const [args, message] of cases) {
      const r = await d.berth(["ps", ...args]);
      assert.equal(r.code, 1, message);
      assert.equal(r.stderr, `Error response from daemon: ${message}\n`);
    }
    const format = await d.berth(["ps", "--filter", "nonsense"]);
    assert.equal(format.code, 125);
  });

  test("--format: table with headers, label lookup, quiet ignores the format", async () => {
    const t = await d.berth(["ps", "-a", "--filter", "name=first", "--format", "table {{.Names}}\\t{{.Label \"tier\"}}\\t{{.State}}"]);
    assert.match(t.stdout, /^NAMES +tier +STATE\nfirst +web +exited\n$/);
    const q = await d.berth(["ps", "-q", "--filter", "name=third", "--format", "{{.Names}}"]);
    assert.equal(q.stdout, `${ids.third!.slice(0, 12)}\n`);
    assert.equal(q.stderr, "WARNING: Ignoring custom format, because both --format and --quiet are set.\n");
  });

  test("a container whose image name moved on shows the image ID", async () => {
    assert.equal((await d.berth(["tag", "busybox", "other:1"])).code, 0);
    const r = await d.berth(["ps", "-a", "--filter", "name=second", "--format", "{{.Image}}"]);
    const imageId = (await d.berth(["inspect", "--format", "{{.Image}}", "second"])).stdout.trim();
    assert.equal(r.stdout, `${imageId.replace(/^sha256:/, "").slice(0, 12)}\n`);
  });
});
