// Configure › Specialists: new specialists (email and a first password), skills with levels
// 1–5, authority attributes (number, yes/no or text), capacity per channel, the supervisor
// flag; deactivating someone who leaves, and showing and reactivating deactivated ones.
// The list, saving and errors: config-editor.ts.

import { h, icon } from "./dom";
import { state } from "./store";
import {
  admin, loadSpecialists, loadQueues, createSpecialist, patchSpecialist, knownSkills,
  deactivateSpecialist, loadDeactivatedSpecialists, reactivateSpecialist,
  type Authority, type SpecialistConfig, type SpecialistValue,
} from "./admin";
import { field, textInput, numberInput, readInt, type Field, type Problem, type ServerError } from "./forms";
import { clip, fullTime } from "./format";
import { mountEditor, type ItemForm } from "./config-editor";
import { setAsideList } from "./config-set-aside";
import type { Channel } from "./protocol";

const LEVELS = ["1 · learning", "2 · basic", "3 · solid", "4 · advanced", "5 · expert"];
const SKILL = /^[a-z0-9_]+$/; // as queues name their skill
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_]*$/; // so rules can name it
const CHANNELS: ReadonlyArray<readonly [Channel, string]> = [["chat", "Chat"], ["voice", "Voice"], ["video", "Video"]];
const MAX_CAPACITY = 20; // as the server (actions/staff.py)
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MIN_PASSWORD = 10; // as passwords.py

/** One row of a rows editor: its inputs, and what it reads as. */
interface Row<V> {
  nodes: HTMLElement[];
  read: () => [string, V];
  /** The name input, where focus goes for a problem with the row. */
  name: HTMLInputElement;
  /** The number input, when the row has one. */
  num?: HTMLInputElement;
}

interface RowsSpec<E, V> {
  label: string;
  addLabel: string;
  entries: E[];
  makeRow: (entry: E | null) => Row<V>;
  empty: string;
}

