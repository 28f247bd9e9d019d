// Configure › Routing rules: the TOML in a plain textarea with line numbers, a light syntax
// check before sending, and the server's `422 {"errors": [{"line", "message"}]}` shown beside
// the lines it names (and as a list that moves the caret there).

import { h, icon, render } from "./dom.js";
import { getRules, putRules } from "./admin.js";
import { serverErrors, statusLine } from "./forms.js";
import { clockTime, fullTime } from "./format.js";
import { beforeUnload } from "./router.js";
import { lintToml, REFERENCE } from "./rules-lint.js";
import { state, on } from "./store.js";

/** Build the Routing rules tab into `panel`. */
export function mountRules(panel) {
  let saved = ""; // the text the server has
  let marks = new Map(); // line -> message
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
  const revert = h("button.btn", { type: "button", onclick: () => load(true) }, "Discard changes");
  const errorTitle = h("p.summary-title", null, icon("alert", 16), "");
  const errorList = h("ul", { id: "rules-errors-list" });
  const errorBox = h("div.error-summary", { role: "alert", tabindex: "-1", hidden: true }, errorTitle, errorList);
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

  function lines() {
    return text.value.split("\n").length;
  }

  function drawLines() {
    const n = lines();
    if (gutter.childElementCount !== n || gutter.dataset.marks !== String(marks.size)) {
      const nums = [];
      const texts = [];
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
    editor.classList.toggle("has-notes", marks.size > 0);
    syncScroll();
  }

  function syncScroll() {
    gutter.scrollTop = text.scrollTop;
    notes.scrollTop = text.scrollTop;
  }

  function drawCaret() {
    const before = text.value.slice(0, text.selectionStart);
    const line = before.split("\n").length;
    const col = before.length - before.lastIndexOf("\n");
    caret.textContent = `Line ${line}, column ${col}`;
    const m = marks.get(line);
    caret.title = m || "";
  }

  function goTo(line) {
    const all = text.value.split("\n");
    const start = all.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    const end = start + (all[line - 1] || "").length;
    text.focus();
    text.setSelectionRange(start, end);
    const lh = parseFloat(getComputedStyle(text).lineHeight) || 20;
    text.scrollTop = Math.max(0, (line - 1) * lh - text.clientHeight / 2);
    syncScroll();
    drawCaret();
  }

  function showErrors(list, heading) {
    marks = new Map();
    for (const e of list) if (Number.isInteger(e.line) && e.line > 0) marks.set(e.line, marks.has(e.line) ? `${marks.get(e.line)}; ${e.message}` : e.message);
    if (!list.length) {
      errorBox.hidden = true;
      errorList.replaceChildren();
    } else {
      errorTitle.lastChild.textContent = heading;
      render(errorList, list.map((e) => h("li", null, Number.isInteger(e.line)
        ? h("button.link", { type: "button", onclick: () => goTo(e.line) }, `Line ${e.line}: ${e.message}`)
        : e.message)));
      errorBox.hidden = false;
    }
    gutter.dataset.marks = "-1";
    drawLines();
  }

  const isDirty = () => text.value !== saved;
  text.addEventListener("input", () => {
    drawLines();
    dirtyNote.hidden = !isDirty();
  });
  text.addEventListener("scroll", syncScroll);
  for (const ev of ["keyup", "click", "select", "focus"]) text.addEventListener(ev, drawCaret);
  text.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  beforeUnload(isDirty);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const local = lintToml(text.value);
    if (local.length) {
      showErrors(local, local.length === 1 ? "Fix this before saving:" : `Fix these ${local.length} lines before saving:`);
      errorBox.focus();
      status.set("Not sent.", "bad");
      return;
    }
    save.disabled = true;
    status.set("Checking and saving…");
    const sent = text.value;
    try {
      const data = await putRules(sent);
      saved = sent;
      showErrors([], "");
      dirtyNote.hidden = !isDirty();
      status.set(`Saved at ${clockTime(Date.now())}: routing uses these rules now.`, "good");
      drawUpdated(data && data.updated_at);
    } catch (err) {
      const body = err && err.body;
      if (err && err.status === 422 && body && Array.isArray(body.errors)) {
        showErrors(body.errors.map((x) => ({ line: Number(x.line), message: String(x.message || "Invalid") })),
          `The server refused the rules (${body.errors.length} problem${body.errors.length === 1 ? "" : "s"}; line numbers as sent at ${clockTime(Date.now())}):`);
      } else {
        showErrors(serverErrors(err), "The rules were not saved:");
      }
      errorBox.focus();
      status.set("Not saved: the previous rules still apply.", "bad");
    } finally {
      save.disabled = false;
    }
  });

  function drawUpdated(at) {
    updated.textContent = Number.isFinite(at) && at > 0 ? `In use since ${fullTime(at)}.` : "";
  }

  async function load(force) {
    if (!force && isDirty() && !text.readOnly) return;
    if (force && isDirty() && !window.confirm("Discard your changes to the rules?")) return;
    status.set("Loading…");
    try {
      const data = await getRules();
      saved = typeof (data && data.toml) === "string" ? data.toml : "";
      text.value = saved;
      text.readOnly = false;
      text.removeAttribute("aria-busy");
      drawUpdated(data && data.updated_at);
      showErrors([], "");
      dirtyNote.hidden = true;
      status.set("");
    } catch (err) {
      showErrors(serverErrors(err), "The rules could not be loaded:");
      status.set(text.readOnly ? "Press Discard changes to try again." : "", "bad");
    }
  }
  // Saved elsewhere: an untouched editor shows the new rules; edits in progress stay, with a
  // word that saving them replaces what is now in use. Our own save comes back as no change.
  async function follow() {
    let data;
    try {
      data = await getRules();
    } catch {
      return; // the connection line says why; Discard changes loads again
    }
    const toml = typeof (data && data.toml) === "string" ? data.toml : "";
    if (toml === saved || text.readOnly) return;
    if (isDirty() || save.disabled) {
      status.set(`The rules were changed elsewhere at ${clockTime(Date.now())}: saving yours replaces them; Discard changes shows theirs.`, "bad");
      return;
    }
    saved = toml;
    text.value = toml;
    text.dispatchEvent(new Event("input"));
    drawUpdated(data && data.updated_at);
    status.set(`The rules were changed elsewhere: these are in use since ${fullTime(data && data.updated_at)}.`);
  }
  on("config", () => {
    if (state.lastConfig && state.lastConfig.what === "rules" && panel.isConnected) follow();
  });
  drawLines();
  load(false);
}
