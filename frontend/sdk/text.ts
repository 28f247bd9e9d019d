// Small text helpers the widget uses everywhere.

const encoder = new TextEncoder();

/** UTF-8 bytes, as the server counts its limits. */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** At most `n` UTF-16 units. */
export function cap(text: string, n: number): string {
  return text.length > n ? text.slice(0, n) : text;
}

/** Whitespace folded, trimmed. */
export function squash(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
