// The host's service worker (tapline-sw.js) and this page. A click on the ring's notification
// comes here as a message: open the panel, and Answer answers the ring on now; the worker then
// forgets the press so no other page answers again. A press on Answer with no page open: the
// worker opened this page and remembered the press for that ring (request, attempt and the
// ring's end as the server sent them); when this page starts ringing it asks the worker once
// whether this very ring was answered there, and answers at once if so.

import { isObject, str } from "../../shared/json";
import { warn } from "../log";
import { type Ring } from "../panel/types";
import { answer } from "./ringing";
import { type Cb } from "./state";

const ASK_PATIENCE = 10_000;
let askedFor: string | null = null;

function canAnswer(c: Cb): boolean {
  return c.shownMode === "ring" && !c.rg.answerBtn.disabled && !c.rg.answerBtn.getAttribute("aria-busy");
}

function hasWorkers(): boolean {
  return "serviceWorker" in navigator && !!navigator.serviceWorker;
}

/** Hear the worker's messages (from the notification's clicks). */
export function listenToWorker(c: Cb): void {
  if (!hasWorkers()) return;
  navigator.serviceWorker.addEventListener("message", (e) => fromWorker(c, e));
  try {
    navigator.serviceWorker.startMessages();
  } catch {
    /* older browsers start on their own */
  }
}

function fromWorker(c: Cb, e: MessageEvent<unknown>): void {
  const d = e.data;
  const r = c.core.req;
  if (!isObject(d) || d.type !== "tapline:answer" || !r || d.request_id !== r.request_id) return;
  c.core.open();
  if (d.answer === true && canAnswer(c)) {
    answer(c, true);
    try {
      e.source?.postMessage({ type: "tapline:forget", request_id: r.request_id });
    } catch {
      /* gone */
    }
  }
}

// The host's worker is found among the origin's registrations by its URL: it controls no page.
async function hostWorker(c: Cb): Promise<ServiceWorker | null> {
  const sw = c.core.opts.serviceWorker;
  if (!sw || !hasWorkers()) return null;
  const want = new URL(sw, window.location.href).href;
  const list = await navigator.serviceWorker.getRegistrations();
  return list.find((r) => r.active?.scriptURL === want)?.active ?? null;
}

function askWorker(w: ServiceWorker, question: object): Promise<unknown> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const late = setTimeout(() => {
      channel.port1.close();
      resolve(null);
    }, ASK_PATIENCE);
    channel.port1.onmessage = (e: MessageEvent<unknown>) => {
      clearTimeout(late);
      channel.port1.close();
      resolve(e.data);
    };
    w.postMessage(question, [channel.port2]);
  });
}

function sameRing(a: Ring | null | undefined, b: Ring): boolean {
  return !!a && a.attempt === b.attempt && a.expires_at === b.expires_at;
}

/** Asked once per ring, when it starts. */
export function answeredOnNotification(c: Cb): void {
  const r = c.core.req;
  const ring = r?.ring;
  if (!r || !ring || typeof ring.expires_at !== "number") return;
  const key = `${r.request_id} ${ring.attempt} ${ring.expires_at}`;
  if (askedFor === key) return;
  askedFor = key;
  const rid = r.request_id;
  const question = { type: "tapline:answered?", request_id: rid, attempt: ring.attempt, expires_at: ring.expires_at };
  hostWorker(c)
    .then((w) => (w ? askWorker(w, question) : null))
    .then((reply) => {
      const cur = c.core.req;
      if (!isObject(reply) || reply.answered !== true || !cur || cur.request_id !== rid || !sameRing(cur.ring, ring) || !canAnswer(c)) return;
      const name = str(cur.ring?.specialist?.name ?? null);
      const said = `You answered on the notification. Connecting you${name ? ` with ${name}` : ""}…`;
      answer(c, true);
      c.rg.text.textContent = said;
      c.core.say(said);
    })
    .catch((e: unknown) => warn(`Web Push: ${e instanceof Error ? e.message : String(e)}`));
}
