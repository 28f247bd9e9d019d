// Times in the customer's own zone: "Today", "Tomorrow", "Tue, Nov 24"; "tomorrow at 08:00".

import { fmtTime } from "../controls";

export function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

export function zoneName(tz: string): string {
  return tz.replace(/_/g, " ");
}

/** A key for the local day of `ms`. */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

export function dayLabel(ms: number, long = false): string {
  const d = new Date(ms);
  const today = new Date();
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  const rel = dayOf(ms) === dayOf(today.getTime()) ? "Today" : dayOf(ms) === dayOf(tomorrow.getTime()) ? "Tomorrow" : "";
  try {
    const date = d.toLocaleDateString(
      [],
      long ? { weekday: "long", day: "numeric", month: "long" } : { weekday: "short", day: "numeric", month: "short" },
    );
    return rel ? (long ? `${rel}, ${date}` : rel) : date;
  } catch {
    return rel || d.toDateString();
  }
}

/** "Tomorrow, Monday, November 23, 10:15–10:30". */
export function span(start: number, end: number | null = null): string {
  return `${dayLabel(start, true)}, ${fmtTime(start)}${end ? `–${fmtTime(end)}` : ""}`;
}

/** "today at 08:00", "tomorrow at 08:00", "on Monday, November 23 at 08:00". */
export function whenBack(ms: number): string {
  const rel = dayOf(ms) === dayOf(Date.now()) ? "today" : dayLabel(ms) === "Tomorrow" ? "tomorrow" : `on ${dayLabel(ms, true)}`;
  return `${rel} at ${fmtTime(ms)}`;
}
