// A light TOML check run before the rules are sent: only mistakes that are certain (a broken
// table header, a line that is neither a key = value nor part of one, an unclosed string or
// bracket). The server parses for real and checks the meaning; this saves a round trip.

/** A problem on a line (1-based), as the server reports them too. */
export interface LineError {
  line: number;
  message: string;
}

/** What a scan carries from line to line. */
interface Scan {
  /** Open [ and { across lines (multi-line arrays). */
  depth: number;
  /** Where the outermost open bracket was opened. */
  openedAt: number;
  /** The delimiter of an open multi-line string. */
  multi: string | null;
  errors: LineError[];
}

const HEADER = /^\[\[?\s*[A-Za-z0-9_."' -]+\s*\]\]?\s*(#.*)?$/;
const DOUBLE_CLOSE = /\]\]\s*(#.*)?$/;
const KEY = /^[A-Za-z0-9_."' -]+=/;
const NO_VALUE = /=\s*(#.*)?$/;

/** [{line, message}] for `text`; empty when nothing certain is wrong. */
export function lintToml(text: string): LineError[] {
  const scan: Scan = { depth: 0, openedAt: 0, multi: null, errors: [] };
  const lines = text.split("\n");
  lines.forEach((raw, i) => scanLine(scan, raw, i + 1));
  if (scan.multi) scan.errors.push({ line: lines.length, message: `A multi-line string (${scan.multi}) is never closed.` });
  if (scan.depth > 0) scan.errors.push({ line: scan.openedAt, message: "A bracket opened here is never closed." });
  return scan.errors;
}

/** One line: the end of an open multi-line string, a header, or key = value. */
function scanLine(scan: Scan, raw: string, line: number): void {
  let s = raw;
  if (scan.multi) {
    const end = s.indexOf(scan.multi);
    if (end < 0) return;
    s = s.slice(end + 3);
    scan.multi = null;
  }
  const trimmed = s.trim();
  if (!trimmed || trimmed.startsWith("#")) return;
  const error = (message: string): void => {
    scan.errors.push({ line, message });
  };
  if (scan.depth === 0 && trimmed.startsWith("[")) {
    if (!HEADER.test(trimmed) || trimmed.startsWith("[[") !== DOUBLE_CLOSE.test(trimmed)) {
      error("This table header is not closed properly: write [name] or [[name]].");
    }
    return;
  }
  if (scan.depth === 0 && !KEY.test(trimmed)) return error("Expected key = value here.");
  if (scan.depth === 0 && NO_VALUE.test(trimmed)) return error("This key has no value.");
  walk(scan, s, line);
}

/** Walk the characters for strings and brackets. */
function walk(scan: Scan, s: string, line: number): void {
  for (let k = 0; k < s.length; k += 1) {
    const c = s[k];
    if (c === "#") break;
    if (c === '"' || c === "'") {
      const triple = c.repeat(3);
      if (s.startsWith(triple, k)) {
        const close = s.indexOf(triple, k + 3);
        if (close < 0) {
          scan.multi = triple;
          break;
        }
        k = close + 2;
        continue;
      }
      let j = k + 1;
      while (j < s.length && s[j] !== c) j += c === '"' && s[j] === "\\" ? 2 : 1;
      if (j >= s.length) {
        scan.errors.push({ line, message: "This string is not closed on its line." });
        break;
      }
      k = j;
    } else if (c === "[" || c === "{") {
      if (scan.depth === 0) scan.openedAt = line;
      scan.depth += 1;
    } else if (c === "]" || c === "}") {
      scan.depth -= 1;
      if (scan.depth < 0) {
        scan.errors.push({ line, message: `An extra "${c}" with nothing to close.` });
        scan.depth = 0;
      }
    }
  }
}

/** The short reference beside the editor (after docs/subsystems/routing.md): [kind, text]. */
export const REFERENCE: ReadonlyArray<readonly ["p" | "code", string]> = [
  ["p", "Rules are tried in order; the first whose when holds gives the request its queue, what the specialist needs, and a priority. [default] is required: it takes what no rule matches."],
  ["code", `[[rule]]
name = "booking payment"
when = 'flow == "booking" and step == "payment"'
queue = "Payments"
skills = { payments = 3 }
authority = ["refund_limit >= context.data.credits"]
priority = 5

[default]
queue = "General"

[tiers]          # verified tier claim -> priority
gold = 20`],
  ["p", "when compares flow, step, data.<key> or claims.<key> (verified claims only) with a number, a quoted string, true or false: == != < <= > >=, joined by and, or, not and parentheses. Quote strings inside the condition."],
  ["p", "skills are minimum levels 1–5 beyond the queue's own skill. authority compares a specialist's attributes (set under Specialists) with a value or a context value; written { require = \"…\", widen = true } it may be dropped once the queue widens to anyone."],
  ["p", "queue names a queue as it is called under Queues; set each queue's priority, stickiness, widening and fallback there. The whole format is in docs/subsystems/routing.md."],
];
