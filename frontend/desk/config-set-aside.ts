// The "Show archived queues" / "Show deactivated specialists" list under a Configure tab's
// list: each item set aside, with when, and a button that brings it back (asked first). The
// list follows the `config` signal while shown.

import { h, render } from "./dom";
import { state, on } from "./store";
import { serverErrors, statusLine } from "./forms";
import { clip } from "./format";
import type { ConfigSignal } from "./protocol";
import type { Item } from "./config-editor";

export interface SetAsideSpec<T extends Item> {
  /** The config signal's `what`. */
  what: ConfigSignal["what"];
  /** "archived queues" */
  noun: string;
  /** "Archived" */
  title: string;
  load: () => Promise<T[]>;
  sub: (item: T) => string;
  /** "Restore" */
  action: string;
  /** The data-key of its button here. */
  key: (item: T) => string;
  question: (item: T) => string;
  busy: (item: T) => string;
  bringBack: (id: string) => Promise<T>;
  done: (item: T, back: T) => string;
  failed: (item: T) => string;
  /** The data-key of its button in the tab's list, where focus goes once it is back. */
  focusKey: (back: T) => string;
}

/** Each item set aside with when, and its button; or "No archived queues." */
function drawItems<T extends Item>(list: HTMLElement, shown: readonly T[], spec: SetAsideSpec<T>, onBack: (item: T, button: HTMLButtonElement) => void): void {
  render(list, shown.length ? shown.map((item) => h("li.archived-item", null,
    h("span.config-item-name", { title: item.name }, clip(item.name, 40)),
    h("span.config-item-sub", null, spec.sub(item)),
    h("button.btn.btn-small", {
      type: "button", dataset: { key: spec.key(item) }, aria: { label: `${spec.action} ${item.name}` },
      onclick: (ev: Event) => {
        if (ev.currentTarget instanceof HTMLButtonElement) onBack(item, ev.currentTarget);
      },
    }, spec.action))) : h("li.muted", null, `No ${spec.noun}.`));
}

export function setAsideList<T extends Item>(panel: HTMLElement, spec: SetAsideSpec<T>): HTMLElement {
  const toggle = h("input", { type: "checkbox" });
  const label = `${spec.noun[0].toUpperCase()}${spec.noun.slice(1)}`;
  const list = h("ul.config-list.archived-list", { aria: { label } });
  const status = statusLine();
  const body = h("div.archived-body", { hidden: true }, h("h3.config-subtitle", null, spec.title), list);
  const el = h("div.config-archived", null,
    h("label.check", null, toggle, h("span", null, `Show ${spec.noun}`)), body, status.el);
  let shown: T[] = [];
  let asked = 0;

  const draw = (): void => drawItems(list, shown, spec, (item, button) => void bringBack(item, button));

  async function refresh(): Promise<void> {
    if (!toggle.checked) return;
    const mine = ++asked; // only the latest answer is drawn
    try {
      const got = await spec.load();
      if (mine !== asked) return;
      shown = got;
      draw();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (mine === asked) render(list, h("li.muted", null, `Couldn't load the ${spec.noun}: ${why}`));
    }
  }

  async function bringBack(item: T, button: HTMLButtonElement): Promise<void> {
    if (!window.confirm(spec.question(item))) return;
    button.disabled = true; // once per click; the row goes once it is done
    status.set(spec.busy(item));
    try {
      const back = await spec.bringBack(item.id);
      shown = shown.filter((x) => x.id !== item.id);
      draw();
      status.set(spec.done(item, back), "good");
      // Keyboard users land on it in the list (its button there opens the form).
      panel.querySelector<HTMLElement>(`[data-key="${CSS.escape(spec.focusKey(back))}"]`)?.focus();
      void refresh();
    } catch (err) {
      status.set(`${spec.failed(item)} ${serverErrors(err).map((e) => e.message).join(" ")}`, "bad");
      button.disabled = false;
    }
  }

  toggle.addEventListener("change", () => {
    body.hidden = !toggle.checked;
    status.set("");
    if (toggle.checked) {
      render(list, h("li.muted", null, "Loading…"));
      void refresh();
    }
  });
  // Set aside or brought back anywhere (here, another tab, another supervisor): it follows.
  on("config", () => {
    if (state.lastConfig && state.lastConfig.what === spec.what && panel.isConnected) void refresh();
  });
  return el;
}
