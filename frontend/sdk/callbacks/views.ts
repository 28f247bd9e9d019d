// The callbacks piece's screens: the choices beside waiting, the callback promised, the slot
// picker, the booked slot, and the ring. Text only, never HTML.

import { h, icon } from "../../shared/dom";
import { pushNote } from "./push";
import { notifyRow } from "./notify";
import { type Booked, type CallbackView, type Cb, type Choices, type Picker, type Ringing, idOf } from "./state";

type Ids = Pick<Cb, "uid">;

const ICON_PHONE = ["M6.6 3.5h2.6l1.4 4.2-2 1.3a11 11 0 0 0 6.4 6.4l1.3-2 4.2 1.4v2.6a2 2 0 0 1-2.2 2A17 17 0 0 1 4.6 5.7a2 2 0 0 1 2-2.2z"];

export interface CbHandlers {
  askCallback(): void;
  cancelCallback(): void;
  startPick(kind: "schedule" | "reschedule"): void;
  stopPick(): void;
  cancelRequest(): void;
  retrySlots(): void;
  book(): void;
  answer(accept: boolean): void;
  roam(e: KeyboardEvent, box: HTMLElement, selector: string, select: boolean): void;
  notifyChange(box: HTMLInputElement): void;
}

type Extra = Record<string, string | boolean>;

function button(text: string, cls: string, onclick: () => void, extra: Extra = {}): HTMLButtonElement {
  return h("button", { type: "button", class: `tl-btn ${cls}`, text, onclick, ...extra });
}

function title(c: Ids, key: string, text: string): HTMLHeadingElement {
  return h("h3", { id: idOf(c, key), class: "tl-ext-title", tabindex: "-1", text });
}

function phone(): HTMLDivElement {
  return h("div", { class: "tl-ext-icon", "aria-hidden": "true" }, [icon(ICON_PHONE, { class: "tl-icon" })]);
}

/** Added into the waiting screen's `choices`. */
export function buildChoices(c: Ids, on: CbHandlers): { group: HTMLDivElement; choices: Choices } {
  const cbHint = h("p", { id: idOf(c, "cb-hint"), class: "tl-choice-hint", text: "Keep your place and close this page if you like. We'll ring you here." });
  const cbBtn = button("Call me back when it's my turn", "tl-choice", () => on.askCallback(), { "aria-describedby": cbHint.id });
  const schHint = h("p", { id: idOf(c, "sch-hint"), class: "tl-choice-hint", text: "Choose a 15-minute slot that suits you, and we'll ring you then." });
  const schBtn = button("Schedule a time", "tl-choice", () => on.startPick("schedule"), { "aria-describedby": schHint.id });
  const cb = h("div", { class: "tl-choice-item" }, [cbBtn, cbHint, notifyRow(c, on)]);
  const sch = h("div", { class: "tl-choice-item" }, [schBtn, schHint]);
  const heading = h("p", { id: idOf(c, "choices"), class: "tl-choices-title", text: "Rather not wait here?" });
  const group = h("div", { role: "group", "aria-labelledby": idOf(c, "choices") }, [heading, cb, sch]);
  return { group, choices: { cb, cbBtn, sch, title: heading } };
}

export function buildCallbackView(c: Ids, on: CbHandlers): CallbackView {
  const t = title(c, "cb-title", "We'll ring you here when it's your turn");
  const when = h("p", { class: "tl-ext-lead" });
  const promise = h("p", { class: "tl-ext-text" });
  const position = h("p", { class: "tl-ext-text" });
  const waitBtn = button("Wait in chat instead", "tl-btn-secondary", () => on.cancelCallback());
  const schBtn = button("Schedule a time instead", "tl-btn-secondary", () => on.startPick("schedule"));
  const cancelBtn = button("Cancel request", "tl-btn-secondary", () => on.cancelRequest());
  const view = h("div", { class: "tl-ext-view", "aria-labelledby": t.id, role: "region" }, [
    phone(), t, when, promise, position,
    h("p", { class: "tl-hint", text: "Open this page again, or the app on another device where you're signed in, and it rings there too." }),
    pushNote(),
    notifyRow(c, on),
    h("div", { class: "tl-actions tl-actions-stack" }, [waitBtn, schBtn, cancelBtn]),
  ]);
  return { view, title: t, when, promise, position, waitBtn, schBtn };
}

