// Keyboard shortcuts and the "?" help dialog. Keys are matched by `code`, so Alt+A works
// on layouts where Alt/Option changes the character (macOS).

import { h, kbd } from "./dom";
import { state, select, offersOldestFirst } from "./store";
import * as actions from "./actions";
import { focusReply, openResolve } from "./thread";

export const SHORTCUTS: ReadonlyArray<readonly [string[], string]> = [
  [["Alt", "A"], "Accept the oldest offer"],
  [["Alt", "D"], "Decline the oldest offer"],
  [["Alt", "R"], "Focus the reply box"],
  [["Alt", "S"], "Resolve the current chat"],
  [["Alt", "1…9"], "Switch to chat 1 to 9"],
  [["Enter"], "Send the reply"],
  [["Shift", "Enter"], "New line in the reply"],
  [["?"], "Show this help"],
  [["Esc"], "Close a dialog"],
];

let helpDialog: HTMLDialogElement | null = null;

function mountHelp(): void {
  const close = h("button.btn", { type: "button", onclick: () => dialog.close() }, "Close");
  const dialog = h("dialog.dialog", { aria: { labelledby: "help-title" } },
    h("h2", { id: "help-title" }, "Keyboard shortcuts"),
    h("table.shortcuts", null,
      h("tbody", null, SHORTCUTS.map(([keys, what]) => h("tr", null, h("td", null, kbd(...keys)), h("td", null, what))))),
    h("p.muted", null, "Everything else is reachable with Tab and Shift+Tab."),
    h("div.dialog-actions", null, close));
  helpDialog = dialog;
  document.body.append(dialog);
}

export function openHelp(): void {
  if (helpDialog && !helpDialog.open) helpDialog.showModal();
}

function typingInField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/** Alt+1…9: that chat, then its reply box when it is live, else the chat in the list. */
function switchTo(n: number): void {
  const id = state.order[n - 1];
  if (!id) return;
  select(id);
  document.dispatchEvent(new CustomEvent("desk:pane", { detail: "thread" }));
  requestAnimationFrame(() => {
    if (!focusReply()) document.querySelector<HTMLElement>(`[data-key="req-${CSS.escape(id)}"]`)?.focus();
  });
}

/** The Alt shortcuts; true when `code` is one of them. */
function altKey(code: string): boolean {
  const digit = /^Digit([1-9])$/.exec(code);
  if (code === "KeyA") {
    const o = offersOldestFirst()[0];
    if (o) actions.accept(o.request_id);
  } else if (code === "KeyD") {
    const o = offersOldestFirst()[0];
    if (o) actions.decline(o.request_id);
  } else if (code === "KeyR") {
    focusReply();
  } else if (code === "KeyS") {
    openResolve();
  } else if (digit) {
    switchTo(Number(digit[1]));
  } else {
    return false;
  }
  return true;
}

function onKey(e: KeyboardEvent): void {
  if (!document.body.classList.contains("is-desk")) return;
  const modalOpen = document.querySelector("dialog[open]");
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    // The chat shortcuts act on the desk's view only, never unseen from the wallboard.
    if (modalOpen || (document.body.dataset.view && document.body.dataset.view !== "desk")) return;
    if (altKey(e.code)) e.preventDefault();
    return;
  }
  if (e.key === "?" && !typingInField(e.target) && !modalOpen) {
    e.preventDefault();
    openHelp();
  }
}

export function mountShortcuts(): void {
  mountHelp();
  document.addEventListener("keydown", onKey);
}
