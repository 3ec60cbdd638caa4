// A route table and its matcher. Each resource folder exports its routes as
// data (method, path pattern, handler) so that a routes.ts reads like the API
// reference. Patterns name parameters in braces: "{id}" is one path segment,
// "{name*}" is greedy and may span slashes (image names such as
// "localhost:5000/foo/bar"), the way moby's router uses "{name:.*}".
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex, Readable } from "node:stream";
import { InvalidArgumentError } from "../errors.js";

export interface RequestContext {
  req: IncomingMessage;
  /**
   * The request body. Usually req itself; on an upgrade request Node leaves
   * the body in the raw stream, so it is the Content-Length bytes read from there.
   */
  body: Readable;
  /** Where to write the response; for an upgrade request it is bound to the raw socket. */
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The negotiated API version ("1.45" when the path had no prefix). */
  version: string;
  /** Set when the client asked for `Connection: Upgrade` (attach, exec start). */
  upgrade?: { socket: Duplex; head: Buffer };
  /** Aborted when the client goes away before the response is finished. */
  signal: AbortSignal;
}

export type Handler = (ctx: RequestContext) => Promise<void>;

export interface Route {
  method: "GET" | "HEAD" | "POST" | "PUT" | "DELETE";
  path: string;
  handler: Handler;
}

export interface Router {
  /** The handler and decoded path parameters for a request, or undefined (→ 404). */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined;
}

interface Compiled {
  method: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const source = route.path
    .split(/(\{[a-zA-Z]+\*?\})/)
    .map((part) => {
      const m = /^\{([a-zA-Z]+)(\*?)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      names.push(m[1]);
      return m[2] ? "(.+)" : "([^/]+)";
    })
    .join("");
  return { method: route.method, regex: new RegExp(`^${source}$`), names, handler: route.handler };
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (err) {
    if (err instanceof URIError) throw new InvalidArgumentError(`invalid URL escape in "${raw}"`);
    throw err;
  }
}

/** Routes are tried in order; put literal paths before patterns that could also match them. */
export function createRouter(routes: Route[]): Router {
  const compiled = routes.map(compile);
  return {
    match(method, path) {
      for (const route of compiled) {
        if (route.method !== method) continue;
        const m = route.regex.exec(path);
        if (!m) continue;
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => {
          params[name] = decodeParam(m[i + 1]);
        });
        return { handler: route.handler, params };
      }
      return undefined;
    },
  };
}
