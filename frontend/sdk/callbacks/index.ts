// The callbacks piece (tapline-callbacks.js): the other channels beside waiting ("Call me back
// when it's my turn", "Schedule a time"), the slot picker, the booked slot, and the ring. Built
// when it registers with the panel; returns what the panel may ask of it.

import { type ExtApi, type PanelCore } from "../panel/types";
import { onNotifyChange, syncNotify } from "./notify";
import { book, fetchSlots, roam, startPick, stopPick } from "./picker";
import { ack, askCallback, cancelCallback, error, event, reset } from "./protocol";
import { answer, startRinging } from "./ringing";
import { announce, focusTarget, render } from "./screens";
import { type Cb } from "./state";
import { type CbHandlers, buildBooked, buildCallbackView, buildChoices, buildPicker, buildRinging } from "./views";
import { listenToWorker } from "./worker";

function newCb(core: PanelCore, on: CbHandlers): Cb {
  const base: Omit<Cb, "ch" | "cv" | "pk" | "bk" | "rg"> = {
    core, ui: core.ui, uid: `tlc${Math.random().toString(36).slice(2, 8)}`,
    picking: null, slots: null, slotsState: "idle", slotsFor: null, dayKey: null, chosen: null,
    shownMode: null, declined: false, endedBy: null, spoken: null, spokenAt: 0,
    ringTimer: undefined, chimeTimer: undefined, notification: null,
  };
  // In the order the screens were always built (their "Notify me" rows are numbered).
  const choices = buildChoices(base, on);
  const cv = buildCallbackView(base, on);
  const pk = buildPicker(base, on);
  const bk = buildBooked(base, on);
  const rg = buildRinging(base, on);
  core.ui.choices.appendChild(choices.group);
  core.ui.ext.append(cv.view, pk.view, bk.view, rg.view);
  return { ...base, ch: choices.choices, cv, pk, bk, rg };
}

export function createCallbacks(core: PanelCore): ExtApi {
  const holder: { c?: Cb } = {};
  const withC =
    <A extends unknown[]>(fn: (c: Cb, ...args: A) => void) =>
    (...args: A) => {
      if (holder.c) fn(holder.c, ...args);
    };
  const c = newCb(core, {
    askCallback: withC(askCallback),
    cancelCallback: withC(cancelCallback),
    startPick: withC(startPick),
    stopPick: withC(stopPick),
    cancelRequest: () => core.cancelRequest(),
    retrySlots: withC((cb) => fetchSlots(cb, true)),
    book: withC(book),
    answer: withC(answer),
    roam: withC(roam),
    notifyChange: withC(onNotifyChange),
  });
  holder.c = c;
  listenToWorker(c);
  syncNotify();
  return {
    render: (mode) => render(c, mode),
    event: (ev, live) => event(c, ev, live),
    ack: (frame, callback) => ack(c, frame, callback),
    error: (frame, code, text) => error(c, frame, code, text),
    reset: () => reset(c),
    ring: () => startRinging(c),
    estimate: () => announce(c),
    focusTarget: (mode) => focusTarget(c, mode),
    picking: () => !!c.picking && !!core.req && core.req.state !== "connected",
  };
}
