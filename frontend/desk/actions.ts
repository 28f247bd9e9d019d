// Everything the specialist does that writes: each goes out as a socket frame with a fresh
// client id, is kept in the outbox until its `ack`, and is sent again after a reconnect.

import { state, changed, isClosed, isLive } from "./store";
import { newId } from "../shared/ids";
import { serverNow } from "./format";
import { toast, announce } from "./dom";
import { FrameError, type DeskSocket, type WriteResult } from "./socket";
import type { AckResult, ChoosablePresence, Disposition, ErrorSignal, Resolve, WriteFrame } from "./protocol";

let socket: DeskSocket | null = null;
const typingSent = new Map<string, { at: number; active: boolean }>();
const TYPING_EVERY = 3000;

export function bindSocket(s: DeskSocket | null): void {
  socket = s;
}

function bound(): DeskSocket {
  if (!socket) throw new Error("The desk's socket is not started.");
  return socket;
}

/** A refusal the offer can't survive: it is gone or no longer offered. */
const offerGone = (err: unknown): boolean =>
  err instanceof FrameError && (err.code === "not_found" || err.code === "invalid_state");

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function accept(requestId: string): void {
  const offer = state.offers.get(requestId);
  if (!offer || offer.busy || state.conn.status !== "connected") return;
  offer.busy = "accepting";
  state.acceptedByMe.add(requestId);
  changed("offers");
  bound().write({ type: "accept", request_id: requestId }).done.catch((err: unknown) => {
    state.acceptedByMe.delete(requestId);
    const o = state.offers.get(requestId);
    if (o) {
      o.busy = null;
      if (offerGone(err)) state.offers.delete(requestId);
    }
    toast(`Couldn't accept: ${message(err)}`, "error");
    changed("offers");
  });
}

export function decline(requestId: string): void {
  const offer = state.offers.get(requestId);
  if (!offer || offer.busy || state.conn.status !== "connected") return;
  offer.busy = "declining";
  changed("offers");
  bound()
    .write({ type: "decline", request_id: requestId })
    .done.then(() => {
      state.offers.delete(requestId);
      changed("offers");
    })
    .catch((err: unknown) => {
      const o = state.offers.get(requestId);
      if (o) o.busy = null;
      if (offerGone(err)) state.offers.delete(requestId);
      toast(`Couldn't decline: ${message(err)}`, "error");
      changed("offers");
    });
}

export function setPresence(status: ChoosablePresence): void {
  if (!state.me || (state.me.presence === status && !state.presencePending)) return;
  state.presencePending = status;
  changed("me");
  bound()
    .write({ type: "presence", status })
    .done.then((result) => {
      if (result && result.superseded) return;
      if (state.presencePending === status) state.presencePending = null;
      if (state.me) state.me.presence = status;
      changed("me");
    })
    .catch((err: unknown) => {
      state.presencePending = null;
      toast(`Couldn't change presence: ${message(err)}`, "error");
      changed("me");
    });
}

/** Send a message; it shows as pending until its ack, and fails visibly on an error. */
export function sendMessage(requestId: string, body: string): boolean {
  const r = state.requests.get(requestId);
  if (!r || !isLive(r)) return false;
  const id = newId();
  r.pending.set(id, { client_id: id, body, at: serverNow(), status: "sending", error: "" });
  bound().write({ type: "message", id, request_id: requestId, body });
  typing(requestId, false, true);
  changed("thread", "list");
  return true;
}

/** Retry a failed message with the same client id (the server stores it at most once). */
export function retryMessage(requestId: string, clientId: string): void {
  const p = state.requests.get(requestId)?.pending.get(clientId);
  if (!p) return;
  p.status = "sending";
  p.error = "";
  bound().write({ type: "message", id: clientId, request_id: requestId, body: p.body });
  changed("thread");
}

export function discardMessage(requestId: string, clientId: string): void {
  const r = state.requests.get(requestId);
  if (r && r.pending.delete(clientId)) changed("thread");
}

/** Restore messages written before a reload and not yet acknowledged. */
export function restorePending(frames: readonly WriteFrame[]): void {
  for (const f of frames) {
    if (f.type !== "message") continue;
    const r = state.requests.get(f.request_id);
    if (!r || r.messages.some((m) => m.client_id === f.id)) continue;
    r.pending.set(f.id, { client_id: f.id, body: f.body, at: serverNow(), status: "sending", error: "" });
  }
  changed("thread");
}

/**
 * Generic ack handling (also covers frames restored after a reload). A message's ack
 * carries only its id: the echoed `message` event puts it in the thread, so until then the
 * pending line says "Delivered".
 */
export function onAck(id: string, _result: AckResult, frame: WriteFrame | undefined): void {
  if (!frame || frame.type !== "message") return;
  const r = state.requests.get(frame.request_id);
  const p = r && r.pending.get(id);
  if (!r || !p) return;
  if (r.messages.some((x) => x.client_id === id)) r.pending.delete(id);
  else p.status = "sent";
  if (state.selectedId === r.id) changed("thread");
}

export function onFrameError(err: ErrorSignal, frame: WriteFrame | undefined): void {
  if (frame && frame.type === "message") {
    const p = state.requests.get(frame.request_id)?.pending.get(frame.id);
    if (p) {
      p.status = "failed";
      p.error = err.message || err.code || "Not sent";
      changed("thread");
      announce(`Message not sent: ${p.error}`, "assertive");
    }
    return;
  }
  if (!frame) {
    // An error about no frame of ours (bad_frame on a signal, for instance): say so quietly.
    if (err.code && err.code !== "rate_limited") toast(err.message || err.code, "error");
  }
}

export function resolve(requestId: string, disposition: Disposition, note: string): Promise<WriteResult> {
  const r = state.requests.get(requestId);
  if (!r || !isLive(r)) return Promise.reject(new Error("This request is no longer connected to you."));
  const frame: Omit<Resolve, "id"> = { type: "resolve", request_id: requestId, disposition };
  if (note) frame.note = note;
  r.resolving = "sending";
  changed("thread");
  return bound().write(frame).done.then(
    (result) => {
      r.resolving = isClosed(r) ? null : "acked";
      r.resolveNote = note || "";
      changed("thread");
      return result;
    },
    (err: unknown) => {
      r.resolving = null;
      changed("thread");
      throw err;
    },
  );
}

/** Throttled typing signals: at most one "active" per 3 s, and "inactive" once. */
export function typing(requestId: string, active: boolean, force = false): void {
  if (!socket) return;
  const last = typingSent.get(requestId);
  const now = Date.now();
  if (active) {
    if (!force && last && last.active && now - last.at < TYPING_EVERY) return;
  } else if (!last || !last.active) {
    return;
  }
  typingSent.set(requestId, { at: now, active });
  socket.signal({ type: "typing", request_id: requestId, active });
}

/** Ask the customer's app for more time on its session (docs/sdk.md, "Holding the session"). */
export function askMoreTime(requestId: string): Promise<WriteResult> {
  const r = state.requests.get(requestId);
  if (!r || !isLive(r)) return Promise.reject(new Error("This request is no longer connected to you."));
  return bound().write({ type: "session_extend", request_id: requestId }).done;
}
