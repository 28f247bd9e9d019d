// Honest waits in words (docs/sdk.md, "Waiting"): "less than a minute", "about 6 min (4–8)",
// "about 2 min (up to 4)", "about 2 h (1½–3)"; and for screen readers, "about 6 minutes,
// between 4 and 8 minutes". Pure: the estimate in, the words out.

import { type Estimate } from "../shapes";

/** No one who could take the request is free now (the estimate has no mean): said instead of
 * "Chat now", which would promise what nobody is there to keep. */
export const NO_ONE = "No one is free to chat right now";

interface Part {
  /** Minutes, for comparing. */
  n: number;
  /** The unit written, and spoken. */
  u: string;
  s: string;
  /** The number as written. */
  t: string;
}

function waitParts(seconds: number): Part {
  if (seconds < 5400) {
    const m = Math.max(1, Math.round(seconds / 60));
    return { n: m, u: "min", s: m === 1 ? "minute" : "minutes", t: String(m) };
  }
  const x = Math.round(seconds / 1800) / 2;
  const whole = Math.floor(x);
  return { n: x * 60, u: "h", s: x === 1 ? "hour" : "hours", t: x % 1 ? `${whole || ""}½` : String(x) };
}

/** The wait in words; `speech` gives the words a screen reader should say instead. */
export function waitText(e: Pick<Estimate, "mean" | "low" | "high">, speech = false): string {
  const mean = Math.max(0, e.mean ?? 0);
  const low = typeof e.low === "number" ? Math.min(e.low, mean) : mean;
  const high = typeof e.high === "number" ? Math.max(e.high, mean) : mean;
  const unit = (p: Part) => (speech ? p.s : p.u);
  if (mean < 60) {
    if (high < 90) return "less than a minute";
    const hp = waitParts(high);
    return `less than a minute (up to ${hp.t} ${unit(hp)})`;
  }
  const m = waitParts(mean);
  const l = low < 30 ? null : waitParts(low);
  const hi = waitParts(high);
  const out = `about ${m.t} ${unit(m)}`;
  if (l && l.n === m.n && hi.n === m.n) return out;
  if (speech) return `${out}${l ? `, between ${l.t}${l.u === hi.u ? "" : ` ${unit(l)}`} and ` : ", up to "}${hi.t} ${unit(hi)}`;
  if (!l) return `${out} (up to ${hi.t}${hi.u === m.u ? "" : ` ${hi.u}`})`;
  const same = l.u === hi.u && hi.u === m.u;
  return `${out} (${l.t}${same ? "" : ` ${l.u}`}–${hi.t}${same ? "" : ` ${hi.u}`})`;
}

export function positionText(e: Estimate | null): string {
  const p = e?.position;
  if (typeof p !== "number" || p < 1) return "";
  return p === 1 ? "You're next in line." : `You're number ${Math.round(p)} in line.`;
}

export function hasEstimate(e: Estimate | null): e is Estimate & { mean: number } {
  return !!e && typeof e.mean === "number";
}

/** An honest "can't say": no one who could take the request is available now. */
export function unknownEstimate(e: Estimate | null): boolean {
  return !!e && e.mean === null;
}

/** The chat line of the waiting screen: "Chat now · about 6 min (4–8)"; with no one free, where
 * to wait (after the other choices when `others`: the callback or a slot is offered). */
export function chatLine(e: Estimate | null, others: boolean): string {
  if (hasEstimate(e)) return `Chat now · ${waitText(e)}`;
  if (!unknownEstimate(e)) return "";
  const wait = "we'll connect you as soon as someone is free.";
  return others ? `Or wait here: ${wait}` : `${NO_ONE}. Wait here: ${wait}`;
}

/** The heading of the other choices: why they are offered. */
export function choicesTitle(e: Estimate | null, callback: boolean): string {
  if (unknownEstimate(e)) return `${NO_ONE}.`;
  return callback ? "Rather not wait here?" : "Prefer another time?";
}

/** With no one free and another channel offered, the choices come first, the chat line after. */
export function leadWithChoices(e: Estimate | null, others: boolean): boolean {
  return others && unknownEstimate(e);
}

function minutes(seconds: number): number {
  return Math.max(1, Math.round(seconds / 60));
}

/** "within 4–8 min": the range of the estimate the customer sees now. */
export function within(e: Estimate | null): string {
  if (!e || typeof e.high !== "number") return "";
  if (e.high >= 5400) return `in ${waitText(e)}`;
  const hi = minutes(e.high);
  const lo = typeof e.low === "number" && e.low >= 30 ? minutes(e.low) : 0;
  if (hi <= 1) return "within a minute";
  return `within ${lo && lo < hi ? `${lo}–` : ""}${hi} min`;
}

/** What was last said to screen readers: the rounded minutes, and whether they were next. */
export interface Spoken {
  b: number;
  next: boolean;
}

/**
 * Whether a new estimate is worth saying: the minutes move by 2 or a quarter, it drops under a
 * minute, or the customer is next; at most every 20 s, except for "you're next".
 */
export function worthSaying(e: Estimate & { mean: number }, last: Spoken | null, lastAt: number, now: number): Spoken | null {
  const b = e.mean < 60 ? 0 : Math.round(e.mean / 60);
  const next = e.position === 1;
  const becameNext = next && !last?.next;
  const meaningful = !last || (b === 0) !== (last.b === 0) || becameNext || Math.abs(b - last.b) >= Math.max(2, last.b * 0.25);
  if (!meaningful || (last && !becameNext && now - lastAt < 20000)) return null;
  return { b, next };
}
