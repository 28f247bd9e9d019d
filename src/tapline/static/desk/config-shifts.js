// Configure › Shifts: per specialist, weekly recurring shifts (per weekday, several intervals)
// or one dated interval, in a time zone. Shifts can be added and removed (no editing: remove
// and add again).

import { h, icon, render, toast } from "./dom.js";
import { admin, onAdmin, loadSpecialists, listShifts, createShift, deleteShift } from "./admin.js";
import { field, textInput, isTimeZone, timeZoneList, errorSummary, serverErrors, statusLine, nextId } from "./forms.js";
import { weeklyEditor, weeklyText } from "./hours.js";
import { clip } from "./format.js";

/** Offset of `tz` from UTC at `epoch`, in ms (wall clock minus UTC). */
function offsetAt(epoch, tz) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(epoch));
  const get = (t) => Number(parts.find((p) => p.type === t).value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - epoch;
}

/** Epoch ms of a wall-clock date and time in the IANA zone `tz`. */
export function zonedEpoch(date, time, tz) {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const first = wall - offsetAt(wall, tz);
  return wall - offsetAt(first, tz);
}

function dated(ms, tz) {
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: tz, dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
  } catch {
    return new Date(ms).toISOString();
  }
}

function shiftRow(s, onDelete) {
  const weekly = Boolean(s.weekly);
  const when = weekly ? weeklyText(s.weekly) : `${dated(s.start, s.timezone)} – ${dated(s.end, s.timezone)}`;
  return h("tr", null,
    h("td", null, weekly ? h("span.chip", null, icon("clock", 12), "Weekly") : h("span.chip", null, icon("calendar", 12), "Dated")),
    h("td", null, when),
    h("td.muted", null, s.timezone || "—"),
    h("td", null, h("button.btn.btn-small", {
      type: "button", aria: { label: `Remove the ${weekly ? "weekly" : "dated"} shift ${when}` }, onclick: () => onDelete(s, when),
    }, icon("trash", 12), "Remove")));
}

