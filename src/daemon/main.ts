// berthd's entry point: flags → config → daemon; SIGTERM/SIGINT close the API
// and leave containers running (conmon keeps them).
import { loadConfig } from "./config.js";
import { startDaemon } from "./daemon.js";
import { createLogger } from "./logger.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`berthd: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const log = createLogger(config.debug);
  const daemon = await startDaemon(config, log);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log("info", "shutting down", { signal });
    daemon.close().then(
      () => process.exit(0),
      (err) => {
        log("error", "shutdown failed", { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err) => {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: "fatal", msg: String(err?.stack ?? err) }) + "\n");
  process.exit(1);
});
