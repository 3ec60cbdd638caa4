// How `berth build` shows the classic builder's JSON message stream. There is
// no structured progress in that protocol, only text ("Step 2/4 : RUN …",
// " ---> Using cache", " ---> Running in 1a2b…", " ---> 5d6e…"), so the live
// view is derived from those lines.
//
// Lifecycle of a display: upload() while the context is sent, show() for each
// message of the response, close() when the stream ends or fails. The plain
// display (no TTY) prints what the docker CLI prints; the TTY display keeps a
// frame: finished lines scroll up and stay, while the running step — its
// number, instruction, elapsed time and the last lines of its output — is
// redrawn in place until it finishes.
import type { JSONMessage } from "../api/types/index.js";
import { humanSize } from "./format/units.js";

export interface Terminal {
  write(text: string): unknown;
  /** Width for cutting lines in the live view; 80 when unknown. */
  columns?: number;
}

export interface BuildDisplay {
  /** Bytes of the context sent so far; `done` once all of it is. */
  upload(bytes: number, done: boolean): void;
  show(message: JSONMessage): void;
  /** Ends the view; `failed` keeps the last step's output on screen, as the reason is in there. */
  close(opts?: { failed?: boolean }): void;
}

const UPLOAD_ACTION = "Sending build context to Docker daemon";

/** The docker CLI's upload line: HumanSize right-aligned in 8 columns. */
function uploadLine(bytes: number): string {
  return `${UPLOAD_ACTION} ${humanSize(bytes).padStart(8)}`;
}

/**
 * The docker CLI without a terminal: only the last upload update, the
 * stream text as sent, status lines without progress; progress bars are left out.
 */
export function plainDisplay(out: Terminal): BuildDisplay {
  return {
    upload(bytes, done) {
      if (done) out.write(`${uploadLine(bytes)}\r\r\n`);
    },
    show(m) {
      if (m.stream !== undefined) {
        out.write(m.stream);
        return;
      }
      if (m.status === undefined || m.progressDetail?.current || m.progressDetail?.total) return;
      out.write(`${m.id ? `${m.id}: ` : ""}${m.status}\n`);
    },
    close() {},
  };
}

interface Step {
  /** "[2/4] RUN echo hi" */
  title: string;
  startedMs: number;
  endedMs?: number;
  cached: boolean;
  failed?: boolean;
  /** The step's output lines (RUN), ANSI colours removed. */
  output: string[];
}

/** How many output lines of the running step stay visible. */
const OUTPUT_LINES = 5;

const STEP = /^Step (\d+\/\d+) : (.*)$/;
const RESULT = /^ ---> ([0-9a-f]{12,64})$/;
const RUNNING = /^ ---> Running in [0-9a-f]+$/;
const REMOVING = /^Removing intermediate container [0-9a-f]+$/;
const ANSI = /\x1b\[[0-9;]*m/g;

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** Cuts a line to the terminal width; a line wider than the screen would break the cursor arithmetic. */
function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}

/** Title left, status right-aligned: "[2/4] RUN make            3.4s". */
function stepLine(step: Step, now: number, width: number): string {
  const status = step.cached ? "CACHED" : `${step.failed ? "ERROR " : ""}${seconds((step.endedMs ?? now) - step.startedMs)}`;
  const room = Math.max(1, width - status.length - 1);
  const title = fit(step.title, room);
  return `${title}${" ".repeat(Math.max(1, width - [...title].length - status.length))}${status}`;
}

/**
 * The state behind the TTY view, fed stream text and asked for frames; kept
 * apart from the drawing so that it can be checked line by line.
 */
export class BuildView {
  /** Lines that are final: upload, lines before the first step, finished steps, "Successfully …". */
  readonly committed: string[] = [];
  private step: Step | undefined;
  private partial = "";
  private status: string | undefined;
  private uploaded: { bytes: number; done: boolean } | undefined;

  constructor(
    private readonly now: () => number,
    private readonly width: number,
  ) {}

  upload(bytes: number, done: boolean): void {
    this.uploaded = { bytes, done };
    if (done) {
      this.committed.push(uploadLine(bytes));
      this.uploaded = undefined;
    }
  }