/** Build the Shifts tab into `panel`. */
export function mountShifts(panel) {
  let shifts = [];
  const who = h("select.input", { id: nextId("shift-who") });
  const whoField = field("Specialist", who);
  const table = h("table.shift-table", null,
    h("thead", null, h("tr", null, ["Kind", "When", "Time zone", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody"));
  const emptyNote = h("p.muted", null, "No shifts: this specialist counts as staffed only while signed in.");
  const listStatus = statusLine();

  // the "add a shift" form
  const kindName = nextId("shift-kind");
  const weeklyRadio = h("input", { type: "radio", name: kindName, value: "weekly", checked: true });
  const datedRadio = h("input", { type: "radio", name: kindName, value: "dated" });
  const kind = h("div.segmented-radios", null,
    h("label.radio", null, weeklyRadio, h("span", null, "Every week")),
    h("label.radio", null, datedRadio, h("span", null, "One date")));
  const tz = field("Time zone", textInput(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", { list: timeZoneList() }));
  const week = weeklyEditor({}, { label: "Weekly shift", idPrefix: "shift" });
  const weekField = field("Weekly hours", week.el, { group: true, hint: "Add the intervals worked on each day. An end before the start runs past midnight." });
  const startDate = field("Starts on", h("input.input", { type: "date" }));
  const startTime = field("at", h("input.input", { type: "time", value: "09:00" }));
  const endDate = field("Ends on", h("input.input", { type: "date" }));
  const endTime = field("at", h("input.input", { type: "time", value: "17:00" }));
  const datedBox = h("div.field-grid", { hidden: true }, startDate.el, startTime.el, endDate.el, endTime.el);
  startDate.control.addEventListener("change", () => {
    if (!endDate.control.value) endDate.control.value = startDate.control.value;
  });
  const summary = errorSummary();
  const status = statusLine();
  const add = h("button.btn.btn-primary", { type: "submit" }, icon("plus", 14), "Add shift");
  const form = h("form.config-form.shift-form", { novalidate: true, aria: { labelledby: "shift-add-title" } },
    h("h3.config-subtitle", { id: "shift-add-title" }, "Add a shift"),
    summary.el, field("Repeats", kind, { group: true }).el, tz.el, weekField.el, datedBox,
    h("div.config-actions", null, add, status.el));
  for (const r of [weeklyRadio, datedRadio]) {
    r.addEventListener("change", () => {
      weekField.el.hidden = !weeklyRadio.checked;
      datedBox.hidden = weeklyRadio.checked;
    });
  }

  const listTitle = h("h2.config-title", { id: "shift-list-title" }, "Shifts");
  panel.append(h("div.config-single", null, whoField.el,
    h("section", { aria: { labelledby: "shift-list-title" } }, listTitle, listStatus.el, table, emptyNote), form));

  async function refresh() {
    const id = who.value;
    if (!id) return;
    listStatus.set("Loading…");
    try {
      shifts = await listShifts(id);
      listStatus.set("");
    } catch (err) {
      shifts = [];
      listStatus.set(`Couldn't load the shifts: ${err.message}`, "bad");
    }
    const name = (admin.specialists || []).find((s) => s.id === id)?.name || "";
    listTitle.textContent = `Shifts of ${clip(name, 60)}`;
    render(table.tBodies[0], shifts.map((s) => shiftRow(s, remove)));
    table.hidden = !shifts.length;
    emptyNote.hidden = shifts.length > 0;
  }

  async function remove(s, when) {
    if (!window.confirm(`Remove this shift?\n${when}`)) return;
    try {
      await deleteShift(s.id);
      listStatus.set("Shift removed.", "good");
      await refresh();
    } catch (err) {
      toast(`Couldn't remove the shift: ${err.message}`, "error");
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const errors = [];
    const bad = (f, message) => {
      f.setError(message);
      errors.push({ message, focus: () => f.focus() });
    };
    for (const f of [tz, weekField, startDate, startTime, endDate, endTime]) f.setError("");
    const zone = tz.control.value.trim();
    if (!isTimeZone(zone)) bad(tz, "Pick a time zone from the list, e.g. Europe/Lisbon.");
    const body = { specialist_id: who.value, timezone: zone, weekly: null, start: null, end: null };
    if (weeklyRadio.checked) {
      for (const p of week.validate()) errors.push(p);
      body.weekly = week.value();
      if (!errors.length && !Object.values(body.weekly).some((l) => l.length)) bad(weekField, "Add at least one interval.");
    } else {
      if (!startDate.control.value) bad(startDate, "Pick the start date.");
      if (!startTime.control.value) bad(startTime, "Pick the start time.");
      if (!endDate.control.value) bad(endDate, "Pick the end date.");
      if (!endTime.control.value) bad(endTime, "Pick the end time.");
      if (!errors.length) {
        body.start = zonedEpoch(startDate.control.value, startTime.control.value, zone);
        body.end = zonedEpoch(endDate.control.value, endTime.control.value, zone);
        if (body.end <= body.start) bad(endTime, "The shift must end after it starts.");
        else if (body.end <= Date.now()) bad(endDate, "This shift is already over.");
      }
    }
    if (!who.value) errors.push({ message: "Pick a specialist first.", focus: () => who.focus() });
    if (errors.length) {
      summary.show(errors);
      return;
    }
    summary.clear();
    add.disabled = true;
    status.set("Adding…");
    try {
      await createShift(body);
      status.set("Shift added.", "good");
      await refresh();
    } catch (err) {
      status.set("Not added.", "bad");
      summary.show(serverErrors(err).map((x) => ({ message: x.path ? `${x.path}: ${x.message}` : x.message })), "The server didn't add the shift:");
    } finally {
      add.disabled = false;
    }
  });

  function drawWho() {
    const keep = who.value;
    render(who, (admin.specialists || []).map((s) => h("option", { value: s.id, selected: s.id === keep }, clip(s.name, 60))));
    if (!keep && who.value) refresh();
  }
  who.addEventListener("change", refresh);
  onAdmin(drawWho);
  (admin.specialists ? Promise.resolve() : loadSpecialists()).then(drawWho).catch((err) => {
    listStatus.set(`Couldn't load the specialists: ${err.message}`, "bad");
  });
}