export function buildPicker(c: Ids, on: CbHandlers): Picker {
  const t = title(c, "pick-title", "Schedule a time");
  const lead = h("p", { class: "tl-ext-text", hidden: true });
  const tz = h("p", { class: "tl-hint", hidden: true });
  const status = h("p", { class: "tl-ext-text", role: "status" });
  const days = h("div", { class: "tl-days", role: "tablist", "aria-label": "Day" });
  const times = h("div", { class: "tl-times", role: "group", id: idOf(c, "times") });
  const dayPanel = h("div", { role: "tabpanel", class: "tl-day-panel" }, [times]);
  const notice = h("p", { class: "tl-notice", role: "status", hidden: true });
  const retryBtn = button("Try again", "tl-btn-secondary", () => on.retrySlots(), { hidden: true });
  const bookBtn = button("Book this time", "tl-btn-primary", () => on.book(), { disabled: true });
  const backBtn = button("Back", "tl-btn-secondary", () => on.stopPick());
  const cancelBtn = button("Cancel request", "tl-btn-secondary", () => on.cancelRequest());
  const view = h("div", { class: "tl-ext-view tl-pick", "aria-labelledby": t.id, role: "region" }, [
    t, lead, tz, status, days, dayPanel, notice,
    h("div", { class: "tl-actions tl-pick-actions" }, [retryBtn, backBtn, cancelBtn, bookBtn]),
  ]);
  days.addEventListener("keydown", (e) => on.roam(e, days, "[role=tab]", true));
  times.addEventListener("keydown", (e) => on.roam(e, times, "button", false));
  return { view, title: t, lead, tz, status, days, times, dayPanel, notice, retryBtn, bookBtn, backBtn, cancelBtn };
}

export function buildBooked(c: Ids, on: CbHandlers): Booked {
  const t = title(c, "booked-title", "Your call is booked");
  const when = h("p", { class: "tl-ext-lead" });
  const tz = h("p", { class: "tl-hint", hidden: true });
  const changeBtn = button("Change time", "tl-btn-secondary", () => on.startPick("reschedule"));
  const cancelBtn = button("Cancel booking", "tl-btn-secondary", () => on.cancelCallback());
  const view = h("div", { class: "tl-ext-view", "aria-labelledby": t.id, role: "region" }, [
    phone(), t, when, tz,
    h("p", { class: "tl-ext-text", text: "We'll ring you here then. You can close this page: open it again a little before, or the app on another device where you're signed in." }),
    pushNote(),
    notifyRow(c, on),
    h("div", { class: "tl-actions" }, [cancelBtn, changeBtn]),
  ]);
  return { view, title: t, when, tz, cancelBtn };
}

export function buildRinging(c: Ids, on: CbHandlers): Ringing {
  const t = h("h3", { id: idOf(c, "ring-title"), class: "tl-ring-title" });
  const role = h("p", { class: "tl-ring-role" });
  const text = h("p", { id: idOf(c, "ring-text"), class: "tl-ext-text" });
  const count = h("p", { class: "tl-ring-count" });
  const answerBtn = button("Answer", "tl-btn-primary tl-btn-answer", () => on.answer(true));
  const laterBtn = button("Not now", "tl-btn-secondary", () => on.answer(false));
  const view = h("div", {
    class: "tl-ext-view tl-ring", role: "alertdialog", "aria-modal": "true",
    "aria-labelledby": t.id, "aria-describedby": text.id,
  }, [
    h("div", { class: "tl-ring-icon", "aria-hidden": "true" }, [icon(ICON_PHONE, { class: "tl-icon" })]),
    t, role, text, count,
    h("div", { class: "tl-actions tl-ring-actions" }, [laterBtn, answerBtn]),
  ]);
  return { view, title: t, role, text, count, answerBtn, laterBtn };
}
