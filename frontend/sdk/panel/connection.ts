// The request's socket, through the shared stream client: hello with the last seq, events in
// order, the outbox of messages, cancels, ratings and callback frames (kept in this tab's
// storage), acks and errors routed to what the customer did.

import { type JsonObject, obj, str } from "../../shared/json";
import { type FrameError, type NewWrite, type ServerFrame, type StreamEvent, type WriteFrame, Stream } from "../../shared/stream";
import { setBusy, showNotice } from "../controls";
import { ACTIVE_STATES, ENDED_STATES, asJson, readCallback, readEstimate, readMessage, readOffers, readPerson } from "../shapes";
import { loadExt, needsExt, withExt } from "./ext";
import { focusView, open } from "./focus";
import { caughtUp, finishRating, flushContext, resumeRefused, saveReq, saveReqSoon, setState } from "./request";
import { render, renderConn, updateCompose } from "./render";
import { addServerMessage, findMessage, mergeMessage, placeSent, renderMessages } from "./thread";
import { type Panel } from "./types";
import { onVisibility, pageVisible } from "../visibility";
import { cobrowseEvent, cobrowseSignal } from "../cobrowse/controller";

const TYPING_SHOW = 6000;
const REPLAY_PATIENCE = 5000;
/** Frames answered by the callbacks piece. */
export const EXT_FRAMES: ReadonlySet<string> = new Set(["callback", "schedule", "reschedule", "cancel_callback", "answer"]);

const ERROR_TEXT: Record<string, string> = {
  too_large: "That message is too long to send. Please shorten it.",
  rate_limited: "You're sending very quickly. Please wait a moment.",
  invalid_state: "That can't be done right now.",
  not_allowed: "That isn't allowed for this request.",
  not_found: "We couldn't find this help request.",
  bad_frame: "Something went wrong sending that. Please try again.",
  bad_json: "Something went wrong sending that. Please try again.",
};

function wsUrl(p: Panel): string {
  return `${p.core.server.replace(/^http/, "ws")}/ws/customer?app=${encodeURIComponent(p.core.opts.app)}`;
}

/** Open the request's stream (once per request; it reconnects by itself). */
export function connect(p: Panel, outbox: WriteFrame[] = []): void {
  const req = p.req;
  if (!req || p.stream) return;
  let welcomes = 0;
  const signal = (f: ServerFrame) => {
    if (f.type !== "welcome") {
      onSignal(p, f);
      return;
    }
    const mine = ++welcomes;
    onWelcome(p, f, () => welcomes === mine && stream.ready);
  };
  const stream = new Stream({
    url: () => wsUrl(p),
    hello: (lastSeq) => ({ type: "hello", request_id: req.request_id, token: req.customer_token, last_seq: lastSeq, visible: pageVisible() }),
    lastSeq: req.last_seq,
    latestOnly: ["context"],
    outboxStore: { load: () => outbox, save: () => saveReq(p) },
    onEvent: (ev) => onEvent(p, ev),
    onSignal: signal,
    onStatus: () => onStatus(p),
    onAck: (_id, result, frame) => frame && onAck(p, frame, result),
    onError: (error, frame) => onError(p, error, frame),
    onResync: () => {
      // The server holds less than we thought: its whole stream follows, and it is history.
      req.last_seq = 0;
      req.adopted = true;
      saveReq(p);
    },
    onSlow: (frame) => {
      const m = findMessage(p, frame.id);
      if (m && m.status === "pending") {
        m.status = "slow";
        renderMessages(p);
      }
    },
    onClose: (code) => {
      if (code !== 4401) return "retry";
      resumeRefused(p); // the request or its token is no longer valid
      return "stop";
    },
  });
  p.stream = stream;
  stream.start();
  // The desk shows whether the customer sees the page; a hidden tab says so at once.
  onVisibility((visible) => p.stream === stream && stream.signal({ type: "visibility", visible }));
}

/** A write: kept until acknowledged, sent again with its id after every reconnect. */
export function write(p: Panel, frame: NewWrite): void {
  if (!p.req || !p.stream) return;
  p.stream.write(frame);
}

export function reconnectNow(p: Panel): void {
  p.stream?.reconnect(true);
}

function onStatus(p: Panel): void {
  if (!p.stream?.ready) setPeerTyping(p, false);
  renderConn(p);
  renderMessages(p);
}

