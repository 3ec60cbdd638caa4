// What a handler gets for one request, and the few ways it answers.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Need } from "./auth/authorizer.js";

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Storage root. */
  root: string;
  allowDelete: boolean;
  /** Throws UNAUTHORIZED/DENIED unless the caller holds every need; records the user for the log. */
  authorize(needs: Need[]): Promise<void>;
}

export const API_VERSION_HEADER = { "Docker-Distribution-API-Version": "registry/2.0" };

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...API_VERSION_HEADER, "Content-Type": "application/json", "Content-Length": bytes.length, ...headers });
  res.end(bytes);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...API_VERSION_HEADER, "Content-Length": 0, ...headers });
  res.end();
}

/** The request's Content-Length, or undefined when absent (chunked). */
export function contentLength(req: IncomingMessage): number | undefined {
  const raw = req.headers["content-length"];
  return raw === undefined ? undefined : Number(raw);
}

/** n/last pagination over a sorted list, with the Link header of the next page. */
export function paginate(items: string[], url: URL, path: string): { page: string[]; link?: string } {
  const last = url.searchParams.get("last");
  const nRaw = url.searchParams.get("n");
  let rest = last === null ? items : items.filter((t) => t > last);
  if (nRaw === null) return { page: rest };
  const n = Math.max(0, Number.parseInt(nRaw, 10) || 0);
  const page = rest.slice(0, n);
  rest = rest.slice(n);
  if (rest.length === 0 || page.length === 0) return { page };
  return { page, link: `<${path}?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"` };
}
