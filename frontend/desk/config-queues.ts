// Configure › Queues: the list of queues and one queue's form (name, skill, priority, time
// zone, business hours, closed dates, dated special hours, stickiness, widening, callback
// threshold, fallback, service target), removing a queue, and showing and restoring archived
// ones. The list, saving and errors: config-editor.ts.

import { h } from "./dom";
import {
  admin, loadQueues, createQueue, patchQueue, deleteQueue, knownSkills, loadArchivedQueues, restoreQueue,
  type Hours, type Queue, type QueueValue,
} from "./admin";
import {
  field, textInput, numberInput, readInt, secondsHint, isTimeZone, timeZoneList,
  type Field, type IntOptions, type NumberOptions, type Problem, type ServerError,
} from "./forms";
import { weeklyEditor, datesEditor, DAYS, type WeeklyEditor, type DatesEditor } from "./hours";
import { specialEditor, type SpecialEditor } from "./hours-special";
import { clip, fullTime } from "./format";
import { mountEditor, type ItemForm } from "./config-editor";
import { setAsideList } from "./config-set-aside";

/** A new queue's values: open on weekdays 09:00–17:00 in the browser's time zone. */
export function defaults(): Omit<Queue, "id" | "archived_at"> {
  const week = Object.fromEntries(DAYS.map(([k], i) => [k, i < 5 ? [["09:00", "17:00"]] : []]));
  return {
    name: "", skill: "", priority: 0,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    hours: { ...week, closed_on: [] },
    sticky_seconds: 60, widen_after: [120, 300], callback_threshold: 300,
    fallback_queue_id: null, service_target_seconds: 60,
  };
}

function secondsField(label: string, value: unknown, hint: string, opts: NumberOptions = {}): Field<HTMLInputElement> {
  const input = numberInput(value, { min: 0, ...opts });
  const f = field(label, input, { hint, suffix: "s" });
  const extra = h("span.field-suffix.muted");
  f.el.querySelector(".field-row")?.append(extra);
  const update = (): void => {
    extra.textContent = secondsHint(input.value);
  };
  input.addEventListener("input", update);
  update();
  return f;
}

/** The form's plain fields, by the key a server error names. */
interface QueueFields {
  name: Field<HTMLInputElement>;
  skill: Field<HTMLInputElement>;
  priority: Field<HTMLInputElement>;
  timezone: Field<HTMLInputElement>;
  sticky_seconds: Field<HTMLInputElement>;
  t1: Field<HTMLInputElement>;
  t2: Field<HTMLInputElement>;
  callback_threshold: Field<HTMLInputElement>;
  service_target_seconds: Field<HTMLInputElement>;
  fallback_queue_id: Field<HTMLSelectElement>;
  hours: Field;
  closed_on: Field;
  special: Field;
}

type NumberKey = "priority" | "sticky_seconds" | "t1" | "t2" | "callback_threshold" | "service_target_seconds";

function plainFields(v: Omit<Queue, "id">): Omit<QueueFields, "fallback_queue_id" | "hours" | "closed_on" | "special"> {
  return {
    name: field("Name", textInput(v.name, { maxlength: 200, required: true }), { hint: "What specialists and supervisors see." }),
    skill: field("Skill", textInput(v.skill, { list: "skill-list-q", maxlength: 100, required: true }), { hint: "Specialists need this skill to be offered the queue's requests (lowercase letters, digits, _)." }),
    priority: field("Priority", numberInput(v.priority ?? 0, { min: -100, max: 100 }), { hint: "−100 to 100; higher is served first when a specialist could take requests from several queues." }),
    timezone: field("Time zone", textInput(v.timezone, { list: timeZoneList(), required: true }), { hint: "Business hours and closed dates are in this zone, e.g. Europe/Lisbon." }),
    sticky_seconds: secondsField("Sticky routing", v.sticky_seconds ?? 0, "How long a returning customer waits for the specialist who helped them last (at most an hour). 0: never.", { max: 3600 }),
    t1: secondsField("Widen after (T1)", (v.widen_after || [])[0], "Then a lower skill level is accepted. Empty: never.", { min: 0 }),
    t2: secondsField("Anyone after (T2)", (v.widen_after || [])[1], "Then anyone in the queue is accepted. Empty: never.", { min: 0 }),
    callback_threshold: secondsField("Offer a callback when the wait may pass", v.callback_threshold ?? 300, "Compared with the high end of the customer's estimate."),
    service_target_seconds: secondsField("Service target", v.service_target_seconds ?? 60, "Answered within this counts toward the service level.", { min: 1 }),
  };
}

