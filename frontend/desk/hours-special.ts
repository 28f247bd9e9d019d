// Dated special hours: dates on which a queue opens with other intervals than its weekday has
// (Christmas Eve 08:00–13:00). Shape {"2026-12-24": [["08:00", "13:00"]], …}; as the server
// reads them, a date with no interval is closed all day, past dates are accepted (they change
// nothing), and a date that is also among the closed dates opens with these hours (the
// special hours win): its row says so. Split from hours.ts, whose day rows it shares.

import { h, icon } from "./dom";
import { checkDay, dayIntervals, dayName, markDay, MAX_DATES, spans, tidy, weekdayKey, type DayIntervals } from "./hours";
import type { Problem } from "./forms";
import type { DayKey, Interval } from "./admin";

export interface SpecialOptions {
  idPrefix?: string;
  /** The closed dates now in the form. */
  closedDates?: () => string[];
  /** The weekday's intervals now in the form (shown beside each date, and the start of a new one). */
  usual?: (key: DayKey) => Interval[] | undefined;
}

export interface SpecialEditor {
  el: HTMLElement;
  value(): Record<string, Interval[]>;
  validate(): Problem[];
  /** Beside that date's row; false when no row has that date. */
  setError(date: string, message: string): boolean;
  focus(date: string): boolean;
  /** A date picked but not added. */
  pending(): string;
  /** Redraw the notes that follow the week and the closed dates. */
  refresh(): void;
}

/** One date's row. */
interface Entry {
  row: HTMLElement;
  dateInput: HTMLInputElement;
  when: HTMLElement;
  err: HTMLElement;
  note: HTMLElement;
  day: DayIntervals;
  add: HTMLButtonElement;
  remove: HTMLButtonElement;
}

const NEW_DATE = "the new date";

/** A row for `date`: its date input, its intervals, Add and Remove date. */
function entryRow(id: string, date: string, intervals: readonly Interval[], onRemove: (e: Entry) => void): Entry {
  const dateInput = h("input.input.input-date", { type: "date", value: date, aria: { label: "Special date", describedby: `${id}-when` } });
  const when = h("span.special-when.muted", { id: `${id}-when` });
  const err = h("p.field-error", { id: `${id}-error` });
  const note = h("p.field-note", { id: `${id}-note` });
  const add = h("button.btn.btn-small", { type: "button" }, icon("plus", 12), "Add");
  const remove = h("button.btn.btn-small", { type: "button" }, icon("trash", 12), "Remove date");
  const day = dayIntervals(date || NEW_DATE, intervals, add, { closedText: "Closed all day (no intervals)" });
  const row = h("div.day.special-day", { role: "group", aria: { describedby: `${id}-error ${id}-note` } },
    h("div.special-date", null, dateInput, when),
    h("div.day-body", null, day.closed, day.list, err, note),
    h("div.special-tools", null, add, remove));
  const e: Entry = { row, dateInput, when, err, note, day, add, remove };
  add.addEventListener("click", () => e.day.addOne());
  remove.addEventListener("click", () => onRemove(e));
  return e;
}

/** The note on a date that is also closed: the special hours win. */
export function closedNote(date: string, intervals: readonly Interval[]): string {
  return `${date} is also a closed date: the special hours win, so the queue opens ${intervals.length ? spans(intervals) : "not at all"} that day. To keep it closed, remove it here.`;
}

/** Names and notes that follow the entry's date (and the week and closed dates around it). */
function label(e: Entry, opts: Required<Pick<SpecialOptions, "closedDates" | "usual">>): void {
  const date = e.dateInput.value;
  const key = weekdayKey(date);
  const name = date || NEW_DATE;
  e.row.setAttribute("aria-label", `Special hours on ${name}`);
  e.day.rename(name);
  e.add.setAttribute("aria-label", `Add hours on ${name}`);
  e.remove.setAttribute("aria-label", `Remove special hours on ${name}`);
  const usually = key ? opts.usual(key) || [] : [];
  e.when.textContent = key ? `${dayName(key)}, usually ${usually.length ? spans(usually) : "closed"}` : "";
  e.note.textContent = date && opts.closedDates().includes(date) ? closedNote(date, e.day.read()) : "";
}

function setEntryError(e: Entry, message: string): void {
  markDay(e.row, e.err, e.day.list, message);
  if (message) e.dateInput.setAttribute("aria-invalid", "true");
  else e.dateInput.removeAttribute("aria-invalid");
}

const focusEntry = (e: Entry): void => (e.day.list.querySelector("input") || e.dateInput).focus();

