// Exec endpoints: create an exec instance, run it (hijacking the connection
// unless detached), resize its TTY, inspect it.
import { InvalidArgumentError } from "../../../errors.js";
import type { ExecCreateBody } from "../../types/index.js";
import type { RequestContext } from "../../router.js";
import type { ExecBackend } from "./backend.js";
import { readJsonObject } from "../../body.js";
import { checkFields, type FieldKind } from "../../fields.js";
import { requiredIntParam } from "../../query.js";
import { writeJson } from "../../respond.js";
import { hijack } from "../../hijack.js";
import { streamContentType } from "../../versions.js";

const CREATE_FIELDS: Record<string, FieldKind> = {
  AttachStdin: "bool",
  AttachStdout: "bool",
  AttachStderr: "bool",
  ConsoleSize: "array",
  DetachKeys: "string",
  Tty: "bool",
  Env: "strings",
  Cmd: "strslice",
  Privileged: "bool",
  User: "string",
  WorkingDir: "string",
};

const START_FIELDS: Record<string, FieldKind> = { Detach: "bool", Tty: "bool", ConsoleSize: "array" };

export function execHandlers(backend: ExecBackend) {
  return {
    async create(ctx: RequestContext): Promise<void> {
      const { res, params } = ctx;
      const body = checkFields((await readJsonObject(ctx)) ?? {}, CREATE_FIELDS, "ExecOptions") as ExecCreateBody;
      if (!body.Cmd || body.Cmd.length === 0) throw new InvalidArgumentError("No exec command specified");
      const { id } = await backend.create(params.id, body);
      writeJson(res, 201, { Id: id });
    },

    /**
     * Like dockerd, the framing follows the request's Tty flag, not the exec's:
     * the client that asks for raw output is the one that has to read it.
     */
    async start(ctx: RequestContext): Promise<void> {
      const { res, params, version } = ctx;
      const body = checkFields((await readJsonObject(ctx, { optional: true })) ?? {}, START_FIELDS, "ExecStartOptions");
      const detach = body.Detach === true;
      const tty = body.Tty === true;
      // Unknown exec IDs must be a 404 before the connection is hijacked.
      await backend.isTty(params.id);
      if (detach) {
        // A detached process outlives this request, so it gets a signal that never fires.
        await backend.start(params.id, { detach, tty }, undefined, new AbortController().signal);
        res.writeHead(200).end();
        return;
      }
      const conn = hijack(ctx, { contentType: streamContentType(version, tty), tty, stdin: true });
      try {
        const { done } = await backend.start(params.id, { detach, tty }, conn.io, conn.signal);
        await done;
        conn.finish();
      } catch (err) {
        conn.fail(err);
      }
    },

    async resize({ res, params, query }: RequestContext): Promise<void> {
      await backend.resize(params.id, { height: requiredIntParam(query, "h"), width: requiredIntParam(query, "w") });
      res.writeHead(200).end();
    },

    async inspect({ res, params }: RequestContext): Promise<void> {
      writeJson(res, 200, await backend.inspect(params.id));
    },
  };
}
