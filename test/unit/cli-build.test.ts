// `berth build` flags → the request the docker CLI would send, the progress
// renderers fed with the classic stream, and the text of `builder prune`
// and `system df`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import type { JSONMessage } from "../../src/api/types/index.js";
import { normalizeArgs } from "../../src/cli/args.js";
import { BuildView, plainDisplay, ttyDisplay } from "../../src/cli/build-progress.js";
import { addBuildFlags, buildOptionsFrom, type BuildFlags } from "../../src/cli/commands/build.js";
import { pruneReport } from "../../src/cli/commands/builder.js";
import { renderDiskUsage } from "../../src/cli/commands/system-df.js";
import { buildQuery } from "../../src/client/build.js";
import { encodeQuery } from "../../src/client/transport.js";

function parseBuild(argv: string[]) {
  const cmd = addBuildFlags(new Command("build")).exitOverride().configureOutput({ writeErr: () => undefined });
  cmd.allowExcessArguments(true).action(() => undefined);
  cmd.parse(normalizeArgs(cmd, argv), { from: "user" });
  return { flags: cmd.opts<BuildFlags>(), args: cmd.args };
}

function parseError(argv: string[]): string {
  try {
    parseBuild(argv);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`expected ${argv.join(" ")} to fail`);
}

describe("build flags", () => {
  test("map onto the query the docker CLI sends", () => {
    const { flags, args } = parseBuild([
      "-t", "app:1", "--tag=app:2", "-f", "Dockerfile.dev", "--build-arg", "A=1", "--build-arg", "HOME", "--build-arg", "UNSET",
      "--label", "team=a", "--label", "flag", "--target", "build", "--no-cache", "--pull", "--network", "host",
      "--platform", "linux/amd64", "--add-host", "db:10.0.0.2", "--rm=false", "--force-rm", "-m", "100m", "--memory-swap", "-1",
      "-c", "512", "--cpuset-cpus", "0-1", "--cpu-period", "100000", "--cpu-quota", "50000", "--shm-size", "64m",
      "--cache-from", "a,b", "--cache-from", "c", ".",
    ]);
    assert.deepEqual(args, ["."]);
    const opts = { ...buildOptionsFrom(flags, { HOME: "/root" }), dockerfile: "Dockerfile.dev" };
    const query = new URLSearchParams(encodeQuery(buildQuery(opts)));
    assert.deepEqual(query.getAll("t"), ["app:1", "app:2"]);
    assert.equal(query.get("dockerfile"), "Dockerfile.dev");
    assert.deepEqual(JSON.parse(query.get("buildargs") ?? ""), { A: "1", HOME: "/root", UNSET: null });
    assert.deepEqual(JSON.parse(query.get("labels") ?? ""), { team: "a", flag: "" });
    assert.equal(query.get("target"), "build");
    assert.equal(query.get("nocache"), "1");
    assert.equal(query.get("pull"), "1");
    assert.equal(query.get("rm"), "0");
    assert.equal(query.get("forcerm"), "1");
    assert.equal(query.get("networkmode"), "host");
    assert.equal(query.get("platform"), "linux/amd64");
    assert.deepEqual(query.getAll("extrahosts"), ["db:10.0.0.2"]);
    assert.equal(query.get("memory"), String(100 * 1024 * 1024));
    assert.equal(query.get("memswap"), "-1");
    assert.equal(query.get("cpushares"), "512");
    assert.equal(query.get("cpusetcpus"), "0-1");
    assert.equal(query.get("cpuperiod"), "100000");
    assert.equal(query.get("cpuquota"), "50000");
    assert.equal(query.get("shmsize"), String(64 * 1024 * 1024));
    assert.deepEqual(JSON.parse(query.get("cachefrom") ?? ""), ["a", "b", "c"]);
    assert.equal(query.get("version"), "1");
  });

  test("defaults send only what dockerd needs", () => {
    const { flags } = parseBuild(["."]);
    const query = new URLSearchParams(encodeQuery(buildQuery(buildOptionsFrom(flags, {}))));
    assert.deepEqual([...query.keys()].sort(), ["networkmode", "version"]);
    assert.equal(query.get("networkmode"), "default");
  });

  test("remote contexts go as remote=", () => {
    const query = new URLSearchParams(encodeQuery(buildQuery({}, "https://example.com/ctx.tar")));
    assert.equal(query.get("remote"), "https://example.com/ctx.tar");
  });

  const bad: [string[], RegExp][] = [
    [["-t", "Foo", "."], /invalid reference format: repository name \(library\/Foo\) must be lowercase/],
    [["--add-host", "bad", "."], /bad format for add-host: "bad"/],
    [["--add-host", "h:1.2.3.4x", "."], /invalid IP address in add-host: "1.2.3.4x"/],
    [["--label", "=x", "."], /invalid label '=x': empty name/],
    [["--build-arg", "=x", "."], /invalid environment variable: =x/],
    [["-m", "abc", "."], /invalid size: 'abc'/],
  ];
  for (const [argv, message] of bad) {
    test(`refuses ${argv.slice(0, -1).join(" ")}`, () => {
      assert.match(parseError(argv), message);
    });
  }
});

