// berth build [OPTIONS] PATH | URL | -: the legacy builder's command line.
// A directory is packed into a tar here (.dockerignore applied, the
// Dockerfile found or added); `-` sends stdin as it is (a tar or a bare
// Dockerfile); a URL is fetched by the daemon (remote=). Progress is the
// daemon's classic stream, shown by build-progress.ts.
import { createGzip } from "node:zlib";
import { rename, rm, stat, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { Option, type Command } from "commander";
import type { JSONMessage } from "../../api/types/index.js";
import type { BuildImageOptions } from "../../client/build.js";
import { isErrno } from "../../errors.js";
import { parseNormalizedNamed } from "../../oci/reference.js";
import { action } from "../action.js";
import { collect, integer, parsed } from "../args.js";
import { plainDisplay, ttyDisplay, type BuildDisplay } from "../build-progress.js";
import type { CliContext } from "../context.js";
import { parseBytes } from "../format/units.js";
import { UsageError } from "../usage-error.js";
import { swapBytes } from "./resource-flags.js";

export interface BuildFlags {
  tag?: string[];
  file?: string;
  buildArg?: string[];
  label?: string[];
  target?: string;
  /** false with --no-cache */
  cache: boolean;
  pull?: boolean;
  quiet?: boolean;
  iidfile?: string;
  network: string;
  platform?: string;
  addHost?: string[];
  /** undefined means Docker's default, true. */
  rm?: boolean;
  forceRm?: boolean;
  memory?: number;
  memorySwap?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  cpuPeriod?: number;
  cpuQuota?: number;
  shmSize?: number;
  cacheFrom?: string[];
  compress?: boolean;
  squash?: boolean;
}

function validTag(tag: string): string {
  parseNormalizedNamed(tag);
  return tag;
}

/** opts.ValidateEnv: "KEY=VALUE" or "KEY"; the name must not be empty. */
function validBuildArg(value: string): string {
  if (value.split("=")[0] === "") throw new Error(`invalid environment variable: ${value}`);
  return value;
}

function validLabel(value: string): string {
  if (value.split("=")[0] === "") throw new Error(`invalid label '${value}': empty name`);
  return value;
}

/** opts.ValidateExtraHost: "name:ip" (the IP may itself hold colons), or the special "host-gateway". */
function validExtraHost(value: string): string {
  const colon = value.indexOf(":");
  if (colon <= 0) throw new Error(`bad format for add-host: ${JSON.stringify(value)}`);
  const ip = value.slice(colon + 1).replace(/^\[(.*)\]$/, "$1");
  if (ip !== "host-gateway" && isIP(ip) === 0) throw new Error(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  return value;
}

const repeated = <T>(check: (text: string) => T) => (value: string, previous: string[] | undefined): string[] =>
  collect(String(parsed(check)(value)), previous);

/** --cache-from is a pflag string slice: repeatable and comma separated. */
function commaList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").filter((v) => v !== "")];
}

export function addBuildFlags(cmd: Command): Command {
  return cmd
    .usage("[OPTIONS] PATH | URL | -")
    .description("Build an image from a Dockerfile")
    .option("--add-host <list>", 'Add a custom host-to-IP mapping ("host:ip")', repeated(validExtraHost))
    .option("--build-arg <list>", "Set build-time variables", repeated(validBuildArg))
    .option("--cache-from <strings>", "Images to consider as cache sources", commaList)
    .option("--compress", "Compress the build context using gzip")
    .option("-c, --cpu-shares <int>", "CPU shares (relative weight)", parsed(integer))
    .option("--cpu-period <int>", "Limit the CPU CFS (Completely Fair Scheduler) period", parsed(integer))
    .option("--cpu-quota <int>", "Limit the CPU CFS (Completely Fair Scheduler) quota", parsed(integer))
    .option("--cpuset-cpus <string>", "CPUs in which to allow execution (0-3, 0,1)")
    .option("-f, --file <string>", 'Name of the Dockerfile (Default is "PATH/Dockerfile")')
    .option("--force-rm", "Always remove intermediate containers")
    .option("--iidfile <string>", "Write the image ID to the file")
    .option("--label <list>", "Set metadata for an image", repeated(validLabel))
    .option("-m, --memory <bytes>", "Memory limit", parsed(parseBytes))
    .option("--memory-swap <bytes>", "Swap limit equal to memory plus swap: -1 to enable unlimited swap", parsed(swapBytes))
    .option("--network <string>", "Set the networking mode for the RUN instructions during build", "default")
    .option("--no-cache", "Do not use cache when building the image")
    .option("--platform <string>", "Set platform if server is multi-platform capable", process.env.DOCKER_DEFAULT_PLATFORM || undefined)
    .option("--pull", "Always attempt to pull a newer version of the image")
    .option("-q, --quiet", "Suppress the build output and print image ID on success")
    .option("--rm", "Remove intermediate containers after a successful build (default true)")
    .addOption(new Option("--no-rm").hideHelp())
    .option("--shm-size <bytes>", 'Size of "/dev/shm"', parsed(parseBytes))
    .option("--squash", "Squash newly built layers into a single new layer")
    .option("-t, --tag <list>", 'Name and optionally a tag in the "name:tag" format', repeated(validTag))
    .option("--target <string>", "Set the target build stage to build.");
}

/** "KEY=VALUE" → value; "KEY" alone → the client's environment, or null (unset) so the daemon can say it went unused. */
export function buildArgsFrom(list: string[], env: NodeJS.ProcessEnv): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq >= 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else out[item] = env[item] ?? null;
  }
  return out;
}

