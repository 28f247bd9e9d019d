// Configure › Specialists: new specialists (email and a first password), skills with levels
// 1–5, authority attributes (number, yes/no or text), capacity per channel, the supervisor
// flag; deactivating someone who leaves, and showing and reactivating deactivated ones.
// The list, saving and errors: config-editor.js.

import { h, icon } from "./dom.js";
import { state } from "./store.js";
import {
  admin, loadSpecialists, loadQueues, createSpecialist, patchSpecialist, knownSkills,
  deactivateSpecialist, loadDeactivatedSpecialists, reactivateSpecialist,
} from "./admin.js";
import { field, textInput, numberInput, readInt } from "./forms.js";
import { clip, fullTime } from "./format.js";
import { mountEditor } from "./config-editor.js";
import { setAsideList } from "./config-set-aside.js";

const LEVELS = ["1 · learning", "2 · basic", "3 · solid", "4 · advanced", "5 · expert"];
const SKILL = /^[a-z0-9_]+$/; // as queues name their skill
const CHANNELS = [["chat", "Chat"], ["voice", "Voice"], ["video", "Video"]];
const MAX_CAPACITY = 20; // as the server (actions/staff.py)

/** Rows of inputs with add/remove: the shared shape of skills and authority. */
function rowsEditor({ label, addLabel, entries, makeRow, empty }) {
  const list = h("ul.kv-rows", { aria: { label } });
  const add = h("button.btn.btn-small", { type: "button" }, icon("plus", 12), addLabel);
  const error = h("p.field-error");
  const el = h("div.rows-editor", null, list, add, error);
  const rows = [];
  function append(entry, focus) {
    const row = makeRow(entry, rows.length);
    const remove = h("button.icon-button", { type: "button", title: "Remove", aria: { label: `Remove ${label.toLowerCase()} row` } }, icon("trash", 14));
    const li = h("li.kv-row", null, row.nodes, remove);
    remove.addEventListener("click", () => {
      rows.splice(rows.indexOf(row), 1);
      li.remove();
      emptyNote.hidden = rows.length > 0;
      add.focus();
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    row.li = li;
    rows.push(row);
    list.append(li);
    emptyNote.hidden = true;
    if (focus) row.nodes[0].focus();
  }
  const emptyNote = h("li.muted", null, empty);
  list.append(emptyNote);
  for (const e of entries) append(e, false);
  emptyNote.hidden = rows.length > 0;
  add.addEventListener("click", () => append(null, true));
  return { el, rows, error };
}

function skillsEditor(skills) {
  const listId = "skill-list-s";
  return rowsEditor({
    label: "Skills", addLabel: "Add skill", empty: "No skills: this specialist can only get requests after widening to anyone.",
    entries: Object.entries(skills || {}),
    makeRow: (entry) => {
      const name = textInput(entry ? entry[0] : "", { list: listId, maxlength: 60, aria: { label: "Skill" }, placeholder: "payments" });
      const level = h("select.input", { aria: { label: "Level" } },
        LEVELS.map((text, i) => h("option", { value: String(i + 1), selected: entry ? Number(entry[1]) === i + 1 : i === 2 }, text)));
      return { nodes: [name, level], read: () => [name.value.trim(), Number(level.value)], name };
    },
  });
}

function authorityEditor(authority) {
  return rowsEditor({
    label: "Authority", addLabel: "Add attribute", empty: "No authority attributes.",
    entries: Object.entries(authority || {}),
    makeRow: (entry) => {
      const key = textInput(entry ? entry[0] : "", { maxlength: 60, aria: { label: "Attribute" }, placeholder: "refund_limit" });
      const kind = entry ? { boolean: "boolean", string: "text" }[typeof entry[1]] || "number" : "number";
      const isBool = kind === "boolean";
      const type = h("select.input", { aria: { label: "Type" } },
        h("option", { value: "number", selected: kind === "number" }, "Number"),
        h("option", { value: "boolean", selected: isBool }, "Yes / no"),
        h("option", { value: "text", selected: kind === "text" }, "Text"));
      const num = numberInput(kind === "number" && entry ? entry[1] : "", { step: "any", aria: { label: "Value" } });
      const txt = textInput(kind === "text" ? entry[1] : "", { maxlength: 200, aria: { label: "Value" } });
      const bool = h("select.input", { aria: { label: "Value" } },
        h("option", { value: "true", selected: isBool && entry[1] === true }, "Yes"),
        h("option", { value: "false", selected: isBool && entry[1] === false }, "No"));
      const swap = () => {
        num.hidden = type.value !== "number";
        bool.hidden = type.value !== "boolean";
        txt.hidden = type.value !== "text";
      };
      type.addEventListener("change", swap);
      swap();
      const read = () => [key.value.trim(),
        type.value === "number" ? (num.value.trim() === "" ? NaN : Number(num.value)) : type.value === "text" ? txt.value : bool.value === "true"];
      return { nodes: [key, type, num, bool, txt], read, name: key, num };
    },
  });
}

const BLANK = { name: "", role: "Specialist", email: "", skills: {}, authority: {}, capacity: { chat: 3, voice: 0, video: 0 }, is_supervisor: false };
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MIN_PASSWORD = 10; // as passwords.py

/** One specialist's form; `s` null is a new specialist (then email and password too). */
function specialistForm(s) {
  const fresh = !s;
  const v = s || BLANK;
  const name = field("Name", textInput(v.name, { maxlength: 200, required: true }), { hint: "As customers see it." });
  const role = field("Role", textInput(v.role || "", { maxlength: 200, required: true }), { hint: "Shown to customers beside the name." });
  const email = fresh
    ? field("Email", textInput("", { type: "email", maxlength: 320, required: true, autocomplete: "off" }), { hint: "They sign in to the desk with it." })
    : null;
  const password = fresh
    ? field("Password", textInput("", { type: "password", maxlength: 1024, required: true, autocomplete: "new-password" }), { hint: `At least ${MIN_PASSWORD} characters. Give it to them privately; they can't see it anywhere.` })
    : field("New password", textInput("", { type: "password", maxlength: 1024, autocomplete: "new-password" }), { hint: `Leave empty to keep theirs. A new one (at least ${MIN_PASSWORD} characters) signs them out of every desk; give it to them privately.` });
  const sup = h("input", { type: "checkbox", checked: Boolean(v.is_supervisor) });
  const supField = h("label.check", null, sup, h("span", null, "Supervisor: may see the wallboard and change this configuration"));
  const skills = skillsEditor(v.skills);
  const authority = authorityEditor(v.authority);
  const caps = CHANNELS.map(([k, label]) => [k, field(label, numberInput((v.capacity || {})[k] ?? 0, { min: 0, max: MAX_CAPACITY }), { suffix: "at once" })]);
  const skillsField = field("Skills", skills.el, { group: true, hint: "Level 1 to 5; queues ask for a skill, and widening accepts lower levels after a while." });
  const authField = field("Authority", authority.el, { group: true, hint: "What they may do, e.g. refund_limit = 500 or can_override_fare = yes. Routing rules compare these with the request's context." });
  const capField = field("Capacity per channel", h("div.field-grid.field-grid-3", null, caps.map(([, f]) => f.el)), { group: true, hint: `How many requests of each channel at the same time, 0 to ${MAX_CAPACITY}. 0: never offered that channel.` });
  const emailShown = fresh ? email.el : h("div.field", null, h("span.field-label", null, "Email"), h("p.readonly", null, v.email || "—"));
  const el = h("div.config-fields", null,
    h("datalist", { id: "skill-list-s" }, knownSkills().map((x) => h("option", { value: x }))),
    h("div.field-grid", null, name.el, role.el, emailShown, password.el),
    supField, skillsField.el, authField.el, capField.el);
  const fields = { name, role, skills: skillsField, authority: authField, capacity: capField, password, ...(fresh ? { email } : {}) };

  function read() {
    const errors = [];
    for (const f of Object.values(fields)) f.setError("");
    for (const [, f] of caps) f.setError("");
    const bad = (f, message, focus) => {
      f.setError(message);
      errors.push({ message, focus: focus || (() => f.focus()) });
    };
    const value = { name: name.control.value.trim(), role: role.control.value.trim(), is_supervisor: sup.checked };
    if (!value.name) bad(name, "Give the specialist a name.");
    if (!value.role) bad(role, "Give a role: customers see it beside the name.");
    if (fresh) {
      value.email = email.control.value.trim();
      if (!EMAIL.test(value.email)) bad(email, "Give an email address, such as ana@example.com.");
      value.password = password.control.value;
      if (value.password.length < MIN_PASSWORD) bad(password, `The password needs at least ${MIN_PASSWORD} characters.`);
    } else if (password.control.value) {
      value.password = password.control.value;
      if (value.password.length < MIN_PASSWORD) bad(password, `A new password needs at least ${MIN_PASSWORD} characters (or leave it empty to keep theirs).`);
    }
    value.skills = {};
    for (const row of skills.rows) {
      const [k, level] = row.read();
      if (!k) bad(fields.skills, "Every skill needs a name (or remove the row).", () => row.name.focus());
      else if (!SKILL.test(k)) bad(fields.skills, `"${clip(k, 30)}": use lowercase letters, digits and _ only, as queues name skills.`, () => row.name.focus());
      else if (k in value.skills) bad(fields.skills, `"${clip(k, 30)}" is listed twice.`, () => row.name.focus());
      else value.skills[k] = level;
    }
    value.authority = {};
    for (const row of authority.rows) {
      const [k, v] = row.read();
      if (!k) bad(fields.authority, "Every attribute needs a name (or remove the row).", () => row.name.focus());
      else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) bad(fields.authority, `"${clip(k, 30)}": use letters, digits and _, starting with a letter, so rules can name it.`, () => row.name.focus());
      else if (k in value.authority) bad(fields.authority, `"${clip(k, 30)}" is listed twice.`, () => row.name.focus());
      else if (typeof v === "number" && !Number.isFinite(v)) bad(fields.authority, `Give "${clip(k, 30)}" a number.`, () => row.num.focus());
      else value.authority[k] = v;
    }
    value.capacity = {};
    for (const [k, f] of caps) {
      const r = readInt(f.control, { min: 0, max: MAX_CAPACITY, what: `${k[0].toUpperCase()}${k.slice(1)} capacity` });
      if (r.error) bad(f, r.error);
      else value.capacity[k] = r.value;
    }
    return { value, errors };
  }

  function showServer(list) {
    return list.map((e) => {
      const [head, sub] = e.path.split(".");
      const channel = head === "capacity" && caps.find(([k]) => k === sub);
      const f = channel ? channel[1] : fields[head];
      if (f) f.setError(e.message);
      if (f) return { ...e, message: `${head}: ${e.message}`, focus: () => f.focus() };
      return { ...e, message: e.path ? `${e.path}: ${e.message}` : e.message };
    });
  }
  return { el, read, showServer };
}

const isMe = (s) => Boolean(s && state.me && s.id === state.me.id);

/** What deactivating means, asked before it is done. */
function deactivateQuestion(s) {
  const name = clip(s.name, 60);
  return [
    `Deactivate ${name}?`,
    "They are signed out of every desk at once and can't sign in until reactivated.",
    "Chats they are in go back to the front of the line for someone else (each customer is told, and the next specialist sees everything shared); an offer they hold goes to someone else. They get no new requests, and their shifts stop counting in the staffing plan.",
    "Their history stays. You can reactivate them under \"Show deactivated specialists\".",
  ].join("\n\n");
}

/** What reactivating means, asked before it is done. */
function reactivateQuestion(s) {
  return [
    `Reactivate ${clip(s.name, 60)}?`,
    "They can sign in again with their old password and get requests by their skills once their desk is open; their shifts count in the staffing plan again.",
  ].join("\n\n");
}

/** "Show deactivated specialists" under the list, with Reactivate. */
function deactivatedSpecialists(panel) {
  return setAsideList(panel, {
    what: "specialist",
    noun: "deactivated specialists",
    title: "Deactivated",
    load: loadDeactivatedSpecialists,
    sub: (s) => `${s.role || "Specialist"} · deactivated ${fullTime(s.deactivated_at)}`,
    action: "Reactivate",
    key: (s) => `reactivate-${s.id}`,
    question: reactivateQuestion,
    busy: (s) => `Reactivating ${clip(s.name, 60)}…`,
    bringBack: reactivateSpecialist,
    done: (s, back) => `${clip(back.name, 60)} reactivated: they can sign in again and are back in the list above.`,
    failed: (s) => `${clip(s.name, 60)} was not reactivated:`,
    focusKey: (back) => `spec-${back.id}`,
  });
}

/** Build the Specialists tab into `panel`. */
export function mountSpecialists(panel) {
  mountEditor(panel, {
    noun: "specialist",
    idPrefix: "spec",
    items: () => admin.specialists,
    load: () => Promise.all([loadSpecialists(), admin.queues ? null : loadQueues().catch(() => null)]),
    summary: (s) => ({
      name: s.name,
      chip: s.is_supervisor ? "Supervisor" : null,
      sub: Object.entries(s.skills || {}).map(([k, v]) => `${k} ${v}`).join(" · ") || "No skills",
    }),
    form: specialistForm,
    create: createSpecialist,
    update: patchSpecialist,
    // as the form reads them: every channel's capacity (a channel left out is 0), a role
    original: (s, key) => (key === "capacity"
      ? Object.fromEntries(CHANNELS.map(([k]) => [k, (s.capacity || {})[k] ?? 0]))
      : s[key] ?? (key === "role" ? "" : undefined)),
    confirmSave: (s, part) => !(isMe(s) && part.is_supervisor === false)
      || window.confirm("You are removing your own supervisor access: you won't see Configure or the wallboard afterwards. Continue?"),
    // Deactivate: refused (409) for the last supervisor; the server's reason is shown.
    remove: async (s) => {
      const gone = await deactivateSpecialist(s.id);
      return `${clip(gone.name, 60)} deactivated: signed out, and no longer offered requests. Any chat or offer of theirs went back to the line.`;
    },
    removeText: {
      button: "Deactivate specialist",
      icon: "power",
      question: deactivateQuestion,
      busy: "Deactivating…",
      failed: "Not deactivated.",
      refused: "The server didn't deactivate the specialist:",
    },
    removeBlocked: (s) => (isMe(s) ? "You can't deactivate yourself: another supervisor has to." : null),
    emptyText: "Pick a specialist, or add one.",
  });
  panel.querySelector(".config-side").append(deactivatedSpecialists(panel));
}
