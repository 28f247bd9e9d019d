// Web Push (docs/sdk.md, "Ringing with the page closed"): with the host's service worker
// (init's `serviceWorker`), the ring also comes as a system notification when the page is
// closed. Permission is asked only from the customer's own click on a callback (or on Notify
// me). Whatever the browser says, the callback stands and rings by the socket; the customer is
// told plainly if the browser won't ring with the page closed.

import { h } from "../../shared/dom";
import { parseJson } from "../../shared/json";
import { describe, warn } from "../log";
import { detailOf } from "../http";
import { askPermission, notifyPref, setNotifyPref, syncNotify } from "./notify";
import { type Cb } from "./state";

type PushState = "idle" | "asking" | "on" | "denied" | "unavailable";

let pushState: PushState = "idle";
/** The request the subscription was posted for. */
let pushFor: string | null = null;
const notes: HTMLParagraphElement[] = [];

const PUSH_TEXT: Partial<Record<PushState, string>> = {
  on: "We'll also ring this browser with a notification if you close this page.",
  denied: "Notifications are off for this site in your browser, so it won't ring while this page is closed. Keep it open, or open it again before your turn.",
  unavailable: "This browser can't ring while this page is closed. Keep it open, or open it again before your turn.",
};

/** The honest line about ringing with the page closed (each screen has its own). */
export function pushNote(): HTMLParagraphElement {
  const p = h("p", { class: "tl-hint", "data-tapline-push": "", hidden: true });
  notes.push(p);
  return p;
}

export function renderPush(): void {
  const t = PUSH_TEXT[pushState] ?? "";
  for (const note of notes) {
    if (note.textContent !== t) note.textContent = t;
    note.hidden = !t;
  }
}

function setPush(state: PushState, why?: string): void {
  if (why) warn(`Web Push: ${why}`);
  pushState = state;
  renderPush();
  syncNotify();
}

export function resetPush(): void {
  pushState = "idle";
  pushFor = null;
}

export function pushWanted(c: Cb): boolean {
  return !!c.core.opts.serviceWorker;
}

function pushCapable(): boolean {
  return "serviceWorker" in navigator && typeof window.PushManager === "function" &&
    typeof window.Notification === "function" && window.isSecureContext !== false;
}

function b64urlBytes(s: string): Uint8Array<ArrayBuffer> {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

function sameKey(sub: PushSubscription, key: Uint8Array): boolean {
  const k = sub.options?.applicationServerKey;
  if (!k) return false;
  const a = new Uint8Array(k);
  return a.length === key.length && a.every((x, i) => x === key[i]);
}

// The host's worker, registered and active (pushManager.subscribe needs an active one).
async function activeRegistration(c: Cb): Promise<ServiceWorkerRegistration> {
  const o = c.core.opts;
  const r = await navigator.serviceWorker.register(o.serviceWorker ?? "", o.serviceWorkerScope ? { scope: o.serviceWorkerScope } : undefined);
  if (r.active) return r;
  const w = r.installing ?? r.waiting;
  return new Promise((resolve, reject) => {
    if (!w) {
      reject(new Error("no worker"));
      return;
    }
    w.addEventListener("statechange", () => {
      if (w.state === "activated") resolve(r);
      else if (w.state === "redundant") reject(new Error("the worker failed to install"));
    });
  });
}

async function subscription(c: Cb): Promise<PushSubscription> {
  const both = await Promise.all([activeRegistration(c), c.core.api("GET", "/push/key")]);
  const reg = both[0];
  const res = both[1];
  const publicKey = res.ok ? res.data?.public_key : null;
  if (typeof publicKey !== "string" || !publicKey) throw new Error(`no server key (HTTP ${res.status})`);
  const key = b64urlBytes(publicKey);
  const old = await reg.pushManager.getSubscription();
  if (old && sameKey(old, key)) return old;
  if (old) await old.unsubscribe().catch(() => false);
  return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

/** Called straight from a click, so that the permission prompt may show. */
export function pushStart(c: Cb): void {
  const r = c.core.req;
  if (!r || !pushWanted(c)) return;
  if (!pushCapable()) {
    setPush("unavailable", "this browser has no Push API here");
    return;
  }
  if (notifyPref() === "0" && Notification.permission === "granted") return; // they said no
  setPush("asking");
  const rid = r.request_id;
  askPermission()
    .then(async (permission) => {
      if (permission !== "granted") {
        setNotifyPref("0");
        setPush("denied");
        return;
      }
      setNotifyPref("1");
      const sub = await subscription(c);
      const cur = c.core.req;
      if (!cur || cur.request_id !== rid) return;
      const page = window.location.origin + window.location.pathname;
      const body = { request_id: rid, subscription: parseJson(JSON.stringify(sub.toJSON())), url: page };
      const res = await c.core.api("POST", "/push/subscriptions", body, cur.customer_token);
      if (!res.ok) throw new Error(detailOf(res));
      pushFor = rid;
      setPush("on");
    })
    .catch((e: unknown) => setPush("unavailable", describe(e)));
}

/** "Notify me" unticked: the browser's subscription is dropped, and the server told. */
export function pushStop(c: Cb): void {
  const r = c.core.req;
  if (pushState !== "on" || !r || !pushCapable()) {
    if (pushState === "on") setPush("idle");
    return;
  }
  const rid = pushFor ?? r.request_id;
  setPush("idle");
  activeRegistration(c)
    .then((reg) => reg.pushManager.getSubscription())
    .then(async (sub) => {
      if (!sub) return;
      const endpoint = sub.endpoint;
      await sub.unsubscribe();
      await c.core.api("DELETE", "/push/subscriptions", { request_id: rid, endpoint }, r.customer_token);
    })
    .catch((e: unknown) => warn(`Web Push: ${e instanceof Error ? e.message : String(e)}`));
}
