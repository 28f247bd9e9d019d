// The list-and-form editor that the Queues and Specialists tabs share: a list of items on the
// left, one item's form on the right, "New …", Save (POST for a new item, PATCH with only the
// changed fields), Discard, Remove, the unsaved-changes badge and guards, the error summary
// and server errors placed beside their fields. Nothing typed is reset by a failed save.
//
// mountEditor(panel, spec), where spec is:
//   noun            "queue"                      words in titles, buttons and questions
//   idPrefix        "queue"                      ids of the title and list
//   items()         the cached list (admin.queues)
//   load()          Promise: (re)load the list
//   summary(item)   {name, sub, chip?}           one list row
//   form(item|null) {el, read(), showServer(errors)}   read() -> {value, errors}
//   create(value)   Promise<item>                the POST
//   update(id, part) Promise<item>               the PATCH
//   remove(item)    Promise<string> (optional)   the DELETE; resolves to a status text
//   removeText      (optional) {button, icon, question(item), busy, failed, refused}: the words of
//                   Remove when it is something else (e.g. "Deactivate specialist")
//   removeBlocked(item) -> string|null (optional) why Remove can't be used on this item: the
//                   button is disabled and the reason shown beside it
//   confirmSave(item, part) -> bool (optional)   last word before a save
//   emptyText       shown when nothing is picked
//   original(item, key) (optional)               the stored value a field is compared with

import { h, icon, render, toast, announce } from "./dom.js";
import { onAdmin } from "./admin.js";
import { errorSummary, serverErrors, statusLine } from "./forms.js";
import { clip, clockTime } from "./format.js";
import { beforeUnload } from "./router.js";

