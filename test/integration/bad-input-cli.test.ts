// Bad flag values on the berth CLI: Docker's exact wording, the usage block,
// and exit code 125 for run and create — and nothing is created. Where the
// real docker CLI is installed, it is asked the same questions (flag errors
// never reach a daemon) and must give the same answers, with "docker" for "berth".
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { berthBin, startDaemon, type Daemon, type Result } from "./harness.js";

const dockerPath = spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();

/** The usage block cobra prints after a flag error. */
const usage = (bin: string, cmd: string, synopsis: string): string => `\nUsage:  ${bin} ${cmd} ${synopsis}\n\nRun '${bin} ${cmd} --help' for more information\n`;
const RUN = "[OPTIONS] IMAGE [COMMAND] [ARG...]";

/** Runs a CLI (berth or docker) the way a user's shell does: the executable itself. */
function cli(file: string, args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

describe("bad flag values on the CLI", () => {
  let d: Daemon;
  let dir: string;
  before(async () => {
    d = await startDaemon();
    dir = await mkdtemp(join(tmpdir(), "bt-cli-"));
  });
  after(async () => {
    await d?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // args, then the expected stderr given the program's name
  const rows: [string[], (bin: string) => string][] = [
    [["run", "-m", "abc", "busybox"], (b) => `invalid argument "abc" for "-m, --memory" flag: invalid size: 'abc'\n${usage(b, "run", RUN)}`],
    [["create", "-m", "abc", "busybox"], (b) => `invalid argument "abc" for "-m, --memory" flag: invalid size: 'abc'\n${usage(b, "create", RUN)}`],
    [["run", "--memory-swap", "lots", "busybox"], (b) => `invalid argument "lots" for "--memory-swap" flag: invalid size: 'lots'\n${usage(b, "run", RUN)}`],
    [["run", "--cpus", "abc", "busybox"], (b) => `invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number\n${usage(b, "run", RUN)}`],
    [["create", "--cpus", "abc", "busybox"], (b) => `invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number\n${usage(b, "create", RUN)}`],
    [["run", "--pids-limit", "x", "busybox"], (b) => `invalid argument "x" for "--pids-limit" flag: strconv.ParseInt: parsing "x": invalid syntax\n${usage(b, "run", RUN)}`],
    [["run", "-e", "", "busybox"], (b) => `invalid argument "" for "-e, --env" flag: invalid environment variable: \n${usage(b, "run", RUN)}`],
    [["run", "-e", "=value", "busybox"], (b) => `invalid argument "=value" for "-e, --env" flag: invalid environment variable: =value\n${usage(b, "run", RUN)}`],
    [["create", "-e", "=value", "busybox"], (b) => `invalid argument "=value" for "-e, --env" flag: invalid environment variable: =value\n${usage(b, "create", RUN)}`],
    [["stop", "-t", "abc", "x"], (b) => `invalid argument "abc" for "-t, --timeout" flag: strconv.ParseInt: parsing "abc": invalid syntax\n${usage(b, "stop", "[OPTIONS] CONTAINER [CONTAINER...]")}`],
    [["ps", "--filter", "bogus"], (b) => `invalid argument "bogus" for "-f, --filter" flag: bad format of filter (expected name=value)\n${usage(b, "ps", "[OPTIONS]")}`],
  ];

  for (const [args, expected] of rows) {
    test(`berth ${args.join(" ")} → 125 with Docker's wording`, async () => {
      const r = await d.berth(args);
      assert.equal(r.stderr, expected("berth"));
      assert.equal(r.stdout, "");
      assert.equal(r.code, 125);
    });
  }

  test("the docker CLI words the same flag errors the same way", { skip: !dockerPath && "no docker client installed" }, async () => {
    for (const [args, expected] of rows) {
      const r = await cli(dockerPath, ["-H", d.host, ...args], {});
      assert.equal(r.stderr, expected("docker"), `docker ${args.join(" ")}`);
      assert.equal(r.code, 125);
    }
  });

  test(
    // Node 20 itself reads --env-file from a script's arguments (nodejs/node#54232); bin/berth's shebang passes `--`.
    "run --env-file with a missing file → 125 with Docker's wording",
    async () => {
      const missing = join(dir, "missing.env");
      // Through the executable, as a shell runs it: that is where node's own option parsing interferes.
      const r = await cli(berthBin, ["-H", d.host, "run", "--env-file", missing, "busybox", "true"], {});
      assert.equal(r.stderr, `berth: open ${missing}: no such file or directory\n\nRun 'berth run --help' for more information\n`);
      assert.equal(r.code, 125);
    },
  );

  test("run --env-file with a bad line → 125 naming the file", async () => {
    const file = join(dir, "bad.env");
    await writeFile(file, "GOOD=1\nBAD NAME=2\n");
    const r = await d.berth(["run", "--env-file", file, "busybox", "true"]);
    assert.match(r.stderr, new RegExp(`^berth: invalid env file \\(${file}\\): variable 'BAD NAME' contains whitespaces\n`));
    assert.equal(r.code, 125);
  });

  test("errors from the daemon on run are 125 and prefixed like Docker's", async () => {
    const r = await d.berth(["run", "--name", "-bad", "busybox", "true"]);
    assert.equal(
      r.stderr,
      "berth: Error response from daemon: Invalid container name (-bad), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n\nRun 'berth run --help' for more information\n",
    );
    assert.equal(r.code, 125);
  });

  test("none of it created a container, and the daemon still runs one", async () => {
    assert.equal((await d.berth(["ps", "-aq"])).stdout, "");
    const r = await d.berth(["run", "--rm", "-e", "GREETING=hi", "busybox", "sh", "-c", "echo $GREETING"]);
    assert.equal(r.stdout, "hi\n");
    assert.equal(r.code, 0);
  });
});
