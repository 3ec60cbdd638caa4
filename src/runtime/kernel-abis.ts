// Which 32-bit ABIs the x86-64 kernel runs: i386 programs (IA32 emulation)
// and x32 programs. The seccomp profile names an architecture for each, and
// runc's init compiles the filter once per architecture at every container
// start: on a 2-core VM, each costs ~5 ms of CPU per start. An ABI the kernel
// cannot run is dead weight there — no program using it can even be exec'd —
// so the profile leaves it out. (Most distribution kernels no longer build
// x32; Debian's builds it but leaves it off unless booted with syscall.x32=y.)
//
// The answer comes from the kernel's build configuration (/proc/config.gz, or
// /boot/config-<release>) and its command line. When the configuration cannot
// be found, both ABIs count as running: the filter then matches Docker's.
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";
import { isErrno } from "../errors.js";

export interface KernelAbis {
  ia32: boolean;
  x32: boolean;
}

let cached: KernelAbis | undefined;

/** This kernel's answer, read once. */
export function kernelAbis(): KernelAbis {
  cached ??= abisFromConfig(kernelConfig(), readOptional("/proc/cmdline")?.toString("utf8") ?? "");
  return cached;
}

/** Pure: the ABIs a kernel with this build configuration (undefined: unknown) and command line runs. */
export function abisFromConfig(config: string | undefined, cmdline: string): KernelAbis {
  if (config === undefined) return { ia32: true, x32: true };
  const set = (name: string): boolean => new RegExp(`^CONFIG_${name}=y$`, "m").test(config);
  const param = (name: string): string | undefined => new RegExp(`(?:^|\\s)${name.replace(".", "\\.")}=(\\S+)`).exec(cmdline)?.[1];
  const on = (value: string | undefined): boolean | undefined =>
    value === undefined ? undefined : ["1", "y", "yes", "true", "on"].includes(value.toLowerCase());
  // Since 6.7, IA32 emulation can be built in but off, and switched by ia32_emulation=.
  const ia32 = set("IA32_EMULATION") && (on(param("ia32_emulation")) ?? !set("IA32_EMULATION_DEFAULT_DISABLED"));
  // Debian's kernels carry a patch that builds x32 switched off (X86_X32_DISABLED) unless syscall.x32=y.
  const x32 = (set("X86_X32_ABI") || set("X86_X32")) && (on(param("syscall.x32")) ?? !set("X86_X32_DISABLED"));
  return { ia32, x32 };
}

function kernelConfig(): string | undefined {
  const packed = readOptional("/proc/config.gz");
  if (packed !== undefined) {
    try {
      return gunzipSync(packed).toString("utf8");
    } catch {
      // Unreadable: as good as absent.
    }
  }
  return readOptional(`/boot/config-${release()}`)?.toString("utf8");
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "EACCES")) return undefined;
    throw err;
  }
}
