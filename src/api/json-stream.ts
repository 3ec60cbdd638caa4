// Docker's JSON message stream (pull, import, load, build): 200 with
// Content-Type application/json, then one JSON object per line, each flushed.
// Once a line has gone out the status is fixed, so later errors travel in-band
// as {"errorDetail": {"message": …}, "error": …}.
import type { ServerResponse } from "node:http";
import type { JSONMessage } from "./types/index.js";
import { messageOf } from "./errors.js";

export interface JsonStream {
  write(message: JSONMessage): void;
  /** Reports err in-band if the stream has started; otherwise rethrows it so it gets a real status. */
  fail(err: unknown): void;
  end(): void;
}

export function openJsonStream(res: ServerResponse): JsonStream {
  const start = (): void => {
    if (!res.headersSent) res.writeHead(200, { "Content-Type": "application/json" });
  };
  return {
    write(message) {
      start();
      res.write(JSON.stringify(message) + "\n");
    },
    fail(err) {
      if (!res.headersSent) throw err;
      const message = messageOf(err);
      // A failed build step carries its command's exit code; the docker CLI exits with it.
      const code = (err as { exitCode?: unknown }).exitCode;
      const detail = typeof code === "number" ? { code, message } : { message };
      res.write(JSON.stringify({ errorDetail: detail, error: message }) + "\n");
    },
    end() {
      start();
      res.end();
    },
  };
}