function onSignal(p: Panel, f: ServerFrame): void {
  if (f.type === "typing") {
    if (f.from === "specialist") setPeerTyping(p, !!f.active);
  } else if (f.type === "estimate") onEstimate(p, f);
  // The specialist asks the app for more time: the core fires `hold` (sdk/restore.ts).
  else if (f.type === "session.extend") p.core.emit("hold:asked", { requestId: p.req?.request_id ?? null });
  else cobrowseSignal(p, f);
}

/** `current`: no later welcome came, and the socket is still open. */
function onWelcome(p: Panel, f: ServerFrame, current: () => boolean): void {
  const req = p.req;
  if (!req) return;
  const end = typeof f.last_seq === "number" ? f.last_seq : req.last_seq;
  p.replayUntil = end;
  if (req.adopted) {
    req.adopted = false;
    p.seenAtLoad = end;
  }
  const state = str(f.state);
  if (state && end <= req.last_seq) setState(p, state, req.cause);
  else if (state) {
    setTimeout(() => {
      // The promised replay never came: trust the state the server told us.
      if (p.req === req && current() && !caughtUp(p)) {
        p.replayUntil = req.last_seq;
        setState(p, state, req.cause);
      }
    }, REPLAY_PATIENCE);
  }
  // The stream sends every unacked write again with its own id; they are pending once more.
  for (const frame of p.stream?.pending() ?? []) {
    const m = findMessage(p, frame.id);
    if (m && m.status === "slow") m.status = "pending";
  }
  if (p.lastContextJson === null) p.contextDirty = true;
  if (p.contextDirty) {
    clearTimeout(p.contextTimer);
    p.contextTimer = setTimeout(() => flushContext(p), 0);
  }
  renderConn(p);
  renderMessages(p);
}

function onEvent(p: Panel, ev: StreamEvent): void {
  const req = p.req;
  if (!req) return;
  req.last_seq = ev.seq;
  applyEvent(p, ev);
  saveReqSoon(p);
}

function applyEvent(p: Panel, ev: StreamEvent): void {
  const req = p.req;
  if (!req) return;
  cobrowseEvent(p, ev);
  const fresh = ev.seq > p.seenAtLoad;
  const live = ev.seq > p.replayUntil && !!p.stream?.ready;
  if (live && typeof ev.at === "number") p.clockSkew = Date.now() - ev.at;
  if (ev.type === "request.state") {
    if (ev.specialist !== undefined) req.specialist = readPerson(ev.specialist);
    const state = str(ev.state);
    if (state) setState(p, state, str(ev.cause));
  } else if (ev.type === "message") {
    const m = readMessage(ev.message);
    if (m) addServerMessage(p, m, fresh);
  } else if (ev.type === "callback") {
    const cb = readCallback(ev.callback);
    if (!cb) return;
    req.callback = cb;
    if (live) p.core.emit("callback", asJson(cb));
    p.ext?.event({ type: "callback", callback: cb }, live);
    if (needsExt(p)) loadExt(p);
    saveReq(p);
    render(p);
  } else if (ev.type === "callback.ring") {
    onRing(p, ev, live);
  } else if (ev.type === "callback.ring_ended") {
    onRingEnded(p, ev, live);
  }
}

// Ring only while the ring is still on: a replayed ring that has expired is history.
function onRing(p: Panel, ev: StreamEvent, live: boolean): void {
  const req = p.req;
  if (!req) return;
  const expires = typeof ev.expires_at === "number" ? ev.expires_at : null;
  const left = expires !== null && typeof ev.at === "number" ? expires - ev.at : 30000;
  const until = live ? Date.now() + left : expires !== null ? expires + p.clockSkew : 0;
  if (until <= Date.now() || !ACTIVE_STATES.has(req.state)) return;
  // `expires_at` as the server sent it names this ring exactly (the push carries it too):
  // an Answer pressed on another ring's notification never answers this one.
  const attempt = typeof ev.attempt === "number" && ev.attempt ? ev.attempt : 1;
  req.ring = { attempt, until, specialist: readPerson(ev.specialist), expires_at: expires, shown: false };
  ringNow(p);
}

