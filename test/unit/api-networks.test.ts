// The /networks edge as table rows: request → status → body, against an
// in-memory network backend on a private socket. The fake behaves as the
// contract says the service does (names, IDs, prefixes, Docker's messages),
// so these rows check the router: parsing, validation, status codes, shapes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { ConflictError, ForbiddenError, NotFoundError } from "../../src/errors.js";
import type { Filters } from "../../src/oci/filters.js";
import type { EndpointSettings, Network, NetworkCreateBody } from "../../src/api/types/index.js";
import type { NetworksBackend } from "../../src/api/backends.js";
import { createApiServer, type ApiServer } from "../../src/api/server.js";
import { httpRequest, startHarness, type Harness } from "./api-harness.js";

interface Calls {
  created?: NetworkCreateBody;
  connected?: { network: string; container: string; settings: EndpointSettings | undefined };
  disconnected?: { network: string; container: string; force: boolean };
  listFilters?: Filters;
  pruneFilters?: Filters;
}

const PREDEFINED = ["bridge", "host", "none"];

function networksFake(calls: Calls): NetworksBackend {
  const nets = new Map<string, Network>([
    ["a".repeat(64), { Name: "bridge", Id: "a".repeat(64), Driver: "bridge", Scope: "local", Containers: {} }],
    ["b".repeat(64), { Name: "host", Id: "b".repeat(64), Driver: "host", Scope: "local", Containers: {} }],
    ["c".repeat(64), { Name: "none", Id: "c".repeat(64), Driver: "null", Scope: "local", Containers: {} }],
    ["d".repeat(64), { Name: "front", Id: "d".repeat(64), Driver: "bridge", Scope: "local", Containers: { c1: { Name: "web" } } }],
  ]);
  const find = (term: string): Network => {
    const hit = [...nets.values()].find((n) => n.Id === term || n.Name === term) ?? [...nets.values()].find((n) => n.Id?.startsWith(term));
    if (!hit) throw new NotFoundError(`network ${term} not found`);
    return hit;
  };
  return {
    async create(body) {
      calls.created = body;
      if (PREDEFINED.includes(body.Name)) throw new ForbiddenError(`operation is not permitted on predefined ${body.Name} network `);
      if ([...nets.values()].some((n) => n.Name === body.Name)) throw new ConflictError(`network with name ${body.Name} already exists`);
      const id = "e".repeat(64);
      nets.set(id, { Name: body.Name, Id: id, Driver: body.Driver ?? "bridge", Scope: "local", Containers: {} });
      return { Id: id, Warning: "" };
    },
    list(filters) {
      calls.listFilters = filters;
      return [...nets.values()].map((n) => ({ ...n, Containers: {} }));
    },
    inspect: find,
    async remove(term) {
      const n = find(term);
      if (PREDEFINED.includes(n.Name ?? "")) throw new ForbiddenError(`${n.Name} is a pre-defined network and cannot be removed`);
      if (Object.keys(n.Containers ?? {}).length > 0) throw new ConflictError(`error while removing network: network ${n.Name} id ${n.Id} has active endpoints`);
      nets.delete(n.Id ?? "");
    },
    async prune(filters) {
      calls.pruneFilters = filters;
      return ["unused1"];
    },
    async connect(network, container, settings) {
      find(network);
      if (container !== "c1") throw new NotFoundError(`No such container: ${container}`);
      calls.connected = { network, container, settings };
    },
    async disconnect(network, container, force) {
      find(network);
      if (container !== "c1") throw new NotFoundError(`No such container: ${container}`);
      calls.disconnected = { network, container, force };
    },
  };
}

const body = (value: unknown): string => JSON.stringify(value);

// [method, path, status, body: exact text or pattern, request body?]
type Row = [string, string, number, string | RegExp, string?];

