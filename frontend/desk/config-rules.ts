// Configure › Routing rules: the TOML in a plain textarea with line numbers, a light syntax
// check before sending, and the server's `422 {"errors": [{"line", "message"}]}` shown beside
// the lines it names (and as a list that moves the caret there).

import { h, icon, render } from "./dom";
import { getRules, putRules, type Rules } from "./admin";
import { serverErrors, statusLine, type StatusLine } from "./forms";
import { clockTime, fullTime, isRecord } from "./format";
import { beforeUnload } from "./router";
import { lintToml, REFERENCE, type LineError } from "./rules-lint";
import { state, on } from "./store";
import { ApiError } from "./api";

/** An error to list: on a line when it names one. */
type Listed = { line?: number; message: string };

/** The editor's parts and what it holds. */
interface RulesUi {
  gutter: HTMLOListElement;
  notes: HTMLOListElement;
  text: HTMLTextAreaElement;
  caret: HTMLElement;
  status: StatusLine;
  dirtyNote: HTMLElement;
  save: HTMLButtonElement;
  revert: HTMLButtonElement;
  errorTitle: Text;
  errorList: HTMLUListElement;
  errorBox: HTMLElement;
  updated: HTMLElement;
  editor: HTMLElement;
  form: HTMLFormElement;
  /** The text the server has. */
  saved: string;
  /** Line -> its messages. */
  marks: Map<number, string>;
}

function buildRules(panel: HTMLElement): RulesUi {
  const gutter = h("ol.gutter", { aria: { hidden: "true" } });
  const notes = h("ol.line-notes", { aria: { hidden: "true" } });
  const text = h("textarea.code-input", {
    id: "rules-text", wrap: "off", spellcheck: "false", autocomplete: "off", autocapitalize: "off",
    rows: "24", aria: { describedby: "rules-help rules-errors-list" },
  });
  // Read-only until the server's text is in: nothing typed before then can be overwritten.
  text.readOnly = true;
  text.setAttribute("aria-busy", "true");
  const label = h("label.field-label", { for: "rules-text" }, "Routing rules (TOML)");
  const help = h("p.field-hint", { id: "rules-help" }, "Checked by the server when you save; nothing changes until the rules are valid. Ctrl+S saves.");
  const caret = h("span.caret-pos.muted");
  const status = statusLine();
  const dirtyNote = h("span.dirty-note", { hidden: true }, "Unsaved changes");
  const save = h("button.btn.btn-primary", { type: "submit" }, "Save rules");
  const revert = h("button.btn", { type: "button" }, "Discard changes");
  const errorTitle = document.createTextNode("");
  const errorList = h("ul", { id: "rules-errors-list" });
  const errorBox = h("div.error-summary", { role: "alert", tabindex: "-1", hidden: true },
    h("p.summary-title", null, icon("alert", 16), errorTitle), errorList);
  const updated = h("p.muted.rules-updated");
  const editor = h("div.code-editor", null, gutter, text, notes);
  const form = h("form.config-form.rules-form", { novalidate: true, aria: { label: "Routing rules" } },
    h("div.config-form-head", null, h("h2.config-title", null, "Routing rules"), dirtyNote),
    updated, label, help, errorBox, editor,
    h("div.config-actions", null, save, revert, status.el, caret));
  const reference = h("aside.rules-ref", { aria: { labelledby: "rules-ref-title" } },
    h("h2.config-title", { id: "rules-ref-title" }, "Rule format"),
    REFERENCE.map(([kind, body]) => (kind === "code" ? h("pre.code-sample", null, body) : h("p", null, body))));
  panel.append(h("div.rules-layout", null, form, reference));
  return { gutter, notes, text, caret, status, dirtyNote, save, revert, errorTitle, errorList, errorBox, updated, editor, form, saved: "", marks: new Map() };
}

function syncScroll(ui: RulesUi): void {
  ui.gutter.scrollTop = ui.text.scrollTop;
  ui.notes.scrollTop = ui.text.scrollTop;
}

