// Container endpoints: parse the request, validate, call the container
// service, write the answer. Status codes for failures come from the thrown
// error kinds (api/errors.ts), never from here.
import { InvalidArgumentError, NotImplementedError } from "../../../errors.js";
import { parseFilters } from "../../../oci/filters.js";
import type { LogEntry, LogsOptions } from "../../../container/container-service.js";
import type { RequestContext } from "../../router.js";
import type { ContainersBackend } from "./backend.js";
import { readJsonObject } from "../../body.js";
import { boolParam, intParam, requiredIntParam, timeParam } from "../../query.js";
import { writeJson, writeNoContent, send } from "../../respond.js";
import { messageOf } from "../../errors.js";
import { frame, STDERR, STDOUT } from "../../stdcopy.js";
import { hijack } from "../../hijack.js";
import { stopSignal, streamContentType, waitConditionParam, waitSendsHeadersEarly } from "../../versions.js";
import { checkContainerName, parseCreateBody } from "./create-body.js";

const WAIT_CONDITIONS = ["not-running", "next-exit", "removed"] as const;
type WaitCondition = (typeof WAIT_CONDITIONS)[number];

function parseTail(raw: string | null): number | undefined {
  // dockerd treats "all", garbage and negative numbers alike: every line.
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}


function logChunk(entry: LogEntry, opts: { tty: boolean; timestamps: boolean }): Buffer {
  const line = opts.timestamps ? Buffer.concat([Buffer.from(`${entry.time} `), entry.line]) : entry.line;
  return opts.tty ? line : frame(entry.stream === "stdout" ? STDOUT : STDERR, line);
}

export function containerHandlers(backend: ContainersBackend) {
  return {
    async list({ res, query }: RequestContext): Promise<void> {
      const containers = await backend.list({
        all: boolParam(query, "all"),
        limit: intParam(query, "limit"),
        size: boolParam(query, "size"),
        filters: parseFilters(query.get("filters")),
      });
      writeJson(res, 200, containers);
    },

    async create(ctx: RequestContext): Promise<void> {
      const { res, query } = ctx;
      const rawName = query.get("name");
      const name = rawName ? checkContainerName(rawName) : undefined;
      const body = parseCreateBody((await readJsonObject(ctx)) ?? {});
      const { id, warnings } = await backend.create(name, body);
      writeJson(res, 201, { Id: id, Warnings: warnings });
    },

    async inspect({ res, params, query }: RequestContext): Promise<void> {
      writeJson(res, 200, await backend.inspect(params.id, { size: boolParam(query, "size") }));
    },

    async top({ res, params, query }: RequestContext): Promise<void> {
      writeJson(res, 200, await backend.top(params.id, query.get("ps_args") || undefined));
    },

    /** Frames (stdcopy) unless the container has a TTY; headers go out before the first line. */
    async logs({ res, params, query, version, signal }: RequestContext): Promise<void> {
      const opts: LogsOptions = {
        follow: boolParam(query, "follow"),
        stdout: boolParam(query, "stdout"),
        stderr: boolParam(query, "stderr"),
        since: timeParam(query, "since"),
        until: timeParam(query, "until"),
        timestamps: boolParam(query, "timestamps"),
        tail: parseTail(query.get("tail")),
        signal,
      };
      if (!opts.stdout && !opts.stderr) throw new InvalidArgumentError("Bad parameters: you must choose at least one stream");
      const { tty, entries } = await backend.logs(params.id, opts);
      res.writeHead(200, { "Content-Type": streamContentType(version, tty) });
      res.flushHeaders();
      try {
        for await (const entry of entries) {
          if (!(await send(res, logChunk(entry, { tty, timestamps: opts.timestamps }), signal))) break;
        }
      } catch (err) {
        // The status is already out; the error goes in-band, on stderr, as dockerd does.
        const text = Buffer.from(`Error grabbing logs: ${messageOf(err)}\n`);
        res.write(tty ? text : frame(STDERR, text));
      }
      res.end();
    },

    async start({ res, params }: RequestContext): Promise<void> {
      await backend.start(params.id);
      writeNoContent(res);
    },

    async stop({ res, params, query, version }: RequestContext): Promise<void> {
      await backend.stop(params.id, { timeout: intParam(query, "t"), signal: stopSignal(version, query) });
      writeNoContent(res);
    },

    async restart({ res, params, query, version }: RequestContext): Promise<void> {
      await backend.restart(params.id, { timeout: intParam(query, "t"), signal: stopSignal(version, query) });
      writeNoContent(res);
    },

    async kill({ res, params, query }: RequestContext): Promise<void> {
      await backend.kill(params.id, query.get("signal") || undefined);
      writeNoContent(res);
    },

    async wait({ res, params, query, version }: RequestContext): Promise<void> {
      const condition = waitConditionParam(version, query);
      if (!WAIT_CONDITIONS.includes(condition as WaitCondition)) {
        throw new InvalidArgumentError(`invalid condition: "${condition}"`);
      }
      const waiting = backend.wait(params.id, condition as WaitCondition);
      if (!waitSendsHeadersEarly(version)) {
        writeJson(res, 200, await waiting);
        return;
      }
      // Settle the rejection now: if the existence check below throws, nobody awaits `waiting`.
      const outcome = waiting.then(
        (result) => result,
        (err: unknown) => ({ StatusCode: -1, Error: { Message: messageOf(err) } }),
      );
      // An unknown container must still be a 404, so check before the 200 goes out.
      await backend.inspect(params.id);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      res.end(JSON.stringify(await outcome) + "\n");
    },

    async resize({ res, params, query }: RequestContext): Promise<void> {
      await backend.resize(params.id, { height: requiredIntParam(query, "h"), width: requiredIntParam(query, "w") });
      res.writeHead(200).end();
    },

    /** Hijacks the connection; the TTY setting, known before, picks raw or framed output. */
    async attach(ctx: RequestContext): Promise<void> {
      const { params, query, version } = ctx;
      const tty = await backend.isTty(params.id);
      const opts = {
        stream: boolParam(query, "stream"),
        stdin: boolParam(query, "stdin"),
        stdout: boolParam(query, "stdout"),
        stderr: boolParam(query, "stderr"),
        logs: boolParam(query, "logs"),
        detachKeys: query.get("detachKeys") || undefined,
      };
      const conn = hijack(ctx, { contentType: streamContentType(version, tty), tty, stdin: opts.stdin });
      try {
        const { done } = await backend.attach(params.id, opts, conn.io, conn.signal);
        await done;
        conn.finish();
      } catch (err) {
        conn.fail(err);
      }
    },

    async rename({ res, params, query }: RequestContext): Promise<void> {
      await backend.rename(params.id, checkContainerName(query.get("name") ?? ""));
      writeNoContent(res);
    },

    async pause({ res, params }: RequestContext): Promise<void> {
      await backend.pause(params.id);
      writeNoContent(res);
    },

    async unpause({ res, params }: RequestContext): Promise<void> {
      await backend.unpause(params.id);
      writeNoContent(res);
    },

    async remove({ res, params, query }: RequestContext): Promise<void> {
      if (boolParam(query, "link")) throw new NotImplementedError("container links are not supported");
      await backend.remove(params.id, { force: boolParam(query, "force"), volumes: boolParam(query, "v") });
      writeNoContent(res);
    },
  };
}
