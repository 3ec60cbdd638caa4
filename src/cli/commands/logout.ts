// berth logout [SERVER]: as `docker logout`, erasing the server's credentials
// from berth's config.json under every key docker may have filed them by.
// Docker's own config.json is never written, so credentials found only there
// stay where they are.
import type { Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import { convertToHostname, eraseCredentials, INDEX_SERVER } from "../credentials.js";

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[SERVER]")
    .description("Log out from a registry.\nIf no server is specified, the default is defined by the daemon.");
  action(cmd, { max: 1 }, async ([server]) => {
    const isDefault = !server || ["docker.io", "index.docker.io", INDEX_SERVER].includes(server);
    const host = isDefault ? INDEX_SERVER : convertToHostname(server);
    const keys = isDefault ? [INDEX_SERVER] : [server, host, `http://${host}`, `https://${host}`];
    ctx.out(`Removing login credentials for ${host}\n`);
    try {
      await eraseCredentials(keys);
    } catch (err) {
      // As docker: failing to erase is a warning; the logout itself has been asked for and reported.
      ctx.err(`WARNING: could not erase credentials:\n${host}: ${(err as Error).message}\n`);
    }
  }, ctx);
}
