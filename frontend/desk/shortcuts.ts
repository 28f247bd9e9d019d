// Keyboard shortcuts and the "?" help dialog. Keys are matched by `code`, so Alt+A works
// on layouts where Alt/Option changes the character (macOS).

import { h, kbd } from "./dom.js";
import { state, select, offersOldestFirst } from "./store.js";
import * as actions from "./actions.js";
import { focusReply, openResolve } from "./thread.js";

export const SHORTCUTS = [
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

let helpDialog = null;

function mountHelp() {
  const close = h("button.btn", { type: "button", onclick: () => helpDialog.close() }, "Close");
  helpDialog = h("dialog.dialog", { aria: { labelledby: "help-title" } },
    h("h2", { id: "help-title" }, "Keyboard shortcuts"),
    h("table.shortcuts", null,
      h("tbody", null, SHORTCUTS.map(([keys, what]) => h("tr", null, h("td", null, kbd(...keys)), h("td", null, what))))),
    h("p.muted", null, "Everything else is reachable with Tab and Shift+Tab."),
    h("div.dialog-actions", null, close));
  document.body.append(helpDialog);
}

export function openHelp() {
  if (!helpDialog.open) helpDialog.showModal();
}

function typingInField(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function onKey(e) {
  if (!document.body.classList.contains("is-desk")) return;
  const modalOpen = document.querySelector("dialog[open]");
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    // The chat shortcuts act on the desk's view only, never unseen from the wallboard.
    if (modalOpen || (document.body.dataset.view && document.body.dataset.view !== "desk")) return;
    const digit = /^Digit([1-9])$/.exec(e.code);
    let handled = true;
    if (e.code === "KeyA") {
      const o = offersOldestFirst()[0];
      if (o) actions.accept(o.request_id);
    } else if (e.code === "KeyD") {
      const o = offersOldestFirst()[0];
      if (o) actions.decline(o.request_id);
    } else if (e.code === "KeyR") {
      focusReply();
    } else if (e.code === "KeyS") {
      openResolve();
    } else if (digit) {
      const id = state.order[Number(digit[1]) - 1];
      if (id) {
        select(id);
        document.dispatchEvent(new CustomEvent("desk:pane", { detail: "thread" }));
        // Land in the reply box when the chat is open, else on the chat in the list.
        requestAnimationFrame(() => {
          if (!focusReply()) document.querySelector(`[data-key="req-${CSS.escape(id)}"]`)?.focus();
        });
      }
    } else {
      handled = false;
    }
    if (handled) e.preventDefault();
    return;
  }
  if (e.key === "?" && !typingInField(e.target) && !modalOpen) {
    e.preventDefault();
    openHelp();
  }
}

export function mountShortcuts() {
  mountHelp();
  document.addEventListener("keydown", onKey);
}