/** Rows of inputs with add/remove: the shared shape of skills and authority. */
function rowsEditor<E, V>({ label, addLabel, entries, makeRow, empty }: RowsSpec<E, V>): { el: HTMLElement; rows: Row<V>[] } {
  const list = h("ul.kv-rows", { aria: { label } });
  const add = h("button.btn.btn-small", { type: "button" }, icon("plus", 12), addLabel);
  const error = h("p.field-error");
  const el = h("div.rows-editor", null, list, add, error);
  const rows: Row<V>[] = [];
  const emptyNote = h("li.muted", null, empty);
  function append(entry: E | null, focus: boolean): void {
    const row = makeRow(entry);
    const remove = h("button.icon-button", { type: "button", title: "Remove", aria: { label: `Remove ${label.toLowerCase()} row` } }, icon("trash", 14));
    const li = h("li.kv-row", null, row.nodes, remove);
    remove.addEventListener("click", () => {
      rows.splice(rows.indexOf(row), 1);
      li.remove();
      emptyNote.hidden = rows.length > 0;
      add.focus();
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    rows.push(row);
    list.append(li);
    emptyNote.hidden = true;
    if (focus) row.nodes[0].focus();
  }
  list.append(emptyNote);
  for (const e of entries) append(e, false);
  emptyNote.hidden = rows.length > 0;
  add.addEventListener("click", () => append(null, true));
  return { el, rows };
}

function skillsEditor(skills: Record<string, number> | undefined): { el: HTMLElement; rows: Row<number>[] } {
  const listId = "skill-list-s";
  return rowsEditor<[string, number], number>({
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

type AuthorityValue = Authority[string];

function authorityRow(entry: [string, AuthorityValue] | null): Row<AuthorityValue> {
  const key = textInput(entry ? entry[0] : "", { maxlength: 60, aria: { label: "Attribute" }, placeholder: "refund_limit" });
  const given = entry ? entry[1] : undefined;
  const kind = typeof given === "boolean" ? "boolean" : typeof given === "string" ? "text" : "number";
  const isBool = kind === "boolean";
  const type = h("select.input", { aria: { label: "Type" } },
    h("option", { value: "number", selected: kind === "number" }, "Number"),
    h("option", { value: "boolean", selected: isBool }, "Yes / no"),
    h("option", { value: "text", selected: kind === "text" }, "Text"));
  const num = numberInput(kind === "number" && entry ? given : "", { step: "any", aria: { label: "Value" } });
  const txt = textInput(kind === "text" ? String(given) : "", { maxlength: 200, aria: { label: "Value" } });
  const bool = h("select.input", { aria: { label: "Value" } },
    h("option", { value: "true", selected: isBool && given === true }, "Yes"),
    h("option", { value: "false", selected: isBool && given === false }, "No"));
  const swap = (): void => {
    num.hidden = type.value !== "number";
    bool.hidden = type.value !== "boolean";
    txt.hidden = type.value !== "text";
  };
  type.addEventListener("change", swap);
  swap();
  const read = (): [string, AuthorityValue] => [key.value.trim(),
    type.value === "number" ? (num.value.trim() === "" ? NaN : Number(num.value)) : type.value === "text" ? txt.value : bool.value === "true"];
  return { nodes: [key, type, num, bool, txt], read, name: key, num };
}

function authorityEditor(authority: Authority | undefined): { el: HTMLElement; rows: Row<AuthorityValue>[] } {
  return rowsEditor<[string, AuthorityValue], AuthorityValue>({
    label: "Authority", addLabel: "Add attribute", empty: "No authority attributes.",
    entries: Object.entries(authority || {}),
    makeRow: authorityRow,
  });
}

const BLANK: Omit<SpecialistConfig, "id"> = { name: "", role: "Specialist", email: "", skills: {}, authority: {}, capacity: { chat: 3, voice: 0, video: 0 }, is_supervisor: false };

/** The form's parts. */
interface SpecialistUi {
  fresh: boolean;
  name: Field<HTMLInputElement>;
  role: Field<HTMLInputElement>;
  email: Field<HTMLInputElement> | null;
  password: Field<HTMLInputElement>;
  sup: HTMLInputElement;
  skills: { rows: Row<number>[] };
  authority: { rows: Row<AuthorityValue>[] };
  caps: Array<[Channel, Field<HTMLInputElement>]>;
  /** By the key a server error names. */
  fields: Record<string, Field>;
}

function passwordField(fresh: boolean): Field<HTMLInputElement> {
  return fresh
    ? field("Password", textInput("", { type: "password", maxlength: 1024, required: true, autocomplete: "new-password" }), { hint: `At least ${MIN_PASSWORD} characters. Give it to them privately; they can't see it anywhere.` })
    : field("New password", textInput("", { type: "password", maxlength: 1024, autocomplete: "new-password" }), { hint: `Leave empty to keep theirs. A new one (at least ${MIN_PASSWORD} characters) signs them out of every desk; give it to them privately.` });
}

function buildSpecialistForm(s: SpecialistConfig | null): { el: HTMLElement; ui: SpecialistUi } {
  const fresh = !s;
  const v = s || BLANK;
  const name = field("Name", textInput(v.name, { maxlength: 200, required: true }), { hint: "As customers see it." });
  const role = field("Role", textInput(v.role || "", { maxlength: 200, required: true }), { hint: "Shown to customers beside the name." });
  const email = fresh
    ? field("Email", textInput("", { type: "email", maxlength: 320, required: true, autocomplete: "off" }), { hint: "They sign in to the desk with it." })
    : null;
  const password = passwordField(fresh);
  const sup = h("input", { type: "checkbox", checked: Boolean(v.is_supervisor) });
  const supField = h("label.check", null, sup, h("span", null, "Supervisor: may see the wallboard and change this configuration"));
  const skills = skillsEditor(v.skills);
  const authority = authorityEditor(v.authority);
  const caps = CHANNELS.map(([k, label]): [Channel, Field<HTMLInputElement>] =>
    [k, field(label, numberInput((v.capacity || {})[k] ?? 0, { min: 0, max: MAX_CAPACITY }), { suffix: "at once" })]);
  const skillsField = field("Skills", skills.el, { group: true, hint: "Level 1 to 5; queues ask for a skill, and widening accepts lower levels after a while." });
  const authField = field("Authority", authority.el, { group: true, hint: "What they may do, e.g. refund_limit = 500 or can_override_fare = yes. Routing rules compare these with the request's context." });
  const capField = field("Capacity per channel", h("div.field-grid.field-grid-3", null, caps.map(([, f]) => f.el)), { group: true, hint: `How many requests of each channel at the same time, 0 to ${MAX_CAPACITY}. 0: never offered that channel.` });
  const emailShown = email ? email.el : h("div.field", null, h("span.field-label", null, "Email"), h("p.readonly", null, v.email || "—"));
  const el = h("div.config-fields", null,
    h("datalist", { id: "skill-list-s" }, knownSkills().map((x) => h("option", { value: x }))),
    h("div.field-grid", null, name.el, role.el, emailShown, password.el),
    supField, skillsField.el, authField.el, capField.el);
  const fields: Record<string, Field> = { name, role, skills: skillsField, authority: authField, capacity: capField, password, ...(email ? { email } : {}) };
  return { el, ui: { fresh, name, role, email, password, sup, skills, authority, caps, fields } };
}

type Bad = (f: Field, message: string, focus?: () => void) => void;

/** Skills and authority from their rows, each problem marked on its field. */
function readRows(ui: SpecialistUi, bad: Bad): Pick<SpecialistValue, "skills" | "authority"> {
  const skills: Record<string, number> = {};
  for (const row of ui.skills.rows) {
    const [k, level] = row.read();
    const focus = (): void => row.name.focus();
    if (!k) bad(ui.fields.skills, "Every skill needs a name (or remove the row).", focus);
    else if (!SKILL.test(k)) bad(ui.fields.skills, `"${clip(k, 30)}": use lowercase letters, digits and _ only, as queues name skills.`, focus);
    else if (k in skills) bad(ui.fields.skills, `"${clip(k, 30)}" is listed twice.`, focus);
    else skills[k] = level;
  }
  const authority: Authority = {};
  for (const row of ui.authority.rows) {
    const [k, v] = row.read();
    const focus = (): void => row.name.focus();
    if (!k) bad(ui.fields.authority, "Every attribute needs a name (or remove the row).", focus);
    else if (!ATTRIBUTE.test(k)) bad(ui.fields.authority, `"${clip(k, 30)}": use letters, digits and _, starting with a letter, so rules can name it.`, focus);
    else if (k in authority) bad(ui.fields.authority, `"${clip(k, 30)}" is listed twice.`, focus);
    else if (typeof v === "number" && !Number.isFinite(v)) bad(ui.fields.authority, `Give "${clip(k, 30)}" a number.`, () => row.num?.focus());
    else authority[k] = v;
  }
  return { skills, authority };
}

/** Email and password: a new specialist's first, or a new one left empty to keep theirs. */
function readCredentials(ui: SpecialistUi, bad: Bad): Pick<SpecialistValue, "email" | "password"> {
  const out: Pick<SpecialistValue, "email" | "password"> = {};
  const password = ui.password.control.value;
  if (ui.email) {
    out.email = ui.email.control.value.trim();
    if (!EMAIL.test(out.email)) bad(ui.email, "Give an email address, such as ana@example.com.");
    out.password = password;
    if (password.length < MIN_PASSWORD) bad(ui.password, `The password needs at least ${MIN_PASSWORD} characters.`);
  } else if (password) {
    out.password = password;
    if (password.length < MIN_PASSWORD) bad(ui.password, `A new password needs at least ${MIN_PASSWORD} characters (or leave it empty to keep theirs).`);
  }
  return out;
}

function readSpecialist(ui: SpecialistUi): { value: SpecialistValue; errors: Problem[] } {
  const errors: Problem[] = [];
  for (const f of Object.values(ui.fields)) f.setError("");
  for (const [, f] of ui.caps) f.setError("");
  const bad: Bad = (f, message, focus) => {
    f.setError(message);
    errors.push({ message, focus: focus || (() => f.focus()) });
  };
  const head = { name: ui.name.control.value.trim(), role: ui.role.control.value.trim(), is_supervisor: ui.sup.checked };
  if (!head.name) bad(ui.name, "Give the specialist a name.");
  if (!head.role) bad(ui.role, "Give a role: customers see it beside the name.");
  const credentials = readCredentials(ui, bad);
  const rows = readRows(ui, bad);
  const capacity: SpecialistValue["capacity"] = {};
  for (const [k, f] of ui.caps) {
    const r = readInt(f.control, { min: 0, max: MAX_CAPACITY, what: `${k[0].toUpperCase()}${k.slice(1)} capacity` });
    if (r.error) bad(f, r.error);
    else capacity[k] = r.value ?? 0;
  }
  return { value: { ...head, ...credentials, ...rows, capacity }, errors };
}

function placeServer(ui: SpecialistUi, list: ServerError[]): Problem[] {
  return list.map((e) => {
    const [head, sub] = e.path.split(".");
    const channel = head === "capacity" ? ui.caps.find(([k]) => k === sub) : undefined;
    const f = channel ? channel[1] : Object.prototype.hasOwnProperty.call(ui.fields, head) ? ui.fields[head] : undefined;
    if (f) f.setError(e.message);
    if (f) return { ...e, message: `${head}: ${e.message}`, focus: () => f.focus() };
    return { ...e, message: e.path ? `${e.path}: ${e.message}` : e.message };
  });
}

/** One specialist's form; `s` null is a new specialist (then email and password too). */
function specialistForm(s: SpecialistConfig | null): ItemForm<SpecialistValue> {
  const { el, ui } = buildSpecialistForm(s);
  return { el, read: () => readSpecialist(ui), showServer: (list) => placeServer(ui, list) };
}

const isMe = (s: SpecialistConfig | null): boolean => Boolean(s && state.me && s.id === state.me.id);

/** What deactivating means, asked before it is done. */
function deactivateQuestion(s: SpecialistConfig): string {
  const name = clip(s.name, 60);
  return [
    `Deactivate ${name}?`,
    "They are signed out of every desk at once and can't sign in until reactivated.",
    "Chats they are in go back to the front of the line for someone else (each customer is told, and the next specialist sees everything shared); an offer they hold goes to someone else. They get no new requests, and their shifts stop counting in the staffing plan.",
    "Their history stays. You can reactivate them under \"Show deactivated specialists\".",
  ].join("\n\n");
}

/** What reactivating means, asked before it is done. */
function reactivateQuestion(s: SpecialistConfig): string {
  return [
    `Reactivate ${clip(s.name, 60)}?`,
    "They can sign in again with their old password and get requests by their skills once their desk is open; their shifts count in the staffing plan again.",
  ].join("\n\n");
}

/** "Show deactivated specialists" under the list, with Reactivate. */
function deactivatedSpecialists(panel: HTMLElement): HTMLElement {
  return setAsideList<SpecialistConfig>(panel, {
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
    done: (_s, back) => `${clip(back.name, 60)} reactivated: they can sign in again and are back in the list above.`,
    failed: (s) => `${clip(s.name, 60)} was not reactivated:`,
    focusKey: (back) => `spec-${back.id}`,
  });
}

/** As the form reads them: every channel's capacity (a channel left out is 0), a role. */
function original(s: SpecialistConfig, key: string): unknown {
  if (key === "capacity") return Object.fromEntries(CHANNELS.map(([k]) => [k, (s.capacity || {})[k] ?? 0]));
  const stored: unknown = Object.prototype.hasOwnProperty.call(s, key) ? (s as Record<string, unknown>)[key] : undefined;
  return stored ?? (key === "role" ? "" : undefined);
}

/** Build the Specialists tab into `panel`. */
export function mountSpecialists(panel: HTMLElement): void {
  mountEditor<SpecialistConfig, SpecialistValue>(panel, {
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
    original,
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
  panel.querySelector(".config-side")?.append(deactivatedSpecialists(panel));
}
