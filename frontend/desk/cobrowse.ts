// Co-browse in the desk (docs/subsystems/cobrowse.md): the "See page" button of a chat, the
// state of each chat's co-browse, and routing the socket's co-browse frames. The view itself
// (cobrowse-view.ts) is a chunk loaded when first needed; the replay runs in its own frame.

import { h } from "./dom";
import { type CobrowseEvent, type CobrowseEventsSignal, type DeskEvent, type DeskSignal } from "./protocol";
import { type DeskSocket } from "./socket";
import { on } from "./store";

export type CobrowseStatus =
  | "idle"
  | "asking"
  | "live"
  | "declined"
  | "stopped"
  | "stopped_by_customer"
  | "too_much_data"
  | "card_number"
  | "ended"
  | "lost";

/** What the view says for each state: the label, and whether the page shows live. */
export const STATUS_TEXT: Record<CobrowseStatus, string> = {
  idle: "",
  asking: "Waiting for the customer to allow it…",
  live: "Live · customer's page",
  declined: "The customer did not allow it.",
  stopped: "Stopped.",
  stopped_by_customer: "Stopped by the customer.",
  too_much_data: "Stopped: too much data from the customer's page.",
  card_number: "Stopped: a card number was on the customer's page; none was shown.",
  ended: "Ended with the conversation.",
  lost: "Connection lost: the customer's page is no longer live.",
};

export interface CobrowseView {
  show(requestId: string, status: CobrowseStatus): void;
  events(events: object[]): void;
  reset(): void;
}

let socket: DeskSocket | null = null;
let watching = false;
let view: CobrowseView | null = null;
let loading: Promise<CobrowseView> | null = null;
let shown: string | null = null;
let early: object[] = [];
const status = new Map<string, CobrowseStatus>();
const region = h("div.cobrowse-slot");
const button = h("button.btn", { type: "button", onclick: () => ask() }, "See page");

export function bindCobrowse(s: DeskSocket | null): void {
  socket = s;
  if (!watching) on("conn", (st) => cobrowseConnection(st.conn.status === "connected"));
  watching = true;
}

/** The button for the thread's header (thread.ts). */
export function cobrowseButton(): HTMLButtonElement {
  return button;
}

/** Where the view goes in the thread (thread.ts). */
export function cobrowseRegion(): HTMLElement {
  return region;
}

/** The thread shows this chat now; `live`: it is connected to this specialist. */
export function drawCobrowse(requestId: string, live: boolean): void {
  const now = status.get(requestId) ?? "idle";
  button.hidden = !live || now === "asking" || now === "live";
  button.disabled = !socket?.ready;
  if (shown !== requestId) {
    shown = requestId;
    region.hidden = now === "idle";
    if (now !== "idle") void withView((v) => v.show(requestId, now));
    else view?.reset();
  }
}

export function statusOf(requestId: string): CobrowseStatus {
  return status.get(requestId) ?? "idle";
}

function set(requestId: string, next: CobrowseStatus): void {
  status.set(requestId, next);
  if (shown !== requestId) return;
  region.hidden = next === "idle";
  button.hidden = next === "asking" || next === "live";
  void withView((v) => v.show(requestId, next));
}

function ask(): void {
  const requestId = shown;
  if (!requestId || !socket) return;
  set(requestId, "asking");
  const { done } = socket.write({ type: "cobrowse_ask", request_id: requestId });
  done.then(
    (result) => {
      if ((result as { state?: unknown } | null)?.state === "live") set(requestId, "live");
    },
    () => set(requestId, "ended"),
  );
}

/** The specialist stops it (the view's Stop). */
export function stopCobrowse(requestId: string): void {
  set(requestId, "stopped");
  socket?.write({ type: "cobrowse_stop", request_id: requestId });
}

/** A signal of the desk socket; true when it was co-browse's. */
export function cobrowseSignal(frame: DeskSignal): boolean {
  if (frame.type !== "cobrowse.events") return false;
  const f = frame as CobrowseEventsSignal;
  if (statusOf(f.request_id) !== "live" || shown !== f.request_id || !Array.isArray(f.events)) return true;
  if (view) view.events(f.events);
  else {
    early.push(...f.events); // the view's chunk is still loading: keep them, in order
    void withView((v) => {
      v.events(early);
      early = [];
    });
  }
  return true;
}

/** An event of the desk's stream, after the store applied it. */
export function cobrowseEvent(ev: DeskEvent): void {
  if (ev.type === "request.state") {
    const now = statusOf(ev.request_id);
    if (now === "asking" || now === "live") set(ev.request_id, "ended");
    return;
  }
  if (ev.type !== "cobrowse") return;
  const e = ev as CobrowseEvent;
  if (e.state === "asked") return;
  if (e.state === "live") {
    set(e.request_id, "live");
    view?.reset();
  } else if (e.state === "declined") set(e.request_id, "declined");
  else set(e.request_id, stoppedStatus(e));
}

function stoppedStatus(e: CobrowseEvent): CobrowseStatus {
  switch (e.reason) {
    case "customer":
      return "stopped_by_customer";
    case "too_much_data":
      return "too_much_data";
    case "card_number":
      return "card_number";
    case "connection_lost":
      return "lost";
    case "specialist":
      return "stopped";
    default:
      return "ended";
  }
}

/** The desk's own socket dropped: what shows is no longer live. */
export function cobrowseConnection(ready: boolean): void {
  button.disabled = !ready;
  if (ready) return;
  for (const [requestId, now] of status) if (now === "live" || now === "asking") set(requestId, "lost");
}

function withView(fn: (v: CobrowseView) => void): Promise<void> {
  if (view) {
    fn(view);
    return Promise.resolve();
  }
  loading ??= import("./cobrowse-view").then((m) => (view = m.mountCobrowseView(region, stopCobrowse)));
  return loading.then(fn);
}
