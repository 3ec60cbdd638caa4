// Capabilities in real containers of a private berthd: Docker's default set,
// --cap-add/--cap-drop (ALL included) and --privileged, checked in
// /proc/self/status and by what the process can then do. The hex masks are
// what Docker 20.10 shows for the same flags.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startDaemon, type Daemon } from "./harness.js";

// CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
const DOCKER_DEFAULT = "00000000a80425fb";

describe("capabilities", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  const status = async (flags: string[]): Promise<Record<string, string>> => {
    const r = await d.berth(["run", "--rm", ...flags, "busybox", "cat", "/proc/self/status"]);
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries(r.stdout.split("\n").filter(Boolean).map((l) => l.split(/:\s*/, 2) as [string, string]));
  };
  const sh = (flags: string[], script: string) => d.berth(["run", "--rm", ...flags, "busybox", "sh", "-c", script]);

  test("the default set is Docker's, with nothing inheritable or ambient", async () => {
    const s = await status([]);
    assert.equal(s.CapEff, DOCKER_DEFAULT);
    assert.equal(s.CapPrm, DOCKER_DEFAULT);
    assert.equal(s.CapBnd, DOCKER_DEFAULT);
    assert.equal(s.CapInh, "0000000000000000");
    assert.equal(s.CapAmb, "0000000000000000");
    // A non-root user keeps none (Docker ≥ 20.10: no inheritable set to pass on).
    const nobody = await status(["-u", "nobody"]);
    assert.equal(nobody.CapEff, "0000000000000000");
    assert.equal(nobody.CapBnd, DOCKER_DEFAULT);
  });

  test("--cap-drop CHOWN: chown fails", async () => {
    assert.equal((await status(["--cap-drop", "CHOWN"])).CapEff, "00000000a80425fa");
    const r = await sh(["--cap-drop", "chown"], "chown 1 /tmp");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /chown: \/tmp: Operation not permitted/);
    assert.equal((await sh([], "chown 1 /tmp && echo ok")).stdout, "ok\n");
  });

  test("--cap-add NET_ADMIN: the container may configure its own network", async () => {
    const script = "ip addr add 10.9.9.9/32 dev lo && ip addr show lo | grep -o 10.9.9.9/32";
    const without = await sh(["--network", "none"], script);
    assert.equal(without.code, 2);
    assert.match(without.stderr, /RTNETLINK answers: Operation not permitted/);
    const withCap = await sh(["--network", "none", "--cap-add", "NET_ADMIN"], script);
    assert.equal(withCap.stderr, "");
    assert.equal(withCap.stdout, "10.9.9.9/32\n");
    assert.equal((await status(["--cap-add", "NET_ADMIN"])).CapEff, "00000000a80435fb");
  });

  test("--cap-drop ALL leaves root with nothing, and adds come back", async () => {
    const none = await status(["--cap-drop", "ALL"]);
    assert.equal(none.CapEff, "0000000000000000");
    assert.equal(none.CapBnd, "0000000000000000");
    // Without CAP_DAC_OVERRIDE root is held to file modes.
    const r = await sh(["--cap-drop", "ALL"], "echo x > /tmp/f; chmod 000 /tmp/f; cat /tmp/f");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /can't open '\/tmp\/f': Permission denied/);
    assert.equal((await status(["--cap-drop", "ALL", "--cap-add", "CHOWN"])).CapEff, "0000000000000001");
  });

  test("--privileged: every capability berthd holds, host devices, no masks, no seccomp", async () => {
    const s = await status(["--privileged"]);
    // berthd is this process's child: its bounding set is ours.
    const own = /CapBnd:\s*(\w+)/.exec(readFileSync("/proc/self/status", "utf8"))![1];
    assert.equal(s.CapEff, own);
    assert.equal(s.CapBnd, own);
    assert.equal(s.Seccomp, "0");

    const hostDevice = firstHostDevice();
    const r = await sh(["--privileged"], `ls /dev | wc -l; test -e ${hostDevice} && echo has-host-device; ` +
      "grep -cE ' /proc/(keys|timer_list|acpi|scsi) | /sys/firmware ' /proc/self/mountinfo; " +
      "grep -E ' /proc/sys | /sys ' /proc/self/mountinfo | awk '{print $5, substr($6, 1, 2)}'");
    const [count, has, masked, ...rw] = r.stdout.trim().split("\n");
    assert.ok(Number(count) > 20, `a privileged /dev lists the host's devices (${count} entries)`);
    assert.equal(has, "has-host-device");
    assert.equal(masked, "0");
    // /proc/sys is not remounted read-only and /sys is read-write.
    assert.deepEqual(rw, ["/sys rw"]);
  });
});

/** A device node of the host outside the default set (a disk, a tty…), for --privileged to share. */
function firstHostDevice(): string {
  const defaults = new Set(["null", "zero", "full", "random", "urandom", "tty", "console", "ptmx"]);
  for (const name of readdirSync("/dev").sort()) {
    if (defaults.has(name)) continue;
    const st = statSync(join("/dev", name), { throwIfNoEntry: false });
    if (st && (st.isCharacterDevice() || st.isBlockDevice())) return join("/dev", name);
  }
  throw new Error("no device node in /dev");
}
