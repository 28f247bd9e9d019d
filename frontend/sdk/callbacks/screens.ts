// Drawing the callbacks piece's screens for the thread's mode, and the honest wait on the
// waiting screen (said to screen readers only when it changes meaningfully).

import { fmtTime, setBusy } from "../controls";
import { type PanelUi, type Req, type ThreadMode } from "../panel/types";
import { syncNotify } from "./notify";
import { fetchSlots, renderPick } from "./picker";
import { renderPush } from "./push";
import { stopRinging } from "./ringing";
import { type Cb, show } from "./state";
import { localZone, span, zoneName } from "./times";
import {
  NO_ONE, chatLine, choicesTitle, hasEstimate, leadWithChoices, positionText, unknownEstimate, waitText, within, worthSaying,
} from "./waits";

/** Said when it first appears and then only when it changes meaningfully. */
export function announce(c: Cb): void {
  const r = c.core.req;
  if (!r || c.core.threadMode() !== "wait") return;
  const e = r.estimate;
  const where = positionText(e) ? `${positionText(e)} ` : "";
  if (unknownEstimate(e)) {
    if (c.spoken && c.spoken.b === -1) return;
    c.spoken = { b: -1, next: false };
    c.spokenAt = Date.now();
    c.core.say(`${where}${NO_ONE}.`);
    return;
  }
  if (!hasEstimate(e)) return;
  const now = Date.now();
  const said = worthSaying(e, c.spoken, c.spokenAt, now);
  if (!said) return;
  c.spoken = said;
  c.spokenAt = now;
  c.core.say(`${where}Estimated wait ${waitText(e, true)}.`);
}

/** What the waiting screen offers besides waiting in chat. */
function offered(r: Req): { cb: boolean; sch: boolean } {
  const o = r.options;
  const waiting = r.state === "waiting" || r.state === "offered";
  return { cb: waiting && o?.callback === true, sch: o?.schedule !== false };
}

/** The chat line (and the place in line) after the choices when `lead`, else before them. Only
 * those two paragraphs move: the choices hold buttons, and moving a focused one blurs it. */
export function arrange(ui: Pick<PanelUi, "estimate" | "position" | "choices">, lead: boolean): void {
  const after = !!(ui.choices.compareDocumentPosition(ui.estimate) & Node.DOCUMENT_POSITION_FOLLOWING);
  if (lead && !after) ui.choices.after(ui.estimate, ui.position);
  else if (!lead && after) ui.choices.before(ui.estimate, ui.position);
}

function renderEstimate(c: Cb, r: Req): void {
  const ui = c.ui;
  const e = r.estimate;
  const o = offered(r);
  const others = o.cb || o.sch;
  const text = chatLine(e, others);
  if (ui.estimate.textContent !== text) ui.estimate.textContent = text;
  ui.estimate.hidden = !text;
  ui.position.textContent = positionText(e);
  ui.position.hidden = !ui.position.textContent;
  arrange(ui, leadWithChoices(e, others));
}

function renderChoices(c: Cb, r: Req): void {
  const o = offered(r);
  show(c.ch.cb, o.cb);
  show(c.ch.sch, o.sch);
  c.ui.choices.hidden = !o.cb && !o.sch;
  c.ch.title.textContent = choicesTitle(r.estimate, o.cb);
  if (!c.ch.cbBtn.getAttribute("aria-busy")) setBusy(c.ch.cbBtn, false);
}

function renderCallback(c: Cb, r: Req): void {
  const cv = c.cv;
  const e = r.estimate;
  const w = within(e);
  cv.when.textContent = `${w ? `Usually ${w}. ` : ""}You can close this page.`;
  const end = r.callback?.window_end;
  cv.promise.textContent = typeof end === "number" ? `We promise to ring by ${fmtTime(end)}.` : "";
  show(cv.promise, !!cv.promise.textContent);
  cv.position.textContent = positionText(e) ? `${positionText(e)} Your place is kept.` : "";
  show(cv.position, !!cv.position.textContent);
  cv.waitBtn.textContent = hasEstimate(e) ? `Wait in chat instead · ${waitText(e)}` : "Wait in chat instead";
  if (cv.waitBtn.getAttribute("data-label")) cv.waitBtn.setAttribute("data-label", cv.waitBtn.textContent);
  show(cv.schBtn, !r.options || r.options.schedule !== false);
}

function renderBooked(c: Cb, r: Req): void {
  const cb = r.callback;
  const start = typeof cb?.slot_start === "number" ? cb.slot_start : cb?.window_start;
  const end = typeof cb?.window_end === "number" ? cb.window_end : null;
  c.bk.when.textContent = typeof start === "number" ? span(start, end) : "";
  const here = localZone();
  const theirs = c.slots?.tz;
  c.bk.tz.textContent = theirs && here && theirs !== here ? `That's your local time (${zoneName(here)}).` : "";
  c.bk.tz.hidden = !c.bk.tz.textContent;
}

export function render(c: Cb, mode: ThreadMode | "off"): void {
  const r = c.core.req;
  if (!r) return;
  renderEstimate(c, r);
  renderChoices(c, r);
  show(c.cv.view, mode === "callback");
  show(c.pk.view, mode === "pick");
  show(c.bk.view, mode === "scheduled");
  show(c.rg.view, mode === "ring");
  if (mode === "callback") renderCallback(c, r);
  if (mode === "pick") {
    if (c.shownMode !== "pick") fetchSlots(c, false);
    else renderPick(c);
  }
  if (mode === "scheduled") renderBooked(c, r);
  if (mode !== "ring" && c.shownMode === "ring") stopRinging(c, true);
  c.shownMode = mode;
  renderPush();
  syncNotify();
}

export function focusTarget(c: Cb, mode: ThreadMode): HTMLElement {
  if (mode === "ring") return c.rg.answerBtn.disabled ? c.rg.title : c.rg.answerBtn;
  if (mode === "callback") return c.cv.title;
  if (mode === "pick") return c.pk.title;
  if (mode === "scheduled") return c.bk.title;
  return c.ui.cancelBtn;
}