function onRingEnded(p: Panel, ev: StreamEvent, live: boolean): void {
  const req = p.req;
  if (!req) return;
  const had = !!req.ring;
  req.ring = null;
  const reason = str(ev.reason);
  p.ext?.event({ type: "callback.ring_ended", reason }, live);
  if (!had) return;
  if (live) p.core.emit("ring:end", { requestId: req.request_id, reason });
  render(p);
  if (p.isOpen) focusView(p, true);
}

// A specialist is ready and the customer is rung: open the panel and let the callbacks piece
// show the ring (it loads first if it hasn't yet).
export function ringNow(p: Panel): void {
  if (!p.req?.ring) return;
  withExt(p, (ext) => {
    const req = p.req;
    const ring = req?.ring;
    if (!req || !ring) return;
    if (!ring.shown) {
      ring.shown = true;
      const specialist = ring.specialist ? asJson(ring.specialist) : null;
      p.core.emit("ring", { requestId: req.request_id, specialist, expiresAt: ring.until });
    }
    ext.ring();
    render(p);
    if (!p.isOpen) open(p);
    else focusView(p);
  });
}

// The live estimate: shown in place, announced politely only when it changes meaningfully.
function onEstimate(p: Panel, f: ServerFrame): void {
  const req = p.req;
  if (!req || (f.request_id && f.request_id !== req.request_id)) return;
  // `mean: null` is an honest "can't say" (no one eligible is on): it replaces the last one.
  const e = readEstimate(f);
  req.estimate = e;
  if (obj(f.options)) req.options = readOffers(f.options);
  if (needsExt(p)) loadExt(p);
  saveReq(p);
  p.core.emit("estimate", e ? asJson(e) : null);
  render(p);
  p.ext?.estimate();
}

function onAck(p: Panel, frame: WriteFrame, result: JsonObject): void {
  const req = p.req;
  if (!req) return;
  if (frame.type === "message") {
    const m = findMessage(p, frame.id);
    if (!m) return;
    m.status = "sent";
    const s = readMessage(result.message);
    if (s) mergeMessage(m, s);
    placeSent(p, m);
    renderMessages(p);
  } else if (frame.type === "rate") {
    finishRating(p);
  } else if (frame.type === "cancel") {
    const state = str(result.state);
    if (state && ENDED_STATES.has(state)) setState(p, state, str(result.cause));
  } else if (EXT_FRAMES.has(frame.type)) {
    const cb = readCallback(result.callback);
    if (cb) req.callback = cb;
    saveReq(p);
    p.ext?.ack(frame, cb);
    render(p);
    if (p.isOpen) focusView(p, true);
  }
}

function onError(p: Panel, error: FrameError, frame: WriteFrame | undefined): void {
  const code = error.code;
  if (!p.stream?.ready && (code === "not_found" || code === "not_allowed")) {
    resumeRefused(p);
    return;
  }
  const ui = p.ui;
  const text = ERROR_TEXT[code] ?? (error.message || "Something went wrong. Please try again.");
  if (frame?.type === "message") {
    failMessage(p, frame, code);
  } else if (frame?.type === "rate") {
    setBusy(ui.rateBtn, false);
    showNotice(ui.outcomeNotice, text);
    return;
  } else if (frame?.type === "cancel") {
    setBusy(ui.cancelBtn, false);
  } else if (frame?.type === "context") {
    return; // the next change sends a fresh context
  } else if (p.ext && ((frame && EXT_FRAMES.has(frame.type)) || /^slot_/.test(code))) {
    if (p.ext.error(frame, code, text)) return;
  }
  showNotice(p.view === "describe" ? ui.describeNotice : p.view === "outcome" ? ui.outcomeNotice : ui.threadNotice, text);
}

function failMessage(p: Panel, frame: WriteFrame, code: string): void {
  const m = findMessage(p, frame.id);
  if (!m) return;
  if (code === "too_large" && p.ui.compose.value === "") {
    // Give the text back to edit rather than lose it.
    p.ui.compose.value = m.body;
    p.messages.splice(p.messages.indexOf(m), 1);
    updateCompose(p);
  } else {
    m.status = "failed";
  }
  renderMessages(p);
}

export function setPeerTyping(p: Panel, on: boolean): void {
  clearTimeout(p.peerTypingTimer);
  p.ui.typing.hidden = !on;
  p.ui.typingText.textContent = on ? "Specialist is typing…" : "";
  if (on) p.peerTypingTimer = setTimeout(() => setPeerTyping(p, false), TYPING_SHOW);
}
