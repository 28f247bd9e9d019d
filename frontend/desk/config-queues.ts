// Configure › Queues: the list of queues and one queue's form (name, skill, priority, time
// zone, business hours, closed dates, dated special hours, stickiness, widening, callback
// threshold, fallback, service target), removing a queue, and showing and restoring archived
// ones. The list, saving and errors: config-editor.js.

import { h } from "./dom.js";
import {
  admin, loadQueues, createQueue, patchQueue, deleteQueue, knownSkills, loadArchivedQueues, restoreQueue,
} from "./admin.js";
import {
  field, textInput, numberInput, readInt, secondsHint, isTimeZone, timeZoneList,
} from "./forms.js";
import { weeklyEditor, datesEditor, specialEditor, DAYS } from "./hours.js";
import { clip, fullTime } from "./format.js";
import { mountEditor } from "./config-editor.js";
import { setAsideList } from "./config-set-aside.js";

function defaults() {
  const week = Object.fromEntries(DAYS.map(([k], i) => [k, i < 5 ? [["09:00", "17:00"]] : []]));
  return {
    name: "", skill: "", priority: 0,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    hours: { ...week, closed_on: [] },
    sticky_seconds: 60, widen_after: [120, 300], callback_threshold: 300,
    fallback_queue_id: null, service_target_seconds: 60,
  };
}

function secondsField(label, value, hint, opts = {}) {
  const input = numberInput(value, { min: 0, ...opts });
  const f = field(label, input, { hint, suffix: "s" });
  const extra = h("span.field-suffix.muted");
  f.el.querySelector(".field-row").append(extra);
  const update = () => {
    extra.textContent = secondsHint(input.value);
  };
  input.addEventListener("input", update);
  update();
  return f;
}

