// "Notify me": a system notification when it's the customer's turn and the page is in the
// background. Permission is asked only here, from the customer's own click. The choice is kept
// for the browser ("tapline:notify").

import { h } from "../../shared/dom";
import { showNotice } from "../controls";
import { localText, setLocalText } from "../storage";
import { pushStart, pushStop, pushWanted } from "./push";
import { unlockAudio } from "./sound";
import { type Cb, idOf } from "./state";

const NOTIFY_KEY = "tapline:notify";
const boxes: Array<{ row: HTMLLabelElement; box: HTMLInputElement }> = [];

export function notifyPref(): string | null {
  return localText(NOTIFY_KEY);
}

export function setNotifyPref(value: "0" | "1"): void {
  setLocalText(NOTIFY_KEY, value);
}

function hasNotifications(): boolean {
  return typeof window.Notification === "function";
}

function notifySupported(): boolean {
  return hasNotifications() && Notification.permission !== "denied";
}

export function notifyOn(): boolean {
  return hasNotifications() && Notification.permission === "granted" && notifyPref() !== "0";
}

/** Ask for permission (from a click); "denied" when the browser won't say. */
export function askPermission(): Promise<NotificationPermission> {
  if (Notification.permission !== "default") return Promise.resolve(Notification.permission);
  return new Promise((resolve) => {
    try {
      const p = Notification.requestPermission(resolve);
      if (p && typeof p.then === "function") p.then(resolve, () => resolve("denied"));
    } catch {
      resolve("denied");
    }
  });
}

/** A "Notify me" checkbox (each screen that offers it has its own). */
export function notifyRow(c: Pick<Cb, "uid">, on: { notifyChange(box: HTMLInputElement): void }): HTMLLabelElement {
  const box = h("input", { type: "checkbox", id: idOf(c, `notify${boxes.length}`), class: "tl-check-input" });
  const hint = h("span", { class: "tl-check-hint", text: "Also show a notification when it's your turn, if this page is in the background." });
  const row = h("label", { class: "tl-check", for: box.id }, [
    box,
    h("span", { class: "tl-check-text" }, [h("span", { class: "tl-check-name", text: "Notify me" }), hint]),
  ]);
  box.addEventListener("change", () => on.notifyChange(box));
  boxes.push({ row, box });
  return row;
}

export function onNotifyChange(c: Cb, box: HTMLInputElement): void {
  unlockAudio();
  if (!box.checked) {
    setNotifyPref("0");
    pushStop(c);
    syncNotify();
    return;
  }
  setNotifyPref("1");
  if (pushWanted(c)) {
    pushStart(c);
    return;
  }
  if (Notification.permission === "granted") {
    syncNotify();
    return;
  }
  void askPermission().then((p) => {
    if (p !== "granted") {
      setNotifyPref("0");
      showNotice(c.ui.threadNotice, "Notifications are turned off for this site in your browser, so we'll ring on this page only.");
    }
    syncNotify();
  });
}

export function syncNotify(): void {
  const supported = notifySupported();
  for (const b of boxes) {
    b.row.hidden = !supported;
    b.box.checked = notifyOn();
  }
}
