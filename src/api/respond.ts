// Writing ordinary (non-streaming) responses. Bodies end with a newline, as
// Go's json.Encoder writes them.
import { once } from "node:events";
import type { ServerResponse } from "node:http";

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body) + "\n");
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": data.length }).end(data);
}

/** 204 for actions that succeed without a body (start, stop, kill, rm…). */
export function writeNoContent(res: ServerResponse): void {
  res.writeHead(204).end();
}

/** Writes one chunk of a streamed response, waiting for the client to drain; false once the client is gone. */
export async function send(res: ServerResponse, data: Buffer | string, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (res.write(data)) return true;
  try {
    await once(res, "drain", { signal });
    return true;
  } catch (err) {
    if (signal.aborted) return false;
    throw err;
  }
}