/** The line numbers and the notes beside them, redrawn when the lines or marks change. */
function drawLines(ui: RulesUi): void {
  const n = ui.text.value.split("\n").length;
  const { gutter, notes, marks } = ui;
  if (gutter.childElementCount !== n || gutter.dataset.marks !== String(marks.size)) {
    const nums: HTMLLIElement[] = [];
    const texts: HTMLLIElement[] = [];
    for (let i = 1; i <= n; i += 1) {
      const m = marks.get(i);
      nums.push(h(`li${m ? ".has-error" : ""}`, { title: m || undefined }, m ? icon("alert", 12) : null, String(i)));
      texts.push(h(`li${m ? ".has-error" : ""}`, { title: m || undefined }, m || ""));
    }
    gutter.replaceChildren(...nums);
    notes.replaceChildren(...texts);
    gutter.dataset.marks = String(marks.size);
  }
  notes.hidden = marks.size === 0;
  ui.editor.classList.toggle("has-notes", marks.size > 0);
  syncScroll(ui);
}

/** Where the caret is: "Line 3, column 7" */
export function caretText(value: string, at: number): { line: number; col: number } {
  const before = value.slice(0, at);
  return { line: before.split("\n").length, col: before.length - before.lastIndexOf("\n") };
}

function drawCaret(ui: RulesUi): void {
  const { line, col } = caretText(ui.text.value, ui.text.selectionStart);
  ui.caret.textContent = `Line ${line}, column ${col}`;
  ui.caret.title = ui.marks.get(line) || "";
}

/** The start and end offsets of 1-based `line` in `value`. */
export function lineRange(value: string, line: number): [number, number] {
  const all = value.split("\n");
  const start = all.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  return [start, start + (all[line - 1] || "").length];
}

function goTo(ui: RulesUi, line: number): void {
  const { text } = ui;
  const [start, end] = lineRange(text.value, line);
  text.focus();
  text.setSelectionRange(start, end);
  const lh = parseFloat(getComputedStyle(text).lineHeight) || 20;
  text.scrollTop = Math.max(0, (line - 1) * lh - text.clientHeight / 2);
  syncScroll(ui);
  drawCaret(ui);
}

/** Several messages on one line are joined with "; ". */
export function marksOf(list: readonly Listed[]): Map<number, string> {
  const marks = new Map<number, string>();
  for (const e of list) {
    const line = e.line;
    if (line === undefined || !Number.isInteger(line) || line <= 0) continue;
    const before = marks.get(line);
    marks.set(line, before ? `${before}; ${e.message}` : e.message);
  }
  return marks;
}

function showErrors(ui: RulesUi, list: readonly Listed[], heading: string): void {
  ui.marks = marksOf(list);
  if (!list.length) {
    ui.errorBox.hidden = true;
    ui.errorList.replaceChildren();
  } else {
    ui.errorTitle.textContent = heading;
    render(ui.errorList, list.map((e) => h("li", null, e.line !== undefined && Number.isInteger(e.line)
      ? h("button.link", { type: "button", onclick: () => goTo(ui, Number(e.line)) }, `Line ${e.line}: ${e.message}`)
      : e.message)));
    ui.errorBox.hidden = false;
  }
  ui.gutter.dataset.marks = "-1";
  drawLines(ui);
}

const isDirty = (ui: RulesUi): boolean => ui.text.value !== ui.saved;

function drawUpdated(ui: RulesUi, at: unknown): void {
  ui.updated.textContent = typeof at === "number" && Number.isFinite(at) && at > 0 ? `In use since ${fullTime(at)}.` : "";
}

/** A 422's line errors, or null when the failure is not one. */
function lineErrors(err: unknown): LineError[] | null {
  const body = err instanceof ApiError && err.status === 422 && isRecord(err.body) ? err.body : null;
  if (!body || !Array.isArray(body.errors)) return null;
  return (body.errors as unknown[]).map((x) => {
    const e = isRecord(x) ? x : {};
    return { line: Number(e.line), message: String(e.message || "Invalid") };
  });
}