/** The request the flags make (the Dockerfile's name is the packer's answer, added later). */
export function buildOptionsFrom(flags: BuildFlags, env: NodeJS.ProcessEnv): BuildImageOptions {
  const labels = Object.fromEntries((flags.label ?? []).map((l) => {
    const eq = l.indexOf("=");
    return eq < 0 ? [l, ""] : [l.slice(0, eq), l.slice(eq + 1)];
  }));
  return {
    tags: flags.tag ?? [],
    buildArgs: buildArgsFrom(flags.buildArg ?? [], env),
    labels,
    target: flags.target,
    noCache: !flags.cache,
    quiet: flags.quiet ?? false,
    pull: flags.pull,
    rm: flags.rm ?? true,
    forceRm: flags.forceRm,
    network: flags.network,
    platform: flags.platform,
    extraHosts: flags.addHost ?? [],
    cacheFrom: flags.cacheFrom,
    squash: flags.squash,
    memory: flags.memory,
    memorySwap: flags.memorySwap,
    cpuShares: flags.cpuShares,
    cpusetCpus: flags.cpusetCpus,
    cpuPeriod: flags.cpuPeriod,
    cpuQuota: flags.cpuQuota,
    shmSize: flags.shmSize,
  };
}

/** What the docker CLI takes for a remote context rather than a path: http(s) URLs and git repositories (urlutil). */
function isRemote(text: string): boolean {
  return /^(https?|git):\/\//.test(text) || text.startsWith("git@") || text.startsWith("github.com/");
}

type ContextSource = { kind: "stdin" } | { kind: "dir"; dir: string } | { kind: "remote"; url: string };

async function locateContext(arg: string): Promise<ContextSource> {
  if (arg === "-") return { kind: "stdin" };
  try {
    const st = await stat(arg);
    if (!st.isDirectory()) throw new UsageError(`unable to prepare context: context must be a directory: ${path.resolve(arg)}`);
    return { kind: "dir", dir: arg };
  } catch (err) {
    if (!isErrno(err, "ENOENT") && !isErrno(err, "ENOTDIR")) throw err;
  }
  if (isRemote(arg)) return { kind: "remote", url: arg };
  throw new UsageError(`unable to prepare context: path ${JSON.stringify(arg)} not found`);
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The docker CLI reports the upload every 512 KiB. */
const UPLOAD_REPORT = 512 * 1024;

function countUpload(source: Readable, report: (bytes: number, done: boolean) => void): Readable {
  let sent = 0;
  let reported = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      if (sent - reported >= UPLOAD_REPORT) {
        reported = sent;
        report(sent, false);
      }
      done(null, chunk);
    },
    flush(done) {
      report(sent, true);
      done();
    },
  });
  source.once("error", (err) => counter.destroy(err));
  return source.pipe(counter);
}

