// runc's start failures in Docker's words. Users and the docker CLI match on
// this text (the CLI turns "executable file not found" into exit code 127), so
// the runtime's message is rewrapped the way containerd and dockerd wrap it.
import { BerthError, InvalidArgumentError, SystemError } from "../errors.js";

export interface StartFailure {
  error: BerthError;
  /** The exit code the container records: 127 not found, 126 not executable, 128 anything else. */
  exitCode: number;
}

/** For a container's start ("create") or an exec ("exec"), whose wrappings differ as in Docker. */
export function startFailure(err: unknown, what: "create" | "exec" = "create"): StartFailure {
  const raw = (err instanceof Error ? err.message : String(err)).trim();
  const at = raw.indexOf("unable to start container process:");
  const detail = at >= 0 ? firstLine(raw.slice(at)) : firstLine(raw);
  let message =
    what === "create"
      ? `failed to create task for container: failed to create shim task: OCI runtime create failed: ${at >= 0 ? `runc create failed: ${detail}` : detail}: unknown`
      : `OCI runtime exec failed: exec failed: ${detail}: unknown`;
  const lower = detail.toLowerCase();
  if (lower.includes("executable file not found") || lower.includes("no such file or directory")) {
    return { error: new InvalidArgumentError(message, { cause: err }), exitCode: 127 };
  }
  if (lower.includes("permission denied")) {
    return { error: new InvalidArgumentError(message, { cause: err }), exitCode: 126 };
  }
  if (lower.includes("not a directory")) {
    message += ": Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type";
    return { error: new InvalidArgumentError(message, { cause: err }), exitCode: 127 };
  }
  return { error: new SystemError(message, { cause: err }), exitCode: 128 };
}

function firstLine(s: string): string {
  // runc's JSON log lines end in `"` or `}`: keep the sentence only.
  return (s.split("\n")[0] ?? "").replace(/["}\s]+$/, "");
}
