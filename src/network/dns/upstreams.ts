// The host's resolvers, where a network's DNS server sends the names it does
// not own. berthd's DNS servers run in the host's network namespace, so a
// loopback resolver (systemd-resolved's 127.0.0.53, a local dnsmasq) is
// reachable from them and kept, unlike in the resolv.conf written for a
// container.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { isErrno } from "../../errors.js";
import type { Upstream } from "./dns-server.js";

/** The `nameserver` lines of a resolv.conf file (default /etc/resolv.conf), in order, on port 53; none when the file is missing. */
export function hostUpstreams(resolvConf = "/etc/resolv.conf"): Upstream[] {
  let text: string;
  try {
    text = readFileSync(resolvConf, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return [];
    throw err;
  }
  const upstreams: Upstream[] = [];
  for (const line of text.split("\n")) {
    const [keyword, address] = line.replace(/[#;].*/, "").trim().split(/\s+/);
    // isIP accepts an IPv6 link-local server's zone ("fe80::1%eth0"), which the socket API needs kept.
    if (keyword === "nameserver" && address && isIP(address) !== 0) upstreams.push({ host: address, port: 53 });
  }
  return upstreams;
}
