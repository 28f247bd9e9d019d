// Configure › Shifts: per specialist, weekly recurring shifts (per weekday, several intervals)
// or one dated interval, in a time zone. Shifts are added, edited (the same form, filled in)
// and removed.

import { h, icon, render, toast, announce } from "./dom.js";
import { admin, onAdmin, loadSpecialists, listShifts, createShift, patchShift, deleteShift } from "./admin.js";
import { field, textInput, isTimeZone, timeZoneList, errorSummary, serverErrors, statusLine, nextId } from "./forms.js";
import { weeklyEditor, weeklyText } from "./hours.js";
import { clip } from "./format.js";
import { state, on } from "./store.js";

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

/** The wall-clock date ("2026-12-01") and time ("09:00") of epoch ms in the zone `tz`. */
export function wallClock(ms, tz) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (t) => parts.find((p) => p.type === t).value;
  return { date: `${get("year")}-${get("month")}-${get("day")}`, time: `${get("hour")}:${get("minute")}` };
}

function dated(ms, tz) {
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: tz, dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
  } catch {
    return new Date(ms).toISOString();
  }
}

function shiftRow(s, onEdit, onDelete, editing) {
  const weekly = Boolean(s.weekly);
  const when = weekly ? weeklyText(s.weekly) : `${dated(s.start, s.timezone)} – ${dated(s.end, s.timezone)}`;
  const kind = weekly ? "weekly" : "dated";
  return h("tr", { class: editing ? "is-editing" : undefined, aria: { current: editing ? "true" : undefined } },
    h("td", null, weekly ? h("span.chip", null, icon("clock", 12), "Weekly") : h("span.chip", null, icon("calendar", 12), "Dated")),
    h("td", null, when),
    h("td.muted", null, s.timezone || "—"),
    h("td.shift-actions", null,
      h("button.btn.btn-small", {
        type: "button", dataset: { key: `edit-${s.id}` }, aria: { label: `Edit the ${kind} shift ${when}` }, onclick: () => onEdit(s),
      }, "Edit"),
      h("button.btn.btn-small", {
        type: "button", dataset: { key: `remove-${s.id}` }, aria: { label: `Remove the ${kind} shift ${when}` }, onclick: () => onDelete(s, when),
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
  let week = weeklyEditor({}, { label: "Weekly shift", idPrefix: "shift" });
  let editing = null; // the shift being edited, or null: adding
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
  const cancel = h("button.btn", { type: "button", hidden: true, onclick: () => stopEditing(true) }, "Cancel editing");
  const formTitle = h("h3.config-subtitle", { id: "shift-add-title" }, "Add a shift");
  const form = h("form.config-form.shift-form", { novalidate: true, aria: { labelledby: "shift-add-title" } },
    formTitle, summary.el, field("Repeats", kind, { group: true }).el, tz.el, weekField.el, datedBox,
    h("div.config-actions", null, add, cancel, status.el));
  const showKind = () => {
    weekField.el.hidden = !weeklyRadio.checked;
    datedBox.hidden = weeklyRadio.checked;
  };
  for (const r of [weeklyRadio, datedRadio]) r.addEventListener("change", showKind);

  function setWeek(initial) {
    const next = weeklyEditor(initial, { label: "Weekly shift", idPrefix: "shift" });
    week.el.replaceWith(next.el);
    week = next;
  }

  /** Fill the form with a shift: saving then changes it (PATCH) instead of adding one. */
  function edit(s) {
    editing = s;
    summary.clear();
    for (const f of [tz, weekField, startDate, startTime, endDate, endTime]) f.setError("");
    tz.control.value = s.timezone || "UTC";
    weeklyRadio.checked = Boolean(s.weekly);
    datedRadio.checked = !s.weekly;
    setWeek(s.weekly || {});
    if (!s.weekly) {
      const from = wallClock(s.start, s.timezone || "UTC");
      const until = wallClock(s.end, s.timezone || "UTC");
      startDate.control.value = from.date;
      startTime.control.value = from.time;
      endDate.control.value = until.date;
      endTime.control.value = until.time;
    }
    showKind();
    formTitle.textContent = "Edit shift";
    add.replaceChildren("Save shift");
    cancel.hidden = false;
    status.set("");
    drawTable();
    (s.weekly ? weeklyRadio : datedRadio).focus();
  }

  function stopEditing(focus = false) {
    const was = editing;
    editing = null;
    formTitle.textContent = "Add a shift";
    add.replaceChildren(icon("plus", 14), "Add shift");
    cancel.hidden = true;
    setWeek({});
    drawTable();
    if (focus && was) table.querySelector(`[data-key="edit-${was.id}"]`)?.focus();
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
    if (editing && !shifts.some((s) => s.id === editing.id)) stopEditing();
    drawTable();
  }

  function drawTable() {
    render(table.tBodies[0], shifts.map((s) => shiftRow(s, edit, remove, editing && editing.id === s.id)));
    table.hidden = !shifts.length;
    emptyNote.hidden = shifts.length > 0;
  }

  // A shift saved elsewhere (another supervisor, another tab): the list follows; the form
  // stays as it is, so nothing being typed is lost.
  on("config", () => {
    if (state.lastConfig && state.lastConfig.what === "shift" && panel.isConnected) refresh();
  });

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
        else if (body.end <= Date.now() && !editing) bad(endDate, "This shift is already over.");
      }
    }
    if (!who.value) errors.push({ message: "Pick a specialist first.", focus: () => who.focus() });
    if (errors.length) {
      summary.show(errors);
      return;
    }
    summary.clear();
    add.disabled = true;
    const changing = editing;
    status.set(changing ? "Saving…" : "Adding…");
    try {
      if (changing) {
        const { specialist_id: _, ...part } = body;
        await patchShift(changing.id, part);
        stopEditing();
      } else {
        await createShift(body);
      }
      const said = changing ? "Shift saved." : "Shift added.";
      status.set(said, "good");
      announce(said);
      await refresh();
    } catch (err) {
      status.set(changing ? "Not saved." : "Not added.", "bad");
      summary.show(placeServer(serverErrors(err)), changing ? "The server didn't save the shift:" : "The server didn't add the shift:");
    } finally {
      add.disabled = false;
    }
  });

  /** Server errors beside their fields (timezone, weekly.mon, start, end), and listed. */
  function placeServer(list) {
    const byPath = { timezone: tz, start: startDate, end: endDate, weekly: weekField, specialist_id: whoField };
    return list.map((e) => {
      const [head, day] = e.path.split(".");
      if (head === "weekly" && day) week.setError(day, e.message);
      else if (byPath[head]) byPath[head].setError(e.message);
      const target = byPath[head];
      return { message: e.path ? `${e.path.replace(/\./g, " › ")}: ${e.message}` : e.message, focus: target ? () => target.focus() : undefined };
    });
  }

  function drawWho() {
    const keep = who.value;
    render(who, (admin.specialists || []).map((s) => h("option", { value: s.id, selected: s.id === keep }, clip(s.name, 60))));
    if (!keep && who.value) refresh();
  }
  who.addEventListener("change", () => {
    if (editing) stopEditing();
    refresh();
  });
  onAdmin(drawWho);
  (admin.specialists ? Promise.resolve() : loadSpecialists()).then(drawWho).catch((err) => {
    listStatus.set(`Couldn't load the specialists: ${err.message}`, "bad");
  });
}
