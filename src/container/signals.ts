// Signal names as Docker accepts them: "SIGTERM", "TERM", "term", "15",
// "SIGRTMIN+3". Numbers are what the runtime is handed.
import { InvalidArgumentError } from "../errors.js";

// Linux x86/arm numbering (the generic table; both architectures agree).
const numbers: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9,
  USR1: 10, SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CLD: 17,
  CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25,
  VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31, UNUSED: 31,
};

const RTMIN = 34;
const RTMAX = 64;

/** The signal number for a name or number; throws InvalidArgumentError("Invalid signal: x"). */
export function parseSignal(raw: string | number): number {
  const invalid = () => new InvalidArgumentError(`Invalid signal: ${raw}`);
  if (typeof raw === "number" || /^\d+$/.test(raw)) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > RTMAX) throw invalid();
    return n;
  }
  const name = raw.toUpperCase().replace(/^SIG/, "");
  if (name in numbers) return numbers[name]!;
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name) ?? /^RTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const offset = Number(rt[1] ?? 0);
    const n = name.startsWith("RTMIN") ? RTMIN + offset : RTMAX - offset;
    if (n >= RTMIN && n <= RTMAX) return n;
  }
  throw invalid();
}

export const SIGKILL = 9;
export const SIGTERM = 15;
