// Container names: Docker's "/name" form, its validation rule and wording, and
// random "adjective_surname" names for containers created without one.
import { randomInt } from "node:crypto";
import { ConflictError, InvalidArgumentError } from "../errors.js";

const adjectives = [
  "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "curious", "daring",
  "dreamy", "eager", "elated", "fervent", "festive", "fond", "gallant", "gentle", "glad", "happy",
  "hardy", "humble", "jolly", "keen", "kind", "lively", "lucid", "merry", "mellow", "modest",
  "nimble", "noble", "patient", "placid", "plucky", "proud", "quiet", "quirky", "radiant", "serene",
  "sharp", "silent", "snappy", "steady", "sunny", "swift", "tender", "upbeat", "vivid", "witty",
];

// Pioneers of computing, engineering and the sciences.
const surnames = [
  "agnesi", "babbage", "bartik", "bell", "boole", "borg", "cerf", "curie", "dijkstra", "easley",
  "euler", "faraday", "fermat", "feynman", "franklin", "gauss", "goldberg", "hamilton", "hopper", "hypatia",
  "johnson", "kepler", "knuth", "lamarr", "lamport", "liskov", "lovelace", "maxwell", "meitner", "mirzakhani",
  "morse", "newton", "noether", "pascal", "perlman", "ritchie", "shannon", "sinoussi", "somerville", "stallman",
  "tesla", "thompson", "torvalds", "turing", "vaughan", "wilson", "wing", "wozniak", "yalow", "zuse",
];

const validName = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Validates a user-given name and returns it in Docker's stored form "/name". */
export function normalizeName(name: string): string {
  if (!validName.test(name)) {
    throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith("/") ? name : `/${name}`;
}

/** A random "/adjective_surname" not taken; adds a digit suffix after repeated collisions, as Docker does. */
export function generateName(taken: (name: string) => boolean): string {
  for (let attempt = 0; attempt < 64; attempt++) {
    let name = `/${adjectives[randomInt(adjectives.length)]}_${surnames[randomInt(surnames.length)]}`;
    if (attempt >= 8) name += String(randomInt(10));
    if (!taken(name)) return name;
  }
  throw new ConflictError("could not generate a unique container name");
}

export function nameInUse(name: string, holderId: string): ConflictError {
  return new ConflictError(
    `Conflict. The container name "${name}" is already in use by container "${holderId}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}
