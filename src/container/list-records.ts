// The container records as ps reads them. ps reads every container each
// time, and parsing every record (a kilobyte of JSON each) on every listing
// was most of its cost with a thousand containers. Each record stays parsed,
// per records store, until its version moves on (records.versions()); the
// table is asked only for the IDs and the records that changed.
import type { ContainerRecord, Records } from "./records.js";

interface Parsed {
  rec: ContainerRecord;
  version: number;
}

const parsedBy = new WeakMap<Records, Map<string, Parsed>>();

/** Every record, newest first, as records.list(); shared with the next listing: read them, never change them. */
export function listRecords(records: Records): ContainerRecord[] {
  const versions = records.versions();
  const before = parsedBy.get(records) ?? parseAll(records, versions);
  const kept = new Map<string, Parsed>();
  for (const [id, version] of versions) {
    const parsed = before.get(id);
    kept.set(id, parsed?.version === version ? parsed : { rec: records.get(id), version });
  }
  parsedBy.set(records, kept);
  return [...kept.values()].map((p) => p.rec);
}

/** The first listing parses every record from one query rather than one by one. */
function parseAll(records: Records, versions: Map<string, number>): Map<string, Parsed> {
  return new Map(records.list().map((rec) => [rec.id, { rec, version: versions.get(rec.id) ?? 0 }]));
}
