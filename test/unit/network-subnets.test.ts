// Subnet arithmetic, dockerd's IPAM validation words, pool choice and address assignment.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defaultAddressPools, firstFreeSubnet, formatCidr, formatIp, overlaps, parseCidr, parseIp, validateIpamConfig } from "../../src/network/subnets.js";
import { checkRequestedAddress, nextFreeAddress } from "../../src/network/ipam.js";

const cidr = (s: string) => parseCidr(s)!;

describe("subnets", () => {
  it("parses and formats addresses and blocks", () => {
    assert.equal(formatIp(parseIp("172.17.0.1")!), "172.17.0.1");
    assert.equal(parseIp("256.1.1.1"), undefined);
    assert.equal(parseCidr("10.0.0.0/33"), undefined);
    assert.ok(overlaps(cidr("172.17.0.0/16"), cidr("172.17.5.0/24")));
    assert.ok(!overlaps(cidr("172.17.0.0/16"), cidr("172.18.0.0/16")));
  });

  it("validates --subnet/--gateway/--ip-range with dockerd's messages", () => {
    const ok = validateIpamConfig({ Subnet: "10.9.0.0/24", Gateway: "10.9.0.254", IPRange: "10.9.0.128/25" });
    assert.equal(formatCidr(ok.subnet), "10.9.0.0/24");
    assert.equal(formatIp(ok.gateway), "10.9.0.254");
    assert.equal(formatIp(validateIpamConfig({ Subnet: "10.9.0.0/24" }).gateway), "10.9.0.1");
    assert.throws(() => validateIpamConfig({ Subnet: "bogus" }), { message: "invalid network config:\n* invalid subnet bogus: invalid CIDR block notation" });
    assert.throws(() => validateIpamConfig({ Subnet: "10.9.0.3/24" }), { message: "invalid network config:\n* invalid subnet 10.9.0.3/24: it should be 10.9.0.0/24" });
    assert.throws(() => validateIpamConfig({ Subnet: "10.9.0.0/24", Gateway: "10.8.0.1" }), {
      message: "invalid network config:\n* invalid gateway 10.8.0.1: parent subnet 10.9.0.0/24 doesn't contain this address",
    });
    assert.throws(() => validateIpamConfig({ Subnet: "10.9.0.0/24", IPRange: "10.8.0.0/28" }), /invalid ip-range 10.8.0.0\/28: parent subnet 10.9.0.0\/24 doesn't contain ip-range/);
    assert.throws(() => validateIpamConfig({ Gateway: "10.8.0.1" }), { message: "no matching subnet for gateway 10.8.0.1" });
    assert.throws(() => validateIpamConfig({ Subnet: "10.9.0.0/24", Gateway: "10.9.0.0" }), /failed to allocate gateway \(10.9.0.0\): Address already in use/);
  });

  it("chooses the first pool block that overlaps nothing taken", () => {
    const taken = [cidr("172.17.0.0/16"), cidr("172.18.0.0/16"), cidr("172.19.3.0/24")];
    assert.equal(formatCidr(firstFreeSubnet(defaultAddressPools, taken)), "172.20.0.0/16");
    const pools = [{ base: "10.10.0.0/23", size: 24 }];
    assert.equal(formatCidr(firstFreeSubnet(pools, [cidr("10.10.0.0/24")])), "10.10.1.0/24");
    assert.throws(() => firstFreeSubnet(pools, [cidr("10.10.0.0/16")]), /could not find an available, non-overlapping IPv4 address pool/);
    // After the /16s, dockerd's defaults cut 192.168.0.0/16 into /20s.
    const all172 = [cidr("172.16.0.0/12")];
    assert.equal(formatCidr(firstFreeSubnet(defaultAddressPools, all172)), "192.168.0.0/20");
  });

  it("hands out the lowest free address, skipping network, gateway and broadcast", () => {
    const ipam = validateIpamConfig({ Subnet: "10.9.0.0/29" });
    const used = new Set<number>();
    const got: string[] = [];
    for (let ip = nextFreeAddress(ipam, used); ip !== undefined; ip = nextFreeAddress(ipam, used)) {
      used.add(ip);
      got.push(formatIp(ip));
    }
    assert.deepEqual(got, ["10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6"]);
    const ranged = validateIpamConfig({ Subnet: "10.9.0.0/24", IPRange: "10.9.0.16/28" });
    assert.equal(formatIp(nextFreeAddress(ranged, new Set())!), "10.9.0.16");
  });

  it("checks a requested address (--ip)", () => {
    const ipam = validateIpamConfig({ Subnet: "10.9.0.0/24" });
    assert.equal(formatIp(checkRequestedAddress(ipam, "10.9.0.50", new Set())), "10.9.0.50");
    assert.throws(() => checkRequestedAddress(ipam, "10.9.0.50", new Set([parseIp("10.9.0.50")!])), { message: "Address already in use" });
    assert.throws(() => checkRequestedAddress(ipam, "10.9.0.1", new Set()), { message: "Address already in use" });
    assert.throws(() => checkRequestedAddress(ipam, "10.10.0.5", new Set()), /no configured subnet or ip-range contain the IP address 10.10.0.5/);
  });
});
