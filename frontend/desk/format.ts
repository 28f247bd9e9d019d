// Formatting and the server clock. Pure functions, no DOM.

import type { DeadEndCause, Disposition, RequestState } from "./protocol";

let clockSkew = 0; // server time minus local time, in ms

/** Learn the server's clock from an HTTP Date header (1 s resolution); ignore small skews. */
export function learnServerClock(dateHeader: string | null | undefined): void {
  const server = Date.parse(dateHeader || "");
  if (!Number.isFinite(server)) return;
  const skew = server - Date.now();
  clockSkew = Math.abs(skew) > 2000 ? skew : 0;
}

/** "Now" on the server's clock, in epoch ms: countdowns compare against this. */
export function serverNow(): number {
  return Date.now() + clockSkew;
}

const encoder = new TextEncoder();
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

const isTime = (ms: unknown): ms is number => typeof ms === "number" && Number.isFinite(ms) && ms > 0;

export function clockTime(ms: unknown): string {
  return isTime(ms) ? timeFmt.format(new Date(ms)) : "";
}

export function fullTime(ms: unknown): string {
  return isTime(ms) ? fullFmt.format(new Date(ms)) : "";
}

export function isoTime(ms: unknown): string {
  return isTime(ms) ? new Date(ms).toISOString() : "";
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** "just now", "4 min ago", "2 h ago". */
export function ago(ms: number): string {
  const d = serverNow() - ms;
  if (!Number.isFinite(d)) return "";
  if (d < 45_000) return "just now";
  if (d < 3_600_000) return `${Math.round(d / 60_000)} min ago`;
  if (d < 86_400_000) return `${Math.round(d / 3_600_000)} h ago`;
  return clockTime(ms);
}

/** A plain object (a context, its data): anything else the app sent is not one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Any context value as one line of text (objects become compact JSON). */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Journey props as "flight: SW 214 · fare: 412". */
export function propsText(props: unknown): string {
  if (!props || typeof props !== "object") return props ? valueText(props) : "";
  return Object.entries(props)
    .map(([k, v]) => `${k}: ${valueText(v)}`)
    .join(" · ");
}

export function initials(name: unknown): string {
  const parts = String(name || "?").trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

/** Clip long hostile strings for one-line places (the full text stays in a title). */
export function clip(text: unknown, max = 140): string {
  const s = String(text ?? "");
  if (s.length <= max) return s;
  let cut = max - 1;
  // Never cut a surrogate pair in two: half an emoji would show as a broken character.
  const last = s.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${s.slice(0, cut)}…`;
}

export const DISPOSITIONS: Record<Disposition, string> = {
  resolved: "Resolved",
  resolved_with_followup: "Resolved, follow-up needed",
  not_resolved: "Not resolved",
  duplicate: "Duplicate",
};

export const STATES: Partial<Record<RequestState, string>> = {
  new: "New",
  waiting: "Waiting",
  offered: "Offered",
  connected: "Connected",
  resolved: "Resolved",
  cancelled: "Cancelled by customer",
  dead_end: "Dead end",
};

/** table[key] for a key the table really has (not one from Object.prototype). */
function lookup<K extends string, V>(table: Partial<Record<K, V>>, key: string | null | undefined): V | undefined {
  return key && Object.prototype.hasOwnProperty.call(table, key) ? table[key as K] : undefined;
}

/** A disposition in words, or "" for one this desk doesn't know. */
export function dispositionLabel(disposition: string | null | undefined): string {
  return lookup(DISPOSITIONS, disposition) || "";
}

export function stateLabel(state: string | null | undefined): string {
  return lookup(STATES, state) || String(state || "Unknown");
}

export function causeLabel(cause: DeadEndCause | string | null | undefined): string {
  return cause ? String(cause).replace(/_/g, " ") : "";
}
