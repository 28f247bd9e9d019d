// The desk's state and the reducers that apply the snapshot and sequenced events.
// Views subscribe to topics; changes are batched into one render per microtask.

import { DISPOSITIONS, causeLabel, stateLabel, clip } from "./format.js";
import { callbackEventText, ringEndedText } from "./callbacks.js";

export const TOPICS = ["me", "conn", "offers", "list", "queues", "thread", "context", "route", "board", "config"];

const listeners = new Map(TOPICS.map((t) => [t, new Set()]));
const dirty = new Set();
let flushQueued = false;

export const state = {
  me: null, // {id, name, role, presence, capacity, active?}
  lastSeq: 0,
  requests: new Map(), // id -> Req (RequestDetail + local fields)
  order: [], // request ids, newest first
  offers: new Map(), // request_id -> Offer (+ local: busy)
  queues: [],
  selectedId: null,
  conn: { status: "connecting", attempt: 0 },
  presencePending: null, // status we asked for, until acked
  acceptedByMe: new Set(), // request ids this tab accepted (select them on assignment)
  route: { view: "desk", tab: null }, // router.js
  lastConfig: null, // the last `config` signal: {what, id, change} (supervisors only)
};

export function on(topic, fn) {
  listeners.get(topic).add(fn);
}

export function changed(...topics) {
  for (const t of topics) dirty.add(t);
  if (flushQueued) return;
  flushQueued = true;
  queueMicrotask(() => {
    flushQueued = false;
    const now = [...dirty];
    dirty.clear();
    for (const t of now) for (const fn of listeners.get(t)) fn(state);
  });
}

// ---- shapes

function normalizeRating(r) {
  if (r === null || r === undefined) return null;
  if (typeof r === "number") return { score: r, comment: "" };
  if (typeof r === "object" && typeof r.score === "number") return { score: r.score, comment: r.comment || "" };
  return null;
}

function sysEvent(text, at, tone = "info") {
  return { text, at: Number.isFinite(at) ? at : 0, tone };
}

function makeReq(detail, previous) {
  const r = {
    ...detail,
    customer: detail.customer || { verified: false },
    context: detail.context || {},
    messages: [...(detail.messages || [])].sort((a, b) => (a.at || 0) - (b.at || 0)),
    rating: normalizeRating(detail.rating),
    events: [],
    pending: previous ? previous.pending : new Map(),
    unread: previous ? previous.unread : 0,
    typingUntil: 0,
    resolving: previous ? previous.resolving : null,
    // Channel and callback: from the detail when the server sends them, else kept from the
    // offer this request came from (see request.assigned).
    channel: detail.channel || (previous && previous.channel) || undefined,
    callback: detail.callback !== undefined ? detail.callback : previous ? previous.callback : null,
    ringing: previous ? previous.ringing : false,
  };
  const queueName = r.queue && r.queue.name ? ` in ${r.queue.name}` : "";
  if (r.created_at) r.events.push(sysEvent(`Request created${queueName}`, r.created_at));
  if (r.connected_at) r.events.push(sysEvent("Connected: you joined the chat", r.connected_at, "good"));
  if (isClosed(r)) r.events.push(sysEvent(outcomeText(r), lastAt(r) + 1, outcomeTone(r)));
  if (previous) {
    // Keep live-only system events (context updates) that the snapshot can't rebuild.
    for (const e of previous.events) if (e.live) r.events.push(e);
  }
  for (const m of r.messages) if (m.client_id) r.pending.delete(m.client_id);
  return r;
}

function lastAt(r) {
  const times = [r.created_at || 0, r.connected_at || 0, ...r.messages.map((m) => m.at || 0)];
  return Math.max(...times);
}

/** Connected to me: the only state in which I can reply or resolve. */
export function isLive(r) {
  return Boolean(r) && r.state === "connected";
}

export function isClosed(r) {
  return r.state === "resolved" || r.state === "cancelled" || r.state === "dead_end";
}

export function outcomeText(r) {
  if (r.state === "resolved" || (r.state === "dead_end" && r.disposition)) {
    const d = DISPOSITIONS[r.disposition] || stateLabel(r.state);
    return r.state === "dead_end" ? `Closed as dead end: ${d}` : `Outcome: ${d}`;
  }
  if (r.state === "cancelled") return "The customer cancelled the request";
  if (r.state === "dead_end") return `Dead end${r.cause ? `: ${causeLabel(r.cause)}` : ""}`;
  return stateLabel(r.state);
}

function outcomeTone(r) {
  if (r.state === "resolved" && r.disposition !== "not_resolved") return "good";
  return r.state === "cancelled" ? "info" : "warn";
}

// ---- snapshot

export function applySnapshot(snap) {
  state.me = { ...(snap.specialist || {}) };
  state.lastSeq = Number(snap.seq) || 0;
  const previous = state.requests;
  state.requests = new Map();
  for (const d of snap.requests || []) state.requests.set(d.id, makeReq(d, previous.get(d.id)));
  state.order = [...state.requests.values()]
    .sort((a, b) => (b.connected_at || b.created_at || 0) - (a.connected_at || a.created_at || 0))
    .map((r) => r.id);
  state.offers = new Map((snap.offers || []).map((o) => [o.request_id, { ...o }]));
  state.queues = Array.isArray(snap.queues) ? snap.queues : [];
  if (!state.requests.has(state.selectedId)) state.selectedId = firstOpenId();
  changed(...TOPICS);
}

