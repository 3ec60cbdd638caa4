// The daemon's log: one JSON object per line on stderr.
export type Logger = (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

export function createLogger(debug: boolean): Logger {
  return (level, msg, fields) => {
    if (level === "debug" && !debug) return;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + "\n");
  };
}
