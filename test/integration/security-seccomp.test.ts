// no-new-privileges, seccomp=unconfined and the default seccomp profile, in
// real containers of a private berthd. A small static probe (compiled here
// with gcc, run from an image of its own) makes each syscall with invalid
// arguments in a child and reports the errno: 1 (EPERM) is the profile's
// answer, anything else means the kernel saw the call. Docker 20.10's dockerd
// gives the same answers for every syscall asserted here.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tar from "tar-stream";
import { startDaemon, type Daemon } from "./harness.js";

// The profile refuses these outright for a container with Docker's default capabilities.
const BLOCKED = [
  "keyctl", "add_key", "request_key", "unshare", "setns", "mount", "umount2", "pivot_root", "reboot",
  "kexec_load", "init_module", "finit_module", "delete_module", "bpf", "perf_event_open", "userfaultfd",
  "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "open_by_handle_at", "fsopen", "move_mount",
  "io_uring_setup", "personality",
];
// Ordinary calls: the kernel answers (EINVAL, EBADF, EFAULT… or success), never the profile.
const ALLOWED = ["read", "write", "openat", "close", "kill", "socket", "getpid", "fcntl", "futex", "epoll_create1", "memfd_create", "prctl"];

const gcc = spawnSync("sh", ["-c", "command -v gcc"], { encoding: "utf8" }).stdout.trim();
if (!gcc) console.warn("SKIPPING the seccomp probe tests: no gcc to build the probe (apt-get install gcc)");

