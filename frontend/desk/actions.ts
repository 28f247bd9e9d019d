// Everything the specialist does that writes: each goes out as a socket frame with a fresh
// client id, is kept in the outbox until its `ack`, and is sent again after a reconnect.

import { state, changed, isClosed, isLive } from "./store.js";
import { newId } from "./socket.js";
import { serverNow } from "./format.js";
import { toast, announce } from "./dom.js";

let socket = null;
const typingSent = new Map(); // request_id -> {at, active}
const TYPING_EVERY = 3000;

export function bindSocket(s) {
  socket = s;
}

export function accept(requestId) {
  const offer = state.offers.get(requestId);
  if (!offer || offer.busy || state.conn.status !== "connected") return;
  offer.busy = "accepting";
  state.acceptedByMe.add(requestId);
  changed("offers");
  socket.write({ type: "accept", request_id: requestId }).done.catch((err) => {
    state.acceptedByMe.delete(requestId);
    const o = state.offers.get(requestId);
    if (o) {
      o.busy = null;
      if (err.code === "not_found" || err.code === "invalid_state") state.offers.delete(requestId);
    }
    toast(`Couldn't accept: ${err.message}`, "error");
    changed("offers");
  });
}

export function decline(requestId) {
  const offer = state.offers.get(requestId);
  if (!offer || offer.busy || state.conn.status !== "connected") return;
  offer.busy = "declining";
  changed("offers");
  socket
    .write({ type: "decline", request_id: requestId })
    .done.then(() => {
      state.offers.delete(requestId);
      changed("offers");
    })
    .catch((err) => {
      const o = state.offers.get(requestId);
      if (o) o.busy = null;
      if (err.code === "not_found" || err.code === "invalid_state") state.offers.delete(requestId);
      toast(`Couldn't decline: ${err.message}`, "error");
      changed("offers");
    });
}

export function setPresence(status) {
  if (!state.me || state.me.presence === status && !state.presencePending) return;
  state.presencePending = status;
  changed("me");
  socket
    .write({ type: "presence", status })
    .done.then((result) => {
      if (result && result.superseded) return;
      if (state.presencePending === status) state.presencePending = null;
      state.me.presence = status;
      changed("me");
    })
    .catch((err) => {
      state.presencePending = null;
      toast(`Couldn't change presence: ${err.message}`, "error");
      changed("me");
    });
}

/** Send a message; it shows as pending until its ack, and fails visibly on an error. */
export function sendMessage(requestId, body) {
  const r = state.requests.get(requestId);
  if (!isLive(r)) return false;
  const id = newId();
  r.pending.set(id, { client_id: id, body, at: serverNow(), status: "sending", error: "" });
  socket.write({ type: "message", id, request_id: requestId, body });
  typing(requestId, false, true);
  changed("thread", "list");
  return true;
}

/** Retry a failed message with the same client id (the server stores it at most once). */
export function retryMessage(requestId, clientId) {
  const r = state.requests.get(requestId);
  const p = r && r.pending.get(clientId);
  if (!p) return;
  p.status = "sending";
  p.error = "";
  socket.write({ type: "message", id: clientId, request_id: requestId, body: p.body });
  changed("thread");
}

export function discardMessage(requestId, clientId) {
  const r = state.requests.get(requestId);
  if (r && r.pending.delete(clientId)) changed("thread");
}

/** Restore messages written before a reload and not yet acknowledged. */
export function restorePending(frames) {
  for (const f of frames) {
    const r = state.requests.get(f.request_id);
    if (!r || r.messages.some((m) => m.client_id === f.id)) continue;
    r.pending.set(f.id, { client_id: f.id, body: f.body, at: serverNow(), status: "sending", error: "" });
  }
  changed("thread");
}

/** Generic ack handling (also covers frames restored after a reload). */
export function onAck(id, result, frame) {
  if (!frame || frame.type !== "message") return;
  const r = state.requests.get(frame.request_id);
  const p = r && r.pending.get(id);
  if (!p) return;
  const m = result && result.message;
  if (m && m.id && !r.messages.some((x) => x.id === m.id)) {
    r.messages.push(m);
    r.pending.delete(id);
  } else if (r.messages.some((x) => x.client_id === id)) {
    r.pending.delete(id);
  } else {
    p.status = "sent";
  }
  if (state.selectedId === r.id) changed("thread");
}

export function onFrameError(err, frame) {
  if (frame && frame.type === "message") {
    const r = state.requests.get(frame.request_id);
    const p = r && r.pending.get(frame.id);
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

export function resolve(requestId, disposition, note) {
  const r = state.requests.get(requestId);
  if (!isLive(r)) return Promise.reject(new Error("This request is no longer connected to you."));
  const frame = { type: "resolve", request_id: requestId, disposition };
  if (note) frame.note = note;
  r.resolving = "sending";
  changed("thread");
  return socket.write(frame).done.then(
    (result) => {
      r.resolving = isClosed(r) ? null : "acked";
      r.resolveNote = note || "";
      changed("thread");
      return result;
    },
    (err) => {
      r.resolving = null;
      changed("thread");
      throw err;
    },
  );
}

/** Throttled typing signals: at most one "active" per 3 s, and "inactive" once. */
export function typing(requestId, active, force = false) {
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
