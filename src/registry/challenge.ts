// WWW-Authenticate parsing (RFC 7235): one header may carry several
// challenges ("Bearer realm=\"…\",service=\"…\", Basic realm=\"…\"") and a
// response may carry several headers.

export interface Challenge {
  /** Lower-cased: "basic", "bearer". */
  scheme: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
}

export function parseChallenges(headers: readonly string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const header of headers ?? []) out.push(...parseHeader(header));
  return out;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

function parseHeader(s: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const skip = (chars: RegExp): void => {
    while (i < s.length && chars.test(s[i]!)) i++;
  };
  while (i < s.length) {
    skip(/[\s,]/);
    const scheme = TOKEN.exec(s.slice(i))?.[0];
    if (!scheme) break;
    i += scheme.length;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    // Parameters until the next token that is not followed by "=", which starts a new challenge.
    for (;;) {
      skip(/[\s,]/);
      const name = TOKEN.exec(s.slice(i))?.[0];
      if (!name) break;
      const after = s.slice(i + name.length).match(/^\s*=\s*/);
      if (!after) break;
      i += name.length + after[0].length;
      let value = "";
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === "\\" && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        const token = /^[^\s,]*/.exec(s.slice(i))![0];
        value = token;
        i += token.length;
      }
      challenge.params[name.toLowerCase()] = value;
    }
  }
  return out;
}
