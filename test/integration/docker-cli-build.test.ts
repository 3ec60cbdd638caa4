// The real docker CLI builds Dockerfiles through berthd's classic POST /build
// (DOCKER_BUILDKIT=0): output, tags, image config, history, cache, -q and
// --iidfile, every way of giving the context, multi-stage, failures and their
// exit codes. Each assertion was checked against a real dockerd; set
// DOCKER_CLI_TEST_HOST=unix:///var/run/docker.sock to run the same file
// against one, and DOCKER_CLI_TEST_BIN to pick the docker client (20.10 and
// 28.x). Skipped, loudly, where no docker client exists.
//
// A shared dockerd keeps classic build steps as intermediate images and reuses
// them as cache across users, so every Dockerfile here starts with
// `ARG <prefix>_run` (a step with no value: it changes neither the config nor
// RUN's history line): every image a build here makes descends from it, is
// ours, and is removed by ID afterwards, dangling ones from failed builds too.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startDaemon, type Daemon } from "./harness.js";
import { cachedSteps, writeFiles } from "./build-fixtures.js";
import { dockerRunner, packTar, printedImageIds, stepContainerIds, stepLines, type Run } from "./docker-cli-build-fixtures.js";

const dockerPath =
  process.env.DOCKER_CLI_TEST_BIN || spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
const externalHost = process.env.DOCKER_CLI_TEST_HOST;
if (!dockerPath) console.warn("SKIPPING docker CLI build tests: no docker client installed (apt-get install docker.io)");

const lines = (s: string): string[] => s.split("\n").filter(Boolean);
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