/** What is wrong with each row (a date missing or listed twice, bad intervals), marked beside it. */
function check(entries: readonly Entry[], input: HTMLInputElement): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const date = e.dateInput.value;
    const message = !weekdayKey(date) ? "Pick the date these hours are for."
      : seen.has(date) ? `${date} is listed twice: keep one row and put all its intervals there.`
      : checkDay(e.day.read());
    seen.add(date);
    setEntryError(e, message);
    if (message) problems.push({ key: "special", message: `Special hours on ${date || "a date"}: ${message}`, focus: () => focusEntry(e) });
  }
  if (entries.length > MAX_DATES) {
    problems.push({ key: "special", message: `At most ${MAX_DATES} dates with special hours: remove past ones first.`, focus: () => input.focus() });
  }
  return problems;
}

/** The rows of special dates, in date order, and the "Add special date" picker under them. */
class SpecialDays {
  private seq = 0;
  readonly entries: Entry[] = [];
  readonly list = h("div.special-days");
  readonly none = h("p.muted.special-none", null, "None: every date follows its weekday.");
  readonly input = h("input.input.input-date", { type: "date", aria: { label: "Add a date with special hours" } });
  readonly error: HTMLParagraphElement;
  readonly el: HTMLElement;

  constructor(private readonly idPrefix: string, private readonly opts: Required<Pick<SpecialOptions, "closedDates" | "usual">>) {
    this.error = h("p.field-error", { id: `${idPrefix}-add-error` });
    this.input.setAttribute("aria-describedby", this.error.id);
    const addBtn = h("button.btn.btn-small", { type: "button", onclick: () => this.addDate() }, icon("plus", 12), "Add special date");
    this.el = h("div.special-editor", null, this.list, this.none, h("div.field-row", null, this.input, addBtn), this.error);
    this.input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        this.addDate();
      }
    });
  }

  private changed(): void {
    this.el.dispatchEvent(new Event("input", { bubbles: true }));
  }

  private removeEntry(e: Entry): void {
    const { entries } = this;
    const at = entries.indexOf(e);
    entries.splice(at, 1);
    e.row.remove();
    this.none.hidden = entries.length > 0;
    (entries[at] || entries[at - 1])?.dateInput.focus();
    if (!entries.length) this.input.focus();
    this.changed();
  }

  entry(date: string, intervals: readonly Interval[]): Entry {
    this.seq += 1;
    const e = entryRow(`${this.idPrefix}-${this.seq}`, date, intervals, (x) => this.removeEntry(x));
    e.dateInput.addEventListener("change", () => label(e, this.opts));
    label(e, this.opts);
    return e;
  }

  /** Put the row among the others in date order. */
  place(e: Entry): void {
    const { entries } = this;
    const date = e.dateInput.value;
    const after = entries.findIndex((x) => x.dateInput.value > date);
    if (after < 0) {
      entries.push(e);
      this.list.append(e.row);
    } else {
      entries.splice(after, 0, e);
      this.list.insertBefore(e.row, entries[after + 1].row);
    }
    this.none.hidden = true;
  }

  private addDate(): void {
    const { input, error } = this;
    const v = input.value;
    error.textContent = "";
    const key = weekdayKey(v);
    if (!key) {
      error.textContent = "Pick a date first.";
      input.focus();
      return;
    }
    if (this.find(v)) {
      error.textContent = `${v} already has special hours: change its intervals in its row.`;
      return;
    }
    const from = this.opts.usual(key) || [];
    const e = this.entry(v, []);
    this.place(e);
    input.value = "";
    // It starts from its weekday's hours (or 09:00–17:00 on a closed weekday), to be changed.
    if (from.length) {
      e.day.set(from);
      label(e, this.opts);
      e.day.list.querySelector("input")?.focus();
    } else {
      e.day.addOne();
      label(e, this.opts);
    }
    this.changed();
  }

  find(date: string): Entry | undefined {
    return this.entries.find((x) => x.dateInput.value === date);
  }

  refresh(): void {
    for (const e of this.entries) label(e, this.opts);
  }
}

export function specialEditor(initial: Record<string, Interval[]> | null | undefined, { idPrefix = "special", closedDates = () => [], usual = () => [] }: SpecialOptions = {}): SpecialEditor {
  const days = new SpecialDays(idPrefix, { closedDates, usual });
  const given = initial || {};
  for (const date of Object.keys(given).sort()) days.place(days.entry(date, given[date] || []));
  days.none.hidden = days.entries.length > 0;
  return {
    el: days.el,
    value() {
      const out: Record<string, Interval[]> = {};
      const sorted = [...days.entries].sort((a, b) => (a.dateInput.value < b.dateInput.value ? -1 : 1));
      for (const e of sorted) out[e.dateInput.value] = tidy(e.day.read());
      return out;
    },
    validate: () => check(days.entries, days.input),
    setError(date, message) {
      const e = days.find(date);
      if (e) setEntryError(e, message);
      return Boolean(e);
    },
    focus(date) {
      const e = days.find(date);
      if (e) focusEntry(e);
      return Boolean(e);
    },
    pending: () => days.input.value,
    refresh: () => days.refresh(),
  };
}
