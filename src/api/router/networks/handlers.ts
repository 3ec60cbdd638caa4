// Network endpoints: parse the request, validate, call the backend, write the
// answer. Failures carry their kind (api/errors.ts maps it to a status).
import { InvalidArgumentError, NotFoundError } from "../../../errors.js";
import { ipamProblems } from "../../../network/ipam-problems.js";
import { checkFilterKeys, parseFilters } from "../../../oci/filters.js";
import type { EndpointSettings, NetworkCreateBody } from "../../types/index.js";
import type { RequestContext } from "../../router.js";
import { goTypeName, readJsonObject } from "../../body.js";
import { checkFields } from "../../fields.js";
import { writeJson, writeNoContent } from "../../respond.js";
import { versionAtLeast } from "../../versions.js";
import type { NetworksBackend } from "./backend.js";

/** The keys GET /networks understands (dockerd's network.ValidateFilters). */
const LIST_FILTERS = ["dangling", "driver", "id", "label", "name", "scope", "type"] as const;

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's strconv.ParseBool, which dockerd applies to `verbose` (stricter than the usual BoolValue). */
function verboseParam(query: URLSearchParams): boolean {
  const raw = query.get("verbose");
  if (raw === null || raw === "") return false;
  if (GO_TRUE.has(raw)) return true;
  if (GO_FALSE.has(raw)) return false;
  throw new InvalidArgumentError(`invalid value for verbose: ${raw}: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
}

function parseCreateBody(raw: Record<string, unknown>): NetworkCreateBody {
  const body = checkFields(
    raw,
    {
      Name: "string",
      Driver: "string",
      Scope: "string",
      Internal: "bool",
      Attachable: "bool",
      Ingress: "bool",
      ConfigOnly: "bool",
      EnableIPv6: "bool",
      CheckDuplicate: "bool",
      IPAM: "object",
      Options: "labels",
      Labels: "labels",
    },
    "CreateRequest",
  );
  if (body.IPAM) {
    const ipam = checkFields(body.IPAM as Record<string, unknown>, { Driver: "string", Config: "array", Options: "labels" }, "IPAM");
    for (const cfg of (ipam.Config as unknown[] | undefined) ?? []) {
      if (typeof cfg !== "object" || cfg === null) throw new InvalidArgumentError(`json: cannot unmarshal ${goTypeName(cfg)} into Go struct field IPAM.Config of type network.IPAMConfig`);
      checkFields(cfg as Record<string, unknown>, { Subnet: "string", IPRange: "string", Gateway: "string", AuxiliaryAddresses: "labels" }, "IPAMConfig");
    }
  }
  // libnetwork's ErrInvalidName: a network needs a name.
  if (!body.Name) throw new InvalidArgumentError("invalid name: ");
  return body as unknown as NetworkCreateBody;
}

/** The container named in a connect/disconnect body. */
function containerOf(body: Record<string, unknown>, struct: string): string {
  const checked = checkFields(body, { Container: "string", Force: "bool", EndpointConfig: "object" }, struct);
  return (checked.Container as string | undefined) ?? "";
}

export function networkHandlers(backend: NetworksBackend) {
  return {
    async list({ res, query }: RequestContext): Promise<void> {
      const filters = parseFilters(query.get("filters"));
      checkFilterKeys(filters, LIST_FILTERS);
      writeJson(res, 200, backend.list(filters));
    },

    async inspect({ res, params, query }: RequestContext): Promise<void> {
      verboseParam(query);
      // berth's networks are all local: asking for another scope finds nothing, as in dockerd.
      const scope = query.get("scope");
      if (scope && scope !== "local") throw new NotFoundError(`network ${params.id} not found`);
      writeJson(res, 200, backend.inspect(params.id));
    },

    async create(ctx: RequestContext): Promise<void> {
      const body = parseCreateBody((await readJsonObject(ctx, { optional: true })) ?? {});
      const warnings: string[] = [];
      const problems = ipamProblems(body.IPAM, body.EnableIPv6 ?? false);
      if (problems) {
        // API < 1.44 never validated IPAM here: older clients get a warning instead of a 400, as from dockerd.
        if (versionAtLeast(ctx.version, "1.44")) throw new InvalidArgumentError(problems);
        warnings.push(problems);
      }
      const created = await backend.create(body);
      const warning = [created.Warning, ...warnings].filter((w) => w).join(" ; ");
      writeJson(ctx.res, 201, { Id: created.Id, Warning: warning });
    },

    async remove({ res, params }: RequestContext): Promise<void> {
      await backend.remove(params.id);
      writeNoContent(res);
    },

    async connect(ctx: RequestContext): Promise<void> {
      const body = (await readJsonObject(ctx, { optional: true })) ?? {};
      const container = containerOf(body, "ConnectOptions");
      await backend.connect(ctx.params.id, container, (body.EndpointConfig ?? undefined) as EndpointSettings | undefined);
      ctx.res.writeHead(200).end();
    },

    async disconnect(ctx: RequestContext): Promise<void> {
      const body = (await readJsonObject(ctx, { optional: true })) ?? {};
      const container = containerOf(body, "DisconnectOptions");
      await backend.disconnect(ctx.params.id, container, body.Force === true);
      ctx.res.writeHead(200).end();
    },

    async prune({ res, query }: RequestContext): Promise<void> {
      const filters = parseFilters(query.get("filters"));
      checkFilterKeys(filters, ["until", "label", "label!"]);
      writeJson(res, 200, { NetworksDeleted: await backend.prune(filters) });
    },
  };
}
