// Weekly hours editor (queues' business hours and specialists' weekly shifts) and the list
// of closed dates. Shape: {"mon": [["08:00", "20:00"], …], …}; a day with no interval is closed.
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

/** Problems with one day's intervals, in words ("" when fine). */
export function checkDay(intervals) {
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
 * The week as seven rows of intervals. `label` names it for assistive tech ("Business hours").
 * Returns {el, value(), validate() -> [{key, message, focus}], setError(day, message)}.
 */
export function weeklyEditor(initial, { label = "Hours", idPrefix = "hours" } = {}) {
  const days = new Map(DAYS.map(([key]) => [key, ((initial && initial[key]) || []).map((iv) => [...iv])]));
  const rows = new Map();
  const el = h("div.week", { role: "group", aria: { label } });

  function readDay(key) {
    const row = rows.get(key);
    return [...row.list.querySelectorAll(".interval")].map((iv) => [iv.start.value, iv.end.value && stored(iv.end.value)]);
  }

  function interval(key, name, [start, end], index) {
    const s = h("input.input.input-time", { type: "time", value: start || "", step: 60, aria: { label: `${name}, interval ${index + 1}, from` } });
    const e = h("input.input.input-time", { type: "time", value: shown(end || ""), step: 60, aria: { label: `${name}, interval ${index + 1}, until` } });
    const remove = h("button.icon-button", {
      type: "button", title: "Remove this interval", aria: { label: `Remove ${name} interval ${index + 1}` },
      onclick: () => {
        days.set(key, readDay(key).filter((_, i) => i !== index));
        drawDay(key, name);
        rows.get(key).add.focus();
      },
    }, icon("trash", 14));
    const li = h("li.interval", null, s, h("span.muted", { aria: { hidden: "true" } }, "–"), e, remove);
    li.start = s;
    li.end = e;
    return li;
  }

  function drawDay(key, name) {
    const row = rows.get(key);
    const list = days.get(key);
    render(row.list, list.map((iv, i) => interval(key, name, iv, i)));
    row.closed.hidden = list.length > 0;
  }

  for (const [key, name] of DAYS) {
    const list = h("ul.intervals");
    const closed = h("span.day-closed", null, "Closed");
    const error = h("p.field-error", { id: `${idPrefix}-${key}-error` });
    const add = h("button.btn.btn-small", {
      type: "button", aria: { label: `Add hours on ${name}` },
      onclick: () => {
        const current = readDay(key);
        const last = current.at(-1);
        current.push(last ? [last[1], ""] : ["09:00", "17:00"]);
        days.set(key, current);
        drawDay(key, name);
        const inputs = rows.get(key).list.querySelectorAll("input");
        inputs[inputs.length - (last ? 1 : 2)]?.focus();
      },
    }, icon("plus", 12), "Add");
    const row = h("div.day", { role: "group", aria: { label: name, describedby: `${idPrefix}-${key}-error` } },
      h("span.day-name", null, name), h("div.day-body", null, closed, list, error), add);
    rows.set(key, { row, list, closed, error, add });
    el.append(row);
    drawDay(key, name);
  }

  const copy = h("button.btn.btn-small", {
    type: "button",
    onclick: () => {
      const monday = readDay("mon");
      for (const [key, name] of DAYS.slice(1, 5)) {
        days.set(key, monday.map((iv) => [...iv]));
        drawDay(key, name);
      }
    },
  }, "Copy Monday to Tuesday–Friday");
  el.append(h("div.week-tools", null, copy));

  return {
    el,
    value() {
      const out = {};
      for (const [key] of DAYS) {
        out[key] = readDay(key)
          .filter(([a, b]) => a || b)
          .sort((a, b) => (a[0] < b[0] ? -1 : 1));
      }
      return out;
    },
    validate() {
      const problems = [];
      for (const [key, name] of DAYS) {
        const message = checkDay(readDay(key));
        this.setError(key, message);
        if (message) problems.push({ key, message: `${name}: ${message}`, focus: () => rows.get(key).row.querySelector("input, button")?.focus() });
      }
      return problems;
    },
    setError(key, message) {
      const row = rows.get(key);
      if (!row) return;
      row.error.textContent = message || "";
      row.row.classList.toggle("has-error", Boolean(message));
      for (const input of row.list.querySelectorAll("input")) {
        if (message) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    },
  };
}

/** Closed dates: a list of YYYY-MM-DD with add and remove. {el, value(), validate()} */
export function datesEditor(initial, { label = "Closed dates" } = {}) {
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