function fallbackField(q: Queue | null, current: string | null): Field<HTMLSelectElement> {
  const fallback = h("select.input", null,
    h("option", { value: "" }, "None: tell the customer and alert supervisors"),
    (admin.queues || []).filter((x) => !q || x.id !== q.id).map((x) =>
      h("option", { value: x.id, selected: x.id === current }, clip(x.name, 60))));
  return field("Fallback queue", fallback, { hint: "Where requests go when no specialist could ever meet their requirements." });
}

/** The opening: "Open all the time" (hours null) or business hours, closed and special dates. */
interface Opening {
  mode: Field;
  always: HTMLInputElement;
  week: WeeklyEditor;
  dates: DatesEditor;
  special: SpecialEditor;
  hours: Field;
  closed_on: Field;
  special_field: Field;
}

function openingFields(q: Queue | null, v: Omit<Queue, "id">): Opening {
  const hours: Hours = v.hours || {};
  // No hours at all (null) means open all the time: say so rather than show seven closed days.
  const always = v.hours === null || v.hours === undefined;
  const modeName = `hours-mode-${q ? q.id : "new"}`;
  const alwaysRadio = h("input", { type: "radio", name: modeName, value: "always", checked: always });
  const setRadio = h("input", { type: "radio", name: modeName, value: "set", checked: !always });
  const mode = field("Opening", h("div.segmented-radios", null,
    h("label.radio", null, alwaysRadio, h("span", null, "Open all the time")),
    h("label.radio", null, setRadio, h("span", null, "Set business hours"))), { group: true });
  const week = weeklyEditor(always ? defaults().hours : hours, { label: "Business hours", idPrefix: `q-${q ? q.id : "new"}` });
  const hoursField = field("Business hours", week.el, { group: true, hint: "Several intervals per day are fine (a lunch break). A day without hours is closed." });
  const dates = datesEditor(hours.closed_on || [], { onChange: () => special.refresh() });
  const closedOn = field("Closed dates", dates.el, { group: true, hint: "Public holidays and the like, in the queue's time zone." });
  const special = specialEditor(hours.special || {}, {
    idPrefix: `q-${q ? q.id : "new"}-special`,
    closedDates: () => dates.value(),
    usual: (day) => week.value()[day],
  });
  const specialField = field("Special hours", special.el, {
    group: true,
    hint: "Dates open with other hours than their weekday, e.g. Christmas Eve 08:00–13:00, in the queue's time zone. Past dates are accepted and change nothing. A date that is also closed opens with its special hours.",
  });
  const showHours = (): void => {
    hoursField.el.hidden = alwaysRadio.checked;
    closedOn.el.hidden = alwaysRadio.checked;
    specialField.el.hidden = alwaysRadio.checked;
  };
  for (const r of [alwaysRadio, setRadio]) r.addEventListener("change", showHours);
  showHours();
  return { mode, always: alwaysRadio, week, dates, special, hours: hoursField, closed_on: closedOn, special_field: specialField };
}