describe("seccomp and no-new-privileges", () => {
  let d: Daemon;
  let work: string;
  before(async () => {
    d = await startDaemon();
    work = await mkdtemp(join(tmpdir(), "bt-probe-"));
    if (gcc) await importProbe(d, work);
  });
  after(async () => {
    await d?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const status = async (flags: string[]): Promise<Record<string, string>> => {
    const r = await d.berth(["run", "--rm", ...flags, "busybox", "cat", "/proc/self/status"]);
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries(r.stdout.split("\n").filter(Boolean).map((l) => l.split(/:\s*/, 2) as [string, string]));
  };

  const probe = async (flags: string[], names: string[]): Promise<Map<string, string>> => {
    const r = await d.berth(["run", "--rm", ...flags, "probe", "/probe", ...names]);
    assert.equal(r.code, 0, r.stderr);
    return new Map(r.stdout.split("\n").filter(Boolean).map((l) => l.split(" ", 2) as [string, string]));
  };

  test("by default: seccomp filter on, no_new_privs off (as Docker)", async () => {
    const s = await status([]);
    assert.equal(s.Seccomp, "2");
    assert.equal(s.NoNewPrivs, "0");
  });

  test("--security-opt no-new-privileges sets NoNewPrivs", async () => {
    assert.equal((await status(["--security-opt", "no-new-privileges"])).NoNewPrivs, "1");
    assert.equal((await status(["--security-opt", "no-new-privileges:true"])).NoNewPrivs, "1");
    assert.equal((await status(["--security-opt", "no-new-privileges"])).Seccomp, "2");
  });

  test("--security-opt seccomp=unconfined turns the filter off", async () => {
    const s = await status(["--security-opt", "seccomp=unconfined"]);
    assert.equal(s.Seccomp, "0");
    assert.equal(s.NoNewPrivs, "0");
  });

  test("busybox workloads run under the default profile", async () => {
    const r = await d.berth([
      "run", "--rm", "busybox", "sh", "-c",
      "echo hi | tr a-z A-Z; seq 3 | sort -r | tr '\\n' ' '; echo; mkdir -p /tmp/d && cd /tmp/d && echo x > f && ln -s f l && cat l; " +
        "(sleep 0.1 & wait); ps -o pid,comm | grep -c ps; date +%Y >/dev/null && echo date-ok; md5sum f | cut -c1-8; id -u",
    ]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    // md5 of "x\n" is 401b30e3…
    assert.equal(r.stdout, "HI\n3 2 1 \nx\n1\ndate-ok\n401b30e3\n0\n");
  });

  test("namespace, mount and reboot tools fail without CAP_SYS_ADMIN / CAP_SYS_BOOT", async () => {
    const r = await d.berth([
      "run", "--rm", "busybox", "sh", "-c",
      "unshare -m true; echo unshare=$?; mount -t tmpfs t /mnt; echo mount=$?; nsenter -t 1 -m true; echo nsenter=$?; reboot -f; echo reboot=$?",
    ]);
    assert.equal(r.stdout, "unshare=1\nmount=1\nnsenter=1\nreboot=1\n");
    assert.match(r.stderr, /unshare: unshare\(0x20000\): Operation not permitted/);
    assert.match(r.stderr, /reboot: .*Operation not permitted/);
    // CAP_SYS_ADMIN unlocks unshare and mount in the profile, as Docker's does.
    const admin = await d.berth(["run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", "unshare -m true && mkdir -p /mnt/t && mount -t tmpfs t /mnt/t && echo mounted"]);
    assert.equal(admin.stdout, "mounted\n", admin.stderr);
  });

  test("the default profile refuses what Docker's refuses and lets the rest through", { skip: !gcc && "no gcc" }, async () => {
    const got = await probe([], [...BLOCKED, ...ALLOWED]);
    for (const name of BLOCKED) if (got.has(name)) assert.equal(got.get(name), "1", `${name} should get EPERM from the profile`);
    for (const name of ["keyctl", "add_key", "request_key", "unshare", "mount", "reboot"]) assert.ok(got.has(name), `probe knows ${name}`);
    for (const name of ALLOWED) {
      assert.ok(got.has(name), `probe knows ${name}`);
      assert.notEqual(got.get(name), "1", `${name} should reach the kernel`);
    }
  });

  test("seccomp=unconfined lets keyctl reach the kernel", { skip: !gcc && "no gcc" }, async () => {
    const confined = await probe([], ["keyctl", "add_key"]);
    const unconfined = await probe(["--security-opt", "seccomp=unconfined"], ["keyctl", "add_key"]);
    assert.equal(confined.get("keyctl"), "1");
    // keyctl(-1, …) is an unknown operation: EOPNOTSUPP from the kernel.
    assert.notEqual(unconfined.get("keyctl"), "1");
    assert.notEqual(unconfined.get("add_key"), "1");
  });
});

/** Builds the probe and imports an image "probe:latest" holding only /probe. */
async function importProbe(d: Daemon, work: string): Promise<void> {
  const names = [...BLOCKED, ...ALLOWED];
  const source = [
    "#include <errno.h>",
    "#include <stdio.h>",
    "#include <string.h>",
    "#include <unistd.h>",
    "#include <sys/syscall.h>",
    "#include <sys/wait.h>",
    "struct sc { const char *name; long nr; };",
    "static const struct sc table[] = {",
    ...names.map((n) => `#ifdef SYS_${n}\n  {"${n}", SYS_${n}},\n#endif`),
    "};",
    "int main(int argc, char **argv) {",
    "  for (int a = 1; a < argc; a++)",
    "    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {",
    "      if (strcmp(argv[a], table[i].name)) continue;",
    "      fflush(stdout);",
    // A child per call: whatever a call does (or a signal it earns) stays there.
    "      pid_t pid = fork();",
    "      if (pid == 0) { alarm(2); long r = syscall(table[i].nr, -1L, -1L, -1L, -1L, -1L, -1L); _exit(r < 0 ? errno : 0); }",
    "      int st; waitpid(pid, &st, 0);",
    '      if (WIFEXITED(st)) printf("%s %d\\n", table[i].name, WEXITSTATUS(st));',
    '      else printf("%s sig%d\\n", table[i].name, WTERMSIG(st));',
    "    }",
    "  return 0;",
    "}",
  ].join("\n");
  await writeFile(join(work, "probe.c"), source);
  const cc = spawnSync(gcc, ["-static", "-O1", "-o", join(work, "probe"), join(work, "probe.c")], { encoding: "utf8" });
  if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  const pack = tar.pack();
  pack.entry({ name: "probe", mode: 0o755 }, await readFile(join(work, "probe")));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const r = await d.berth(["import", "-", "probe:latest"], { input: Buffer.concat(chunks) });
  if (r.code !== 0) throw new Error(`import probe failed: ${r.stderr}`);
}
