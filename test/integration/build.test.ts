// Builds through a private berthd: the resulting files and config, history as
// the classic builder writes it, multi-stage with --target and COPY --from,
// ONBUILD, heredocs, -q and --iidfile.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { startDaemon, type Daemon } from "./harness.js";
import { buildDebris, builtId, contexts } from "./build-fixtures.js";

describe("build", () => {
  let d: Daemon;
  const made = contexts();
  const context = made.make;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await made.removeAll();
    await d?.destroy();
  });

  test("a Dockerfile becomes an image whose files and config are as written", async () => {
    const dir = await context({
      Dockerfile: [
        "FROM busybox",
        "ENV GREETING=hello NAME=world",
        "WORKDIR /app",
        "COPY greet.sh ./",
        'RUN chmod +x greet.sh && echo "built $GREETING" > /built.txt',
        "LABEL org.example.kind=test",
        "EXPOSE 8080",
        "USER 1000:1000",
        'CMD ["./greet.sh"]',
        "",
      ].join("\n"),
      "greet.sh": '#!/bin/sh\necho "$GREETING $NAME from $(pwd) as $(id -u)"\n',
    });
    const r = await d.berth(["build", "-t", "greeter:1", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^Step 1\/9 : FROM busybox$/m);
    assert.match(r.stdout, /^Step 5\/9 : RUN chmod \+x greet\.sh/m);
    assert.match(r.stdout, /^Successfully tagged greeter:1$/m);
    const id = builtId(r.stdout);

    const run = await d.berth(["run", "--rm", "greeter:1"]);
    assert.equal(run.stdout, "hello world from /app as 1000\n", run.stderr);
    const cat = await d.berth(["run", "--rm", "greeter:1", "cat", "/built.txt"]);
    assert.equal(cat.stdout, "built hello\n");

    const inspect = JSON.parse((await d.berth(["image", "inspect", "greeter:1"])).stdout)[0];
    assert.ok(inspect.Id.startsWith(`sha256:${id}`));
    assert.deepEqual(inspect.Config.Cmd, ["./greet.sh"]);
    assert.equal(inspect.Config.WorkingDir, "/app");
    assert.equal(inspect.Config.User, "1000:1000");
    assert.deepEqual(inspect.Config.ExposedPorts, { "8080/tcp": {} });
    assert.equal(inspect.Config.Labels["org.example.kind"], "test");
    assert.ok(inspect.Config.Env.includes("GREETING=hello"));
    assert.ok(inspect.Config.Env.includes("NAME=world"));
    // busybox's one layer + WORKDIR (new dir) + COPY + RUN.
    assert.equal(inspect.RootFS.Layers.length, 4);

    const history = (await d.berth(["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", "greeter:1"])).stdout.trim().split("\n");
    assert.equal(history[0], '/bin/sh -c #(nop)  CMD ["./greet.sh"]|0B');
    assert.match(history.find((h) => h.includes("RUN") || h.includes("chmod"))!, /^\/bin\/sh -c chmod \+x greet\.sh && echo "built \$GREETING" > \/built\.txt\|/);
    assert.match(history.find((h) => h.includes("COPY"))!, /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/app\/ \|/);
    assert.deepEqual(await buildDebris(d), []);
  });

  test("multi-stage: --target builds only the stages it needs; COPY --from takes another stage's files", async () => {
    const dir = await context({
      Dockerfile: [
        "FROM busybox AS base",
        "RUN echo base > /base.txt",
        "",
        "FROM busybox AS broken",
        "RUN exit 7",
        "",
        "FROM base AS tool",
        "RUN echo tool > /tool.txt",
        "",
        "FROM busybox AS final",
        "COPY --from=tool /tool.txt /base.txt /out/",
        "COPY --from=0 /base.txt /again.txt",
        'CMD ["cat", "/out/tool.txt", "/out/base.txt", "/again.txt"]',
        "",
      ].join("\n"),
    });
    const r = await d.berth(["build", "--target", "final", "-t", "multi:1", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, /exit 7/, "the unneeded stage must not run");
    const run = await d.berth(["run", "--rm", "multi:1"]);
    assert.equal(run.stdout, "tool\nbase\nbase\n");

    const t = await d.berth(["build", "--target", "tool", "-q", dir]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const missing = await d.berth(["build", "--target", "nope", dir]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /failed to reach build target nope in Dockerfile/);
  });

  test("ARG scope, build args, ENV over ARG, and the unused build-arg warning", async () => {
    const dir = await context({
      Dockerfile: [
        "ARG BASE=busybox",
        "ARG GLOBAL=g",
        "FROM $BASE",
        "ARG GLOBAL",
        "ARG LOCAL=default",
        "ARG SHADOW=arg",
        "ENV SHADOW=env",
        'RUN echo "$GLOBAL $LOCAL $SHADOW ${UNSET:-fallback} ${LOCAL:+set}" > /args.txt',
        "",
      ].join("\n"),
    });
    const r = await d.berth(["build", "--build-arg", "LOCAL=given", "--build-arg", "EXTRA=1", "-t", "args:1", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /One or more build-args \[EXTRA\] were not consumed/);
    const out = await d.berth(["run", "--rm", "args:1", "cat", "/args.txt"]);
    assert.equal(out.stdout, "g given env fallback set\n");
    const env = (await d.berth(["image", "inspect", "--format", "{{json .Config.Env}}", "args:1"])).stdout;
    assert.doesNotMatch(env, /LOCAL/, "ARG values are not kept in the image");
  });

  test("heredocs: RUN <<EOF runs the script, COPY <<EOF writes a file", async () => {
    const dir = await context({
      Dockerfile: [
        "FROM busybox",
        "RUN <<EOF",
        "echo one > /one.txt",
        "echo two >> /one.txt",
        "EOF",
        "COPY <<EOF /etc/conf.txt",
        "key=value",
        "EOF",
        "RUN cat <<A <<B > /ab.txt",
        "first",
        "A",
        "second",
        "B",
        "",
      ].join("\n"),
    });
    const r = await d.berth(["build", "-t", "heredoc:1", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = await d.berth(["run", "--rm", "heredoc:1", "cat", "/one.txt", "/etc/conf.txt"]);
    assert.equal(out.stdout, "one\ntwo\nkey=value\n");
  });

  test("ONBUILD triggers run in the image built FROM it, once", async () => {
    const parentDir = await context({ Dockerfile: "FROM busybox\nONBUILD RUN echo triggered > /trigger.txt\n" });
    assert.equal((await d.berth(["build", "-t", "onbuild-parent", parentDir])).code, 0);
    const childDir = await context({ Dockerfile: "FROM onbuild-parent\nRUN cat /trigger.txt\n" });
    const r = await d.berth(["build", "-t", "onbuild-child", childDir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /# Executing 1 build trigger/);
    assert.match(r.stdout, /^triggered$/m);
    const onbuild = (await d.berth(["image", "inspect", "--format", "{{json .Config.OnBuild}}", "onbuild-child"])).stdout.trim();
    assert.ok(onbuild === "null" || onbuild === "[]", onbuild);
  });

  test("--iidfile, --label, -f outside the context and a Dockerfile from stdin", async () => {
    const dir = await context({ "data.txt": "data\n", "other/Build.df": "FROM busybox\nCOPY data.txt /\n" });
    const iid = join(dir, "iid");
    const r = await d.berth(["build", "-f", join(dir, "other/Build.df"), "--iidfile", iid, "--label", "a=b", join(dir)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const id = (await readFile(iid, "utf8")).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const labels = (await d.berth(["image", "inspect", "--format", "{{json .Config.Labels}}", id])).stdout.trim();
    assert.equal(labels, '{"a":"b"}');
    await rm(iid);
    const stdin = await d.berth(["build", "-f", "-", "-t", "fromstdin", dir], { input: "FROM busybox\nCOPY data.txt /copied\n" });
    assert.equal(stdin.code, 0, stdin.stderr + stdin.stdout);
    assert.equal((await d.berth(["run", "--rm", "fromstdin", "cat", "/copied"])).stdout, "data\n");
  });

  test("FROM scratch with COPY of a directory, ownership and --chmod/--chown", async () => {
    const dir = await context({
      Dockerfile: "FROM busybox AS tools\nFROM scratch\nCOPY --from=tools /bin/busybox /bin/busybox\nCOPY --chown=7:8 --chmod=640 tree/ /tree/\nCMD [\"/bin/busybox\", \"stat\", \"-c\", \"%u:%g %a %n\", \"/tree/a\", \"/tree/sub/b\"]\n",
      "tree/a": "a\n",
      "tree/sub/b": "b\n",
    });
    const r = await d.berth(["build", "-t", "scratchy", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = await d.berth(["run", "--rm", "scratchy"]);
    assert.equal(out.stdout, "7:8 640 /tree/a\n7:8 640 /tree/sub/b\n", out.stderr);
  });

  test("SHELL, ENTRYPOINT, VOLUME, STOPSIGNAL, HEALTHCHECK and MAINTAINER land in the config", async () => {
    const dir = await context({
      Dockerfile: [
        "FROM busybox",
        "MAINTAINER someone@example.com",
        'SHELL ["/bin/sh", "-ec"]',
        "RUN echo shell is $0 > /shell.txt",
        'ENTRYPOINT ["/bin/sh", "-c"]',
        "VOLUME /data /logs",
        "STOPSIGNAL SIGQUIT",
        "HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD true",
        "",
      ].join("\n"),
    });
    const r = await d.berth(["build", "-t", "configured", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const c = JSON.parse((await d.berth(["image", "inspect", "configured"])).stdout)[0];
    assert.equal(c.Author, "someone@example.com");
    assert.deepEqual(c.Config.Shell, ["/bin/sh", "-ec"]);
    assert.deepEqual(c.Config.Entrypoint, ["/bin/sh", "-c"]);
    assert.equal(c.Config.Cmd, null, "a new ENTRYPOINT drops the inherited CMD");
    assert.deepEqual(c.Config.Volumes, { "/data": {}, "/logs": {} });
    assert.equal(c.Config.StopSignal, "SIGQUIT");
    // A shell-form test (not a JSON array) is CMD-SHELL, as Docker stores it.
    assert.deepEqual(c.Config.Healthcheck, { Test: ["CMD-SHELL", "true"], Interval: 5e9, Timeout: 2e9, Retries: 4 });
    const shell = await d.berth(["run", "--rm", "configured", "cat /shell.txt"]);
    assert.equal(shell.stdout, "shell is /bin/sh\n");
  });

  test("RUN --mount=type=cache keeps its files across builds; type=bind sees the context", async () => {
    const dir = await context({
      Dockerfile: [
        "FROM busybox",
        "ARG N",
        "RUN --mount=type=cache,target=/cache echo run$N >> /cache/log && cat /cache/log > /seen.txt",
        "RUN --mount=type=bind,target=/ctx cat /ctx/input.txt > /bound.txt",
        "",
      ].join("\n"),
      "input.txt": "from the context\n",
    });
    assert.equal((await d.berth(["build", "--build-arg", "N=1", "-t", "cachemount", dir])).code, 0);
    const r = await d.berth(["build", "--build-arg", "N=2", "-t", "cachemount", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = await d.berth(["run", "--rm", "cachemount", "cat", "/seen.txt", "/bound.txt"]);
    assert.equal(out.stdout, "run1\nrun2\nfrom the context\n");
    const ls = await d.berth(["run", "--rm", "cachemount", "ls", "-A", "/cache", "/ctx"]);
    assert.doesNotMatch(ls.stdout, /log|input/, "mounts are not part of the image");
  });

  test("--network none leaves RUN only lo; --network host shares the host's interfaces", async () => {
    const dir = await context({ Dockerfile: "FROM busybox\nRUN grep -c : /proc/net/dev > /ifaces\n" });
    assert.equal((await d.berth(["build", "--network", "none", "-t", "net-none", dir])).code, 0);
    assert.equal((await d.berth(["run", "--rm", "net-none", "cat", "/ifaces"])).stdout, "1\n");
    assert.equal((await d.berth(["build", "--network", "host", "-t", "net-host", dir])).code, 0);
    const host = Number((await d.berth(["run", "--rm", "net-host", "cat", "/ifaces"])).stdout);
    assert.ok(host > 1, `host network shows ${host} interfaces`);
  });

  test("independent stages build concurrently", async () => {
    // Each stage waits for the other's mark in a shared cache mount: run one after the other, both would time out.
    const wait = (mine: string, theirs: string) =>
      `RUN --mount=type=cache,target=/sync,id=concurrency-${process.pid} rm -f /sync/${mine}; touch /sync/${mine}; ` +
      `for i in $(seq 300); do [ -e /sync/${theirs} ] && break; sleep 0.1; done; [ -e /sync/${theirs} ] && echo ${mine} > /done`;
    const dir = await context({
      Dockerfile: [
        "FROM busybox AS a",
        wait("a", "b"),
        "FROM busybox AS b",
        wait("b", "a"),
        "FROM busybox",
        "COPY --from=a /done /a",
        "COPY --from=b /done /b",
        'CMD ["cat", "/a", "/b"]',
        "",
      ].join("\n"),
    });
    const r = await d.berth(["build", "--no-cache", "-t", "concurrent", dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal((await d.berth(["run", "--rm", "concurrent"])).stdout, "a\nb\n");
  });

  test("a context tar on stdin, and several -t", async () => {
    const dir = await context({ Dockerfile: "FROM busybox\nCOPY hello.txt /\n", "hello.txt": "hi\n" });
    const tarball = execFileSync("tar", ["-C", dir, "-cf", "-", "."]);
    const r = await d.berth(["build", "-t", "stdin-a", "-t", "stdin-b:2", "-"], { input: tarball });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^Successfully tagged stdin-a:latest$/m);
    assert.match(r.stdout, /^Successfully tagged stdin-b:2$/m);
    assert.equal((await d.berth(["run", "--rm", "stdin-b:2", "cat", "/hello.txt"])).stdout, "hi\n");
  });
});