const rows: Row[] = [
  // List: filters parsed and checked at the door; Containers empty in lists.
  ["GET", "/networks", 200, /^\[\{"Name":"bridge",.*"Name":"front".*"Containers":\{\}\}\]\n$/],
  ["GET", "/v1.45/networks/", 200, /"Name":"host"/],
  ["GET", `/networks?filters=${encodeURIComponent('{"driver":["bridge"],"type":["custom"]}')}`, 200, /"Name":"front"/],
  ["GET", `/networks?filters=${encodeURIComponent('{"color":["red"]}')}`, 400, `{"message":"invalid filter 'color'"}\n`],
  ["GET", "/networks?filters=notjson", 400, /invalid filter/],
  // Inspect: by name, ID, prefix; verbose is Go's ParseBool; scopes other than local find nothing.
  ["GET", "/networks/front", 200, /"Id":"d{64}".*"Containers":\{"c1":\{"Name":"web"\}\}/],
  ["GET", `/networks/${"d".repeat(64)}`, 200, /"Name":"front"/],
  ["GET", "/networks/ddd?verbose=true&scope=local", 200, /"Name":"front"/],
  ["GET", "/networks/front?verbose=yes", 400, `{"message":"invalid value for verbose: yes: strconv.ParseBool: parsing \\"yes\\": invalid syntax"}\n`],
  ["GET", "/networks/front?scope=swarm", 404, `{"message":"network front not found"}\n`],
  ["GET", "/networks/nope", 404, `{"message":"network nope not found"}\n`],
  // Create: 201 with Id and Warning; IPAM checked as dockerd does for API ≥ 1.44.
  ["POST", "/networks/create", 201, `{"Id":"${"e".repeat(64)}","Warning":""}\n`, body({ Name: "back", Driver: "bridge", Labels: { team: "a" } })],
  ["POST", "/networks/create", 409, `{"message":"network with name front already exists"}\n`, body({ Name: "front" })],
  ["POST", "/networks/create", 403, `{"message":"operation is not permitted on predefined host network "}\n`, body({ Name: "host" })],
  ["POST", "/networks/create", 400, `{"message":"invalid name: "}\n`, body({ Driver: "bridge" })],
  ["POST", "/networks/create", 400, `{"message":"invalid name: "}\n`, ""],
  ["POST", "/networks/create", 400, /cannot unmarshal number into Go struct field CreateRequest.Name of type string/, body({ Name: 7 })],
  ["POST", "/networks/create", 400, /CreateRequest.Labels of type map\[string\]string/, body({ Name: "x", Labels: { a: 1 } })],
  ["POST", "/networks/create", 400, /invalid JSON/, "{"],
  [
    "POST",
    "/networks/create",
    400,
    `{"message":"invalid network config:\\ninvalid subnet foo: invalid CIDR block notation"}\n`,
    body({ Name: "x", IPAM: { Config: [{ Subnet: "foo" }] } }),
  ],
  [
    "POST",
    "/networks/create",
    400,
    `{"message":"invalid network config:\\n* invalid subnet 10.1.2.3/16: it should be 10.1.0.0/16\\n* invalid gateway 10.2.0.1: parent subnet 10.1.2.3/16 doesn't contain this address"}\n`,
    body({ Name: "x", IPAM: { Config: [{ Subnet: "10.1.2.3/16", Gateway: "10.2.0.1" }] } }),
  ],
  [
    "POST",
    "/networks/create",
    400,
    `{"message":"invalid network config:\\n* invalid ip-range 10.0.0.0/8: CIDR block is bigger than its parent subnet 10.10.0.0/16\\n* invalid gateway zz: invalid address"}\n`,
    body({ Name: "x", IPAM: { Config: [{ Subnet: "10.10.0.0/16", IPRange: "10.0.0.0/8", Gateway: "zz" }] } }),
  ],
  [
    "POST",
    "/networks/create",
    400,
    /invalid ip-range 192.168.0.0\/24: parent subnet 10.10.0.0\/16 doesn't contain ip-range/,
    body({ Name: "x", IPAM: { Config: [{ Subnet: "10.10.0.0/16", IPRange: "192.168.0.0/24" }] } }),
  ],
  [
    "POST",
    "/networks/create",
    400,
    /invalid gateway fd00::1: parent subnet is an IPv4 block/,
    body({ Name: "x", IPAM: { Config: [{ Subnet: "10.10.0.0/16", Gateway: "fd00::1" }] } }),
  ],
  // Remove: 204, and the service's refusals.
  ["DELETE", "/networks/bridge", 403, `{"message":"bridge is a pre-defined network and cannot be removed"}\n`],
  ["DELETE", "/networks/front", 409, `{"message":"error while removing network: network front id ${"d".repeat(64)} has active endpoints"}\n`],
  ["DELETE", "/networks/nope", 404, `{"message":"network nope not found"}\n`],
  // Connect/disconnect: 200 with no body; missing network or container is a 404.
  ["POST", "/networks/front/connect", 200, "", body({ Container: "c1", EndpointConfig: { Aliases: ["api"] } })],
  ["POST", "/networks/front/connect", 404, `{"message":"No such container: zz"}\n`, body({ Container: "zz" })],
  ["POST", "/networks/nope/connect", 404, `{"message":"network nope not found"}\n`, body({ Container: "c1" })],
  ["POST", "/networks/front/connect", 400, /Go struct field ConnectOptions.Container of type string/, body({ Container: 1 })],
  ["POST", "/networks/front/disconnect", 200, "", body({ Container: "c1", Force: true })],
  ["POST", "/networks/front/disconnect", 404, `{"message":"No such container: "}\n`, ""],
  // Prune: filters checked, the deleted names reported.
  ["POST", "/networks/prune", 200, `{"NetworksDeleted":["unused1"]}\n`],
  ["POST", `/networks/prune?filters=${encodeURIComponent('{"until":["1h"],"label!":["keep"]}')}`, 200, /unused1/],
  ["POST", `/networks/prune?filters=${encodeURIComponent('{"dangling":["true"]}')}`, 400, `{"message":"invalid filter 'dangling'"}\n`],
];