/** One queue's form. Returns {el, read(), showServer(errors), original}. */
function queueForm(q) {
  const v = q || defaults();
  const hours = v.hours || {};
  const skillList = h("datalist", { id: "skill-list-q" }, knownSkills().map((s) => h("option", { value: s })));
  const f = {
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
  const fallback = h("select.input", null,
    h("option", { value: "" }, "None: tell the customer and alert supervisors"),
    (admin.queues || []).filter((x) => !q || x.id !== q.id).map((x) =>
      h("option", { value: x.id, selected: x.id === v.fallback_queue_id }, clip(x.name, 60))));
  f.fallback_queue_id = field("Fallback queue", fallback, { hint: "Where requests go when no specialist could ever meet their requirements." });
  // No hours at all (null) means open all the time: say so rather than show seven closed days.
  const always = v.hours === null || v.hours === undefined;
  const modeName = `hours-mode-${q ? q.id : "new"}`;
  const alwaysRadio = h("input", { type: "radio", name: modeName, value: "always", checked: always });
  const setRadio = h("input", { type: "radio", name: modeName, value: "set", checked: !always });
  const mode = field("Opening", h("div.segmented-radios", null,
    h("label.radio", null, alwaysRadio, h("span", null, "Open all the time")),
    h("label.radio", null, setRadio, h("span", null, "Set business hours"))), { group: true });
  const week = weeklyEditor(always ? defaults().hours : hours, { label: "Business hours", idPrefix: `q-${q ? q.id : "new"}` });
  f.hours = field("Business hours", week.el, { group: true, hint: "Several intervals per day are fine (a lunch break). A day without hours is closed." });
  const dates = datesEditor(hours.closed_on || [], { onChange: () => special.refresh() });
  f.closed_on = field("Closed dates", dates.el, { group: true, hint: "Public holidays and the like, in the queue's time zone." });
  const special = specialEditor(hours.special || {}, {
    idPrefix: `q-${q ? q.id : "new"}-special`,
    closedDates: () => dates.value(),
    usual: (day) => week.value()[day],
  });
  f.special = field("Special hours", special.el, {
    group: true,
    hint: "Dates open with other hours than their weekday, e.g. Christmas Eve 08:00–13:00, in the queue's time zone. Past dates are accepted and change nothing. A date that is also closed opens with its special hours.",
  });
  const showHours = () => {
    f.hours.el.hidden = alwaysRadio.checked;
    f.closed_on.el.hidden = alwaysRadio.checked;
    f.special.el.hidden = alwaysRadio.checked;
  };
  for (const r of [alwaysRadio, setRadio]) r.addEventListener("change", showHours);
  showHours();

  // The weekday ("Thursday, usually 09:00–17:00") and closed-date notes beside special dates
  // follow the week and the closed dates as they are edited.
  const follow = () => requestAnimationFrame(() => special.refresh());
  const el = h("div.config-fields", { onchange: follow, onclick: follow }, skillList,
    h("div.field-grid", null, f.name.el, f.skill.el, f.priority.el, f.timezone.el),
    mode.el, f.hours.el, f.closed_on.el, f.special.el,
    h("h3.config-subtitle", null, "Routing"),
    h("div.field-grid", null, f.sticky_seconds.el, f.t1.el, f.t2.el, f.fallback_queue_id.el),
    h("h3.config-subtitle", null, "Waits and service"),
    h("div.field-grid", null, f.callback_threshold.el, f.service_target_seconds.el));

  function read() {
    const errors = [];
    const bad = (key, message) => {
      f[key].setError(message);
      if (message) errors.push({ key, message, focus: () => f[key].focus() });
    };
    for (const key of Object.keys(f)) f[key].setError("");
    const value = {};
    value.name = f.name.control.value.trim();
    bad("name", value.name ? "" : "Give the queue a name.");
    value.skill = f.skill.control.value.trim();
    bad("skill", !value.skill ? "Name the skill this queue needs."
      : /^[a-z0-9_]+$/.test(value.skill) ? "" : "Use lowercase letters, digits and _ only, e.g. payments.");
    const num = (key, opts) => {
      const r = readInt(f[key].control, opts);
      bad(key, r.error || "");
      return r.value;
    };
    value.priority = num("priority", { min: -100, max: 100, what: "Priority" });
    value.timezone = f.timezone.control.value.trim();
    bad("timezone", isTimeZone(value.timezone) ? "" : "Pick a time zone from the list, e.g. Europe/Lisbon.");
    value.sticky_seconds = num("sticky_seconds", { min: 0, max: 3600, what: "Sticky routing" });
    const t1 = num("t1", { min: 0, max: 86400, optional: true, what: "T1" });
    const t2 = num("t2", { min: 0, max: 86400, optional: true, what: "T2" });
    if (t1 !== null && t2 !== null && t2 !== undefined && t1 !== undefined && t2 < t1) bad("t2", "T2 can't come before T1.");
    if (t1 === null && t2 !== null && t2 !== undefined) bad("t1", "Set T1 too (it may equal T2): widening to anyone comes after widening the level.");
    // [] never widens, [T1] only lowers the level, [T1, T2] both.
    value.widen_after = [t1, t2].filter((x) => x !== null && x !== undefined);
    value.callback_threshold = num("callback_threshold", { min: 0, max: 86400, what: "The callback threshold" });
    value.service_target_seconds = num("service_target_seconds", { min: 1, max: 86400, what: "The service target" });
    value.fallback_queue_id = fallback.value || null;
    if (alwaysRadio.checked) {
      value.hours = null;
    } else {
      for (const p of week.validate()) errors.push(p);
      if (dates.pending()) {
        bad("closed_on", `You picked ${dates.pending()} but didn't add it: press "Add date" or clear it.`);
      }
      for (const p of special.validate()) errors.push(p);
      if (special.pending()) {
        bad("special", `You picked ${special.pending()} but didn't add it: press "Add special date" or clear it.`);
      }
      // Keys the server may add later are kept as they were; `special` only when there is
      // some (or was), so an untouched queue compares equal to what is stored.
      value.hours = { ...hours, ...week.value(), closed_on: dates.value() };
      const dated = special.value();
      if (Object.keys(dated).length || "special" in hours) value.hours.special = dated;
    }
    return { value, errors };
  }

  function showServer(list) {
    const general = [];
    for (const e of list) {
      const [head, day, date] = e.path.split(".");
      if (head === "hours" && day === "special") {
        // "hours.special.2026-12-24" (…".0.1" for one time): beside that date's row.
        if (!(date && special.setError(date, e.message))) f.special.setError(e.message);
        const where = date ? `Special hours on ${date}` : "Special hours";
        general.push({ ...e, message: `${where}: ${e.message}`, focus: () => (date && special.focus(date)) || f.special.focus() });
        continue;
      }
      if (head === "hours" && DAYS.some(([k]) => k === day)) week.setError(day, e.message);
      else if (head === "hours" && day === "closed_on") f.closed_on.setError(e.message);
      else if (head === "widen_after") f[e.path.endsWith("1") ? "t2" : "t1"].setError(e.message);
      else if (f[head]) f[head].setError(e.message);
      else {
        general.push({ ...e, message: e.path ? `${e.path}: ${e.message}` : e.message });
        continue;
      }
      general.push({ ...e, message: `${e.path.replace(/\./g, " › ")}: ${e.message}`, focus: () => (f[head] || f.hours).focus() });
    }
    return general;
  }
  return { el, read, showServer };
}

/** What restoring means, asked before it is done. */
function restoreQuestion(q) {
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
function archivedQueues(panel) {
  return setAsideList(panel, {
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
export function mountQueues(panel) {
  mountEditor(panel, {
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
  panel.querySelector(".config-side").append(archivedQueues(panel));
}
