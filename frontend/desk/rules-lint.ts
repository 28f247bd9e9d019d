// A light TOML check run before the rules are sent: only mistakes that are certain (a broken
// table header, a line that is neither a key = value nor part of one, an unclosed string or
// bracket). The server parses for real and checks the meaning; this saves a round trip.

/** [{line, message}] for `text`; empty when nothing certain is wrong. */
export function lintToml(text) {
  const errors = [];
  let depth = 0; // open [ and { across lines (multi-line arrays)
  let openedAt = 0;
  let multi = null; // the delimiter of an open multi-line string
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = i + 1;
    let s = raw;
    if (multi) {
      const end = s.indexOf(multi);
      if (end < 0) return;
      s = s.slice(end + 3);
      multi = null;
    }
    const trimmed = s.trim();
    if (!trimmed || trimmed.startsWith("#")) return;
    if (depth === 0 && trimmed.startsWith("[")) {
      if (!/^\[\[?\s*[A-Za-z0-9_."' -]+\s*\]\]?\s*(#.*)?$/.test(trimmed) || (trimmed.startsWith("[[") !== /\]\]\s*(#.*)?$/.test(trimmed))) {
        errors.push({ line, message: "This table header is not closed properly: write [name] or [[name]]." });
      }
      return;
    }
    if (depth === 0 && !/^[A-Za-z0-9_."' -]+=/.test(trimmed)) {
      errors.push({ line, message: "Expected key = value here." });
      return;
    }
    if (depth === 0 && /=\s*(#.*)?$/.test(trimmed)) {
      errors.push({ line, message: "This key has no value." });
      return;
    }
    // Walk the characters for strings and brackets.
    for (let k = 0; k < s.length; k += 1) {
      const c = s[k];
      if (c === "#") break;
      if (c === '"' || c === "'") {
        if (s.startsWith(c.repeat(3), k)) {
          const close = s.indexOf(c.repeat(3), k + 3);
          if (close < 0) {
            multi = c.repeat(3);
            break;
          }
          k = close + 2;
          continue;
        }
        let j = k + 1;
        while (j < s.length && s[j] !== c) j += c === '"' && s[j] === "\\" ? 2 : 1;
        if (j >= s.length) {
          errors.push({ line, message: "This string is not closed on its line." });
          break;
        }
        k = j;
      } else if (c === "[" || c === "{") {
        if (depth === 0) openedAt = line;
        depth += 1;
      } else if (c === "]" || c === "}") {
        depth -= 1;
        if (depth < 0) {
          errors.push({ line, message: `An extra "${c}" with nothing to close.` });
          depth = 0;
        }
      }
    }
  });
  if (multi) errors.push({ line: lines.length, message: `A multi-line string (${multi}) is never closed.` });
  if (depth > 0) errors.push({ line: openedAt, message: "A bracket opened here is never closed." });
  return errors;
}

/** The short reference beside the editor (after docs/subsystems/routing.md): [kind, text]. */
export const REFERENCE = [
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
