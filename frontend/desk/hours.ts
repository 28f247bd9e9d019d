// Weekly hours editor (queues' business hours and specialists' weekly shifts), the list of
// closed dates, and dated special hours (a date open with other intervals than its weekday).
// Shape: {"mon": [["08:00", "20:00"], …], …}; a day with no interval is closed.
// As in the engine (engine/hours.py): an end before the start runs past midnight
// ("22:00"–"02:00"), and "24:00" ends at midnight. A time input can't show 24:00,
// so it shows 00:00 and is read back as 24:00.

import { h, icon, render } from "./dom.js";

export const DAYS = [
  ["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"],
  ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"],
];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function minutes(t) {
  const [hh, mm] = t.split(":").map(Number);
  return hh * 60 + mm;
}

/** Minutes from the day's midnight to the end (past 1440 when it runs into the next day). */
function endMinutes(start, end) {
  const e = end === "24:00" ? 1440 : minutes(end);
  return e <= minutes(start) ? e + 1440 : e;
}

const shown = (t) => (t === "24:00" ? "00:00" : t);
const stored = (t) => (t === "00:00" ? "24:00" : t);

const MAX_INTERVALS = 12; // per day, as the server (schemas.py)

/** Problems with one day's intervals, in words ("" when fine). */
export function checkDay(intervals) {
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
export function weeklyText(weekly) {
  const parts = [];
  for (const [key, name] of DAYS) {
    const list = (weekly && weekly[key]) || [];
    if (list.length) parts.push(`${name.slice(0, 3)} ${list.map(([a, b]) => `${a}–${b}`).join(", ")}`);
  }
  return parts.join(" · ") || "No hours";
}

/**
 * One day's intervals, the rows a weekday and a dated special day share: from–until time
 * inputs with a remove button each, and "Closed" when there are none. `name` labels the
 * inputs ("Monday, interval 1, from"); `add` is the day's Add button (focus goes back to it
 * when an interval is removed). Returns {list, closed, read(), set(list), addOne(), rename(name)}.
 */
function dayIntervals(name, initial, add, { closedText = "Closed" } = {}) {
  let label = name;
  let current = (initial || []).map((iv) => [...iv]);
  const list = h("ul.intervals");
  const closed = h("span.day-closed", null, closedText);

  function read() {
    return [...list.querySelectorAll(".interval")].map((iv) => [iv.start.value, iv.end.value && stored(iv.end.value)]);
  }

  function interval([start, end], index) {
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
    const li = h("li.interval", null, s, h("span.muted", { aria: { hidden: "true" } }, "–"), e, remove);
    li.start = s;
    li.end = e;
    return li;
  }

  function draw() {
    render(list, current.map((iv, i) => interval(iv, i)));
    closed.hidden = current.length > 0;
  }
  draw();

  return {
    list,
    closed,
    read,
    set(next) {
      current = next.map((iv) => [...iv]);
      draw();
    },
    /** A new interval after the last (from its end), or `first` on an empty day; focus goes to it. */
    addOne(first = ["09:00", "17:00"]) {
      current = read();
      const last = current.at(-1);
      current.push(last ? [last[1], ""] : [...first]);
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

/**
 * The week as seven rows of intervals. `label` names it for assistive tech ("Business hours").
 * Returns {el, value(), validate() -> [{key, message, focus}], setError(day, message)}.
 */
export function weeklyEditor(initial, { label = "Hours", idPrefix = "hours" } = {}) {
  const rows = new Map();
  const el = h("div.week", { role: "group", aria: { label } });

  for (const [key, name] of DAYS) {
    const error = h("p.field-error", { id: `${idPrefix}-${key}-error` });
    const add = h("button.btn.btn-small", {
      type: "button", aria: { label: `Add hours on ${name}` },
      onclick: () => rows.get(key).day.addOne(),
    }, icon("plus", 12), "Add");
    const day = dayIntervals(name, (initial && initial[key]) || [], add);
    const row = h("div.day", { role: "group", aria: { label: name, describedby: `${idPrefix}-${key}-error` } },
      h("span.day-name", null, name), h("div.day-body", null, day.closed, day.list, error), add);
    rows.set(key, { row, day, error, add });
    el.append(row);
  }

  const copy = h("button.btn.btn-small", {
    type: "button",
    onclick: () => {
      const monday = rows.get("mon").day.read();
      for (const [key] of DAYS.slice(1, 5)) rows.get(key).day.set(monday);
    },
  }, "Copy Monday to Tuesday–Friday");
  el.append(h("div.week-tools", null, copy));

  return {
    el,
    value() {
      const out = {};
      for (const [key] of DAYS) out[key] = tidy(rows.get(key).day.read());
      return out;
    },
    validate() {
      const problems = [];
      for (const [key, name] of DAYS) {
        const message = checkDay(rows.get(key).day.read());
        this.setError(key, message);
        if (message) problems.push({ key, message: `${name}: ${message}`, focus: () => rows.get(key).row.querySelector("input, button")?.focus() });
      }
      return problems;
    },
    setError(key, message) {
      const row = rows.get(key);
      if (!row) return;
      markDay(row.row, row.error, row.day.list, message);
    },
  };
}

/** A day's intervals as sent: blank rows dropped, in order of their start. */
function tidy(intervals) {
  return intervals.filter(([a, b]) => a || b).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Show (or clear) an error on one day's row and mark its inputs invalid. */
function markDay(row, errorEl, list, message) {
  errorEl.textContent = message || "";
  row.classList.toggle("has-error", Boolean(message));
  for (const input of list.querySelectorAll("input")) {
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DATES = 400; // closed dates, and dates with special hours, as the server

/** The key of a YYYY-MM-DD date's weekday ("thu"), or "" when it is not a date. */
export function weekdayKey(text) {
  if (!DATE.test(text || "")) return "";
  const d = new Date(`${text}T12:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) return "";
  return DAYS[(d.getUTCDay() + 6) % 7][0];
}

const dayName = (key) => (DAYS.find(([k]) => k === key) || [key, key])[1];
const spans = (list) => list.map(([a, b]) => `${a}–${shown(b)}`).join(", ");

/**
 * Dated special hours: dates on which the queue opens with other intervals than its weekday
 * has (Christmas Eve 08:00–13:00). Shape {"2026-12-24": [["08:00", "13:00"]], …}; as the
 * server reads them, a date with no interval is closed all day, past dates are accepted (they
 * change nothing), and a date that is also among the closed dates opens with these hours
 * (the special hours win): its row says so.
 * opts: idPrefix; closedDates() -> the closed dates now in the form; usual(key) -> the
 * weekday's intervals now in the form (shown beside each date, and the start of a new one).
 * Returns {el, value(), validate() -> [{key, message, focus}], setError(date, message) -> bool,
 * focus(date) -> bool, pending(), refresh()}.
 */
export function specialEditor(initial, { idPrefix = "special", closedDates = () => [], usual = () => [] } = {}) {
  let seq = 0;
  const entries = [];
  const list = h("div.special-days");
  const none = h("p.muted.special-none", null, "None: every date follows its weekday.");
  const input = h("input.input.input-date", { type: "date", aria: { label: "Add a date with special hours" } });
  const error = h("p.field-error", { id: `${idPrefix}-add-error` });
  input.setAttribute("aria-describedby", error.id);
  const addBtn = h("button.btn.btn-small", { type: "button", onclick: addDate }, icon("plus", 12), "Add special date");
  const el = h("div.special-editor", null, list, none, h("div.field-row", null, input, addBtn), error);

  function entry(date, intervals) {
    seq += 1;
    const id = `${idPrefix}-${seq}`;
    const dateInput = h("input.input.input-date", { type: "date", value: date, aria: { label: "Special date", describedby: `${id}-when` } });
    const when = h("span.special-when.muted", { id: `${id}-when` });
    const err = h("p.field-error", { id: `${id}-error` });
    const note = h("p.field-note", { id: `${id}-note` });
    const add = h("button.btn.btn-small", { type: "button", onclick: () => e.day.addOne() }, icon("plus", 12), "Add");
    const remove = h("button.btn.btn-small", {
      type: "button",
      onclick: () => {
        const at = entries.indexOf(e);
        entries.splice(at, 1);
        e.row.remove();
        none.hidden = entries.length > 0;
        (entries[at] || entries[at - 1])?.dateInput.focus();
        if (!entries.length) input.focus();
        el.dispatchEvent(new Event("input", { bubbles: true }));
      },
    }, icon("trash", 12), "Remove date");
    const day = dayIntervals(date || "the new date", intervals, add, { closedText: "Closed all day (no intervals)" });
    const row = h("div.day.special-day", { role: "group", aria: { describedby: `${id}-error ${id}-note` } },
      h("div.special-date", null, dateInput, when),
      h("div.day-body", null, day.closed, day.list, err, note),
      h("div.special-tools", null, add, remove));
    const e = { row, dateInput, when, err, note, day, add, remove };
    dateInput.addEventListener("change", () => label(e));
    label(e);
    return e;
  }

  /** Names and notes that follow the entry's date (and the week and closed dates around it). */
  function label(e) {
    const date = e.dateInput.value;
    const key = weekdayKey(date);
    const name = date || "the new date";
    e.row.setAttribute("aria-label", `Special hours on ${name}`);
    e.day.rename(name);
    e.add.setAttribute("aria-label", `Add hours on ${name}`);
    e.remove.setAttribute("aria-label", `Remove special hours on ${name}`);
    const usually = key ? usual(key) || [] : [];
    e.when.textContent = key ? `${dayName(key)}, usually ${usually.length ? spans(usually) : "closed"}` : "";
    e.note.textContent = date && closedDates().includes(date)
      ? `${date} is also a closed date: the special hours win, so the queue opens ${e.day.read().length ? spans(e.day.read()) : "not at all"} that day. To keep it closed, remove it here.`
      : "";
  }

  function place(e) {
    const date = e.dateInput.value;
    const after = entries.findIndex((x) => x.dateInput.value > date);
    if (after < 0) {
      entries.push(e);
      list.append(e.row);
    } else {
      entries.splice(after, 0, e);
      list.insertBefore(e.row, entries[after + 1].row);
    }
    none.hidden = true;
  }

  function addDate() {
    const v = input.value;
    error.textContent = "";
    if (!weekdayKey(v)) {
      error.textContent = "Pick a date first.";
      input.focus();
      return;
    }
    const there = entries.find((x) => x.dateInput.value === v);
    if (there) {
      error.textContent = `${v} already has special hours: change its intervals in its row.`;
      return;
    }
    const from = usual(weekdayKey(v)) || [];
    const e = entry(v, []);
    place(e);
    input.value = "";
    // It starts from its weekday's hours (or 09:00–17:00 on a closed weekday), to be changed.
    if (from.length) {
      e.day.set(from);
      label(e);
      e.day.list.querySelector("input")?.focus();
    } else {
      e.day.addOne();
      label(e);
    }
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      addDate();
    }
  });

  for (const date of Object.keys(initial || {}).sort()) place(entry(date, initial[date] || []));
  none.hidden = entries.length > 0;

  function setError(e, message) {
    markDay(e.row, e.err, e.day.list, message);
    if (message) e.dateInput.setAttribute("aria-invalid", "true");
    else e.dateInput.removeAttribute("aria-invalid");
  }
  const focusEntry = (e) => (e.day.list.querySelector("input") || e.dateInput).focus();

  return {
    el,
    value() {
      const out = {};
      const sorted = [...entries].sort((a, b) => (a.dateInput.value < b.dateInput.value ? -1 : 1));
      for (const e of sorted) out[e.dateInput.value] = tidy(e.day.read());
      return out;
    },
    validate() {
      const problems = [];
      const seen = new Set();
      for (const e of entries) {
        const date = e.dateInput.value;
        const intervals = e.day.read();
        let message = "";
        if (!weekdayKey(date)) message = "Pick the date these hours are for.";
        else if (seen.has(date)) message = `${date} is listed twice: keep one row and put all its intervals there.`;
        else message = checkDay(intervals);
        seen.add(date);
        setError(e, message);
        if (message) problems.push({ key: "special", message: `Special hours on ${date || "a date"}: ${message}`, focus: () => focusEntry(e) });
      }
      if (entries.length > MAX_DATES) {
        problems.push({ key: "special", message: `At most ${MAX_DATES} dates with special hours: remove past ones first.`, focus: () => input.focus() });
      }
      return problems;
    },
    setError(date, message) {
      const e = entries.find((x) => x.dateInput.value === date);
      if (e) setError(e, message);
      return Boolean(e);
    },
    focus(date) {
      const e = entries.find((x) => x.dateInput.value === date);
      if (e) focusEntry(e);
      return Boolean(e);
    },
    pending: () => input.value, // a date picked but not added
    refresh() {
      for (const e of entries) label(e);
    },
  };
}

/**
 * Closed dates: a list of YYYY-MM-DD with add and remove. {el, value(), validate(), pending()}
 * `onChange()` runs after a date is added or removed.
 */
export function datesEditor(initial, { label = "Closed dates", onChange = () => {} } = {}) {
  let dates = [...(initial || [])];
  const list = h("ul.dates");
  const input = h("input.input", { type: "date", aria: { label: `Add a date to ${label.toLowerCase()}` } });
  const error = h("p.field-error");
  const add = h("button.btn.btn-small", { type: "button", onclick: addDate }, icon("plus", 12), "Add date");
  const el = h("div.dates-editor", null, list, h("div.field-row", null, input, add), error);

  function addDate() {
    const v = input.value;
    error.textContent = "";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) {
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

  function draw() {
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
    pending: () => input.value, // a date picked but not added
  };
}
