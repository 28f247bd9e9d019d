// The callbacks piece's side of the request's stream: what the customer is told when a ring
// ends or the callback changes, and the acks and errors of its frames.

import { type WriteFrame } from "../../shared/stream";
import { newId } from "../../shared/ids";
import { setBusy, showNotice } from "../controls";
import { type Callback } from "../shapes";
import { type ExtEvent } from "../panel/types";
import { fetchSlots } from "./picker";
import { pushStart, resetPush } from "./push";
import { stopRinging } from "./ringing";
import { unlockAudio } from "./sound";
import { type Cb } from "./state";
import { span } from "./times";

const SLOT_ERRORS: Record<string, string> = {
  slot_full: "Sorry, that time was just taken.",
  slot_past: "That time has already passed.",
  slot_closed: "That time isn't available.",
};
// "Not now" on another page of theirs also reads as unanswered here: the server gives both the
// same reason.
const UNREACHED: ReadonlySet<string> = new Set(["timeout", "no_answer"]);

export function askCallback(c: Cb): void {
  unlockAudio();
  pushStart(c);
  showNotice(c.ui.threadNotice, "");
  setBusy(c.ch.cbBtn, true, "Asking…");
  c.core.write({ type: "callback", id: newId() });
}

export function cancelCallback(c: Cb): void {
  setBusy(c.core.threadMode() === "scheduled" ? c.bk.cancelBtn : c.cv.waitBtn, true, "One moment…");
  c.core.write({ type: "cancel_callback", id: newId() });
}

export function event(c: Cb, ev: ExtEvent, live: boolean): void {
  const notice = (text: string) => showNotice(c.ui.threadNotice, text);
  if (ev.type === "callback.ring_ended") {
    stopRinging(c, true);
    c.endedBy = ev.reason;
    if (live && ev.reason && UNREACHED.has(ev.reason) && !c.declined) notice("The call wasn't answered.");
    else if (live && ev.reason === "cancelled" && !c.declined) notice("The call was cancelled.");
    else if (live && ev.reason === "specialist_left") notice("The specialist had to leave. You keep your place, and we'll ring again when the next one is ready.");
    return;
  }
  if (!live) return;
  const cb = ev.callback;
  if (cb.state === "missed") notice("We rang but couldn't reach you.");
  if ((cb.state === "promised" || cb.state === "retrying") && (cb.attempts ?? 0) > 0 && c.endedBy !== "specialist_left") {
    // The specialist may stay connected between rings: then writing starts at once.
    const r = c.core.req;
    const sp = r && r.state === "connected" ? r.specialist?.name : null;
    const lead = c.declined ? "All right, not now. " : c.endedBy && UNREACHED.has(c.endedBy) ? "The call wasn't answered. " : "";
    notice(lead + (sp ? `${sp} is still here: write to start now, or we'll ring again shortly.` : "You still have your place, and we'll ring again shortly."));
  }
  if (cb.state === "requeued") notice("We couldn't reach you, so you're back in line at your place. Please keep this page open.");
}

export function ack(c: Cb, frame: WriteFrame, callback: Callback | null): void {
  if (frame.type === "callback") {
    setBusy(c.ch.cbBtn, false);
    c.core.say("We'll ring you here when it's your turn. You can close this page.");
  } else if (frame.type === "schedule" || frame.type === "reschedule") {
    setBusy(c.pk.bookBtn, false);
    c.picking = null;
    c.chosen = null;
    c.slotsState = "idle";
    if (typeof callback?.slot_start === "number") c.core.say(`Booked: ${span(callback.slot_start)}.`);
  } else if (frame.type === "cancel_callback") {
    setBusy(c.cv.waitBtn, false);
    setBusy(c.bk.cancelBtn, false);
    const r = c.core.req;
    // The `callback` event follows; until then, don't keep showing the promise.
    if (r?.callback && (r.callback.state === "promised" || r.callback.state === "ringing")) r.callback = { ...r.callback, state: "cancelled" };
    c.core.say(r?.state === "scheduled" ? "Your booking is cancelled." : "You're waiting in the chat again, in the same place.");
  } else if (frame.type === "answer") {
    setBusy(c.rg.answerBtn, false);
    setBusy(c.rg.laterBtn, false);
    if (frame.accept) c.core.contextChanged();
  }
}

/** True when it told the customer itself. */
export function error(c: Cb, frame: WriteFrame | undefined, code: string, text: string): boolean {
  const type = frame ? frame.type : "";
  const slotError = SLOT_ERRORS[code];
  if (slotError || type === "schedule" || type === "reschedule") {
    setBusy(c.pk.bookBtn, false);
    c.picking ??= type === "reschedule" ? "reschedule" : "schedule";
    c.chosen = null;
    c.core.render();
    showNotice(c.pk.notice, slotError ? `${slotError} Here are the times still free.` : text);
    fetchSlots(c, true);
    return true;
  }
  if (type === "callback") {
    setBusy(c.ch.cbBtn, false);
    showNotice(c.ui.threadNotice, code === "invalid_state" ? "A callback isn't available for this request right now." : text);
    return true;
  }
  if (type === "cancel_callback") {
    setBusy(c.cv.waitBtn, false);
    setBusy(c.bk.cancelBtn, false);
    return false;
  }
  if (type === "answer") {
    setBusy(c.rg.answerBtn, false);
    setBusy(c.rg.laterBtn, false);
    showNotice(c.ui.threadNotice, code === "invalid_state" ? "That call has already ended." : text);
    return true;
  }
  return false;
}

export function reset(c: Cb): void {
  c.spoken = null;
  resetPush();
  c.picking = null;
  c.chosen = null;
  c.slots = null;
  c.slotsState = "idle";
  stopRinging(c, true);
  c.shownMode = null;
  setBusy(c.ch.cbBtn, false);
  setBusy(c.pk.bookBtn, false);
}