  feed(m: JSONMessage): void {
    if (m.stream !== undefined) {
      this.partial += m.stream;
      let nl: number;
      while ((nl = this.partial.indexOf("\n")) >= 0) {
        this.line(this.partial.slice(0, nl).replace(ANSI, "").replace(/\r$/, ""));
        this.partial = this.partial.slice(nl + 1);
      }
      return;
    }
    if (m.status !== undefined) {
      const detail = m.progressDetail;
      const amount = detail?.current ? ` ${humanSize(detail.current)}${detail.total ? `/${humanSize(detail.total)}` : ""}` : "";
      this.status = `${m.id ? `${m.id}: ` : ""}${m.status}${amount}`;
      if (!detail?.current && !detail?.total) this.commitStatus();
    }
  }

  /** The lines still changing: the upload, a download in progress, the running step and its last output. */
  live(): string[] {
    const now = this.now();
    const lines: string[] = [];
    if (this.uploaded) lines.push(uploadLine(this.uploaded.bytes));
    if (this.status !== undefined) lines.push(this.status);
    if (this.step) {
      lines.push(stepLine(this.step, now, this.width));
      for (const out of this.step.output.slice(-OUTPUT_LINES)) lines.push(`  ${out}`);
    }
    return lines.map((l) => fit(l, this.width));
  }

  /** Whether the clock shown in live() moves. */
  ticking(): boolean {
    return this.step !== undefined && !this.step.cached && this.step.endedMs === undefined;
  }

  /** Makes everything final; after a failure the failing step keeps its last output lines. */
  finish(failed: boolean): void {
    if (this.partial) this.line(this.partial.replace(ANSI, ""));
    this.partial = "";
    this.commitStatus();
    if (this.step) {
      const output = failed ? this.step.output.slice(-OUTPUT_LINES) : [];
      this.step.failed = failed;
      this.commitStep();
      for (const out of output) this.committed.push(fit(`  ${out}`, this.width));
    }
  }

  private commitStatus(): void {
    if (this.status === undefined) return;
    this.committed.push(fit(this.status, this.width));
    this.status = undefined;
  }

  private commitStep(): void {
    if (!this.step) return;
    this.step.endedMs ??= this.now();
    this.committed.push(stepLine(this.step, this.now(), this.width));
    this.step = undefined;
  }

  private line(text: string): void {
    const step = STEP.exec(text);
    if (step) {
      this.commitStatus();
      this.commitStep();
      this.step = { title: `[${step[1]}] ${step[2]}`, startedMs: this.now(), cached: false, output: [] };
      return;
    }
    if (this.step && text === " ---> Using cache") {
      this.step.cached = true;
      return;
    }
    if (this.step && (RUNNING.test(text) || REMOVING.test(text))) return;
    if (this.step && RESULT.test(text)) {
      this.commitStep();
      return;
    }
    if (this.step && this.step.endedMs === undefined) {
      this.step.output.push(text);
      return;
    }
    this.commitStep();
    this.committed.push(fit(text, this.width));
  }
}

/** Redraw rate of the ticking clock. */
const TICK_MS = 100;

/**
 * The live view on a terminal: committed lines are written once; the live
 * lines are erased (cursor up, clear to end of screen) and drawn again on
 * every change and on every tick of the clock while a step runs.
 */
export function ttyDisplay(out: Terminal, opts: { now?: () => number; tick?: boolean } = {}): BuildDisplay {
  // A pseudo-terminal without a size (script, some CI runners) reports 0 columns.
  const view = new BuildView(opts.now ?? Date.now, out.columns && out.columns >= 20 ? out.columns : 80);
  let written = 0;
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;

  const draw = (): void => {
    const fresh = view.committed.slice(written);
    written = view.committed.length;
    const live = view.live();
    let text = drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : "";
    for (const line of [...fresh, ...live]) text += `${line}\n`;
    drawn = live.length;
    if (text) out.write(text);
    if (opts.tick !== false && view.ticking()) {
      // Unref'd: a clock on screen never keeps the process alive.
      timer ??= setInterval(draw, TICK_MS).unref();
    } else if (timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    upload(bytes, done) {
      view.upload(bytes, done);
      draw();
    },
    show(m) {
      view.feed(m);
      draw();
    },
    close(closeOpts = {}) {
      view.finish(closeOpts.failed ?? false);
      draw();
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
