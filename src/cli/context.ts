// What every command handler gets: a client made on first use (so `--help`
// and flag errors never connect), and where output goes.
import { createClient, type Client } from "../client/client.js";

export interface CliContext {
  readonly host: string;
  client(): Client;
  out(text: string | Uint8Array): void;
  err(text: string): void;
  /** "berth", so messages name the command the user typed. */
  readonly bin: string;
}

export function createContext(host: string): CliContext {
  let client: Client | undefined;
  return {
    host,
    bin: "berth",
    // DOCKER_API_VERSION pins the version, as for the docker CLI; otherwise the client negotiates it.
    client: () => (client ??= createClient({ host, version: process.env.DOCKER_API_VERSION || undefined })),
    out: (text) => {
      process.stdout.write(text);
    },
    err: (text) => {
      process.stderr.write(text);
    },
  };
}
