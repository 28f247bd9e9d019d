// Opening and closing the panel, and where focus goes: into the view that shows, around
// within the panel with Tab (a dialog), back to the launcher on close.

import { focusSoftly } from "../controls";
import { render, renderUnread, threadMode } from "./render";
import { stopTyping } from "./compose";
import { keepRequest } from "./end";
import { type Panel } from "./types";
import { cobrowseClosed } from "../cobrowse/controller";

function focusables(p: Panel): HTMLElement[] {
  const out: HTMLElement[] = [];
  const seenRadio = new Set<string>();
  // While the cancel question is open, Tab stays on its two answers.
  const scope = p.ui.cancelAsk.hidden ? p.ui.panel : p.ui.cancelAsk;
  for (const el of scope.querySelectorAll<HTMLElement>("button, textarea, input, [tabindex]")) {
    if (("disabled" in el && el.disabled === true) || el.closest("[hidden]")) continue;
    if (el.getAttribute("tabindex") === "-1") continue;
    if (el instanceof HTMLInputElement && el.type === "radio") {
      // A radio group is one tab stop: the checked one, else the first.
      if (seenRadio.has(el.name)) continue;
      seenRadio.add(el.name);
      const group = [...p.ui.panel.querySelectorAll("input")].filter((i) => i.type === "radio" && i.name === el.name);
      out.push(group.find((i) => i.checked) ?? el);
      continue;
    }
    out.push(el);
  }
  return out;
}

export function onPanelKey(p: Panel, e: KeyboardEvent): void {
  if (e.key === "Escape") {
    e.preventDefault();
    e.stopPropagation();
    if (!p.ui.cancelAsk.hidden) keepRequest(p);
    else close(p);
    return;
  }
  if (e.key !== "Tab") return;
  const list = focusables(p);
  if (!list.length) return;
  const active = p.ui.root.activeElement;
  const i = active instanceof HTMLElement ? list.indexOf(active) : -1;
  // From a heading focused by script (tabindex -1), Tab goes on from there as usual.
  if (i === -1 && active && p.ui.panel.contains(active) && active !== p.ui.panel) return;
  const first = list[0];
  const last = list[list.length - 1];
  if (e.shiftKey && i <= 0 && last) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (i === list.length - 1 || i === -1) && first) {
    e.preventDefault();
    first.focus();
  }
}

/** Focus what the view is about; `soft`: not away from someone typing in the panel. */
export function focusView(p: Panel, soft = false): void {
  const ui = p.ui;
  if (!p.isOpen) return;
  const active = ui.root.activeElement;
  if (soft && active && active.tagName === "TEXTAREA" && !active.closest("[hidden]")) return;
  let target: HTMLElement | null = null;
  if (p.view === "describe") target = ui.describe;
  else if (p.view === "thread") {
    const mode = threadMode(p);
    target = mode === "chat" ? ui.compose : p.ext && mode !== "wait" ? p.ext.focusTarget(mode) : ui.cancelBtn;
  } else if (p.view === "outcome") target = ui.outcomeTitle;
  else if (p.view === "thanks") target = ui.thanksTitle;
  if (target) focusSoftly(target);
}

export function open(p: Panel): void {
  const ui = p.ui;
  if (!p.isOpen) {
    const active = document.activeElement;
    p.returnFocus = active instanceof HTMLElement && active !== document.body && active !== ui.host ? active : null;
    p.isOpen = true;
    ui.panel.hidden = false;
    ui.host.classList.add("tl-open");
    ui.launcher.setAttribute("aria-expanded", "true");
    p.unread = 0;
    renderUnread(p);
    render(p);
    p.core.emit("open", {});
  }
  focusView(p);
}

export function close(p: Panel): void {
  const ui = p.ui;
  if (!p.isOpen) return;
  p.isOpen = false;
  cobrowseClosed(p);
  stopTyping(p);
  ui.panel.hidden = true;
  ui.host.classList.remove("tl-open");
  ui.launcher.setAttribute("aria-expanded", "false");
  if (p.view === "thanks") {
    p.view = "describe";
    render(p);
  }
  const target = !ui.launcher.hidden ? ui.launcher : p.returnFocus;
  if (target) focusSoftly(target);
  p.core.emit("close", {});
}
