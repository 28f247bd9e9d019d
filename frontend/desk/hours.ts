// Weekly hours editor (queues' business hours and specialists' weekly shifts), the list of
// closed dates, and dated special hours (a date open with other intervals than its weekday).
// Shape: {"mon": [["08:00", "20:00"], …], …}; a day with no interval is closed.
// As in the engine (engine/hours.py): an end before the start runs past midnight
// ("22:00"–"02:00"), and "24:00" ends at midnight. A time input can't show 24:00,
// so it shows 00:00 and is read back as 24:00.

import { h, icon, render } from "./dom";
import type { Problem } from "./forms";
import type { DayKey, Interval, Week } from "./admin";

export const DAYS: ReadonlyArray<readonly [DayKey, string]> = [
  ["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"],
  ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"],
];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
export const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_INTERVALS = 12; // per day, as the server (schemas.py)
export const MAX_DATES = 400; // closed dates, and dates with special hours, as the server

/** Minutes since midnight of "HH:MM". */
export function minutes(t: string): number {
  const [hh, mm] = t.split(":").map(Number);
  return hh * 60 + mm;
}

/** Minutes from the day's midnight to the end (past 1440 when it runs into the next day). */
export function endMinutes(start: string, end: string): number {
  const e = end === "24:00" ? 1440 : minutes(end);
  return e <= minutes(start) ? e + 1440 : e;
}

/** What a time input shows for a stored time, and what is stored for a shown one. */
export const shown = (t: string): string => (t === "24:00" ? "00:00" : t);
export const stored = (t: string): string => (t === "00:00" ? "24:00" : t);

/** Problems with one day's intervals, in words ("" when fine). */
export function checkDay(intervals: readonly Interval[]): string {
  if (intervals.length > MAX_INTERVALS) return `At most ${MAX_INTERVALS} intervals in one day.`;
  for (const [start, end] of intervals) {
    if (!HHMM.test(start) || !(HHMM.test(end) || end === "24:00")) return "Give every interval a start and an end time.";
    if (start === shown(end) && start !== "00:00") return `${start}–${shown(end)} is empty: the end must differ from the start.`;
  }
  const sorted = [...intervals].sort((a, b) => minutes(a[0]) - minutes(b[0]));
  for (let i = 1; i < sorted.length; i += 1) {
    if (minutes(sorted[i][0]) < endMinutes(sorted[i - 1][0], sorted[i - 1][1])) {
      return `${sorted[i - 1][0]}–${sorted[i - 1][1]} and ${sorted[i][0]}–${sorted[i][1]} overlap.`;
    }
  }
  return "";
}

/** "Mon 08:00–20:00 · Tue 08:00–12:00, 13:00–20:00" (closed days left out). */
export function weeklyText(weekly: Partial<Week> | null | undefined): string {
  const parts: string[] = [];
  for (const [key, name] of DAYS) {
    const list = (weekly && weekly[key]) || [];
    if (list.length) parts.push(`${name.slice(0, 3)} ${list.map(([a, b]) => `${a}–${b}`).join(", ")}`);
  }
  return parts.join(" · ") || "No hours";
}