/** The classic stream of a two-step build, as dockerd sends it. */
const STREAM: JSONMessage[] = [
  { stream: "Step 1/3 : FROM busybox" },
  { stream: "\n" },
  { stream: " ---> 9ce70642db7f\n" },
  { stream: "Step 2/3 : RUN echo hello && echo world >&2" },
  { stream: "\n" },
  { stream: " ---> Running in 716cdc878563\n" },
  { stream: "hello\n" },
  { stream: "\u001b[91mworld\n\u001b[0m" },
  { stream: "Removing intermediate container 716cdc878563\n" },
  { stream: " ---> d8480fca5198\n" },
  { stream: "Step 3/3 : COPY Dockerfile /x" },
  { stream: "\n" },
  { stream: " ---> Using cache\n" },
  { stream: " ---> 3239b440ac11\n" },
  { stream: "Successfully built 3239b440ac11\n" },
  { stream: "Successfully tagged app:latest\n" },
];

/** Applies what the TTY display writes to a screen: cursor up, clear to end, lines. */
function screen(writes: string[]): string[] {
  const rows: string[] = [];
  let row = 0;
  for (const text of writes) {
    for (const part of text.split(/(\x1b\[\d+A|\r|\x1b\[J|\n)/)) {
      const up = /^\x1b\[(\d+)A$/.exec(part);
      if (up) row -= Number(up[1]);
      else if (part === "\x1b[J") rows.length = row;
      else if (part === "\n") row++;
      else if (part !== "\r" && part !== "") rows[row] = (rows[row] ?? "") + part;
    }
  }
  return rows;
}

describe("plain build output", () => {
  test("is the stream text as sent, after the upload line", () => {
    let out = "";
    const display = plainDisplay({ write: (t: string) => (out += t) });
    display.upload(1024, false);
    display.upload(2048, true);
    for (const m of STREAM) display.show(m);
    display.close();
    assert.equal(
      out,
      "Sending build context to Docker daemon  2.048kB\r\r\n" +
        "Step 1/3 : FROM busybox\n ---> 9ce70642db7f\nStep 2/3 : RUN echo hello && echo world >&2\n ---> Running in 716cdc878563\n" +
        "hello\n\u001b[91mworld\n\u001b[0mRemoving intermediate container 716cdc878563\n ---> d8480fca5198\n" +
        "Step 3/3 : COPY Dockerfile /x\n ---> Using cache\n ---> 3239b440ac11\nSuccessfully built 3239b440ac11\nSuccessfully tagged app:latest\n",
    );
  });

  test("leaves progress out and keeps plain status lines", () => {
    let out = "";
    const display = plainDisplay({ write: (t: string) => (out += t) });
    display.show({ status: "Downloading context", id: "http://x/c.tar", progressDetail: { current: 10, total: 20 } });
    display.show({ status: "Downloading from http://x" });
    assert.equal(out, "Downloading from http://x\n");
  });
});

describe("TTY build view", () => {
  test("one line per step with CACHED or its time, output under the running step only", () => {
    let now = 0;
    const view = new BuildView(() => now, 40);
    view.upload(2048, true);
    for (const m of STREAM.slice(0, 8)) {
      view.feed(m);
      now += 100;
    }
    assert.deepEqual(view.committed, ["Sending build context to Docker daemon  2.048kB", "[1/3] FROM busybox                  0.1s"]);
    assert.deepEqual(view.live(), ["[2/3] RUN echo hello && echo world… 0.4s", "  hello", "  world"]);
    assert.equal(view.ticking(), true);
    now += 1000;
    assert.deepEqual(view.live()[0], "[2/3] RUN echo hello && echo world… 1.4s");
    for (const m of STREAM.slice(8)) view.feed(m);
    view.finish(false);
    assert.deepEqual(view.committed.slice(2), [
      "[2/3] RUN echo hello && echo world… 1.4s",
      "[3/3] COPY Dockerfile /x          CACHED",
      "Successfully built 3239b440ac11",
      "Successfully tagged app:latest",
    ]);
    assert.deepEqual(view.live(), []);
  });

  test("keeps the last output lines of the step that failed", () => {
    let now = 0;
    const view = new BuildView(() => now, 40);
    for (const m of STREAM.slice(3, 6)) view.feed(m);
    for (let i = 1; i <= 7; i++) view.feed({ stream: `line ${i}\n` });
    now = 2500;
    view.finish(true);
    assert.deepEqual(view.committed, ["[2/3] RUN echo hello && echo… ERROR 2.5s", "  line 3", "  line 4", "  line 5", "  line 6", "  line 7"]);
  });

  test("redraws the live lines in place and leaves the final frame", () => {
    const writes: string[] = [];
    let now = 0;
    const display = ttyDisplay({ write: (t: string) => writes.push(t), columns: 40 }, { now: () => now, tick: false });
    display.upload(600 * 1024, false);
    display.upload(2048 * 1024, true);
    for (const m of STREAM) {
      display.show(m);
      now += 100;
    }
    display.close();
    assert.deepEqual(screen(writes), [
      "Sending build context to Docker daemon  2.097MB",
      "[1/3] FROM busybox                  0.1s",
      "[2/3] RUN echo hello && echo world… 0.5s",
      "[3/3] COPY Dockerfile /x          CACHED",
      "Successfully built 3239b440ac11",
      "Successfully tagged app:latest",
    ]);
    assert.ok(writes.some((w) => w.includes("  hello")), "the RUN output was on screen while the step ran");
  });
});

describe("builder prune output", () => {
  test("lists the deleted objects, a blank line, then the total", () => {
    assert.equal(pruneReport({ CachesDeleted: ["abc", "def"], SpaceReclaimed: 10390 }), "Deleted build cache objects:\nabc\ndef\n\nTotal reclaimed space: 10.39kB\n");
    assert.equal(pruneReport({ CachesDeleted: [], SpaceReclaimed: 0 }), "Total reclaimed space: 0B\n");
  });
});

describe("system df output", () => {
  const now = 1_700_000_000;
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  const du = {
    LayersSize: 2_000_000,
    Images: [
      { Id: "sha256:" + "a".repeat(64), RepoTags: ["app:1"], RepoDigests: [], ParentId: "", Created: now - 3600, Size: 1_990_000, SharedSize: -1, Labels: {}, Containers: 1 },
      { Id: "sha256:" + "b".repeat(64), RepoTags: [], RepoDigests: [], ParentId: "", Created: now - 60, Size: 10_000, SharedSize: -1, Labels: {}, Containers: 0 },
    ],
    Containers: [
      { Id: "c".repeat(64), Names: ["/web"], Image: "app:1", ImageID: "sha256:" + "a".repeat(64), Command: "sh", Created: now - 120, State: "running", Status: "Up 2 minutes", SizeRw: 100, SizeRootFs: 2_000_100 },
      { Id: "d".repeat(64), Names: ["/old"], Image: "app:1", ImageID: "sha256:" + "a".repeat(64), Command: "sh", Created: now - 7200, State: "exited", Status: "Exited (0) 1 hour ago", SizeRw: 300 },
    ],
    Volumes: [],
    BuildCache: [
      { ID: "lk6ldfa0xjfkq3x", Type: "regular" as const, Size: 10_200, InUse: false, Shared: false, CreatedAt: iso(now - 90), LastUsedAt: iso(now - 90), UsageCount: 2 },
      { ID: "b0vsjo85vrl8zzz", Type: "regular" as const, Size: 190, InUse: true, Shared: false, CreatedAt: iso(now - 80), LastUsedAt: iso(now - 30), UsageCount: 1 },
    ],
  };

  test("summary table as the docker CLI computes it", () => {
    assert.equal(
      renderDiskUsage(du, { now }),
      [
        "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE",
        "Images          2         1         2MB       2MB (100%)",
        "Containers      2         1         400B      300B (75%)",
        "Local Volumes   0         0         0B        0B",
        "Build Cache     2         1         10.39kB   10.2kB",
        "",
      ].join("\n"),
    );
  });

  test("--format json prints one object per kind, keys sorted", () => {
    const first = renderDiskUsage(du, { format: "json", now }).split("\n")[0];
    assert.equal(first, '{"Active":"1","Reclaimable":"2MB (100%)","Size":"2MB","TotalCount":"2","Type":"Images"}');
  });

  test("-v prints one table per kind", () => {
    assert.equal(
      renderDiskUsage(du, { verbose: true, now }),
      [
        "Images space usage:",
        "",
        "REPOSITORY   TAG       IMAGE ID       CREATED              SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS",
        "app          1         aaaaaaaaaaaa   About an hour ago    1.99MB    N/A           N/A           1",
        "<none>       <none>    bbbbbbbbbbbb   About a minute ago   10kB      N/A           N/A           0",
        "",
        "Containers space usage:",
        "",
        "CONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED         STATUS                  NAMES",
        "cccccccccccc   app:1     \"sh\"      0               100B      2 minutes ago   Up 2 minutes            web",
        "dddddddddddd   app:1     \"sh\"      0               300B      2 hours ago     Exited (0) 1 hour ago   old",
        "",
        "Local Volumes space usage:",
        "",
        "VOLUME NAME   LINKS     SIZE",
        "",
        "Build cache usage: 10.39kB",
        "",
        "CACHE ID        CACHE TYPE   SIZE      CREATED              LAST USED            USAGE     SHARED",
        "lk6ldfa0xjfk    regular      10.2kB    About a minute ago   About a minute ago   2         false",
        "b0vsjo85vrl8*   regular      190B      About a minute ago   30 seconds ago       1         false",
        "",
      ].join("\n"),
    );
  });
});
