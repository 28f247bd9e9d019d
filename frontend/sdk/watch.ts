// What the core listens to on the host's page: fields as they change (and what each field is,
// before a "show password" toggle changes what it shows), forms added later, route changes,
// the network, another tab's callback, and the page coming back into view.

import { parseJson } from "../shared/json";
import { inCapture, rememberTypes } from "./capture";
import { onTypeChanges, rememberType, rememberTypesIn } from "./fieldtypes";
import { readStored } from "./stored";
import { type Widget } from "./widget";

export function watchPage(w: Widget): void {
  rememberTypes();
  const onInput = (e: Event) => {
    if (!inCapture(e.target)) return;
    rememberType(e.target);
    w.changed();
  };
  document.addEventListener("focusin", (e) => inCapture(e.target) && rememberType(e.target), true);
  document.addEventListener("input", onInput, true);
  document.addEventListener("change", onInput, true);
  document.addEventListener("reset", (e) => inCapture(e.target) && setTimeout(() => w.changed(), 0), true);
  observe(w);
  window.addEventListener("online", () => {
    w.P?.online();
    if (w.configState === "failed") w.loadConfig();
  });
  window.addEventListener("offline", () => w.P?.offline());
  window.addEventListener("hashchange", () => w.changed());
  window.addEventListener("popstate", () => w.changed());
  // Another tab asked for a callback: this tab rings too.
  window.addEventListener("storage", (e) => {
    if (e.key !== w.keys.live || !e.newValue || w.hasRequest()) return;
    const found = readStored(parseJson(e.newValue));
    if (found) w.panel.load((P) => P.adopt(found));
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") w.lookUpElsewhere();
  });
}

function observe(w: Widget): void {
  const root = document.documentElement;
  new MutationObserver(onTypeChanges).observe(root, {
    attributes: true,
    attributeFilter: ["type"],
    attributeOldValue: true,
    subtree: true,
  });
  new MutationObserver((records) => {
    const added = records.flatMap((r) => [...r.addedNodes]).filter((n): n is Element => n instanceof Element);
    for (const el of added) rememberTypesIn(el);
    if (!w.P?.active()) return;
    const captured = (el: Element) =>
      el.hasAttribute("data-tapline-capture") || !!el.querySelector("[data-tapline-capture]") || inCapture(el);
    if (added.some(captured)) w.changed();
  }).observe(root, { childList: true, subtree: true });
}
