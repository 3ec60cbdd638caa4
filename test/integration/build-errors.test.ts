// Builds that must fail clearly and leave nothing behind, and the ones whose
// input tries to reach outside the context or the rootfs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { startDaemon, type Daemon } from "./harness.js";
import { buildDebris, contexts } from "./build-fixtures.js";

describe("build errors and safety", () => {
  let d: Daemon;
  let server: Server;
  let base = "";
  const payload = "served over http\n";
  const made = contexts();
  const context = made.make;
  before(async () => {
    d = await startDaemon();
    server = createServer((req, res) => {
      if (req.url === "/file.txt") {
        res.writeHead(200, { "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT" });
        res.end(payload);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.close();
    await made.removeAll();
    await d?.destroy();
  });

  test("a failing RUN shows its output and exit code, exits with it, and leaves nothing behind", async () => {
    const dir = await context({ Dockerfile: "FROM busybox\nRUN echo about to fail && exit 3\n" });
    const r = await d.berth(["build", dir]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^about to fail$/m);
    assert.match(r.stderr, /The command '\/bin\/sh -c echo about to fail && exit 3' returned a non-zero code: 3/);
    assert.deepEqual(await buildDebris(d), []);
    assert.equal((await d.berth(["ps", "-aq"])).stdout, "");
  });

  test("a missing COPY source names the path", async () => {
    const dir = await context({ Dockerfile: "FROM busybox\nCOPY nope.txt /\n" });
    const r = await d.berth(["build", dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /nope\.txt/);
    assert.match(r.stderr, /not found|no such file|does not exist/i);
    assert.deepEqual(await buildDebris(d), []);
  });

  test("a parse error names the line", async () => {
    const dir = await context({ Dockerfile: "FROM busybox\n\nFOO bar\n" });
    const r = await d.berth(["build", dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /line 3/);
    assert.match(r.stderr, /unknown instruction: FOO/i);
  });

  test("a missing Dockerfile and an unknown base image are reported", async () => {
    const empty = await context({ "x.txt": "x" });
    const r = await d.berth(["build", empty]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Dockerfile/);
    const dir = await context({ Dockerfile: "FROM no-such-image:1\n" });
    const missing = await d.berth(["build", dir]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no-such-image/);
  });

  test("COPY cannot reach outside the context; symlinks resolve inside it and are copied as symlinks", async () => {
    const dir = await context({
      Dockerfile: "FROM busybox\nCOPY ../../../../etc/hostname /from-parent\n",
      link: { symlink: "/etc/shadow" },
      "etc/shadow": "the context's own shadow\n",
      "linkdir/inner": { symlink: "../../../../../../etc" },
    });
    const r = await d.berth(["build", dir]);
    assert.equal(r.code, 1);
    // The classic builder's words.
    assert.match(r.stderr, /COPY failed: forbidden path outside the build context: \.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname/);
    await writeFile(
      join(dir, "Dockerfile"),
      'FROM busybox\nCOPY link /link\nCOPY linkdir /linkdir\nCMD ["sh", "-c", "cat /link; readlink /linkdir/inner"]\n',
    );
    const ok = await d.berth(["build", "-t", "confined", dir]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const out = await d.berth(["run", "--rm", "confined"]);
    // A named symlink is resolved inside the context (as dockerd does); one inside a copied directory stays a link.
    assert.equal(out.stdout, "the context's own shadow\n../../../../../../etc\n");
  });

  test("ADD of a tar extracts it; a tar that climbs out of the destination is refused", async () => {
    const good = await context({ Dockerfile: "FROM busybox\nADD payload.tar /dest/\n" });
    execFileSync("sh", ["-c", `mkdir -p ${good}/p/sub && echo inside > ${good}/p/sub/f && tar -C ${good}/p -cf ${good}/payload.tar sub`]);
    const ok = await d.berth(["build", "-t", "added", good]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.equal((await d.berth(["run", "--rm", "added", "cat", "/dest/sub/f"])).stdout, "inside\n");

    const evil = await context({ Dockerfile: "FROM busybox\nADD evil.tar /dest/\n" });
    // GNU tar keeps a leading "../" with -P.
    execFileSync("sh", ["-c", `echo pwned > ${evil}/x && tar -C ${evil} -P --transform='s,^x,../../../../tmp/berth-pwned,' -cf ${evil}/evil.tar x`]);
    const bad = await d.berth(["build", evil]);
    assert.notEqual(bad.code, 0, bad.stdout);
    assert.match(bad.stderr, /berth-pwned|outside|breakout|escap/i);
    assert.deepEqual(await buildDebris(d), []);
  });

  test("ADD <url> fetches from a server; --checksum is verified", async () => {
    const sum = createHash("sha256").update(payload).digest("hex");
    const dir = await context({
      Dockerfile: `FROM busybox\nADD --checksum=sha256:${sum} ${base}/file.txt /srv/\n`,
    });
    const r = await d.berth(["build", "-t", "fetched", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal((await d.berth(["run", "--rm", "fetched", "cat", "/srv/file.txt"])).stdout, payload);
    await writeFile(join(dir, "Dockerfile"), `FROM busybox\nADD --checksum=sha256:${"0".repeat(64)} ${base}/file.txt /srv/\n`);
    const bad = await d.berth(["build", dir]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /digest|checksum/i);
    await writeFile(join(dir, "Dockerfile"), `FROM busybox\nADD ${base}/missing.txt /srv/\n`);
    const missing = await d.berth(["build", dir]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /404/);
  });

  test("a cancelled build stops its running step and cleans up", async () => {
    const dir = await context({ Dockerfile: "FROM busybox\nRUN echo started && sleep 3007\n" });
    const child = d.spawnBerth(["build", dir]);
    child.stdin?.end();
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error(`never started: ${seen}`)), 30_000);
      child.stdout?.on("data", (c: Buffer) => {
        seen += c.toString();
        if (/^started$/m.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGKILL");
    const deadline = Date.now() + 20_000;
    let debris = await buildDebris(d);
    while (debris.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      debris = await buildDebris(d);
    }
    assert.deepEqual(debris, []);
    // An odd duration: the count is machine-wide, and anyone may be running `sleep 300`.
    const sleepers = execFileSync("sh", ["-c", "ps -eo args | grep -c '^sleep 3007$' || true"], { encoding: "utf8" });
    assert.equal(sleepers.trim(), "0");
  });

  test("a stage that fails stops the stages running beside it, and the build cleans up", async () => {
    const dir = await context({
      Dockerfile: [
        "FROM busybox AS slow",
        "RUN echo slow-started && sleep 3007",
        "FROM busybox AS broken",
        "RUN sleep 1 && exit 5",
        "FROM busybox",
        "COPY --from=slow /etc /slow",
        "COPY --from=broken /etc /broken",
        "",
      ].join("\n"),
    });
    // Waiting for the sleeping stage would take 3007 s, past the client's time limit.
    const r = await d.berth(["build", dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 5, r.stderr + r.stdout);
    assert.deepEqual(await buildDebris(d), []);
    const sleepers = execFileSync("sh", ["-c", "ps -eo args | grep -c '^sleep 3007$' || true"], { encoding: "utf8" });
    assert.equal(sleepers.trim(), "0");
  });
});