describe("docker build (classic builder) against berthd", { skip: !dockerPath && "no docker client installed" }, () => {
  let d: Daemon | undefined;
  let host = "";
  let tmp = "";
  let baseId = "";
  /** Everything this file makes is named after this prefix, so it can share a daemon. */
  const p = `dcb${randomBytes(3).toString("hex")}`;
  const n = (x: string) => `${p}-${x}`;
  /** The first step after every FROM: makes each build's cache chain this run's own (see the header). */
  const mark = `ARG ${p}_run`;
  const imagesMade: string[] = [];
  const containersMade: string[] = [];

  const docker = (args: string[], o: { input?: string | Buffer } = {}): Promise<Run> =>
    dockerRunner(dockerPath, { DOCKER_HOST: host, DOCKER_CONFIG: path.join(tmp, "docker-cli"), DOCKER_BUILDKIT: "0" })(args, o);

  /** Runs docker, asserts it succeeded and returns its stdout. */
  const ok = async (args: string[], o: { input?: string | Buffer } = {}): Promise<string> => {
    const r = await docker(args, o);
    assert.equal(r.code, 0, `docker ${args.join(" ")} exited ${r.code}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  /** Runs `docker build`, noting every image and container its output names for removal. */
  const build = async (args: string[], o: { input?: string | Buffer } = {}): Promise<Run> => {
    const r = await docker(["build", ...args], o);
    imagesMade.push(...printedImageIds(r.stdout).filter((id) => !baseId.startsWith(`sha256:${id}`)));
    imagesMade.push(...lines(r.stdout).filter((l) => IMAGE_ID.test(l)));
    containersMade.push(...stepContainerIds(r.stdout));
    return r;
  };

  /** Runs `docker build`, asserts it succeeded and returns its stdout. */
  const built = async (args: string[], o: { input?: string | Buffer } = {}): Promise<string> => {
    const r = await build(args, o);
    assert.equal(r.code, 0, `docker build ${args.join(" ")} exited ${r.code}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  /** A fresh directory with these files. */
  const dir = async (files: Record<string, string>): Promise<string> => {
    const at = await mkdtemp(path.join(tmp, "ctx-"));
    await writeFiles(at, files);
    return at;
  };

  const inspectImage = async (ref: string): Promise<{ Id: string; RepoTags: string[]; Config: Record<string, unknown> }> =>
    JSON.parse(await ok(["image", "inspect", "--format", "{{json .}}", ref]));

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "dcb-"));
    if (externalHost) host = externalHost;
    else {
      d = await startDaemon();
      host = d.host;
    }
    baseId = (await ok(["image", "inspect", "--format", "{{.Id}}", "busybox"])).trim();
  });

  after(async () => {
    if (host) {
      const existing = new Set(lines((await docker(["ps", "-aq"])).stdout));
      const leftovers = containersMade.filter((id) => existing.has(id));
      if (leftovers.length) await docker(["rm", "-f", ...leftovers]);
      const refs = lines((await docker(["images", "--filter", `reference=${p}*`, "--format", "{{.Repository}}:{{.Tag}}"])).stdout);
      if (refs.length) await docker(["rmi", "-f", ...refs]);
      // Newest first, so that children go before their parents; a second pass for any left.
      const ids = [...new Set(imagesMade)].reverse();
      for (let pass = 0; pass < 2; pass++) {
        for (const id of ids) if ((await docker(["image", "inspect", id])).code === 0) await docker(["rmi", "-f", id]);
      }
    }
    await d?.destroy();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  // Scenarios 1-4 share this build.
  const tagOne = `${n("app")}:one`;
  const tagTwo = `${n("app")}:two`;
  const appDockerfile = [
    "FROM busybox",
    mark,
    "ARG GREETING=hi",
    "ENV APP_HOME=/app MODE=test",
    "WORKDIR /app",
    'RUN echo "$GREETING from run" > /app/greeting.txt',
    'LABEL com.example.name="demo app" com.example.v=1',
    "EXPOSE 8080 9090/udp",
    "VOLUME /data",
    "USER 1000:1000",
    "STOPSIGNAL SIGINT",
    'HEALTHCHECK --interval=5s --timeout=3s --retries=2 CMD ["true"]',
    'ENTRYPOINT ["/bin/sh", "-c"]',
    'CMD ["cat /app/greeting.txt"]',
    "",
  ].join("\n");
  const appSteps = 15; // 14 instructions and the LABEL of --label
  let appCtx = "";
  const appArgs = () => ["--build-arg", "GREETING=hello", "--label", "extra=yes", appCtx];
  let appId = "";

  test("1. a directory with two -t, --build-arg and --label: output, run, image config", async () => {
    appCtx = await dir({ Dockerfile: appDockerfile });
    const out = await built(["-t", tagOne, "-t", tagTwo, ...appArgs()]);
    const steps = stepLines(out);
    assert.deepEqual(steps[0], { n: 1, of: appSteps, text: "FROM busybox" });
    assert.deepEqual(
      steps.map((s) => s.n),
      Array.from({ length: appSteps }, (_, i) => i + 1),
    );
    assert.ok(steps.every((s) => s.of === appSteps));
    assert.equal(steps[5]!.text, 'RUN echo "$GREETING from run" > /app/greeting.txt');
    const m = /^Successfully built ([0-9a-f]{12})$/m.exec(out);
    assert.ok(m, out);
    assert.match(out, new RegExp(`^Successfully tagged ${tagOne}\n`, "m"));
    assert.match(out, new RegExp(`^Successfully tagged ${tagTwo}\n`, "m"));

    const image = await inspectImage(tagOne);
    appId = image.Id;
    assert.ok(appId.startsWith(`sha256:${m[1]}`));
    assert.deepEqual([...image.RepoTags].sort(), [tagOne, tagTwo].sort());
    assert.equal((await inspectImage(tagTwo)).Id, appId);

    const c = image.Config;
    assert.deepEqual(
      (c.Env as string[]).filter((e) => !e.startsWith("PATH=")),
      ["APP_HOME=/app", "MODE=test"],
    );
    assert.equal(c.WorkingDir, "/app");
    assert.deepEqual(c.Entrypoint, ["/bin/sh", "-c"]);
    assert.deepEqual(c.Cmd, ["cat /app/greeting.txt"]);
    assert.deepEqual(c.ExposedPorts, { "8080/tcp": {}, "9090/udp": {} });
    assert.deepEqual(c.Labels, { "com.example.name": "demo app", "com.example.v": "1", extra: "yes" });
    assert.equal(c.User, "1000:1000");
    assert.deepEqual(c.Volumes, { "/data": {} });
    assert.equal(c.StopSignal, "SIGINT");
    assert.deepEqual(c.Healthcheck, { Test: ["CMD", "true"], Interval: 5e9, Timeout: 3e9, Retries: 2 });

    // What RUN wrote, through the ENTRYPOINT and CMD, as USER 1000.
    assert.equal(await ok(["run", "--rm", tagOne]), "hello from run\n");
    assert.equal(await ok(["run", "--rm", tagOne, "id -u; pwd; echo $APP_HOME $MODE"]), "1000\n/app\n/app test\n");
  });

  // BERTH BUG: dockerd's classic builder gives a stage whose base image has no
  // PATH the default PATH (first in Env); berth leaves Env without it.
  test("1b. FROM an image without PATH: the built image's Env starts with the default PATH", async () => {
    assert.ok(appId, "needs scenario 1");
    const base = await inspectImage("busybox");
    assert.ok(!((base.Config.Env as string[] | null) ?? []).some((e) => e.startsWith("PATH=")), "busybox here has no PATH");
    const env = (await inspectImage(appId)).Config.Env as string[];
    assert.deepEqual(env, [DEFAULT_PATH, "APP_HOME=/app", "MODE=test"]);
  });

  test("2. history: created_by of RUN and of metadata steps, 0B for metadata", async () => {
    assert.ok(appId, "needs scenario 1");
    const out = await ok(["history", "--no-trunc", "--format", "{{json .}}", appId]);
    const rows = lines(out).map((l) => JSON.parse(l) as { CreatedBy: string; Size: string; ID: string });
    // Newest first: the steps of this build, then the base image's own history.
    const ours = rows.slice(0, appSteps - 1);
    assert.equal(ours[0]!.ID, appId);
    const healthcheck = ours.findIndex((r) => r.CreatedBy.startsWith("/bin/sh -c #(nop)  HEALTHCHECK "));
    assert.notEqual(healthcheck, -1, out);
    // The HEALTHCHECK line is a Go struct dump in dockerd (`&{["CMD" "true"] "5s" …}`), not worth copying.
    ours.splice(healthcheck, 1);
    const nop = (s: string) => `/bin/sh -c #(nop)  ${s}`;
    assert.deepEqual(
      ours.map((r) => r.CreatedBy),
      [
        nop("LABEL extra=yes"),
        nop('CMD ["cat /app/greeting.txt"]'),
        nop('ENTRYPOINT ["/bin/sh" "-c"]'),
        nop("STOPSIGNAL SIGINT"),
        nop("USER 1000:1000"),
        nop("VOLUME [/data]"),
        nop("EXPOSE 8080 9090/udp"),
        nop("LABEL com.example.name=demo app com.example.v=1"),
        '|1 GREETING=hello /bin/sh -c echo "$GREETING from run" > /app/greeting.txt',
        "/bin/sh -c #(nop) WORKDIR /app",
        nop("ENV APP_HOME=/app MODE=test"),
        nop("ARG GREETING=hi"),
        nop(`ARG ${p}_run`),
      ],
    );
    for (const r of ours) {
      if (r.CreatedBy.startsWith("|1 ")) assert.equal(r.Size, "15B"); // "hello from run\n"
      else assert.equal(r.Size, "0B", r.CreatedBy);
    }
  });

  test("3. a rebuild takes every step after FROM from the cache and makes the same image", async () => {
    assert.ok(appId, "needs scenario 1");
    const out = await built(["-t", tagOne, ...appArgs()]);
    assert.equal(cachedSteps(out), appSteps - 1, out);
    assert.doesNotMatch(out, /Running in/);
    // Each step after FROM: its line, then " ---> Using cache", then " ---> <id>".
    const afterFrom = out.split(/^Step \d+\/\d+ : /m).slice(2);
    assert.equal(afterFrom.length, appSteps - 1);
    for (const s of afterFrom) assert.match(s, /\n ---> Using cache\n ---> [0-9a-f]{12}\n/, s);
    assert.match(out, new RegExp(`^Successfully built ${appId.slice(7, 19)}$`, "m"));
    assert.equal((await inspectImage(tagOne)).Id, appId);
  });

  test("4. -q prints only the image ID; --iidfile writes it", async () => {
    assert.ok(appId, "needs scenario 1");
    const iidfile = path.join(tmp, "iid");
    const out = await built(["-q", "--iidfile", iidfile, ...appArgs()]);
    assert.equal(out, `${appId}\n`);
    assert.equal((await readFile(iidfile, "utf8")).trim(), appId);

    // Without the cache: the RUN step's output is not shown either.
    const ctx = await dir({ Dockerfile: `FROM busybox\n${mark}\nRUN echo quiet-run-output > /q\n` });
    const iid2 = path.join(tmp, "iid2");
    const r = await build(["-q", "--iidfile", iid2, ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    assert.doesNotMatch(r.stdout + r.stderr, /quiet-run-output|Step /);
    assert.equal((await readFile(iid2, "utf8")).trim(), r.stdout.trim());
    assert.equal(await ok(["run", "--rm", r.stdout.trim(), "cat", "/q"]), "quiet-run-output\n");
  });

  test("5. -f from elsewhere, -f -, a Dockerfile on stdin, a tar on stdin, .dockerignore", async () => {
    const ctx = await dir({
      ".dockerignore": "secret.txt\n",
      "keep.txt": "keep\n",
      "secret.txt": "secret\n",
      "sub/inner.txt": "inner\n",
    });
    const copyAll = `FROM busybox\n${mark}\nCOPY . /ctx\n`;
    const elsewhere = await dir({ "Build.df": copyAll });
    const listing = [".", "..", ".dockerignore", "keep.txt", "sub"];

    // -f outside the context: the Dockerfile is not part of what COPY . sees, secret.txt is ignored.
    await built(["-t", n("ctx:f"), "-f", path.join(elsewhere, "Build.df"), ctx]);
    assert.deepEqual(lines(await ok(["run", "--rm", n("ctx:f"), "ls", "-a", "/ctx"])), listing);
    assert.equal(await ok(["run", "--rm", n("ctx:f"), "cat", "/ctx/sub/inner.txt"]), "inner\n");

    // -f -: the Dockerfile from stdin, the context from the directory.
    await built(["-t", n("ctx:stdin-df"), "-f", "-", ctx], { input: copyAll });
    assert.deepEqual(lines(await ok(["run", "--rm", n("ctx:stdin-df"), "ls", "-a", "/ctx"])), listing);

    // "-": only a Dockerfile, no context.
    const noCtx = `FROM busybox\n${mark}\nRUN echo no-context > /n\nCMD ["cat", "/n"]\n`;
    const out = await built(["-t", n("ctx:none"), "-"], { input: noCtx });
    assert.match(out, /^Step 1\/4 : FROM busybox$/m);
    assert.equal(await ok(["run", "--rm", n("ctx:none")]), "no-context\n");

    // "-" with a tar: the whole context, Dockerfile included, as sent (no .dockerignore applied by the client).
    const archive = await packTar({ Dockerfile: copyAll, "a.txt": "a\n", "dir/b.txt": "b\n" });
    await built(["-t", n("ctx:tar"), "-"], { input: archive });
    assert.deepEqual(lines(await ok(["run", "--rm", n("ctx:tar"), "ls", "-a", "/ctx"])), [".", "..", "Dockerfile", "a.txt", "dir"]);
    assert.equal(await ok(["run", "--rm", n("ctx:tar"), "cat", "/ctx/dir/b.txt"]), "b\n");
  });

  test("6. multi-stage: COPY --from a stage by name and by index; --target stops at a stage", async () => {
    const ctx = await dir({
      Dockerfile: [
        "FROM busybox AS builder",
        mark,
        "RUN mkdir /out && echo built-artifact > /out/artifact.txt",
        "FROM busybox AS tester",
        mark,
        "RUN echo tester-stage > /t",
        "FROM busybox",
        mark,
        "COPY --from=builder /out/artifact.txt /final/artifact.txt",
        "COPY --from=0 /out/artifact.txt /final/by-index.txt",
        'CMD ["cat", "/final/artifact.txt", "/final/by-index.txt"]',
        "",
      ].join("\n"),
    });
    const full = await built(["-t", n("multi:full"), ctx]);
    assert.match(full, /^Step \d+\/\d+ : COPY --from=builder \/out\/artifact.txt \/final\/artifact.txt$/m);
    assert.equal(await ok(["run", "--rm", n("multi:full")]), "built-artifact\nbuilt-artifact\n");
    // The final stage is busybox plus the copied files: nothing of the other stages' RUNs.
    const r = await docker(["run", "--rm", n("multi:full"), "ls", "/out", "/t"]);
    assert.equal(r.code, 1);

    const target = await built(["--target", "tester", "-t", n("multi:tester"), ctx]);
    const steps = stepLines(target);
    assert.equal(steps.at(-1)!.text, "RUN echo tester-stage > /t");
    assert.ok(steps.every((s) => !s.text.startsWith("COPY")), target);
    assert.equal(await ok(["run", "--rm", n("multi:tester"), "cat", "/t"]), "tester-stage\n");
    const missing = await docker(["run", "--rm", n("multi:tester"), "ls", "/final"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such file or directory/);
  });

  test("7. a failing RUN: the client exits with its code, names the command, leaves no container with --force-rm", async () => {
    const ctx = await dir({ Dockerfile: `FROM busybox\n${mark}\nRUN echo before-the-failure\nRUN exit 3\nCMD ["sh"]\n` });
    const r = await build(["--force-rm", "-t", n("fail:1"), ctx]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /^The command '\/bin\/sh -c exit 3' returned a non-zero code: 3$/m);
    assert.match(r.stdout, /^Step 4\/5 : RUN exit 3$/m);
    assert.match(r.stdout, /^before-the-failure$/m);
    assert.doesNotMatch(r.stdout, /Successfully/);
    assert.match(r.stdout, /^Step 4\/5 : RUN exit 3\n ---> Running in [0-9a-f]{12}\n/m);
    const ran = stepContainerIds(r.stdout);
    const all = new Set(lines(await ok(["ps", "-aq"])));
    assert.deepEqual(
      ran.filter((id) => all.has(id)),
      [],
    );
    const tagged = await docker(["image", "inspect", n("fail:1")]);
    assert.equal(tagged.code, 1);
  });

  test("8. errors: unknown instruction, missing COPY source, missing target; an ARG without a value", async () => {
    const ctx = await dir({
      "Dockerfile.unknown": `FROM busybox\n${mark}\nRUN true\nFOO bar\n`,
      "Dockerfile.missing": `FROM busybox\n${mark}\nCOPY nope /x\n`,
      "Dockerfile.target": `FROM busybox AS a\n${mark}\nRUN true\n`,
      "Dockerfile.args": `FROM busybox\n${mark}\nARG UNSET\nARG WITHDEF=dflt\nRUN echo "u=[$UNSET] d=[$WITHDEF]" > /args\nCMD ["cat", "/args"]\n`,
    });
    const f = (name: string) => ["-f", path.join(ctx, `Dockerfile.${name}`)];

    const unknown = await build([...f("unknown"), ctx]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^Error response from daemon: dockerfile parse error line 4: unknown instruction: FOO$/m);
    assert.doesNotMatch(unknown.stdout, /Step /);

    const missing = await build([...f("missing"), ctx]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /^Step 3\/3 : COPY nope \/x$/m);
    assert.match(
      missing.stderr,
      /^COPY failed: file not found in build context or excluded by \.dockerignore: stat nope: file does not exist$/m,
    );

    const target = await build([...f("target"), "--target", "x", ctx]);
    assert.equal(target.code, 1);
    assert.match(target.stderr, /^Error response from daemon: failed to reach build target x in Dockerfile$/m);

    await built([...f("args"), "-t", n("args:default"), ctx]);
    assert.equal(await ok(["run", "--rm", n("args:default")]), "u=[] d=[dflt]\n");
    const given = await built([...f("args"), "-t", n("args:given"), "--build-arg", "UNSET=given", "--build-arg", "NOTDECLARED=z", ctx]);
    assert.match(given, /^\[Warning\] One or more build-args \[NOTDECLARED\] were not consumed$/m);
    assert.equal(await ok(["run", "--rm", n("args:given")]), "u=[given] d=[dflt]\n");
  });

  // Last: on berthd it empties the build cache the scenarios above filled.
  test("9. builder prune -f and system df", async () => {
    const df = lines(await ok(["system", "df", "--format", "{{json .}}"])).map((l) => JSON.parse(l) as { Type: string });
    assert.deepEqual(
      df.map((r) => r.Type),
      ["Images", "Containers", "Local Volumes", "Build Cache"],
    );
    assert.match(await ok(["system", "df"]), /^Build Cache\s/m);
    assert.match(await ok(["builder", "prune", "-f"]), /^Total reclaimed space: /m);
  });
});