export function reset() {
  state.me = null;
  state.lastSeq = 0;
  state.requests = new Map();
  state.order = [];
  state.offers = new Map();
  state.queues = [];
  state.selectedId = null;
  state.presencePending = null;
  state.acceptedByMe.clear();
  changed(...TOPICS);
}

function firstOpenId() {
  const open = state.order.find((id) => isLive(state.requests.get(id)));
  return open || state.order[0] || null;
}

// ---- events

/**
 * Apply one sequenced event. Returns "applied", "duplicate" (seq already seen) or
 * "gap" (an event is missing before this one; the caller reconnects to get it replayed).
 * `notify(kind, data)` lets the app announce offers and messages.
 */
export function applyEvent(ev, notify = () => {}) {
  if (ev.seq <= state.lastSeq) return "duplicate";
  if (ev.seq !== state.lastSeq + 1) return "gap";
  state.lastSeq = ev.seq;
  const handler = HANDLERS[ev.type];
  if (handler) handler(ev, notify);
  return "applied";
}

const HANDLERS = {
  offer(ev, notify) {
    const o = ev.offer;
    if (!o || !o.request_id) return;
    if (state.requests.has(o.request_id) && !isClosed(state.requests.get(o.request_id))) return;
    state.offers.set(o.request_id, { ...o });
    notify("offer", o);
    changed("offers");
  },

  "offer.withdrawn"(ev, notify) {
    const o = state.offers.get(ev.request_id);
    if (!o) return;
    state.offers.delete(ev.request_id);
    if (!state.acceptedByMe.has(ev.request_id)) notify("offer.withdrawn", { offer: o, reason: ev.reason });
    changed("offers");
  },

  "request.assigned"(ev, notify) {
    const d = ev.request;
    if (!d || !d.id) return;
    const offer = state.offers.get(d.id);
    const req = makeReq(d, state.requests.get(d.id) || (offer && { events: [], pending: new Map(), unread: 0, resolving: null,
      channel: offer.channel, callback: offer.callback || null, ringing: false }));
    state.requests.set(d.id, req);
    state.order = [d.id, ...state.order.filter((id) => id !== d.id)];
    state.offers.delete(d.id);
    const mine = state.acceptedByMe.has(d.id);
    if (mine || !state.selectedId || !isLive(state.requests.get(state.selectedId))) {
      state.selectedId = d.id;
      changed("thread", "context");
    }
    notify("assigned", { request: req, mine });
    changed("offers", "list", "me");
  },

  message(ev, notify) {
    const r = state.requests.get(ev.request_id);
    const m = ev.message;
    if (!r || !m) return;
    if (m.client_id) r.pending.delete(m.client_id);
    if (!r.messages.some((x) => x.id === m.id)) {
      r.messages.push(m);
      if (r.messages.length > 1 && (r.messages.at(-2).at || 0) > (m.at || 0)) {
        r.messages.sort((a, b) => (a.at || 0) - (b.at || 0));
      }
      if (m.sender === "customer") {
        r.typingUntil = 0;
        const seen = state.selectedId === r.id && document.visibilityState === "visible";
        if (!seen) r.unread += 1;
        notify("message", { request: r, message: m, seen });
      }
    }
    changed("list", ...(state.selectedId === r.id ? ["thread"] : []));
  },

  "context.updated"(ev) {
    const r = state.requests.get(ev.request_id);
    const o = state.offers.get(ev.request_id);
    if (o) {
      o.context = ev.context || {};
      changed("offers");
    }
    if (!r) return;
    const summary = contextDiff(r.context || {}, ev.context || {});
    r.context = ev.context || {};
    r.events.push({ ...sysEvent(`Context updated${summary ? `: ${summary}` : ""}`, ev.at), live: true });
    changed("list", ...(state.selectedId === r.id ? ["thread", "context"] : []));
  },

  "request.state"(ev, notify) {
    const r = state.requests.get(ev.request_id);
    if (!r) {
      // A request we only had an offer for went away (cancelled, taken elsewhere).
      if (state.offers.delete(ev.request_id)) changed("offers");
      return;
    }
    if (ev.state !== "connected" && !["resolved", "cancelled", "dead_end"].includes(ev.state)) {
      // Back to waiting (a re-route, or "not now" to a callback): no longer mine. It leaves
      // the list, as it would from a fresh snapshot.
      leave(r, ev.state, notify);
      return;
    }
    const was = r.state;
    r.state = ev.state;
    r.cause = ev.cause ?? r.cause;
    r.disposition = ev.disposition ?? r.disposition;
    if (ev.rating !== undefined && ev.rating !== null) r.rating = normalizeRating(ev.rating);
    if (was !== r.state) {
      let text = `State: ${stateLabel(r.state)}`;
      let tone = "info";
      if (isClosed(r)) {
        text = outcomeText(r);
        tone = outcomeTone(r);
      } else if (r.state === "connected") {
        text = "Connected";
        tone = "good";
      }
      r.events.push({ ...sysEvent(text, ev.at, tone), live: true });
      r.typingUntil = 0;
      if (isClosed(r)) {
        r.resolving = null;
        notify("closed", { request: r });
      }
    }
    changed("list", "me", ...(state.selectedId === r.id ? ["thread", "context"] : []));
  },

  "request.rated"(ev, notify) {
    const r = state.requests.get(ev.request_id);
    if (!r) return;
    r.rating = { score: Number(ev.score) || 0, comment: ev.comment || "" };
    r.events.push({ ...sysEvent(`Customer rated ${r.rating.score} of 5`, ev.at, "good"), live: true });
    notify("rated", { request: r });
    changed("list", ...(state.selectedId === r.id ? ["thread"] : []));
  },

  callback(ev) {
    const r = state.requests.get(ev.request_id);
    const cb = ev.callback;
    if (!r || !cb) return;
    const before = r.callback || {};
    r.callback = cb;
    r.ringing = cb.state === "ringing";
    if (before.state !== cb.state || before.attempts !== cb.attempts) {
      const said = callbackEventText(cb);
      if (said) r.events.push({ ...sysEvent(said[0], ev.at, said[1]), live: true });
    }
    changed("list", ...(state.selectedId === r.id ? ["thread"] : []));
  },

  "callback.ring_ended"(ev, notify) {
    const r = state.requests.get(ev.request_id);
    if (!r) return;
    r.ringing = false;
    const [text, tone] = ringEndedText(ev.reason, r.callback);
    r.events.push({ ...sysEvent(text, ev.at, tone), live: true });
    notify("ring_ended", { request: r, text });
    changed("list", ...(state.selectedId === r.id ? ["thread"] : []));
  },

  presence(ev) {
    if (!state.me) return;
    if (ev.status) state.me.presence = ev.status;
    if (Number.isFinite(ev.capacity)) state.me.capacity = ev.capacity;
    if (Number.isFinite(ev.active)) state.me.active = ev.active;
    if (state.presencePending === ev.status) state.presencePending = null;
    changed("me");
  },
};

