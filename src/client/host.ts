// Where the daemon listens. The CLI resolves -H/--host, then BERTH_HOST, then
// DOCKER_HOST, then the default socket; the SDK takes a host string directly.
import { InvalidArgumentError } from "../errors.js";

export const DEFAULT_HOST = "unix:///run/berth/berth.sock";

/** How to reach the daemon: a Unix socket path, or a TCP host and port. */
export type Endpoint = { socketPath: string } | { hostname: string; port: number };

export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.BERTH_HOST || env.DOCKER_HOST || DEFAULT_HOST;
}

export function parseHost(host: string): Endpoint {
  const unix = /^unix:\/\/(\/.+)$/.exec(host);
  if (unix) return { socketPath: unix[1] };
  const tcp = /^(?:tcp|http):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(host);
  if (tcp) {
    // Docker's unencrypted default port when none is given.
    return { hostname: tcp[1].replace(/^\[|\]$/g, ""), port: tcp[2] ? Number(tcp[2]) : 2375 };
  }
  throw new InvalidArgumentError(`unable to parse docker host \`${host}\``);
}
