// The list-and-form editor that the Queues and Specialists tabs share: a list of items on the
// left, one item's form on the right, "New …", Save (POST for a new item, PATCH with only the
// changed fields), Discard, Remove, the unsaved-changes badge and guards, the error summary
// and server errors placed beside their fields. Nothing typed is reset by a failed save.

import { h, icon, render, toast, announce, type IconName } from "./dom";
import { onAdmin } from "./admin";
import { errorSummary, serverErrors, statusLine, type Problem, type ServerError } from "./forms";
import { clip, clockTime } from "./format";
import { beforeUnload } from "./router";

export const NEW = "__new__";

/** An item of the list: it has an id and a name. */
export interface Item {
  id: string;
  name: string;
}

/** One item's form: read() gives the value it would save and what is wrong with it. */
export interface ItemForm<V> {
  el: HTMLElement;
  read(): { value: V; errors: Problem[] };
  /** Place server errors beside their fields; returns them for the summary. */
  showServer(errors: ServerError[]): Problem[];
}

/** The words of Remove when it is something else (e.g. "Deactivate specialist"). */
export interface RemoveText<T> {
  button: string;
  icon: IconName;
  question: (item: T) => string;
  busy: string;
  failed: string;
  refused: string;
}

export interface EditorSpec<T extends Item, V extends object> {
  /** "queue": words in titles, buttons and questions. */
  noun: string;
  /** "queue": ids of the title and list. */
  idPrefix: string;
  /** The cached list (admin.queues). */
  items: () => T[] | null;
  /** (Re)load the list. */
  load: () => Promise<unknown>;
  summary: (item: T) => { name: string; sub: string; chip?: string | null };
  form: (item: T | null) => ItemForm<V>;
  create: (value: V) => Promise<T>;
  update: (id: string, part: Partial<V>) => Promise<T>;
  /** The DELETE (or what stands for it); resolves to a status text. */
  remove?: (item: T) => Promise<string>;
  removeText?: Partial<RemoveText<T>>;
  /** Why Remove can't be used on this item: the button is disabled and the reason shown. */
  removeBlocked?: (item: T) => string | null;
  /** The last word before a save. */
  confirmSave?: (item: T | null, part: Partial<V>) => boolean;
  /** Shown when nothing is picked. */
  emptyText: string;
  /** The stored value a field is compared with (default: the item's own). */
  original?: (item: T, key: string) => unknown;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Clear what `read()` marked while learning a form's untouched value. */
function quiet(el: HTMLElement): void {
  for (const e of el.querySelectorAll(".has-error")) e.classList.remove("has-error");
  for (const e of el.querySelectorAll(".field-error")) e.textContent = "";
  for (const e of el.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
}

/** The fields of `value` that differ from what `stored(key)` says the item has now. */
export function changedPart<V extends object>(value: V, stored: (key: string) => unknown): Partial<V> {
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => !same(v, stored(k)))) as Partial<V>;
}

/** The editor's parts, built once. */
function buildEditor<T extends Item, V extends object>(panel: HTMLElement, spec: EditorSpec<T, V>, words: RemoveText<T>) {
  const Noun = spec.noun[0].toUpperCase() + spec.noun.slice(1);
  const list = h("ul.config-list", { id: `${spec.idPrefix}-list`, aria: { label: `${Noun}s` } });
  const addBtn = h("button.btn", { type: "button" }, icon("plus", 14), `New ${spec.noun}`);
  const title = h("h2.config-title", { id: `${spec.idPrefix}-form-title` });
  const summary = errorSummary();
  const status = statusLine();
  const dirtyNote = h("span.dirty-note", { hidden: true }, "Unsaved changes");
  const save = h("button.btn.btn-primary", { type: "submit" }, `Save ${spec.noun}`);
  const revert = h("button.btn", { type: "button" }, "Discard changes");
  const blockedNote = h("p.remove-note", { id: `${spec.idPrefix}-remove-note`, hidden: true });
  const removeBtn = spec.remove ? h("button.btn.btn-danger", { type: "button" }, icon(words.icon, 14), words.button) : null;
  const slot = h("div");
  const formEl = h("form.config-form", { novalidate: true, hidden: true, aria: { labelledby: title.id } },
    h("div.config-form-head", null, title, dirtyNote), summary.el, slot,
    h("div.config-actions", null, save, revert, removeBtn, removeBtn ? blockedNote : null, status.el));
  const empty = h("p.muted.config-empty", null, spec.emptyText);
  panel.append(h("div.config-split", null,
    h("div.config-side", null, h("div.config-side-head", null, h("h2.visually-hidden", null, `${Noun}s`), addBtn), list),
    h("div.config-main", null, empty, formEl)));
  return { Noun, list, addBtn, title, summary, status, dirtyNote, save, revert, blockedNote, removeBtn, slot, formEl, empty };
}

