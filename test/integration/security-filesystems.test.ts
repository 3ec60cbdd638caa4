// What a container sees of /proc, /sys and /dev, --read-only, and the three
// /etc files, in real containers of a private berthd. Each expectation is
// what Docker 20.10 shows for the same command on the same host.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { startDaemon, type Daemon } from "./harness.js";

interface MountInfo {
  root: string;
  mountPoint: string;
  options: string[];
  fsType: string;
  source: string;
}

describe("filesystems of a container", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  const sh = (flags: string[], script: string) => d.berth(["run", "--rm", ...flags, "busybox", "sh", "-c", script]);
  const mounts = async (flags: string[] = []): Promise<Map<string, MountInfo>> => {
    const r = await d.berth(["run", "--rm", ...flags, "busybox", "cat", "/proc/self/mountinfo"]);
    assert.equal(r.code, 0, r.stderr);
    const out = new Map<string, MountInfo>();
    for (const line of r.stdout.split("\n").filter(Boolean)) {
      const [before, after] = line.split(" - ") as [string, string];
      const f = before.split(" ");
      const a = after.split(" ");
      out.set(f[4]!, { root: f[3]!, mountPoint: f[4]!, options: f[5]!.split(","), fsType: a[0]!, source: a[1]! });
    }
    return out;
  };

  test("masked paths read as empty or are absent", async () => {
    const r = await sh([], "for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do [ -e $f ] && echo $f $(wc -c < $f); done; ls -A /sys/firmware | wc -l; ls -A /proc/acpi /proc/scsi 2>/dev/null | grep -vc ':$'");
    for (const line of r.stdout.trim().split("\n").slice(0, -2)) assert.match(line, / 0$/, line);
    const [firmware, dirs] = r.stdout.trim().split("\n").slice(-2);
    assert.equal(firmware, "0");
    assert.equal(dirs, "0");
    const m = await mounts();
    // Files are covered by /dev/null (or a tmpfs where the kernel lacks them); directories by a read-only tmpfs.
    for (const p of ["/proc/keys", "/proc/timer_list"]) if (m.has(p)) assert.notEqual(m.get(p)!.fsType, "proc", p);
    assert.equal(m.get("/sys/firmware")?.fsType, "tmpfs");
    assert.ok(m.get("/sys/firmware")?.options.includes("ro"));
  });

  test("/proc/sys and /proc/sysrq-trigger are read-only", async () => {
    const r = await sh([], "echo x > /proc/sys/kernel/domainname; [ -e /proc/sysrq-trigger ] && echo h > /proc/sysrq-trigger; true");
    assert.match(r.stderr, /can't create \/proc\/sys\/kernel\/domainname: Read-only file system/);
    const m = await mounts();
    assert.ok(m.get("/proc/sys")?.options.includes("ro"));
    if (existsSync("/proc/sysrq-trigger")) {
      assert.match(r.stderr, /can't create \/proc\/sysrq-trigger: Read-only file system/);
      assert.ok(m.get("/proc/sysrq-trigger")?.options.includes("ro"));
    }
    assert.ok(m.get("/sys")?.options.includes("ro"));
  });

  test("/dev holds Docker's nodes, a 64M /dev/shm, devpts and mqueue", async () => {
    const r = await sh([], "ls /dev | tr '\\n' ' '; echo; ls -l /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty | awk '{print $1, $5 $6, $NF}'; df -k /dev/shm | awk 'NR==2 {print $2}'; echo x > /dev/shm/a && echo shm-writable");
    const names = existsSync("/proc/kcore") ? "core " : "";
    assert.equal(
      r.stdout,
      `${names}fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero \n` +
        "crw-rw-rw- 1,7 /dev/full\ncrw-rw-rw- 1,3 /dev/null\ncrw-rw-rw- 1,8 /dev/random\n" +
        "crw-rw-rw- 5,0 /dev/tty\ncrw-rw-rw- 1,9 /dev/urandom\ncrw-rw-rw- 1,5 /dev/zero\n" +
        "65536\nshm-writable\n",
    );
    const m = await mounts();
    assert.equal(m.get("/dev")?.fsType, "tmpfs");
    assert.equal(m.get("/dev/shm")?.fsType, "tmpfs");
    assert.deepEqual(m.get("/dev/shm")?.options.slice(0, 4), ["rw", "nosuid", "nodev", "noexec"]);
    assert.equal(m.get("/dev/pts")?.fsType, "devpts");
    assert.equal(m.get("/dev/mqueue")?.fsType, "mqueue");
    // Other devices exist on the host but may not be opened: the device cgroup says no.
    const mknod = await sh([], "mknod /tmp/mem c 1 1 && head -c 1 /tmp/mem");
    assert.match(mknod.stderr, /Operation not permitted/);
  });

  test("--read-only: / and /tmp refuse writes, /dev/shm does not", async () => {
    const r = await sh(["--read-only"], "touch /x; touch /tmp/x; echo y > /dev/shm/y && echo shm-ok");
    assert.match(r.stderr, /touch: \/x: Read-only file system/);
    assert.match(r.stderr, /touch: \/tmp\/x: Read-only file system/);
    assert.equal(r.stdout, "shm-ok\n");
    const rw = await sh([], "touch /x /tmp/x && echo ok");
    assert.equal(rw.stdout, "ok\n");
  });

  test("/etc/hostname, /etc/hosts and /etc/resolv.conf are bind mounts of the container's own files", async () => {
    const id = (await d.berth(["create", "busybox", "cat", "/proc/self/mountinfo"])).stdout.trim();
    assert.equal((await d.berth(["start", "-a", id])).code, 0);
    const lines = (await d.berth(["logs", id])).stdout.split("\n");
    for (const file of ["hostname", "hosts", "resolv.conf"]) {
      const line = lines.find((l) => l.split(" ")[4] === `/etc/${file}`);
      assert.ok(line, `/etc/${file} is a mount`);
      // The mount's root is the file kept beside the container's record.
      const root = line.split(" ")[3]!;
      assert.ok(root.endsWith(`/${id}/${file}`), root);
      assert.ok(line.split(" ")[5]!.split(",").includes("rw"), line);
    }
    await d.berth(["rm", id]);
    const r = await sh(["-h", "box7"], "cat /etc/hostname; echo '10.1.1.1 extra' >> /etc/hosts && grep -c extra /etc/hosts; echo 'options ndots:2' >> /etc/resolv.conf && echo resolv-ok");
    assert.equal(r.stdout, "box7\n1\nresolv-ok\n");
  });

  test("--read-only makes the /etc files read-only too (as Docker does)", async () => {
    const r = await sh(["--read-only"], "echo x >> /etc/hosts; echo x > /etc/hostname; echo x >> /etc/resolv.conf; cat /etc/hostname | wc -l");
    assert.match(r.stderr, /can't create \/etc\/hosts: Read-only file system/);
    assert.match(r.stderr, /can't create \/etc\/hostname: Read-only file system/);
    assert.match(r.stderr, /can't create \/etc\/resolv.conf: Read-only file system/);
    assert.equal(r.stdout, "1\n");
    const m = await mounts(["--read-only"]);
    for (const p of ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"]) assert.ok(m.get(p)?.options.includes("ro"), p);
  });
});
