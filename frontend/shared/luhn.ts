// Card numbers never leave the device, however they are written (docs/security.md, "Card
// numbers"): 13-19 digits passing Luhn, in groups joined by one to three separators of any
// kind (spaces, no-break spaces, tabs, newlines, dots, slashes, underscores, dashes, their
// fullwidth forms), with invisible marks (zero-width spaces, soft hyphens) anywhere, glued to
// letters or not, in digits of any script. As on the server (sanitize.redact_cards): the text
// is mapped to a same-length "shadow" (a digit, " " for a separator, "~" for an invisible
// mark, "x" for anything else) and every window of whole digit groups is checked.

export const CARD_REMOVED = "[card number removed]";

/** The Luhn check of a string of ASCII digits. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const RE_DIGIT = /^\p{Nd}$/u;
const RE_DASH = /^\p{Pd}$/u;
const RE_INVISIBLE = /^\p{Cf}$/u;
const RE_MARKS = /[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]/;
const SEPARATOR_FOLDS = new Set([".", "/", "_", "-"]);
const SHADOW_CACHE_MAX = 5000;
const shadows = new Map<number, string>();

// The value of a decimal digit of any script: Unicode keeps them in runs of ten from zero.
function digitValue(code: number): number {
  let zero = code;
  while (zero > 0 && code - zero < 60 && RE_DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
  return (code - zero) % 10;
}

function nfkc(ch: string): string {
  try {
    return ch.normalize("NFKC");
  } catch {
    return ch;
  }
}

function shadowChar(ch: string, code: number): string {
  if (code >= 48 && code <= 57) return ch;
  if (code < 128) return SEPARATOR_FOLDS.has(ch) || /\s/.test(ch) ? " " : "x";
  const known = shadows.get(code);
  if (known) return known;
  const folded = nfkc(ch);
  let s: string;
  if (folded.length === 1 && folded >= "0" && folded <= "9") s = folded;
  else if (RE_DIGIT.test(ch)) s = String(digitValue(code));
  else if (/\s/.test(ch) || RE_DASH.test(ch) || SEPARATOR_FOLDS.has(folded)) s = " ";
  else if (RE_INVISIBLE.test(ch) || RE_MARKS.test(ch)) s = "~";
  else s = "x";
  if (shadows.size < SHADOW_CACHE_MAX) shadows.set(code, s);
  return s;
}

/** Same length as the text: a character outside the BMP takes two places ("~" pads it). */
export function shadowOf(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i) ?? 0;
    out += shadowChar(String.fromCodePoint(code), code);
    if (code > 0xffff) {
      out += "~";
      i++;
    }
  }
  return out;
}

const CARD_RUN = /[0-9](?:~*[0-9])*(?:~*(?: ~*){1,3}[0-9](?:~*[0-9])*)*/g;
const CARD_GROUP = /[0-9](?:~*[0-9])*/g;

interface Group {
  start: number;
  end: number;
  digits: string;
}

function groupsOf(part: string, offset: number): Group[] {
  const groups: Group[] = [];
  for (const g of part.matchAll(CARD_GROUP)) {
    const start = offset + (g.index ?? 0);
    groups.push({ start, end: start + g[0].length, digits: g[0].replace(/~/g, "") });
  }
  return groups;
}

/**
 * [start, end) spans of the card numbers in the text: from each digit group, the longest
 * window of whole groups holding 13-19 digits that passes Luhn.
 */
export function cardSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (text.length < 13) return spans;
  for (const run of shadowOf(text).matchAll(CARD_RUN)) {
    const groups = groupsOf(run[0], run.index ?? 0);
    let first = 0;
    while (first < groups.length) {
      let digits = "";
      let last = -1;
      for (let j = first; j < groups.length; j++) {
        digits += groups[j]?.digits ?? "";
        if (digits.length > 19) break;
        if (digits.length >= 13 && luhn(digits)) last = j;
      }
      const a = groups[first];
      const b = groups[last];
      if (last < 0 || !a || !b) {
        first++;
        continue;
      }
      // A last digit outside the BMP ends after its low surrogate (the shadow's "~" pad).
      const high = text.charCodeAt(b.end - 1);
      spans.push([a.start, high >= 0xd800 && high <= 0xdbff ? b.end + 1 : b.end]);
      first = last + 1;
    }
  }
  return spans;
}

export function hasCard(text: string): boolean {
  return cardSpans(text).length > 0;
}

/** The text with every card number replaced by "[card number removed]". */
export function redactCards(text: string): string {
  const spans = cardSpans(text);
  let out = text;
  for (let i = spans.length - 1; i >= 0; i--) {
    const span = spans[i];
    if (span) out = out.slice(0, span[0]) + CARD_REMOVED + out.slice(span[1]);
  }
  return out;
}

/** A number that is a card (as an integer, however large) is sent as text, removed. */
export function isCardNumber(value: number): boolean {
  return Number.isInteger(value) && Math.abs(value) >= 1e12 && hasCard(String(Math.abs(value)));
}