type EditorUi = ReturnType<typeof buildEditor>;

/** One tab's editor: the list, the picked item's form, and saving and removing it. */
class Editor<T extends Item, V extends object> {
  /** An id, or NEW. */
  private selected: string | null = null;
  private form: ItemForm<V> | null = null;
  /** The untouched form's value, as JSON. */
  private original = "";
  private readonly ui: EditorUi;

  constructor(panel: HTMLElement, private readonly spec: EditorSpec<T, V>, private readonly words: RemoveText<T>) {
    this.ui = buildEditor(panel, spec, words);
    const { formEl, addBtn, revert, removeBtn } = this.ui;
    const markDirty = (): void => {
      this.ui.dirtyNote.hidden = !this.isDirty();
    };
    formEl.addEventListener("input", markDirty);
    formEl.addEventListener("change", markDirty);
    formEl.addEventListener("click", () => requestAnimationFrame(markDirty));
    beforeUnload(() => !formEl.hidden && this.isDirty());
    formEl.addEventListener("submit", (e) => {
      e.preventDefault();
      if (this.form) void this.submit(this.form);
    });
    onAdmin(() => this.drawList());
    addBtn.addEventListener("click", () => this.pick(NEW));
    revert.addEventListener("click", () => this.pick(this.selected, true));
    removeBtn?.addEventListener("click", () => void this.removeItem());
  }

  private find(id: string | null): T | undefined {
    return (this.spec.items() || []).find((x) => x.id === id);
  }

  private isDirty(): boolean {
    return Boolean(this.form) && JSON.stringify(this.form?.read().value) !== this.original;
  }

  /** Show an item's form (or a new one's); asks first when that would drop unsaved changes. */
  pick(id: string | null, force = false, focus = true): void {
    const { spec, ui } = this;
    if (!force && this.form && this.isDirty() && !window.confirm(`Discard the unsaved changes to this ${spec.noun}?`)) return;
    const item = id === NEW ? null : this.find(id);
    if (id !== NEW && !item) return;
    this.selected = id;
    const next = spec.form(item ?? null);
    this.form = next;
    ui.slot.replaceChildren(next.el);
    this.original = JSON.stringify(next.read().value); // read quietly: the untouched value
    quiet(next.el);
    ui.title.textContent = item ? clip(item.name, 80) : `New ${spec.noun}`;
    ui.summary.clear();
    ui.status.set("");
    ui.dirtyNote.hidden = true;
    ui.formEl.hidden = false;
    ui.empty.hidden = true;
    this.showRemove(item);
    this.drawList();
    if (focus) next.el.querySelector<HTMLElement>("input, select, textarea")?.focus();
  }

  /** Remove for this item: hidden for a new one, disabled with its reason when blocked. */
  private showRemove(item: T | null | undefined): void {
    const { removeBtn, blockedNote } = this.ui;
    if (!removeBtn) return;
    const reason = item && this.spec.removeBlocked ? this.spec.removeBlocked(item) : null;
    removeBtn.hidden = !item;
    removeBtn.disabled = Boolean(reason);
    blockedNote.hidden = !reason;
    blockedNote.textContent = reason || "";
    if (reason) removeBtn.setAttribute("aria-describedby", blockedNote.id);
    else removeBtn.removeAttribute("aria-describedby");
  }

  /** The stored value a field is compared with. */
  private stored(before: T, key: string): unknown {
    return this.spec.original ? this.spec.original(before, key) : (before as Record<string, unknown>)[key];
  }