/** Read and check the form: the value to send, and the problems marked beside their fields. */
function readQueue(f: QueueFields, o: Opening, stored: Hours): { value: QueueValue; errors: Problem[] } {
  const errors: Problem[] = [];
  const bad = (key: keyof QueueFields, message: string): void => {
    f[key].setError(message);
    if (message) errors.push({ key, message, focus: () => f[key].focus() });
  };
  for (const key of Object.keys(f) as Array<keyof QueueFields>) f[key].setError("");
  const num = (key: NumberKey, opts: IntOptions): number | null | undefined => {
    const r = readInt(f[key].control, opts);
    bad(key, r.error || "");
    return r.value;
  };
  const name = f.name.control.value.trim();
  bad("name", name ? "" : "Give the queue a name.");
  const skill = f.skill.control.value.trim();
  bad("skill", !skill ? "Name the skill this queue needs."
    : /^[a-z0-9_]+$/.test(skill) ? "" : "Use lowercase letters, digits and _ only, e.g. payments.");
  const priority = num("priority", { min: -100, max: 100, what: "Priority" });
  const timezone = f.timezone.control.value.trim();
  bad("timezone", isTimeZone(timezone) ? "" : "Pick a time zone from the list, e.g. Europe/Lisbon.");
  const sticky = num("sticky_seconds", { min: 0, max: 3600, what: "Sticky routing" });
  const t1 = num("t1", { min: 0, max: 86400, optional: true, what: "T1" });
  const t2 = num("t2", { min: 0, max: 86400, optional: true, what: "T2" });
  if (t1 !== null && t2 !== null && t2 !== undefined && t1 !== undefined && t2 < t1) bad("t2", "T2 can't come before T1.");
  if (t1 === null && t2 !== null && t2 !== undefined) bad("t1", "Set T1 too (it may equal T2): widening to anyone comes after widening the level.");
  const value: QueueValue = {
    name, skill, priority, timezone, sticky_seconds: sticky,
    // [] never widens, [T1] only lowers the level, [T1, T2] both.
    widen_after: [t1, t2].filter((x): x is number => x !== null && x !== undefined),
    callback_threshold: num("callback_threshold", { min: 0, max: 86400, what: "The callback threshold" }),
    service_target_seconds: num("service_target_seconds", { min: 1, max: 86400, what: "The service target" }),
    fallback_queue_id: f.fallback_queue_id.control.value || null,
    hours: null,
  };
  if (!o.always.checked) value.hours = readHours(o, stored, errors, bad);
  return { value, errors };
}

/** The hours as sent: keys the server may add later are kept as they were; `special` only
 * when there is some (or was), so an untouched queue compares equal to what is stored. */
function readHours(o: Opening, stored: Hours, errors: Problem[], bad: (key: "closed_on" | "special", message: string) => void): Hours {
  for (const p of o.week.validate()) errors.push(p);
  if (o.dates.pending()) {
    bad("closed_on", `You picked ${o.dates.pending()} but didn't add it: press "Add date" or clear it.`);
  }
  for (const p of o.special.validate()) errors.push(p);
  if (o.special.pending()) {
    bad("special", `You picked ${o.special.pending()} but didn't add it: press "Add special date" or clear it.`);
  }
  const hours: Hours = { ...stored, ...o.week.value(), closed_on: o.dates.value() };
  const dated = o.special.value();
  if (Object.keys(dated).length || "special" in stored) hours.special = dated;
  return hours;
}

/** Server errors beside their fields ("hours.special.2026-12-24", "widen_after.1", …). */
function placeServer(list: ServerError[], f: QueueFields, o: Opening): Problem[] {
  const general: Problem[] = [];
  const byKey = new Map<string, Field>(Object.entries(f));
  for (const e of list) {
    const [head, day, date] = e.path.split(".");
    if (head === "hours" && day === "special") {
      // "hours.special.2026-12-24" (…".0.1" for one time): beside that date's row.
      if (!(date && o.special.setError(date, e.message))) f.special.setError(e.message);
      const where = date ? `Special hours on ${date}` : "Special hours";
      general.push({ ...e, message: `${where}: ${e.message}`, focus: () => (date && o.special.focus(date)) || f.special.focus() });
      continue;
    }
    const target = byKey.get(head);
    if (head === "hours" && DAYS.some(([k]) => k === day)) o.week.setError(day, e.message);
    else if (head === "hours" && day === "closed_on") f.closed_on.setError(e.message);
    else if (head === "widen_after") f[e.path.endsWith("1") ? "t2" : "t1"].setError(e.message);
    else if (target) target.setError(e.message);
    else {
      general.push({ ...e, message: e.path ? `${e.path}: ${e.message}` : e.message });
      continue;
    }
    general.push({ ...e, message: `${e.path.replace(/\./g, " › ")}: ${e.message}`, focus: () => (target || f.hours).focus() });
  }
  return general;
}

