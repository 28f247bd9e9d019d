// Keeping and restoring (docs/sdk.md, "Snapshot and restore" and "Holding the session"):
// while a request is open the captured forms are snapshot (snapshot.ts) and `hold` fires
// (hold.ts); on the next page, or when the app's own session ran out anyway, the widget
// offers "Restore what you entered" and the host hears `restore` with the snapshot.

import { h } from "../shared/dom";
import { type Json, type JsonObject, copy, isObject, str } from "../shared/json";
import { HoldTimer } from "./hold";
import { SnapshotStore, type Snapshot, customerKey, fillFields, keepMinutes, snapshotJson } from "./snapshot";
import { inCapture } from "./capture";
import { type Widget } from "./widget";

const SNAP_DELAY = 300;
export const CARD_REASON = "For your safety the card number is never kept: please enter it again.";

function localArea(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** What public.ts asks of it. */
export interface Keeper {
  snapshot(flow?: string | null): Json;
  restore(flow?: string | null): boolean;
  clear(flow?: string | null): void;
  /** The host's context or session changed. */
  changed(): void;
  /** The desk asked the app for more time. */
  ask(): boolean;
}

export function installKeeper(w: Widget): Keeper {
  const opts = w.opts;
  const app = opts?.app ?? "";
  const store = new SnapshotStore(localArea(), app, customerKey(opts?.user?.id), keepMinutes(opts?.snapshotMinutes));
  const hold = new HoldTimer((detail) => w.events.emit("hold", { ...detail, session: sessionJson(w) }));
  let active = false;
  let offered: Snapshot | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let card: HTMLElement | null = null;

  // The app's own session ran out: an emptied form is not worth keeping over the last one.
  const expired = () => {
    const s = w.context.session;
    return !!s && !s.held && s.expires_at !== null && s.expires_at <= Date.now();
  };
  const take = () => {
    clearTimeout(timer);
    if (!active || offered || expired()) return;
    store.put(w.context.flow ?? "default", w.context.step, w.buildContext().data as JsonObject);
  };
  const soon = () => {
    clearTimeout(timer);
    if (active && !offered) timer = setTimeout(take, SNAP_DELAY);
  };

  const hide = () => {
    card?.remove();
    card = null;
  };
  const restore = (s: Snapshot): void => {
    offered = null;
    fillFields(s);
    w.events.emit("restore", copy(snapshotJson(s)));
    showCard(s.askAgain > 0 ? `Restored. ${CARD_REASON}` : "Restored what you entered.", null);
  };
  const offer = (): void => {
    const s = store.all()[0];
    if (!s || !w.ui) return;
    offered = s;
    showCard("You can pick up where you left off.", s);
  };
  const showCard = (text: string, s: Snapshot | null): void => {
    hide();
    const ui = w.ui;
    if (!ui) return;
    card = restoreCard(ui.uid, text, s, {
      restore: () => s && restore(s),
      dismiss: () => {
        offered = null;
        hide();
      },
    });
    ui.root.append(card);
    if (!s) setTimeout(hide, 15_000);
  };

  w.events.on("assist:start", (d) => {
    const id = isObject(d) ? str(d.requestId) : null;
    if (!id) return;
    active = true;
    hold.start(id);
    soon();
  });
  w.events.on("assist:end", () => {
    take();
    active = false;
    hold.stop();
    store.ended();
  });
  w.events.on("ready", offer);
  w.events.on("hold:asked", () => hold.ask()); // the panel heard session.extend
  const onInput = (e: Event) => inCapture(e.target) && soon();
  document.addEventListener("input", onInput, true);
  document.addEventListener("change", onInput, true);
  window.addEventListener("pagehide", take);

  return {
    snapshot: (flow) => {
      const s = flow ? store.get(flow) : (store.all()[0] ?? null);
      return s ? copy(snapshotJson(s)) : null;
    },
    restore: (flow) => {
      const s = flow ? store.get(flow) : (store.all()[0] ?? null);
      if (s) restore(s);
      return !!s;
    },
    clear: (flow) => {
      store.clear(flow ?? undefined);
      offered = null;
      hide();
    },
    changed: () => {
      if (expired() && !offered && !card) offer();
      else soon();
    },
    ask: () => hold.ask(),
  };
}

function sessionJson(w: Widget): Json {
  const s = w.context.session;
  return s ? { held: s.held, expires_at: s.expires_at } : null;
}

interface CardHooks {
  restore(): void;
  dismiss(): void;
}

/** The offer (with its two buttons) or, with no snapshot, what happened. Text only. */
function restoreCard(uid: string, text: string, s: Snapshot | null, hooks: CardHooks): HTMLElement {
  const id = `${uid}-restore-text`;
  const el = h("div.tl-restore", { role: s ? "region" : "status", "aria-labelledby": id, "data-tapline-restore": true });
  const st = el.style;
  st.position = "fixed";
  st.insetBlockEnd = "88px";
  st.insetInlineEnd = "20px";
  st.maxInlineSize = "320px";
  st.padding = "12px 14px";
  st.background = "#fff";
  st.color = "#1a1a1a";
  st.border = "1px solid #c9ced6";
  st.borderRadius = "10px";
  st.boxShadow = "0 6px 24px rgba(0,0,0,.18)";
  st.font = "14px/1.4 system-ui, sans-serif";
  st.zIndex = "2147483000";
  el.append(h("p", { id, text, dir: "auto" }));
  if (s) {
    const restore = h("button.tl-restore-go", { type: "button", text: "Restore what you entered", onclick: () => hooks.restore() });
    const later = h("button.tl-restore-no", { type: "button", text: "Not now", onclick: () => hooks.dismiss() });
    for (const b of [restore, later]) {
      b.style.marginInlineEnd = "8px";
      b.style.padding = "6px 10px";
      b.style.font = "inherit";
    }
    el.append(h("div", null, restore, later));
  } else {
    el.append(h("button.tl-restore-no", { type: "button", text: "Close", "aria-label": "Close this note", onclick: () => hooks.dismiss() }));
  }
  el.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hooks.dismiss();
  });
  return el;
}
