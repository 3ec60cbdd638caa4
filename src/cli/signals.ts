// With --sig-proxy (and no TTY, where the terminal sends keys instead), the
// signals this process receives are passed to the container, as Docker does
// for every signal but SIGCHLD, SIGPIPE, SIGURG and SIGWINCH.
import type { CliContext } from "./context.js";

const PROXIED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

/** Starts forwarding; the returned function stops it. */
export function proxySignals(ctx: CliContext, id: string): () => void {
  const offs = PROXIED.map((signal) => {
    const handler = (): void => {
      ctx.client().containers.kill(id, { signal }).catch(() => undefined);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => offs.forEach((off) => off());
}
