// The ring (a `role="alertdialog"`): who is calling, a countdown, Answer (focused) and Not
// now; a chime, the launcher's hint, and a system notification when the page is in the
// background and the customer asked for one.

import { newId } from "../../shared/ids";
import { setBusy } from "../controls";
import { notifyOn } from "./notify";
import { chime, unlockAudio } from "./sound";
import { type Cb } from "./state";
import { answeredOnNotification } from "./worker";

const CHIME_EVERY = 3500;

export function answer(c: Cb, accept: boolean): void {
  unlockAudio();
  c.declined = !accept;
  stopRinging(c, false);
  const rg = c.rg;
  setBusy(accept ? rg.answerBtn : rg.laterBtn, true, accept ? "Connecting…" : "One moment…");
  c.core.write({ type: "answer", accept, id: newId() });
  (accept ? rg.laterBtn : rg.answerBtn).disabled = true;
}

export function startRinging(c: Cb): void {
  c.declined = false;
  const r = c.core.req;
  if (!r?.ring) return;
  const rg = c.rg;
  const name = r.ring.specialist?.name ?? "";
  const role = r.ring.specialist?.role ?? "";
  rg.title.textContent = name ? `${name} is ready to help you` : "A specialist is ready to help you";
  rg.role.textContent = role;
  rg.role.hidden = !role;
  rg.text.textContent = `It's your turn. Answer to start chatting: ${name || "they"} can already see what you asked and where you are in the app.`;
  setBusy(rg.answerBtn, false);
  setBusy(rg.laterBtn, false);
  tick(c);
  clearInterval(c.ringTimer);
  c.ringTimer = setInterval(() => tick(c), 1000);
  clearInterval(c.chimeTimer);
  chime();
  c.chimeTimer = setInterval(() => {
    const ring = c.core.req?.ring;
    if (ring && ring.until > Date.now()) chime();
  }, CHIME_EVERY);
  c.core.setRingHint(`${name || "A specialist"} is calling you`);
  answeredOnNotification(c);
  if (notifyOn() && (document.visibilityState !== "visible" || !document.hasFocus())) notifyRing(c, r.request_id);
}

function notifyRing(c: Cb, requestId: string): void {
  try {
    c.notification?.close();
    const n = new Notification(c.rg.title.textContent ?? "", {
      body: "It's your turn. Open the page to answer.",
      tag: `tapline-ring-${requestId}`,
      requireInteraction: true,
    });
    n.onclick = () => {
      try {
        window.focus();
      } catch {
        /* not allowed */
      }
      c.core.open();
      n.close();
    };
    c.notification = n;
  } catch {
    c.notification = null;
  }
}

function tick(c: Cb): void {
  const ring = c.core.req?.ring;
  if (!ring) return;
  const left = Math.max(0, Math.ceil((ring.until - Date.now()) / 1000));
  const text = left > 0 ? `Ringing · ${Math.floor(left / 60)}:${`0${left % 60}`.slice(-2)} left to answer` : "Still ringing…";
  if (c.rg.count.textContent !== text) c.rg.count.textContent = text;
}

/** The chime and the notification stop; `all`: the countdown and the launcher's hint too. */
export function stopRinging(c: Cb, all: boolean): void {
  clearInterval(c.chimeTimer);
  c.chimeTimer = undefined;
  if (all) {
    clearInterval(c.ringTimer);
    c.ringTimer = undefined;
    c.core.setRingHint("");
  }
  if (c.notification) {
    try {
      c.notification.close();
    } catch {
      /* gone */
    }
    c.notification = null;
  }
}
