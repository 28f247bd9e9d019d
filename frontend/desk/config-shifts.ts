// Configure › Shifts: per specialist, weekly recurring shifts (per weekday, several intervals)
// or one dated interval, in a time zone. Shifts are added, edited (the same form, filled in)
// and removed.

import { h, icon, render, toast, announce } from "./dom";
import { admin, onAdmin, loadSpecialists, listShifts, createShift, patchShift, deleteShift, type Shift, type ShiftBody } from "./admin";
import {
  field, textInput, isTimeZone, timeZoneList, errorSummary, serverErrors, statusLine, nextId,
  type ErrorSummary, type Field, type Problem, type ServerError, type StatusLine,
} from "./forms";
import { weeklyEditor, weeklyText, type WeeklyEditor } from "./hours";
import { clip } from "./format";
import { state, on } from "./store";

/** Offset of `tz` from UTC at `epoch`, in ms (wall clock minus UTC). */
function offsetAt(epoch: number, tz: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(epoch));
  const get = (t: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - epoch;
}

/** Epoch ms of a wall-clock date and time in the IANA zone `tz`. */
export function zonedEpoch(date: string, time: string, tz: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const first = wall - offsetAt(wall, tz);
  return wall - offsetAt(first, tz);
}

/** The wall-clock date ("2026-12-01") and time ("09:00") of epoch ms in the zone `tz`. */
export function wallClock(ms: number, tz: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (t: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === t)?.value ?? "";
  return { date: `${get("year")}-${get("month")}-${get("day")}`, time: `${get("hour")}:${get("minute")}` };
}

function dated(ms: number | null, tz: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: tz, dateStyle: "medium", timeStyle: "short" }).format(new Date(ms ?? 0));
  } catch {
    return new Date(ms ?? 0).toISOString();
  }
}

/** When a shift is, in words: its weekly hours, or its dated interval in its own time zone. */
export function shiftWhen(s: Pick<Shift, "weekly" | "start" | "end" | "timezone">): string {
  return s.weekly ? weeklyText(s.weekly) : `${dated(s.start, s.timezone)} – ${dated(s.end, s.timezone)}`;
}