/** A day's intervals as sent: blank rows dropped, in order of their start. */
export function tidy(intervals: readonly Interval[]): Interval[] {
  return intervals.filter(([a, b]) => a || b).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** The key of a YYYY-MM-DD date's weekday ("thu"), or "" when it is not a date. */
export function weekdayKey(text: string | null | undefined): DayKey | "" {
  if (!text || !DATE.test(text)) return "";
  const d = new Date(`${text}T12:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) return "";
  return DAYS[(d.getUTCDay() + 6) % 7][0];
}

export const dayName = (key: string): string => (DAYS.find(([k]) => k === key) || [key, key])[1];
/** "08:00–13:00, 14:00–00:00": intervals as a time input shows them. */
export const spans = (list: readonly Interval[]): string => list.map(([a, b]) => `${a}–${shown(b)}`).join(", ");

/** One day's intervals as rows of time inputs: {list, closed, read(), set(), addOne(), rename()}. */
export interface DayIntervals {
  list: HTMLUListElement;
  closed: HTMLSpanElement;
  read(): Interval[];
  set(next: readonly Interval[]): void;
  /** A new interval after the last (from its end), or `first` on an empty day; focus goes to it. */
  addOne(first?: Interval): void;
  rename(next: string): void;
}

/**
 * One day's intervals, the rows a weekday and a dated special day share: from–until time
 * inputs with a remove button each, and "Closed" when there are none. `name` labels the
 * inputs ("Monday, interval 1, from"); `add` is the day's Add button (focus goes back to it
 * when an interval is removed).
 */
export function dayIntervals(name: string, initial: readonly Interval[] | null | undefined, add: HTMLElement, { closedText = "Closed" } = {}): DayIntervals {
  let label = name;
  let current: Interval[] = (initial || []).map(([a, b]) => [a, b]);
  let rows: Array<{ start: HTMLInputElement; end: HTMLInputElement }> = [];
  const list = h("ul.intervals");
  const closed = h("span.day-closed", null, closedText);

  const read = (): Interval[] => rows.map(({ start, end }) => [start.value, end.value && stored(end.value)]);

  function interval([start, end]: Interval, index: number): HTMLLIElement {
    const s = h("input.input.input-time", { type: "time", value: start || "", step: 60, aria: { label: `${label}, interval ${index + 1}, from` } });
    const e = h("input.input.input-time", { type: "time", value: shown(end || ""), step: 60, aria: { label: `${label}, interval ${index + 1}, until` } });
    const remove = h("button.icon-button", {
      type: "button", title: "Remove this interval", aria: { label: `Remove ${label} interval ${index + 1}` },
      onclick: () => {
        current = read().filter((_, i) => i !== index);
        draw();
        add.focus();
      },
    }, icon("trash", 14));
    rows.push({ start: s, end: e });
    return h("li.interval", null, s, h("span.muted", { aria: { hidden: "true" } }, "–"), e, remove);
  }

  function draw(): void {
    rows = [];
    render(list, current.map((iv, i) => interval(iv, i)));
    closed.hidden = current.length > 0;
  }
  draw();

  return {
    list,
    closed,
    read,
    set(next) {
      current = next.map(([a, b]) => [a, b]);
      draw();
    },
    addOne(first = ["09:00", "17:00"]) {
      current = read();
      const last = current.at(-1);
      current.push(last ? [last[1], ""] : [first[0], first[1]]);
      draw();
      const inputs = list.querySelectorAll("input");
      inputs[inputs.length - (last ? 1 : 2)]?.focus();
    },
    rename(next) {
      if (next === label) return;
      current = read();
      label = next;
      draw();
    },
  };
}

/** Show (or clear) an error on one day's row and mark its inputs invalid. */
export function markDay(row: HTMLElement, errorEl: HTMLElement, list: HTMLElement, message: string): void {
  errorEl.textContent = message || "";
  row.classList.toggle("has-error", Boolean(message));
  for (const input of list.querySelectorAll("input")) {
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

export interface WeeklyEditor {
  el: HTMLElement;
  value(): Week;
  validate(): Problem[];
  setError(day: string, message: string): void;
}

/** The week as seven rows of intervals. `label` names it for assistive tech ("Business hours"). */
export function weeklyEditor(initial: Partial<Week> | null | undefined, { label = "Hours", idPrefix = "hours" } = {}): WeeklyEditor {
  const rows = new Map<DayKey, { row: HTMLElement; day: DayIntervals; error: HTMLElement }>();
  const el = h("div.week", { role: "group", aria: { label } });

  for (const [key, name] of DAYS) {
    const error = h("p.field-error", { id: `${idPrefix}-${key}-error` });
    const add = h("button.btn.btn-small", {
      type: "button", aria: { label: `Add hours on ${name}` },
      onclick: () => rows.get(key)?.day.addOne(),
    }, icon("plus", 12), "Add");
    const day = dayIntervals(name, (initial && initial[key]) || [], add);
    const row = h("div.day", { role: "group", aria: { label: name, describedby: `${idPrefix}-${key}-error` } },
      h("span.day-name", null, name), h("div.day-body", null, day.closed, day.list, error), add);
    rows.set(key, { row, day, error });
    el.append(row);
  }
  const dayOf = (key: DayKey): DayIntervals | undefined => rows.get(key)?.day;

  const copy = h("button.btn.btn-small", {
    type: "button",
    onclick: () => {
      const monday = dayOf("mon")?.read() ?? [];
      for (const [key] of DAYS.slice(1, 5)) dayOf(key)?.set(monday);
    },
  }, "Copy Monday to Tuesday–Friday");
  el.append(h("div.week-tools", null, copy));

  const setError = (key: string, message: string): void => {
    const row = rows.get(key as DayKey);
    if (row) markDay(row.row, row.error, row.day.list, message);
  };
  return {
    el,
    value() {
      const out = {} as Week;
      for (const [key] of DAYS) out[key] = tidy(dayOf(key)?.read() ?? []);
      return out;
    },
    validate() {
      const problems: Problem[] = [];
      for (const [key, name] of DAYS) {
        const message = checkDay(dayOf(key)?.read() ?? []);
        setError(key, message);
        const focus = (): void => rows.get(key)?.row.querySelector<HTMLElement>("input, button")?.focus();
        if (message) problems.push({ key, message: `${name}: ${message}`, focus });
      }
      return problems;
    },
    setError,
  };
}

/** Closed dates: a list of YYYY-MM-DD with add and remove. */
export interface DatesEditor {
  el: HTMLElement;
  value(): string[];
  validate(): Problem[];
  /** A date picked but not added. */
  pending(): string;
}

/** `onChange()` runs after a date is added or removed. */
export function datesEditor(initial: readonly string[] | null | undefined, { label = "Closed dates", onChange = (): void => {} } = {}): DatesEditor {
  let dates = [...(initial || [])];
  const list = h("ul.dates");
  const input = h("input.input", { type: "date", aria: { label: `Add a date to ${label.toLowerCase()}` } });
  const error = h("p.field-error");
  const add = h("button.btn.btn-small", { type: "button", onclick: () => addDate() }, icon("plus", 12), "Add date");
  const el = h("div.dates-editor", null, list, h("div.field-row", null, input, add), error);

  function addDate(): void {
    const v = input.value;
    error.textContent = "";
    if (!DATE.test(v)) {
      error.textContent = "Pick a date first.";
      input.focus();
      return;
    }
    if (dates.includes(v)) {
      error.textContent = `${v} is already on the list.`;
      return;
    }
    dates = [...dates, v].sort();
    input.value = "";
    draw();
    input.focus();
    onChange();
  }
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      addDate();
    }
  });

  function draw(): void {
    render(list, dates.length ? dates.map((d) => h("li.date-chip", null,
      h("time", { datetime: d }, d),
      h("button.icon-button", {
        type: "button", aria: { label: `Remove ${d}` }, title: "Remove",
        onclick: () => {
          dates = dates.filter((x) => x !== d);
          draw();
          input.focus();
          onChange();
        },
      }, icon("x", 12)))) : h("li.muted", null, "None"));
  }
  draw();
  return {
    el,
    value: () => [...dates],
    validate: () => [],
    pending: () => input.value,
  };
}
