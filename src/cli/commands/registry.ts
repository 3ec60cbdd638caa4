// berth registry serve | garbage-collect: the registry server of
// src/registry/server, run in this process until SIGTERM/SIGINT, and its
// offline garbage collector (which refuses to run while a server holds the root).
import { Option, type Command } from "commander";
import { action } from "../action.js";
import type { CliContext } from "../context.js";
import type { CommandModule } from "../registry.js";
import type { ServeOptions } from "../../registry/server/serve.js";
import type { GcOptions } from "../../registry/server/gc.js";

const DEFAULT_ROOT = "/var/lib/berth-registry";

/** The flags are the server's and collector's own options (the log goes to stderr). */
type ServeFlags = Omit<ServeOptions, "log" | "addr"> & { addr: string };
type GcFlags = GcOptions;

export function command(verb: string): CommandModule {
  return { define: verb === "serve" ? defineServe : defineGc };
}

function defineServe(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Serve an OCI distribution registry (Docker Registry HTTP API v2)")
    .option("--addr <host:port>", "Address to listen on", "127.0.0.1:5000")
    .option("--root <dir>", "Storage directory", DEFAULT_ROOT)
    .option("--htpasswd <file>", "bcrypt htpasswd file of users; turns authentication on")
    .addOption(new Option("--auth <mode>", "Authentication: basic, or token (built-in /token endpoint)").choices(["basic", "token"]))
    .option("--acl <file>", "JSON policy of users, repository globs and actions")
    .option("--tls-cert <file>", "TLS certificate (PEM)")
    .option("--tls-key <file>", "TLS private key (PEM)")
    .option("--token-key <file>", "Private key (EC P-256 or Ed25519 PEM) that signs tokens")
    .option("--service <name>", "Token service name (audience)", "berth-registry")
    .option("--allow-delete", "Allow DELETE of manifests, tags and blobs");
  action<ServeFlags>(cmd, { max: 0 }, async (_args, flags) => {
    const { serveRegistry } = await import("../../registry/server/serve.js");
    const running = await serveRegistry({
      addr: flags.addr,
      root: flags.root,
      htpasswd: flags.htpasswd,
      auth: flags.auth,
      acl: flags.acl,
      tlsCert: flags.tlsCert,
      tlsKey: flags.tlsKey,
      tokenKey: flags.tokenKey,
      service: flags.service,
      allowDelete: flags.allowDelete,
    });
    // Handlers first: whoever reads the "listening" line may signal at once.
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    });
    ctx.err(`${JSON.stringify({ time: new Date().toISOString(), msg: "listening", url: running.url, root: flags.root })}\n`);
    const signal = await stopped;
    await running.close();
    ctx.err(`${JSON.stringify({ time: new Date().toISOString(), msg: "stopped", signal })}\n`);
    return 0;
  }, ctx);
}

function defineGc(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS]")
    .description("Delete blobs no manifest references (stop the server first)")
    .option("--root <dir>", "Storage directory", DEFAULT_ROOT)
    .option("--dry-run", "Print what would be deleted, delete nothing")
    .option("--delete-untagged", "Also delete manifests no tag reaches");
  action<GcFlags>(cmd, { max: 0 }, async (_args, flags) => {
    const { garbageCollect } = await import("../../registry/server/gc.js");
    const report = await garbageCollect({ root: flags.root, dryRun: flags.dryRun, deleteUntagged: flags.deleteUntagged });
    const verb = flags.dryRun ? "would delete" : "deleted";
    for (const m of report.manifestsDeleted) ctx.out(`${m.repository}: ${verb} manifest ${m.digest}\n`);
    for (const d of report.blobsDeleted) ctx.out(`${verb} blob ${d}\n`);
    ctx.out(`${report.blobsDeleted.length} blobs ${verb} (${report.bytesFreed} bytes), ${report.blobsKept} kept\n`);
  }, ctx);
}
