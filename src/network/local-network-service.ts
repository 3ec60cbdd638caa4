// NetworkService over SQLite records, persistent netns files, the CNI plugins
// and one DNS server per user network (contract and lifecycle:
// network-service.ts). The /networks half lives in network-admin.ts, the
// sandbox half in sandboxes.ts; this file wires them and recovers at start.
import { randomBytes } from "node:crypto";
import type { DB } from "../store/db.js";
import type { NetworkService } from "./network-service.js";
import { createNetworkRecords } from "./records.js";
import { defaultAddressPools, type AddressPool } from "./subnets.js";
import { createNetworkAdmin } from "./network-admin.js";
import { createSandboxes } from "./sandboxes.js";
import { createDnsServers } from "./dns-servers.js";
import { ensurePredefined } from "./predefined.js";
import { reconcileNetworks } from "./reconcile.js";
import { defaultCniPath } from "./cni.js";
import { netnsDir } from "./netns.js";

/** The daemon.json keys of networking (dockerd's names), resolved. */
export interface NetworkConfig {
  /** "bridge": the default network's device (default "berth0"). */
  bridge?: string;
  /** "bip": the default network's gateway address and prefix, e.g. "172.18.0.1/16". */
  bip?: string;
  /** "default-address-pools": where subnets of networks without --subnet come from. */
  defaultAddressPools?: AddressPool[];
}

export type NetworkLog = (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

export interface NetworkServiceDeps {
  db: DB;
  execRoot: string;
  config: NetworkConfig;
  log?: NetworkLog;
  /** Where the CNI plugins are (default /usr/lib/cni, /opt/cni/bin). */
  cniPath?: string[];
  /** The port of the networks' DNS servers: 53 unless a test says otherwise. */
  dnsPort?: number;
  /**
   * Sandbox changes wait until the first reconcile() is done. berthd sets it:
   * a restart policy may start a container while reconcile still removes
   * what the crash left, and must not have its fresh sandbox taken for stale.
   */
  holdUntilReconciled?: boolean;
}

/** What the parts of the service share. */
export interface NetworkContext {
  records: ReturnType<typeof createNetworkRecords>;
  config: Required<Pick<NetworkConfig, "defaultAddressPools">> & NetworkConfig;
  execRoot: string;
  netnsDir: string;
  cniPath: string[];
  /** The ifalias marking this daemon's bridges: "berth <exec-root> <network-id>". */
  bridgeAlias(networkId: string): string;
  log: NetworkLog;
  /** Runs fn after every earlier call for the same key (bridge creation, subnet choice). */
  serialize<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export function newId(): string {
  return randomBytes(32).toString("hex");
}

export async function createNetworkService(deps: NetworkServiceDeps): Promise<NetworkService & { close(): Promise<void> }> {
  const queues = new Map<string, Promise<unknown>>();
  const ctx: NetworkContext = {
    records: createNetworkRecords(deps.db),
    config: { ...deps.config, defaultAddressPools: deps.config.defaultAddressPools ?? defaultAddressPools },
    execRoot: deps.execRoot,
    netnsDir: netnsDir(deps.execRoot),
    cniPath: deps.cniPath ?? defaultCniPath,
    bridgeAlias: (networkId) => `berth ${deps.execRoot} ${networkId}`,
    log: deps.log ?? (() => {}),
    serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const prev = queues.get(key) ?? Promise.resolve();
      const next = prev.then(fn, fn);
      const settled = next.catch(() => undefined);
      queues.set(key, settled);
      void settled.then(() => {
        if (queues.get(key) === settled) queues.delete(key);
      });
      return next;
    },
  };
  await ensurePredefined(ctx);
  const dns = createDnsServers(ctx, { ...(deps.dnsPort !== undefined ? { port: deps.dnsPort } : {}) });
  const admin = createNetworkAdmin(ctx, dns);
  const sandboxes = createSandboxes(ctx, dns);
  let reconciled!: () => void;
  const ready = deps.holdUntilReconciled ? new Promise<void>((resolve) => (reconciled = resolve)) : Promise.resolve();
  const held = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    await ready;
    return fn(...args);
  };
  return {
    ...admin,
    ...sandboxes,
    setUp: held(sandboxes.setUp),
    prepare: held(sandboxes.prepare),
    attach: held(sandboxes.attach),
    detach: held(sandboxes.detach),
    // Not tearDown: recovery tears down exited containers' sandboxes before reconcile runs.
    async reconcile(running) {
      try {
        return await reconcileNetworks(ctx, { running, sandboxes, dns });
      } finally {
        reconciled?.();
      }
    },
    close: () => dns.closeAll(),
  };
}