/** A short human summary of what changed in a context ("step payment → review; 1 new error"). */
export function contextDiff(before, after) {
  const parts = [];
  if ((before.flow || "") !== (after.flow || "")) parts.push(`flow ${before.flow || "—"} → ${after.flow || "—"}`);
  if ((before.step || "") !== (after.step || "")) parts.push(`step ${before.step || "—"} → ${after.step || "—"}`);
  const newErrors = (after.errors || []).length - (before.errors || []).length;
  if (newErrors > 0) parts.push(`${newErrors} new error${newErrors > 1 ? "s" : ""}`);
  const newSteps = (after.journey || []).length - (before.journey || []).length;
  if (newSteps > 0) parts.push(`${newSteps} journey event${newSteps > 1 ? "s" : ""}`);
  const held = (s) => Boolean(s && s.held);
  if (held(before.session) !== held(after.session)) parts.push(held(after.session) ? "session held" : "session released");
  if (JSON.stringify(before.fields || []) !== JSON.stringify(after.fields || [])) parts.push("form changed");
  if (JSON.stringify(before.data || {}) !== JSON.stringify(after.data || {})) parts.push("data changed");
  return clip(parts.join("; "), 200);
}

function leave(r, newState, notify) {
  state.requests.delete(r.id);
  state.order = state.order.filter((x) => x !== r.id);
  if (state.selectedId === r.id) state.selectedId = firstOpenId();
  notify("left", { request: r, state: newState });
  changed("list", "thread", "context", "me");
}

// ---- local actions

export function select(id) {
  if (!state.requests.has(id)) return;
  state.selectedId = id;
  const r = state.requests.get(id);
  if (document.visibilityState === "visible") r.unread = 0;
  changed("list", "thread", "context");
}

export function markSeen() {
  const r = state.requests.get(state.selectedId);
  if (r && r.unread) {
    r.unread = 0;
    changed("list");
  }
}

export function dismiss(id) {
  const r = state.requests.get(id);
  if (!r || isLive(r)) return;
  state.requests.delete(id);
  state.order = state.order.filter((x) => x !== id);
  if (state.selectedId === id) state.selectedId = firstOpenId();
  changed("list", "thread", "context", "me");
}

export function setConn(status, attempt) {
  state.conn = { status, attempt };
  changed("conn");
}

/** Offers, oldest first (the one Alt+A accepts). */
export function offersOldestFirst() {
  return [...state.offers.values()].sort((a, b) => (a.at || a.expires_at || 0) - (b.at || b.expires_at || 0));
}

export function activeCount() {
  let n = 0;
  for (const r of state.requests.values()) if (r.state === "connected") n += 1;
  return n;
}

export function totalUnread() {
  let n = 0;
  for (const r of state.requests.values()) n += r.unread;
  return n;
}