function shiftRow(s: Shift, onEdit: (s: Shift) => void, onDelete: (s: Shift, when: string) => void, editing: boolean): HTMLTableRowElement {
  const weekly = Boolean(s.weekly);
  const when = shiftWhen(s);
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

/** The "Add a shift" form, which becomes "Edit shift" while a shift is being edited. */
interface ShiftForm {
  form: HTMLFormElement;
  title: HTMLElement;
  weeklyRadio: HTMLInputElement;
  datedRadio: HTMLInputElement;
  tz: Field<HTMLInputElement>;
  week: WeeklyEditor;
  weekField: Field;
  startDate: Field<HTMLInputElement>;
  startTime: Field<HTMLInputElement>;
  endDate: Field<HTMLInputElement>;
  endTime: Field<HTMLInputElement>;
  datedBox: HTMLElement;
  summary: ErrorSummary;
  status: StatusLine;
  add: HTMLButtonElement;
  cancel: HTMLButtonElement;
}

function buildShiftForm(): ShiftForm {
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
  const cancel = h("button.btn", { type: "button", hidden: true }, "Cancel editing");
  const title = h("h3.config-subtitle", { id: "shift-add-title" }, "Add a shift");
  const form = h("form.config-form.shift-form", { novalidate: true, aria: { labelledby: "shift-add-title" } },
    title, summary.el, field("Repeats", kind, { group: true }).el, tz.el, weekField.el, datedBox,
    h("div.config-actions", null, add, cancel, status.el));
  const f: ShiftForm = { form, title, weeklyRadio, datedRadio, tz, week, weekField, startDate, startTime, endDate, endTime, datedBox, summary, status, add, cancel };
  for (const r of [weeklyRadio, datedRadio]) r.addEventListener("change", () => showKind(f));
  return f;
}

function showKind(f: ShiftForm): void {
  f.weekField.el.hidden = !f.weeklyRadio.checked;
  f.datedBox.hidden = f.weeklyRadio.checked;
}

/** A fresh week editor in place of the old one (a new shift's, or one being edited). */
function setWeek(f: ShiftForm, initial: Shift["weekly"]): void {
  const next = weeklyEditor(initial, { label: "Weekly shift", idPrefix: "shift" });
  f.week.el.replaceWith(next.el);
  f.week = next;
}

const formFields = (f: ShiftForm): Field[] => [f.tz, f.weekField, f.startDate, f.startTime, f.endDate, f.endTime];

/** Fill the form with a shift: saving then changes it (PATCH) instead of adding one. */
function fillForm(f: ShiftForm, s: Shift): void {
  f.summary.clear();
  for (const x of formFields(f)) x.setError("");
  f.tz.control.value = s.timezone || "UTC";
  f.weeklyRadio.checked = Boolean(s.weekly);
  f.datedRadio.checked = !s.weekly;
  setWeek(f, s.weekly || {});
  if (!s.weekly) {
    const from = wallClock(s.start ?? 0, s.timezone || "UTC");
    const until = wallClock(s.end ?? 0, s.timezone || "UTC");
    f.startDate.control.value = from.date;
    f.startTime.control.value = from.time;
    f.endDate.control.value = until.date;
    f.endTime.control.value = until.time;
  }
  showKind(f);
  f.title.textContent = "Edit shift";
  f.add.replaceChildren("Save shift");
  f.cancel.hidden = false;
  f.status.set("");
}

function resetForm(f: ShiftForm): void {
  f.title.textContent = "Add a shift";
  f.add.replaceChildren(icon("plus", 14), "Add shift");
  f.cancel.hidden = true;
  setWeek(f, {});
}

/** The shift the form describes for `specialistId`, and what is wrong with it. */
function readShift(f: ShiftForm, specialistId: string, editing: boolean): { body: ShiftBody; errors: Problem[] } {
  const errors: Problem[] = [];
  const bad = (x: Field, message: string): void => {
    x.setError(message);
    errors.push({ message, focus: () => x.focus() });
  };
  for (const x of formFields(f)) x.setError("");
  const zone = f.tz.control.value.trim();
  if (!isTimeZone(zone)) bad(f.tz, "Pick a time zone from the list, e.g. Europe/Lisbon.");
  const body: ShiftBody = { specialist_id: specialistId, timezone: zone, weekly: null, start: null, end: null };
  if (f.weeklyRadio.checked) {
    for (const p of f.week.validate()) errors.push(p);
    const weekly = f.week.value();
    body.weekly = weekly;
    if (!errors.length && !Object.values(weekly).some((l) => l.length)) bad(f.weekField, "Add at least one interval.");
  } else {
    if (!f.startDate.control.value) bad(f.startDate, "Pick the start date.");
    if (!f.startTime.control.value) bad(f.startTime, "Pick the start time.");
    if (!f.endDate.control.value) bad(f.endDate, "Pick the end date.");
    if (!f.endTime.control.value) bad(f.endTime, "Pick the end time.");
    if (!errors.length) {
      const start = zonedEpoch(f.startDate.control.value, f.startTime.control.value, zone);
      const end = zonedEpoch(f.endDate.control.value, f.endTime.control.value, zone);
      body.start = start;
      body.end = end;
      if (end <= start) bad(f.endTime, "The shift must end after it starts.");
      else if (end <= Date.now() && !editing) bad(f.endDate, "This shift is already over.");
    }
  }
  return { body, errors };
}

/** Server errors beside their fields (timezone, weekly.mon, start, end), and listed. */
function placeServer(f: ShiftForm, whoField: Field, list: ServerError[]): Problem[] {
  const byPath: Record<string, Field> = { timezone: f.tz, start: f.startDate, end: f.endDate, weekly: f.weekField, specialist_id: whoField };
  return list.map((e) => {
    const [head, day] = e.path.split(".");
    const target = Object.prototype.hasOwnProperty.call(byPath, head) ? byPath[head] : undefined;
    if (head === "weekly" && day) f.week.setError(day, e.message);
    else if (target) target.setError(e.message);
    return { message: e.path ? `${e.path.replace(/\./g, " › ")}: ${e.message}` : e.message, focus: target ? () => target.focus() : undefined };
  });
}

/** The tab: a specialist picker, their shifts, and the form that adds or edits one. */
class ShiftsTab {
  private shifts: Shift[] = [];
  /** The shift being edited, or null: adding. */
  private editing: Shift | null = null;
  private readonly who = h("select.input", { id: nextId("shift-who") });
  private readonly whoField = field("Specialist", this.who);
  private readonly table = h("table.shift-table", null,
    h("thead", null, h("tr", null, ["Kind", "When", "Time zone", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody"));
  private readonly emptyNote = h("p.muted", null, "No shifts: this specialist counts as staffed only while signed in.");
  private readonly listStatus = statusLine();
  private readonly listTitle = h("h2.config-title", { id: "shift-list-title" }, "Shifts");
  private readonly f = buildShiftForm();

  constructor(private readonly panel: HTMLElement) {
    panel.append(h("div.config-single", null, this.whoField.el,
      h("section", { aria: { labelledby: "shift-list-title" } }, this.listTitle, this.listStatus.el, this.table, this.emptyNote), this.f.form));
    this.f.cancel.addEventListener("click", () => this.stopEditing(true));
    this.f.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.who.addEventListener("change", () => {
      if (this.editing) this.stopEditing();
      void this.refresh();
    });
    // A shift saved elsewhere (another supervisor, another tab): the list follows; the form
    // stays as it is, so nothing being typed is lost.
    on("config", () => {
      if (state.lastConfig && state.lastConfig.what === "shift" && this.panel.isConnected) void this.refresh();
    });
    onAdmin(() => this.drawWho());
  }

  private edit(s: Shift): void {
    this.editing = s;
    fillForm(this.f, s);
    this.drawTable();
    (s.weekly ? this.f.weeklyRadio : this.f.datedRadio).focus();
  }

  private stopEditing(focus = false): void {
    const was = this.editing;
    this.editing = null;
    resetForm(this.f);
    this.drawTable();
    if (focus && was) this.table.querySelector<HTMLElement>(`[data-key="edit-${was.id}"]`)?.focus();
  }

  private async refresh(): Promise<void> {
    const id = this.who.value;
    if (!id) return;
    this.listStatus.set("Loading…");
    try {
      this.shifts = await listShifts(id);
      this.listStatus.set("");
    } catch (err) {
      this.shifts = [];
      this.listStatus.set(`Couldn't load the shifts: ${err instanceof Error ? err.message : String(err)}`, "bad");
    }
    const name = (admin.specialists || []).find((s) => s.id === id)?.name || "";
    this.listTitle.textContent = `Shifts of ${clip(name, 60)}`;
    const editing = this.editing;
    if (editing && !this.shifts.some((s) => s.id === editing.id)) this.stopEditing();
    this.drawTable();
  }

  private drawTable(): void {
    const editingId = this.editing?.id;
    render(this.table.tBodies[0], this.shifts.map((s) =>
      shiftRow(s, (x) => this.edit(x), (x, when) => void this.remove(x, when), s.id === editingId)));
    this.table.hidden = !this.shifts.length;
    this.emptyNote.hidden = this.shifts.length > 0;
  }

  private async remove(s: Shift, when: string): Promise<void> {
    if (!window.confirm(`Remove this shift?\n${when}`)) return;
    try {
      await deleteShift(s.id);
      this.listStatus.set("Shift removed.", "good");
      await this.refresh();
    } catch (err) {
      toast(`Couldn't remove the shift: ${err instanceof Error ? err.message : String(err)}`, "error");
    }
  }

  private async submit(): Promise<void> {
    const { f, who } = this;
    const { body, errors } = readShift(f, who.value, Boolean(this.editing));
    if (!who.value) errors.push({ message: "Pick a specialist first.", focus: () => who.focus() });
    if (errors.length) {
      f.summary.show(errors);
      return;
    }
    f.summary.clear();
    f.add.disabled = true;
    const changing = this.editing;
    f.status.set(changing ? "Saving…" : "Adding…");
    try {
      if (changing) {
        await patchShift(changing.id, { timezone: body.timezone, weekly: body.weekly, start: body.start, end: body.end });
        this.stopEditing();
      } else {
        await createShift(body);
      }
      const said = changing ? "Shift saved." : "Shift added.";
      f.status.set(said, "good");
      announce(said);
      await this.refresh();
    } catch (err) {
      f.status.set(changing ? "Not saved." : "Not added.", "bad");
      f.summary.show(placeServer(f, this.whoField, serverErrors(err)), changing ? "The server didn't save the shift:" : "The server didn't add the shift:");
    } finally {
      f.add.disabled = false;
    }
  }

  drawWho(): void {
    const keep = this.who.value;
    render(this.who, (admin.specialists || []).map((s) => h("option", { value: s.id, selected: s.id === keep }, clip(s.name, 60))));
    if (!keep && this.who.value) void this.refresh();
  }

  /** The specialists (loaded unless another tab did), then the first one's shifts. */
  start(): void {
    (admin.specialists ? Promise.resolve() : loadSpecialists().then(() => undefined)).then(() => this.drawWho()).catch((err: unknown) => {
      this.listStatus.set(`Couldn't load the specialists: ${err instanceof Error ? err.message : String(err)}`, "bad");
    });
  }
}

/** Build the Shifts tab into `panel`. */
export function mountShifts(panel: HTMLElement): void {
  new ShiftsTab(panel).start();
}