async function submit(ui: RulesUi): Promise<void> {
  const local = lintToml(ui.text.value);
  if (local.length) {
    showErrors(ui, local, local.length === 1 ? "Fix this before saving:" : `Fix these ${local.length} lines before saving:`);
    ui.errorBox.focus();
    ui.status.set("Not sent.", "bad");
    return;
  }
  ui.save.disabled = true;
  ui.status.set("Checking and saving…");
  const sent = ui.text.value;
  try {
    const data = await putRules(sent);
    ui.saved = sent;
    showErrors(ui, [], "");
    ui.dirtyNote.hidden = !isDirty(ui);
    ui.status.set(`Saved at ${clockTime(Date.now())}: routing uses these rules now.`, "good");
    drawUpdated(ui, data && data.updated_at);
  } catch (err) {
    const lines = lineErrors(err);
    if (lines) {
      showErrors(ui, lines,
        `The server refused the rules (${lines.length} problem${lines.length === 1 ? "" : "s"}; line numbers as sent at ${clockTime(Date.now())}):`);
    } else {
      showErrors(ui, serverErrors(err), "The rules were not saved:");
    }
    ui.errorBox.focus();
    ui.status.set("Not saved: the previous rules still apply.", "bad");
  } finally {
    ui.save.disabled = false;
  }
}

const tomlOf = (data: Rules | null): string => (data && typeof data.toml === "string" ? data.toml : "");

async function load(ui: RulesUi, force: boolean): Promise<void> {
  if (!force && isDirty(ui) && !ui.text.readOnly) return;
  if (force && isDirty(ui) && !window.confirm("Discard your changes to the rules?")) return;
  ui.status.set("Loading…");
  try {
    const data = await getRules();
    ui.saved = tomlOf(data);
    ui.text.value = ui.saved;
    ui.text.readOnly = false;
    ui.text.removeAttribute("aria-busy");
    drawUpdated(ui, data && data.updated_at);
    showErrors(ui, [], "");
    ui.dirtyNote.hidden = true;
    ui.status.set("");
  } catch (err) {
    showErrors(ui, serverErrors(err), "The rules could not be loaded:");
    ui.status.set(ui.text.readOnly ? "Press Discard changes to try again." : "", "bad");
  }
}

/** Saved elsewhere: an untouched editor shows the new rules; edits in progress stay, with a
 * word that saving them replaces what is now in use. Our own save comes back as no change. */
async function follow(ui: RulesUi): Promise<void> {
  let data: Rules;
  try {
    data = await getRules();
  } catch {
    return; // the connection line says why; Discard changes loads again
  }
  const toml = tomlOf(data);
  if (toml === ui.saved || ui.text.readOnly) return;
  if (isDirty(ui) || ui.save.disabled) {
    ui.status.set(`The rules were changed elsewhere at ${clockTime(Date.now())}: saving yours replaces them; Discard changes shows theirs.`, "bad");
    return;
  }
  ui.saved = toml;
  ui.text.value = toml;
  ui.text.dispatchEvent(new Event("input"));
  drawUpdated(ui, data && data.updated_at);
  ui.status.set(`The rules were changed elsewhere: these are in use since ${fullTime(data && data.updated_at)}.`);
}

/** Build the Routing rules tab into `panel`. */
export function mountRules(panel: HTMLElement): void {
  const ui = buildRules(panel);
  const { text, form } = ui;
  ui.revert.addEventListener("click", () => void load(ui, true));
  text.addEventListener("input", () => {
    drawLines(ui);
    ui.dirtyNote.hidden = !isDirty(ui);
  });
  text.addEventListener("scroll", () => syncScroll(ui));
  for (const ev of ["keyup", "click", "select", "focus"]) text.addEventListener(ev, () => drawCaret(ui));
  text.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  beforeUnload(() => isDirty(ui));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void submit(ui);
  });
  on("config", () => {
    if (state.lastConfig && state.lastConfig.what === "rules" && panel.isConnected) void follow(ui);
  });
  drawLines(ui);
  void load(ui, false);
}