describe("API /networks", () => {
  let h: Harness;
  let server: ApiServer;
  let socketPath: string;
  const calls: Calls = {};
  const request = (method: string, urlPath: string, text?: string) =>
    httpRequest(socketPath, method, urlPath, text === undefined ? {} : { body: text, headers: { "Content-Type": "application/json" } });

  before(async () => {
    h = await startHarness();
    socketPath = path.join(h.dir, "networks.sock");
    server = createApiServer({ ...h.backends, networks: networksFake(calls) });
    await server.listen(`unix://${socketPath}`);
  });
  after(async () => {
    await server.close();
    await h.close();
  });

  for (const [method, urlPath, status, expected, reqBody] of rows) {
    test(`${method} ${urlPath} ${reqBody ?? ""} → ${status}`, async () => {
      const res = await request(method, urlPath, reqBody);
      assert.equal(res.status, status, res.text);
      if (typeof expected === "string") assert.equal(res.text, expected);
      else assert.match(res.text, expected);
    });
  }

  test("the list filters reach the backend parsed", async () => {
    await request("GET", `/networks?filters=${encodeURIComponent('{"name":["fr"],"label":["a=b"]}')}`);
    assert.deepEqual(calls.listFilters, new Map([["name", ["fr"]], ["label", ["a=b"]]]));
  });

  test("create passes the whole body on", async () => {
    const sent = { Name: "withipam", Driver: "bridge", Internal: true, Options: { "com.docker.network.bridge.name": "brx" }, IPAM: { Driver: "default", Config: [{ Subnet: "10.20.0.0/16", IPRange: "10.20.1.0/24", Gateway: "10.20.0.254" }] } };
    const res = await request("POST", "/networks/create", body(sent));
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(calls.created, sent);
  });

  test("older clients get IPAM problems as a warning, not a 400", async () => {
    const res = await request("POST", "/v1.43/networks/create", body({ Name: "legacy", IPAM: { Config: [{ Subnet: "10.30.1.1/16" }] } }));
    assert.equal(res.status, 201, res.text);
    assert.equal(JSON.parse(res.text).Warning, "invalid network config:\ninvalid subnet 10.30.1.1/16: it should be 10.30.0.0/16");
  });

  test("connect hands the endpoint config to the backend; disconnect its force flag", async () => {
    await request("POST", "/networks/front/connect", body({ Container: "c1", EndpointConfig: { Aliases: ["api"], IPAMConfig: { IPv4Address: "10.0.0.9" } } }));
    assert.deepEqual(calls.connected, { network: "front", container: "c1", settings: { Aliases: ["api"], IPAMConfig: { IPv4Address: "10.0.0.9" } } });
    await request("POST", "/networks/front/connect", body({ Container: "c1" }));
    assert.deepEqual(calls.connected, { network: "front", container: "c1", settings: undefined });
    await request("POST", "/networks/front/disconnect", body({ Container: "c1" }));
    assert.deepEqual(calls.disconnected, { network: "front", container: "c1", force: false });
  });

  test("an IPv6 subnet is ignored without EnableIPv6 and checked with it", async () => {
    const v6 = { Config: [{ Subnet: "fd00:1::5/64" }] };
    assert.equal((await request("POST", "/networks/create", body({ Name: "v6off", IPAM: v6 }))).status, 201);
    const res = await request("POST", "/networks/create", body({ Name: "v6on", EnableIPv6: true, IPAM: v6 }));
    assert.equal(res.status, 400);
    assert.match(res.text, /invalid subnet fd00:1::5\/64: it should be fd00:1::\/64/);
  });
});
