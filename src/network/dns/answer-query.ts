// What the DNS server does with one request, decided without any I/O: answer
// it from the network's name table, hand it to the upstreams, answer with an
// error code, or drop it. Kept pure so that every rule is testable without
// sockets, and cheap: a lookup sits on the path of every container-to-container
// connection, so a request is decoded once and a local answer encoded once.
import dnsPacket from "dns-packet";
import type { Answer, DecodedPacket, Packet, Question } from "dns-packet";
import type { NameTable } from "./dns-server.js";

/** Docker's embedded DNS answers with this TTL (moby libnetwork resolver respTTL). */
export const LOCAL_TTL = 600;

/** RCODE values (RFC 1035 §4.1.1); dns-packet carries them in the low bits of `flags`. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NOTIMP: 4 } as const;

/** The largest UDP answer a client without EDNS accepts (RFC 1035 §4.2.1). */
const CLASSIC_UDP_SIZE = 512;

export type Decision =
  | { kind: "answer"; response: Buffer }
  /** Not ours: the raw request goes to the upstreams unchanged, so their answer already carries the client's ID. */
  | { kind: "forward"; request: Packet }
  /** Not answerable at all (shorter than a header, or itself a response): silence, as any resolver does. */
  | { kind: "drop" };

/** The request as dns-packet decodes it, with the header fields its typings leave out. */
type Request = DecodedPacket & { opcode?: string };

export function answerQuery(raw: Buffer, names: NameTable, opts: { transport: "udp" | "tcp" }): Decision {
  let request: Request;
  try {
    request = dnsPacket.decode(raw) as Request;
  } catch {
    // Garbage past a well-formed header still earns a FORMERR with the client's ID, so it stops waiting.
    if (raw.length < 12 || isResponse(raw)) return { kind: "drop" };
    return { kind: "answer", response: reply({ id: raw.readUInt16BE(0), flags: 0 }, [], { rcode: RCODE.FORMERR }) };
  }
  if (request.flag_qr) return { kind: "drop" };
  if (request.opcode !== "QUERY") return { kind: "answer", response: reply(request, request.questions ?? [], { rcode: RCODE.NOTIMP }) };
  const questions = request.questions ?? [];
  if (questions.length !== 1) return { kind: "answer", response: reply(request, questions, { rcode: RCODE.FORMERR }) };

  const question = questions[0]!;
  const answers = localAnswers(question, names);
  if (!answers) return { kind: "forward", request };
  const limit = opts.transport === "udp" ? udpLimit(request) : Infinity;
  return { kind: "answer", response: reply(request, questions, { answers, authoritative: true, limit }) };
}

/** The name as the table keys it: lower case, without the root's trailing dot. */
export function tableName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/**
 * The answers for a question this network owns, or undefined when it is not
 * ours. A name in the table is never forwarded: types other than A get an
 * empty NOERROR (no IPv6 on berth's networks), as Docker's resolver gives for AAAA.
 */
function localAnswers(question: Question, names: NameTable): Answer[] | undefined {
  const name = tableName(question.name);
  if (question.type === "PTR") {
    const ip = reverseIpv4(name);
    const owner = ip === undefined ? undefined : names.reverse(ip);
    if (owner !== undefined) return [{ type: "PTR", name: question.name, ttl: LOCAL_TTL, data: owner }];
  }
  const ips = names.lookup(name);
  if (ips.length === 0) return undefined;
  if (question.type !== "A") return [];
  return shuffled(ips).map((ip) => ({ type: "A", name: question.name, ttl: LOCAL_TTL, data: ip }));
}

/** Several containers sharing an alias are handed out in random order, as Docker does, so clients that take the first spread out. */
function shuffled(ips: string[]): string[] {
  if (ips.length < 2) return ips;
  const out = [...ips];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** "4.3.2.1.in-addr.arpa" → "1.2.3.4"; undefined for anything else (ip6.arpa included). */
function reverseIpv4(name: string): string | undefined {
  const suffix = ".in-addr.arpa";
  if (!name.endsWith(suffix)) return undefined;
  const octets = name.slice(0, -suffix.length).split(".");
  if (octets.length !== 4 || !octets.every((o) => /^(0|[1-9][0-9]{0,2})$/.test(o) && Number(o) <= 255)) return undefined;
  return octets.reverse().join(".");
}

/** A UDP answer may be as large as the client's EDNS payload size says, never below the classic 512 bytes. */
function udpLimit(request: Packet): number {
  const opt = request.additionals?.find((a) => a.type === "OPT");
  return opt && "udpPayloadSize" in opt ? Math.max(CLASSIC_UDP_SIZE, opt.udpPayloadSize) : CLASSIC_UDP_SIZE;
}

/** An answer that cannot reach the client whole over UDP goes out empty with TC set, which sends the client to TCP. */
export function reply(
  request: Pick<Packet, "id" | "flags">,
  questions: Question[],
  opts: { rcode?: number; answers?: Answer[]; authoritative?: boolean; limit?: number },
): Buffer {
  const flags =
    ((request.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
    dnsPacket.RECURSION_AVAILABLE |
    (opts.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    (opts.rcode ?? RCODE.NOERROR);
  const packet: Packet = { type: "response", id: request.id ?? 0, flags, questions, answers: opts.answers ?? [] };
  const encoded = dnsPacket.encode(packet);
  if (encoded.length <= (opts.limit ?? Infinity)) return encoded;
  return dnsPacket.encode({ ...packet, flags: flags | dnsPacket.TRUNCATED_RESPONSE, answers: [] });
}

/** The QR bit of a raw header: responses are never answered, or two servers could ping-pong forever. */
function isResponse(raw: Buffer): boolean {
  return (raw[2]! & 0x80) !== 0;
}