/** One queue's form. */
function queueForm(q: Queue | null): ItemForm<QueueValue> {
  const v = q || defaults();
  const skillList = h("datalist", { id: "skill-list-q" }, knownSkills().map((s) => h("option", { value: s })));
  const o = openingFields(q, v);
  const f: QueueFields = {
    ...plainFields(v),
    fallback_queue_id: fallbackField(q, v.fallback_queue_id),
    hours: o.hours,
    closed_on: o.closed_on,
    special: o.special_field,
  };
  // The weekday ("Thursday, usually 09:00–17:00") and closed-date notes beside special dates
  // follow the week and the closed dates as they are edited.
  const follow = (): void => {
    requestAnimationFrame(() => o.special.refresh());
  };
  const el = h("div.config-fields", { onchange: follow, onclick: follow }, skillList,
    h("div.field-grid", null, f.name.el, f.skill.el, f.priority.el, f.timezone.el),
    o.mode.el, f.hours.el, f.closed_on.el, f.special.el,
    h("h3.config-subtitle", null, "Routing"),
    h("div.field-grid", null, f.sticky_seconds.el, f.t1.el, f.t2.el, f.fallback_queue_id.el),
    h("h3.config-subtitle", null, "Waits and service"),
    h("div.field-grid", null, f.callback_threshold.el, f.service_target_seconds.el));
  return {
    el,
    read: () => readQueue(f, o, v.hours || {}),
    showServer: (list) => placeServer(list, f, o),
  };
}

/** What restoring means, asked before it is done. */
function restoreQuestion(q: Queue): string {
  const lines = [
    `Restore the queue ${clip(q.name, 60)}?`,
    "It comes back into use with the settings it had: the queue lists, the wallboard and the fallback choices show it again and its hours apply. Requests reach it only when the routing rules or another queue's fallback send them there.",
  ];
  const fallback = q.fallback_queue_id;
  if (fallback && !(admin.queues || []).some((x) => x.id === fallback)) {
    lines.push("Its fallback queue is not in use, so it will have none.");
  }
  return lines.join("\n\n");
}

/** "Show archived queues" under the list, with Restore. */
function archivedQueues(panel: HTMLElement): HTMLElement {
  return setAsideList<Queue>(panel, {
    what: "queue",
    noun: "archived queues",
    title: "Archived",
    load: loadArchivedQueues,
    sub: (q) => `${q.skill} · archived ${fullTime(q.archived_at)}`,
    action: "Restore",
    key: (q) => `restore-${q.id}`,
    question: restoreQuestion,
    busy: (q) => `Restoring ${clip(q.name, 60)}…`,
    bringBack: restoreQueue,
    done: (q, back) => {
      const lost = q.fallback_queue_id && !back.fallback_queue_id ? " It has no fallback queue now." : "";
      return `Queue ${clip(back.name, 60)} restored: it is in use again and back in the list above.${lost}`;
    },
    failed: (q) => `${clip(q.name, 60)} was not restored:`,
    focusKey: (back) => `queue-${back.id}`,
  });
}

/** Build the Queues tab into `panel`. */
export function mountQueues(panel: HTMLElement): void {
  mountEditor<Queue, QueueValue>(panel, {
    noun: "queue",
    idPrefix: "queue",
    items: () => admin.queues,
    load: loadQueues,
    summary: (q) => ({ name: q.name, sub: [q.skill, q.timezone].filter(Boolean).join(" · ") }),
    form: queueForm,
    create: createQueue,
    update: patchQueue,
    // Refused (409) while requests wait or are helped there, the rules name it, or another
    // queue falls back on it: the server's reason is shown in the summary.
    remove: async (q) => {
      const { outcome } = await deleteQueue(q.id);
      return outcome === "archived"
        ? `Queue ${clip(q.name, 60)} archived: it takes no new requests, and its past requests keep their history.`
        : `Queue ${clip(q.name, 60)} deleted.`;
    },
    emptyText: "Pick a queue, or add one.",
  });
  panel.querySelector(".config-side")?.append(archivedQueues(panel));
}