export const NEW = "__new__";

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Clear what `read()` marked while learning a form's untouched value. */
function quiet(el) {
  for (const e of el.querySelectorAll(".has-error")) e.classList.remove("has-error");
  for (const e of el.querySelectorAll(".field-error")) e.textContent = "";
  for (const e of el.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
}

export function mountEditor(panel, spec) {
  const noun = spec.noun;
  const Noun = noun[0].toUpperCase() + noun.slice(1);
  let selected = null; // an id, or NEW
  let form = null;
  let original = "";
  const list = h("ul.config-list", { id: `${spec.idPrefix}-list`, aria: { label: `${Noun}s` } });
  const addBtn = h("button.btn", { type: "button", onclick: () => pick(NEW) }, icon("plus", 14), `New ${noun}`);
  const title = h("h2.config-title", { id: `${spec.idPrefix}-form-title` });
  const summary = errorSummary();
  const status = statusLine();
  const dirtyNote = h("span.dirty-note", { hidden: true }, "Unsaved changes");
  const save = h("button.btn.btn-primary", { type: "submit" }, `Save ${noun}`);
  const revert = h("button.btn", { type: "button", onclick: () => pick(selected, true) }, "Discard changes");
  const words = {
    button: `Remove ${noun}`,
    icon: "trash",
    question: (item) => `Remove the ${noun} ${clip(item.name, 60)}?`,
    busy: "Removing…",
    failed: "Not removed.",
    refused: `The server didn't remove the ${noun}:`,
    ...(spec.removeText || {}),
  };
  const blockedNote = h("p.remove-note", { id: `${spec.idPrefix}-remove-note`, hidden: true });
  const removeBtn = spec.remove
    ? h("button.btn.btn-danger", { type: "button", onclick: () => removeItem() }, icon(words.icon, 14), words.button)
    : null;
  const slot = h("div");
  const formEl = h("form.config-form", { novalidate: true, hidden: true, aria: { labelledby: title.id } },
    h("div.config-form-head", null, title, dirtyNote), summary.el, slot,
    h("div.config-actions", null, save, revert, removeBtn, removeBtn ? blockedNote : null, status.el));
  const empty = h("p.muted.config-empty", null, spec.emptyText);
  panel.append(h("div.config-split", null,
    h("div.config-side", null, h("div.config-side-head", null, h("h2.visually-hidden", null, `${Noun}s`), addBtn), list),
    h("div.config-main", null, empty, formEl)));

  const find = (id) => (spec.items() || []).find((x) => x.id === id);
  const isDirty = () => Boolean(form) && JSON.stringify(form.read().value) !== original;
  const markDirty = () => {
    dirtyNote.hidden = !isDirty();
  };
  formEl.addEventListener("input", markDirty);
  formEl.addEventListener("change", markDirty);
  formEl.addEventListener("click", () => requestAnimationFrame(markDirty));
  beforeUnload(() => !formEl.hidden && isDirty());

  function pick(id, force = false, focus = true) {
    if (!force && form && isDirty() && !window.confirm(`Discard the unsaved changes to this ${noun}?`)) return;
    const item = id === NEW ? null : find(id);
    if (id !== NEW && !item) return;
    selected = id;
    form = spec.form(item);
    slot.replaceChildren(form.el);
    original = JSON.stringify(form.read().value); // read quietly: the untouched value
    quiet(form.el);
    title.textContent = item ? clip(item.name, 80) : `New ${noun}`;
    summary.clear();
    status.set("");
    dirtyNote.hidden = true;
    formEl.hidden = false;
    empty.hidden = true;
    showRemove(item);
    drawList();
    if (focus) form.el.querySelector("input, select, textarea")?.focus();
  }

  /** Remove for this item: hidden for a new one, disabled with its reason when blocked. */
  function showRemove(item) {
    if (!removeBtn) return;
    const reason = item && spec.removeBlocked ? spec.removeBlocked(item) : null;
    removeBtn.hidden = !item;
    removeBtn.disabled = Boolean(reason);
    blockedNote.hidden = !reason;
    blockedNote.textContent = reason || "";
    if (reason) removeBtn.setAttribute("aria-describedby", blockedNote.id);
    else removeBtn.removeAttribute("aria-describedby");
  }

  formEl.addEventListener("submit", async (e) => {
    e.preventDefault();
    const { value, errors } = form.read();
    if (errors.length) {
      status.set("Not saved.", "bad");
      summary.show(errors);
      return;
    }
    summary.clear();
    const before = selected === NEW ? null : find(selected);
    const stored = (k) => (spec.original ? spec.original(before, k) : before[k]);
    const part = before ? Object.fromEntries(Object.entries(value).filter(([k, v]) => !same(v, stored(k)))) : value;
    if (before && !Object.keys(part).length) {
      status.set("Nothing changed.");
      return;
    }
    if (spec.confirmSave && !spec.confirmSave(before, part)) return;
    save.disabled = true;
    status.set("Saving…");
    try {
      const item = before ? await spec.update(before.id, part) : await spec.create(value);
      selected = item.id;
      if (!before) pick(item.id, true, false); // the new item's own form (e.g. no password field)
      original = JSON.stringify(form.read().value);
      quiet(form.el);
      title.textContent = clip(item.name, 80);
      dirtyNote.hidden = true;
      showRemove(item);
      status.set(`Saved at ${clockTime(Date.now())}.`, "good");
      announce(`${Noun} ${item.name} saved.`);
      drawList();
    } catch (err) {
      status.set("Not saved.", "bad");
      summary.show(form.showServer(serverErrors(err)), `The server didn't save the ${noun}:`);
    } finally {
      save.disabled = false;
    }
  });

  async function removeItem() {
    const item = find(selected);
    if (!item || !window.confirm(words.question(item))) return;
    removeBtn.disabled = true;
    status.set(words.busy);
    try {
      const said = await spec.remove(item);
      selected = null;
      form = null;
      formEl.hidden = true;
      empty.hidden = false;
      drawList();
      toast(said, "info");
      announce(said);
      addBtn.focus();
    } catch (err) {
      status.set(words.failed, "bad");
      summary.show(serverErrors(err), words.refused);
    } finally {
      showRemove(find(selected));
    }
  }

  function drawList() {
    render(list, (spec.items() || []).map((item) => {
      const s = spec.summary(item);
      return h("li", null, h("button.config-item", {
        type: "button",
        dataset: { key: `${spec.idPrefix}-${item.id}` },
        aria: { current: item.id === selected ? "true" : undefined },
        onclick: () => pick(item.id),
      }, h("span.config-item-name", { title: s.name }, clip(s.name, 40), s.chip ? h("span.chip", null, s.chip) : null),
        h("span.config-item-sub", null, s.sub)));
    }), selected === NEW ? h("li", null, h("span.config-item.is-new", { aria: { current: "true" } }, `New ${noun}`)) : null);
  }
  onAdmin(drawList);

  spec.load().then(() => {
    drawList();
    const items = spec.items() || [];
    if (!selected && items.length) pick(items[0].id, false, false);
  }).catch((err) => {
    toast(`Couldn't load the ${noun}s: ${err.message}`, "error");
    render(list, h("li.muted", null, `Couldn't load the ${noun}s.`));
  });
  return { pick };
}