  private async submit(current: ItemForm<V>): Promise<void> {
    const { spec, ui } = this;
    const { value, errors } = current.read();
    if (errors.length) {
      ui.status.set("Not saved.", "bad");
      ui.summary.show(errors);
      return;
    }
    ui.summary.clear();
    const before = this.selected === NEW ? undefined : this.find(this.selected);
    const part = before ? changedPart(value, (k) => this.stored(before, k)) : value;
    if (before && !Object.keys(part).length) {
      ui.status.set("Nothing changed.");
      return;
    }
    if (spec.confirmSave && !spec.confirmSave(before ?? null, part)) return;
    ui.save.disabled = true;
    ui.status.set("Saving…");
    try {
      const item = before ? await spec.update(before.id, part) : await spec.create(value);
      this.saved(item, !before);
    } catch (err) {
      ui.status.set("Not saved.", "bad");
      ui.summary.show((this.form ?? current).showServer(serverErrors(err)), `The server didn't save the ${spec.noun}:`);
    } finally {
      ui.save.disabled = false;
    }
  }

  private saved(item: T, created: boolean): void {
    const { ui } = this;
    this.selected = item.id;
    if (created) this.pick(item.id, true, false); // the new item's own form (e.g. no password field)
    if (this.form) {
      this.original = JSON.stringify(this.form.read().value);
      quiet(this.form.el);
    }
    ui.title.textContent = clip(item.name, 80);
    ui.dirtyNote.hidden = true;
    this.showRemove(item);
    ui.status.set(`Saved at ${clockTime(Date.now())}.`, "good");
    announce(`${ui.Noun} ${item.name} saved.`);
    this.drawList();
  }

  private async removeItem(): Promise<void> {
    const { spec, ui, words } = this;
    const item = this.find(this.selected);
    if (!item || !spec.remove || !ui.removeBtn || !window.confirm(words.question(item))) return;
    ui.removeBtn.disabled = true;
    ui.status.set(words.busy);
    try {
      const said = await spec.remove(item);
      this.selected = null;
      this.form = null;
      ui.formEl.hidden = true;
      ui.empty.hidden = false;
      this.drawList();
      toast(said, "info");
      announce(said);
      ui.addBtn.focus();
    } catch (err) {
      ui.status.set(words.failed, "bad");
      ui.summary.show(serverErrors(err), words.refused);
    } finally {
      this.showRemove(this.find(this.selected));
    }
  }

  drawList(): void {
    const { spec } = this;
    render(this.ui.list, (spec.items() || []).map((item) => {
      const s = spec.summary(item);
      return h("li", null, h("button.config-item", {
        type: "button",
        dataset: { key: `${spec.idPrefix}-${item.id}` },
        aria: { current: item.id === this.selected ? "true" : undefined },
        onclick: () => this.pick(item.id),
      }, h("span.config-item-name", { title: s.name }, clip(s.name, 40), s.chip ? h("span.chip", null, s.chip) : null),
        h("span.config-item-sub", null, s.sub)));
    }), this.selected === NEW ? h("li", null, h("span.config-item.is-new", { aria: { current: "true" } }, `New ${spec.noun}`)) : null);
  }

  /** Load the list, then show the first item's form. */
  load(): void {
    const { spec } = this;
    spec.load().then(() => {
      this.drawList();
      const items = spec.items() || [];
      if (!this.selected && items.length) this.pick(items[0].id, false, false);
    }).catch((err: unknown) => {
      toast(`Couldn't load the ${spec.noun}s: ${err instanceof Error ? err.message : String(err)}`, "error");
      render(this.ui.list, h("li.muted", null, `Couldn't load the ${spec.noun}s.`));
    });
  }
}

export function mountEditor<T extends Item, V extends object>(panel: HTMLElement, spec: EditorSpec<T, V>): { pick: (id: string) => void } {
  const noun = spec.noun;
  const words: RemoveText<T> = {
    button: `Remove ${noun}`,
    icon: "trash",
    question: (item) => `Remove the ${noun} ${clip(item.name, 60)}?`,
    busy: "Removing…",
    failed: "Not removed.",
    refused: `The server didn't remove the ${noun}:`,
    ...(spec.removeText || {}),
  };
  const editor = new Editor(panel, spec, words);
  editor.load();
  return { pick: (id) => editor.pick(id) };
}
