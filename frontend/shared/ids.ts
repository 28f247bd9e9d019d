// Client-made ids (protocol.md, "Client-made ids"): a UUID v4 for every write frame.

/** The parts of Crypto used here, so tests can pass their own. */
export interface RandomSource {
  randomUUID?: () => string;
  getRandomValues?: <T extends Uint8Array<ArrayBuffer>>(array: T) => T;
}

function source(): RandomSource | undefined {
  return typeof globalThis.crypto === "object" ? globalThis.crypto : undefined;
}

/**
 * A UUID v4. crypto.randomUUID exists only in secure contexts, so plain http on a LAN address
 * falls back on getRandomValues, and a browser with neither on Math.random: these ids tell
 * writes apart for de-duplication, they are not secrets.
 */
export function newId(c: RandomSource | undefined = source()): string {
  if (c && typeof c.randomUUID === "function") {
    try {
      return c.randomUUID();
    } catch {
      /* not a secure context after all */
    }
  }
  const b = new Uint8Array(16);
  if (c && typeof c.getRandomValues === "function") c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `bytes` random bytes as base64url, or null without getRandomValues: a secret must never be
 * guessable, so there is no Math.random fallback here.
 */
export function randomToken(bytes: number, c: RandomSource | undefined = source()): string | null {
  if (!c || typeof c.getRandomValues !== "function") return null;
  const b = c.getRandomValues(new Uint8Array(bytes));
  let text = "";
  for (const x of b) text += String.fromCharCode(x);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
