// berth's default seccomp profile. Same intent as Docker's default profile
// (docs.docker.com/engine/security/seccomp): allow the ordinary syscalls a
// program needs, refuse with EPERM what could reach outside the container
// (kernel modules, mounts, namespaces, clocks, keyrings, reboot, kexec, bpf,
// perf, ptrace of foreign address spaces, userfaultfd, io_uring…), and allow the
// privileged ones only when the container holds the capability that the kernel
// would check anyway. Written as data grouped by purpose; runc skips names that
// libseccomp does not know for an architecture, so 32-bit-only names are safe.

import { kernelAbis, type KernelAbis } from "./kernel-abis.js";

/** The OCI spec's seccomp rule argument. */
interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: "SCMP_CMP_EQ" | "SCMP_CMP_NE" | "SCMP_CMP_MASKED_EQ";
}

interface SeccompRule {
  names: string[];
  action: "SCMP_ACT_ALLOW" | "SCMP_ACT_ERRNO";
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface SeccompProfile {
  defaultAction: "SCMP_ACT_ERRNO";
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: SeccompRule[];
}

const EPERM = 1;
const ENOSYS = 38;

/** Syscalls every container may make, grouped by what they are for. */
const ALLOWED: Record<string, string[]> = {
  process: [
    "exit", "exit_group", "fork", "vfork", "execve", "execveat", "wait4", "waitid", "waitpid",
    "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
    "getpriority", "setpriority", "prctl", "prlimit64", "getrlimit", "setrlimit", "ugetrlimit",
    "getrusage", "times", "set_tid_address", "set_robust_list", "get_robust_list", "rseq",
    "restart_syscall", "capget", "capset", "seccomp", "membarrier", "landlock_create_ruleset",
    "landlock_add_rule", "landlock_restrict_self", "pidfd_open", "pidfd_send_signal",
    "process_mrelease", "getcpu", "sysinfo", "uname", "umask", "set_thread_area", "get_thread_area",
  ],
  identity: [
    "getuid", "getuid32", "geteuid", "geteuid32", "getgid", "getgid32", "getegid", "getegid32",
    "getresuid", "getresuid32", "getresgid", "getresgid32", "getgroups", "getgroups32",
    "setuid", "setuid32", "setgid", "setgid32", "setreuid", "setreuid32", "setregid", "setregid32",
    "setresuid", "setresuid32", "setresgid", "setresgid32", "setgroups", "setgroups32",
    "setfsuid", "setfsuid32", "setfsgid", "setfsgid32",
  ],
  scheduling: [
    "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getattr", "sched_setattr",
    "sched_getparam", "sched_setparam", "sched_getscheduler", "sched_setscheduler",
    "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "ioprio_get", "ioprio_set",
  ],
  signals: [
    "kill", "tkill", "tgkill", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
    "rt_tgsigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
    "sigaltstack", "sigprocmask", "sigreturn", "signalfd", "signalfd4", "pause", "alarm",
  ],
  memory: [
    "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync",
    "mlock", "mlock2", "mlockall", "munlock", "munlockall", "remap_file_pages", "memfd_create",
    "memfd_secret", "pkey_alloc", "pkey_free", "pkey_mprotect", "map_shadow_stack",
  ],
  time: [
    "time", "gettimeofday", "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
    "clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "adjtimex", "clock_adjtime",
    "clock_adjtime64", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun",
    "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
    "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
  ],
  files: [
    "open", "openat", "openat2", "creat", "close", "close_range", "read", "readv", "pread64", "preadv",
    "preadv2", "write", "writev", "pwrite64", "pwritev", "pwritev2", "lseek", "_llseek", "dup", "dup2",
    "dup3", "fcntl", "fcntl64", "flock", "fsync", "fdatasync", "sync", "syncfs", "sync_file_range",
    "truncate", "truncate64", "ftruncate", "ftruncate64", "fallocate", "fadvise64", "fadvise64_64",
    "readahead", "sendfile", "sendfile64", "splice", "tee", "vmsplice", "copy_file_range", "cachestat",
    "ioctl", "pipe", "pipe2", "eventfd", "eventfd2", "mknod", "mknodat", "name_to_handle_at",
  ],
  paths: [
    "stat", "stat64", "lstat", "lstat64", "fstat", "fstat64", "fstatat64", "newfstatat", "statx",
    "statfs", "statfs64", "fstatfs", "fstatfs64", "access", "faccessat", "faccessat2", "chdir",
    "fchdir", "getcwd", "getdents", "getdents64", "mkdir", "mkdirat", "rmdir", "rename", "renameat",
    "renameat2", "link", "linkat", "unlink", "unlinkat", "symlink", "symlinkat", "readlink",
    "readlinkat", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "chown32", "fchown",
    "fchown32", "fchownat", "lchown", "lchown32", "utime", "utimes", "utimensat",
    "utimensat_time64", "futimesat", "getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr",
    "fsetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
    "fremovexattr", "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
    "fanotify_mark",
  ],
  polling: [
    "select", "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll", "ppoll_time64",
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_wait", "epoll_wait_old",
    "epoll_pwait", "epoll_pwait2", "futex", "futex_time64", "futex_waitv", "futex_wait",
    "futex_wake", "futex_requeue",
  ],
  asyncIo: [
    "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents",
    "io_pgetevents_time64",
  ],
  network: [
    "socketpair", "bind", "listen", "accept", "accept4", "connect", "shutdown", "getsockname",
    "getpeername", "getsockopt", "setsockopt", "send", "sendto", "sendmsg", "sendmmsg", "recv",
    "recvfrom", "recvmsg", "recvmmsg", "recvmmsg_time64", "socketcall",
  ],
  ipc: [
    "ipc", "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop",
    "semtimedop_time64", "semctl", "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink",
    "mq_getsetattr", "mq_notify", "mq_timedsend", "mq_timedsend_time64", "mq_timedreceive",
    "mq_timedreceive_time64",
  ],
  randomness: ["getrandom"],
};

/** Allowed only on these architectures (named as Node's process.arch). */
const ARCH_ALLOWED: Record<string, string[]> = {
  x64: ["arch_prctl", "modify_ldt"],
  arm64: ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"],
};

/** Unlocked by a capability; the kernel checks the same capability. */
const CAPABILITY_GATED: Record<string, string[]> = {
  CAP_SYS_ADMIN: [
    "bpf", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie", "mount",
    "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
    "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare",
  ],
  CAP_SYS_BOOT: ["reboot"],
  CAP_SYS_CHROOT: ["chroot"],
  CAP_SYS_MODULE: ["init_module", "finit_module", "delete_module"],
  CAP_SYS_PACCT: ["acct"],
  CAP_SYS_PTRACE: ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev"],
  CAP_SYS_RAWIO: ["iopl", "ioperm"],
  CAP_SYS_TIME: ["settimeofday", "stime", "clock_settime", "clock_settime64"],
  CAP_SYS_TTY_CONFIG: ["vhangup"],
  CAP_SYS_NICE: ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"],
  CAP_SYSLOG: ["syslog"],
  CAP_DAC_READ_SEARCH: ["open_by_handle_at"],
  CAP_BPF: ["bpf"],
  CAP_PERFMON: ["perf_event_open"],
};

/** Per host architecture; on x64, the 32-bit ABIs only when the kernel runs them (kernel-abis.ts). */
function architectures(arch: string, abis: KernelAbis): string[] {
  if (arch === "x64") return ["SCMP_ARCH_X86_64", ...(abis.ia32 ? ["SCMP_ARCH_X86"] : []), ...(abis.x32 ? ["SCMP_ARCH_X32"] : [])];
  if (arch === "arm64") return ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"];
  return [];
}

/** personality(2) values that only select the usual Linux behaviours. */
const PERSONALITIES = [0x0, 0x0008, 0x20000, 0x20008, 0xffffffff];

/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: new namespaces need CAP_SYS_ADMIN. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;

const AF_VSOCK = 40;

/**
 * The profile for a container holding `capabilities` (CAP_* names), on the
 * host's architecture and kernel unless others are named.
 */
export function defaultSeccompProfile(
  capabilities: readonly string[],
  opts: { arch?: string; abis?: KernelAbis } = {},
): SeccompProfile {
  const arch = opts.arch ?? process.arch;
  const has = (cap: string): boolean => capabilities.includes(cap);
  const allowed = new Set(Object.values(ALLOWED).flat());
  for (const name of ARCH_ALLOWED[arch] ?? []) allowed.add(name);
  for (const [cap, names] of Object.entries(CAPABILITY_GATED)) {
    if (has(cap)) for (const name of names) allowed.add(name);
  }
  const syscalls: SeccompRule[] = [{ names: [...allowed].sort(), action: "SCMP_ACT_ALLOW" }];

  // ptrace of one's own children is harmless on kernels ≥ 4.8 (seccomp can no
  // longer be bypassed through it); everything we run on is newer.
  syscalls.push({ names: ["ptrace"], action: "SCMP_ACT_ALLOW" });
  syscalls.push(
    ...PERSONALITIES.map((value): SeccompRule => ({
      names: ["personality"],
      action: "SCMP_ACT_ALLOW",
      args: [{ index: 0, value, op: "SCMP_CMP_EQ" }],
    })),
  );
  // vsock reaches the hypervisor host, outside any network namespace.
  syscalls.push({ names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: AF_VSOCK, op: "SCMP_CMP_NE" }] });

  if (has("CAP_SYS_ADMIN")) {
    syscalls.push({ names: ["clone", "clone3"], action: "SCMP_ACT_ALLOW" });
  } else {
    // clone's flags are its first argument on x86 and arm.
    syscalls.push({
      names: ["clone"],
      action: "SCMP_ACT_ALLOW",
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }],
    });
    // clone3 passes its flags in memory where seccomp cannot look: answer
    // ENOSYS so that libc falls back to clone, whose flags we can check.
    syscalls.push({ names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: ENOSYS });
  }

  return {
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: EPERM,
    architectures: architectures(arch, opts.abis ?? kernelAbis()),
    syscalls,
  };
}