/** The context to send (or the URL for the daemon to fetch) and the Dockerfile's name in it. */
async function prepareContext(source: ContextSource, flags: BuildFlags): Promise<{ context: Readable | { remote: string }; dockerfile?: string }> {
  if (source.kind === "remote") return { context: { remote: source.url }, dockerfile: flags.file };
  if (source.kind === "stdin") return { context: process.stdin, dockerfile: flags.file };
  const { packContext } = await import("../../build/context/pack-context.js");
  const packed = await packContext(source.dir, {
    // -f is relative to the working directory, not to the context, as in the docker CLI.
    dockerfile: flags.file && flags.file !== "-" ? path.resolve(flags.file) : undefined,
    dockerfileContent: flags.file === "-" ? await readStdin() : undefined,
  });
  return { context: packed.tar, dockerfile: packed.dockerfile };
}

/** An in-band failure: the docker CLI prints its message bare and exits with its code (a failed RUN's, else 1). */
class BuildFailed extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Shows the stream; returns the image ID from the aux message (never displayed, as in the docker CLI). */
async function follow(messages: AsyncIterable<JSONMessage>, display: BuildDisplay): Promise<string | undefined> {
  let imageId: string | undefined;
  for await (const m of messages) {
    if (m.error !== undefined || m.errorDetail !== undefined) {
      throw new BuildFailed(m.errorDetail?.message ?? m.error ?? "", m.errorDetail?.code || 1);
    }
    if (m.aux !== undefined) {
      const id = (m.aux as { ID?: unknown } | null)?.ID;
      if (typeof id === "string") imageId = id;
      continue;
    }
    display.show(m);
  }
  return imageId;
}

/** Written whole or not at all: scripts read the file as soon as the command returns. */
async function writeIidFile(file: string, id: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, id, { mode: 0o666 });
  await rename(temp, file);
}

/**
 * -q: the upload line and the stream are kept apart, as the docker CLI's
 * progBuff and buildBuff; on success the stream (the image ID line) is the
 * output, on failure both go to stderr.
 */
function heldDisplay(): BuildDisplay & { progress: string; stream: string } {
  const held = { progress: "", stream: "" };
  const upload = plainDisplay({ write: (t: string) => (held.progress += t) });
  const stream = plainDisplay({ write: (t: string) => (held.stream += t) });
  return Object.assign(held, { upload: upload.upload, show: stream.show, close: () => undefined });
}

export function define(cmd: Command, ctx: CliContext): void {
  addBuildFlags(cmd);
  action<BuildFlags>(cmd, { min: 1, max: 1 }, async ([arg], flags) => {
    if (flags.file === "-" && arg === "-") throw new UsageError("invalid argument: can't use stdin for both build context and dockerfile");
    if (flags.iidfile) {
      // No stale ID may survive a failed build.
      try {
        await rm(flags.iidfile);
      } catch (err) {
        if (!isErrno(err, "ENOENT")) throw new UsageError(`Removing image ID file: ${(err as Error).message}`);
      }
    }
    const source = await locateContext(arg);
    const prepared = await prepareContext(source, flags);
    const options = { ...buildOptionsFrom(flags, process.env), dockerfile: prepared.dockerfile };
    const held = heldDisplay();
    const display = flags.quiet ? held : process.stdout.isTTY ? ttyDisplay(process.stdout) : plainDisplay(process.stdout);
    let context = prepared.context;
    if (!("remote" in context)) {
      const body = flags.compress ? context.pipe(createGzip()) : context;
      context = countUpload(body, (bytes, done) => display.upload(bytes, done));
    }
    let imageId: string | undefined;
    try {
      imageId = await follow(await ctx.client().build.build(context, options), display);
      display.close();
    } catch (err) {
      display.close({ failed: true });
      if (flags.quiet) ctx.err(held.progress + held.stream);
      if (!(err instanceof BuildFailed)) throw err;
      ctx.err(`${err.message}\n`);
      return err.exitCode;
    }
    if (flags.quiet) {
      // With q=1 the daemon sends the ID as a stream line and no aux message;
      // the docker CLI prints that text, and writes it (newline included) to --iidfile.
      imageId = held.stream;
      ctx.out(imageId);
    }
    if (flags.iidfile) {
      if (!imageId) throw new UsageError(`Server did not provide an image ID. Cannot write ${flags.iidfile}`);
      await writeIidFile(flags.iidfile, imageId);
    }
  }, ctx);
}
