// Writing ordinary (non-streaming) responses. Bodies end with a newline, as
// Go's json.Encoder writes them.
import type { ServerResponse } from "node:http";

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + "\n";
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) }).end(text);
}

/** 204 for actions that succeed without a body (start, stop, kill, rm…). */
export function writeNoContent(res: ServerResponse): void {
  res.writeHead(204).end();
}
