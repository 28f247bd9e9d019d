// The desk's state and the reducers that apply the snapshot and sequenced events.
// Views subscribe to topics; changes are batched into one render per microtask.

import { causeLabel, clip, dispositionLabel, isRecord, stateLabel } from "./format";
import { callbackEventText, ringEndedText, type Tone } from "./callbacks";
import type { DeskState, Specialist } from "./api";
import type {
  Callback, CallbackEvent, CallbackRingEnded, Channel, ChoosablePresence, ConfigSignal, Context,
  ContextUpdated, CustomerPresenceEvent, DeskEvent, Message, MessageEvent, Offer, OfferEvent, OfferWithdrawn, PresenceEvent,
  QueueCount, RequestAssigned, RequestDetail, RequestRated, RequestState, RequestStateEvent, WithdrawnReason,
} from "./protocol";
import type { Route } from "./router";
import { mergeSource, whereOf, type DeskSource } from "./sources";

export const TOPICS = ["me", "conn", "offers", "list", "queues", "thread", "context", "route", "board", "config"] as const;
export type Topic = (typeof TOPICS)[number];

/** A line of the thread the desk derives (created, connected, context updated, outcomes…). */
export interface SysEvent {
  text: string;
  at: number;
  tone: Tone;
  /** From a live event: a fresh snapshot can't rebuild it, so it is kept across one. */
  live?: boolean;
}

/** A reply written here and not yet in the thread. */
export interface Pending {
  client_id: string;
  body: string;
  at: number;
  status: "sending" | "sent" | "failed";
  error: string;
}

export interface Rating {
  score: number;
  comment: string;
}

/** A request of mine: the RequestDetail and what the desk keeps beside it. */
export interface Req extends Omit<RequestDetail, "rating" | "channel" | "sources"> {
  rating: Rating | null;
  /** Where its context came from: each tab or device, with its furthest context. */
  sources: DeskSource[];
  /** From the detail, else from the offer it came from; undefined when neither said. */
  channel?: Channel;
  events: SysEvent[];
  pending: Map<string, Pending>;
  unread: number;
  typingUntil: number;
  resolving: "sending" | "acked" | null;
  /** The note sent with Resolve, shown in the outcome. */
  resolveNote?: string;
  ringing: boolean;
}

/** What a request keeps from before: its earlier self, or the offer it came from. */
type Carried = Pick<Req, "events" | "pending" | "unread" | "resolving" | "channel" | "callback" | "ringing">;

/** An offer, and what this tab does with it. */
export interface DeskOffer extends Offer {
  busy?: "accepting" | "declining" | null;
  /** The span of the countdown ring, set when first drawn. */
  ringTotal?: number;
}

export interface Me extends Specialist {
  active?: number;
}

export type ConnStatus = "connecting" | "connected" | "reconnecting" | "offline" | "stopped";

export interface State {
  me: Me | null;
  lastSeq: number;
  requests: Map<string, Req>;
  /** Request ids, newest first: the order of Alt+1…9. */
  order: string[];
  offers: Map<string, DeskOffer>;
  queues: QueueCount[];
  selectedId: string | null;
  conn: { status: ConnStatus; attempt: number };
  /** The presence asked for, until acknowledged. */
  presencePending: ChoosablePresence | null;
  /** Request ids this tab accepted (selected when assigned). */
  acceptedByMe: Set<string>;
  route: Route;
  /** The last `config` signal (supervisors only). */
  lastConfig: Pick<ConfigSignal, "what" | "id" | "change"> | null;
}

/** What the reducers tell the app, to announce offers, messages and outcomes. */
export type Notice =
  | { kind: "offer"; offer: Offer }
  | { kind: "offer.withdrawn"; offer: DeskOffer; reason: WithdrawnReason }
  | { kind: "assigned"; request: Req; mine: boolean }
  | { kind: "message"; request: Req; message: Message; seen: boolean }
  | { kind: "closed"; request: Req }
  | { kind: "left"; request: Req; state: RequestState }
  | { kind: "ring_ended"; request: Req; text: string }
  | { kind: "rated"; request: Req };
export type Notify = (notice: Notice) => void;

const listeners = new Map<Topic, Set<(s: State) => void>>(TOPICS.map((t) => [t, new Set()]));
const dirty = new Set<Topic>();
let flushQueued = false;

export const state: State = {
  me: null,
  lastSeq: 0,
  requests: new Map(),
  order: [],
  offers: new Map(),
  queues: [],
  selectedId: null,
  conn: { status: "connecting", attempt: 0 },
  presencePending: null,
  acceptedByMe: new Set(),
  route: { view: "desk", tab: null },
  lastConfig: null,
};

export function on(topic: Topic, fn: (s: State) => void): void {
  listeners.get(topic)?.add(fn);
}

export function changed(...topics: Topic[]): void {
  for (const t of topics) dirty.add(t);
  if (flushQueued) return;
  flushQueued = true;
  queueMicrotask(() => {
    flushQueued = false;
    const now = [...dirty];
    dirty.clear();
    for (const t of now) for (const fn of listeners.get(t) ?? []) fn(state);
  });
}

// ---- shapes

/** A rating as the server sends it (a score) or as kept here ({score, comment}). */
export function normalizeRating(r: unknown): Rating | null {
  if (r === null || r === undefined) return null;
  if (typeof r === "number") return { score: r, comment: "" };
  if (isRecord(r) && typeof r.score === "number") return { score: r.score, comment: typeof r.comment === "string" ? r.comment : "" };
  return null;
}

function sysEvent(text: string, at: unknown, tone: Tone = "info", live = false): SysEvent {
  const e: SysEvent = { text, at: typeof at === "number" && Number.isFinite(at) ? at : 0, tone };
  if (live) e.live = true;
  return e;
}

const byTime = (a: Message, b: Message): number => (a.at || 0) - (b.at || 0);

function makeReq(detail: RequestDetail, previous?: Carried): Req {
  const r: Req = {
    ...detail,
    customer: detail.customer || { verified: false, id: null, name: null, email: null },
    context: detail.context || { fields: [] },
    sources: detail.sources ? [...detail.sources] : [],
    presence: detail.presence ?? null,
    messages: [...(detail.messages || [])].sort(byTime),
    rating: normalizeRating(detail.rating),
    events: [],
    pending: previous ? previous.pending : new Map(),
    unread: previous ? previous.unread : 0,
    typingUntil: 0,
    resolving: previous ? previous.resolving : null,
    // Channel and callback: from the detail when the server sends them, else kept from the
    // offer this request came from (see request.assigned).
    channel: detail.channel || previous?.channel || undefined,
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

function lastAt(r: Req): number {
  const times = [r.created_at || 0, r.connected_at || 0, ...r.messages.map((m) => m.at || 0)];
  return Math.max(...times);
}

type Outcome = Pick<Req, "state" | "disposition" | "cause">;

/** Connected to me: the only state in which I can reply or resolve. */
export function isLive(r: { state: RequestState } | null | undefined): boolean {
  return Boolean(r) && r?.state === "connected";
}

export function isClosed(r: { state: RequestState }): boolean {
  return r.state === "resolved" || r.state === "cancelled" || r.state === "dead_end";
}

export function outcomeText(r: Outcome): string {
  if (r.state === "resolved" || (r.state === "dead_end" && r.disposition)) {
    const d = dispositionLabel(r.disposition) || stateLabel(r.state);
    return r.state === "dead_end" ? `Closed as dead end: ${d}` : `Outcome: ${d}`;
  }
  if (r.state === "cancelled") return "The customer cancelled the request";
  if (r.state === "dead_end") return `Dead end${r.cause ? `: ${causeLabel(r.cause)}` : ""}`;
  return stateLabel(r.state);
}

function outcomeTone(r: Outcome): Tone {
  if (r.state === "resolved" && r.disposition !== "not_resolved") return "good";
  return r.state === "cancelled" ? "info" : "warn";
}

// ---- snapshot

export function applySnapshot(snap: DeskState): void {
  state.me = { ...snap.specialist };
  state.lastSeq = Number(snap.seq) || 0;
  const previous = state.requests;
  state.requests = new Map();
  for (const d of snap.requests || []) state.requests.set(d.id, makeReq(d, previous.get(d.id)));
  const newest = (r: Req): number => r.connected_at || r.created_at || 0;
  state.order = [...state.requests.values()].sort((a, b) => newest(b) - newest(a)).map((r) => r.id);
  state.offers = new Map((snap.offers || []).map((o) => [o.request_id, { ...o }]));
  state.queues = Array.isArray(snap.queues) ? snap.queues : [];
  if (!state.selectedId || !state.requests.has(state.selectedId)) state.selectedId = firstOpenId();
  changed(...TOPICS);
}

export function reset(): void {
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

function firstOpenId(): string | null {
  const open = state.order.find((id) => isLive(state.requests.get(id)));
  return open || state.order[0] || null;
}

/** The topics a change to request `r` redraws: the thread and context only when it is open. */
function ifOpen(r: Req, ...when: Topic[]): Topic[] {
  return state.selectedId === r.id ? when : [];
}

// ---- events

/**
 * Apply one sequenced event. Returns "applied", "duplicate" (seq already seen) or
 * "gap" (an event is missing before this one; the caller reconnects to get it replayed).
 * `notify` lets the app announce offers and messages.
 */
export function applyEvent(ev: DeskEvent, notify: Notify = () => {}): "applied" | "duplicate" | "gap" {
  if (ev.seq <= state.lastSeq) return "duplicate";
  if (ev.seq !== state.lastSeq + 1) return "gap";
  state.lastSeq = ev.seq;
  handle(ev, notify);
  return "applied";
}

/** Unknown event types are ignored, so the server can add events before the desk knows them. */
function handle(ev: DeskEvent, notify: Notify): void {
  switch (ev.type) {
    case "offer": return onOffer(ev, notify);
    case "offer.withdrawn": return onWithdrawn(ev, notify);
    case "request.assigned": return onAssigned(ev, notify);
    case "message": return onMessage(ev, notify);
    case "context.updated": return onContext(ev);
    case "customer.presence": return onCustomerPresence(ev);
    case "request.state": return onState(ev, notify);
    case "request.rated": return onRated(ev, notify);
    case "callback": return onCallback(ev);
    case "callback.ring_ended": return onRingEnded(ev, notify);
    case "presence": return onPresence(ev);
    default: return;
  }
}

function onOffer(ev: OfferEvent, notify: Notify): void {
  const o = ev.offer;
  if (!o || !o.request_id) return;
  const r = state.requests.get(o.request_id);
  if (r && !isClosed(r)) return;
  state.offers.set(o.request_id, { ...o });
  notify({ kind: "offer", offer: o });
  changed("offers");
}

function onWithdrawn(ev: OfferWithdrawn, notify: Notify): void {
  const o = state.offers.get(ev.request_id);
  if (!o) return;
  state.offers.delete(ev.request_id);
  if (!state.acceptedByMe.has(ev.request_id)) notify({ kind: "offer.withdrawn", offer: o, reason: ev.reason });
  changed("offers");
}

function onAssigned(ev: RequestAssigned, notify: Notify): void {
  const d = ev.request;
  if (!d || !d.id) return;
  const offer = state.offers.get(d.id);
  const fromOffer: Carried | undefined = offer && {
    events: [], pending: new Map(), unread: 0, resolving: null,
    channel: offer.channel, callback: offer.callback || null, ringing: false,
  };
  const req = makeReq(d, state.requests.get(d.id) || fromOffer);
  state.requests.set(d.id, req);
  state.order = [d.id, ...state.order.filter((id) => id !== d.id)];
  state.offers.delete(d.id);
  const mine = state.acceptedByMe.has(d.id);
  if (mine || !state.selectedId || !isLive(state.requests.get(state.selectedId))) {
    state.selectedId = d.id;
    changed("thread", "context");
  }
  notify({ kind: "assigned", request: req, mine });
  changed("offers", "list", "me");
}

function onMessage(ev: MessageEvent, notify: Notify): void {
  const r = state.requests.get(ev.request_id);
  const m = ev.message;
  if (!r || !m) return;
  if (m.client_id) r.pending.delete(m.client_id);
  if (!r.messages.some((x) => x.id === m.id)) {
    r.messages.push(m);
    const before = r.messages.length > 1 ? r.messages[r.messages.length - 2] : null;
    if (before && (before.at || 0) > (m.at || 0)) r.messages.sort(byTime);
    if (m.sender === "customer") {
      r.typingUntil = 0;
      const seen = state.selectedId === r.id && document.visibilityState === "visible";
      if (!seen) r.unread += 1;
      notify({ kind: "message", request: r, message: m, seen });
    }
  }
  changed("list", ...ifOpen(r, "thread"));
}

function onContext(ev: ContextUpdated): void {
  const r = state.requests.get(ev.request_id);
  const o = state.offers.get(ev.request_id);
  const next: Context = ev.context || { fields: [] };
  if (o) {
    o.context = next;
    changed("offers");
  }
  if (!r) return;
  const text = ev.source ? sourceNote(r, ev.source, next) : contextNote(r.context || {}, next);
  r.context = next;
  if (ev.source) r.sources = mergeSource(r.sources, ev.source, next);
  r.events.push(sysEvent(text, ev.at, "info", true));
  changed("list", ...ifOpen(r, "thread", "context"));
}

function contextNote(before: Partial<Context>, after: Context, where = ""): string {
  const summary = contextDiff(before, after);
  return `Context updated${where}${summary ? `: ${summary}` : ""}`;
}

/** The thread's line for one source's update: its own change, named beside the current. */
function sourceNote(r: Req, source: DeskSource, next: Context): string {
  const before = r.sources.find((s) => s.id === source.id);
  const current = r.sources.length ? r.sources.reduce((a, b) => (b.updated_at > a.updated_at ? b : a)) : null;
  const where = whereOf(source, current);
  if (!before) return `Context from ${where}${next.step ? `: step ${clip(String(next.step), 60)}` : ""}`;
  const earlier: Partial<Context> = before.context ?? (before.step ? { step: before.step } : {});
  return contextNote(earlier, next, where === "this tab" ? "" : ` (${where})`);
}

/** The customer came, hid the page, or left: the header says so, and the thread notes it. */
function onCustomerPresence(ev: CustomerPresenceEvent): void {
  const r = state.requests.get(ev.request_id);
  if (!r || !ev.presence) return;
  r.presence = ev.presence;
  r.events.push(sysEvent(presenceNote(ev.presence.state), ev.at, ev.presence.state === "here" ? "good" : "warn", true));
  changed("list", ...ifOpen(r, "thread"));
}

export function presenceNote(s: "here" | "away" | "gone"): string {
  if (s === "here") return "Customer is here";
  if (s === "away") return "Customer switched away from the page";
  return "Customer left: no page open";
}

function onState(ev: RequestStateEvent, notify: Notify): void {
  const r = state.requests.get(ev.request_id);
  if (!r) {
    // A request we only had an offer for went away (cancelled, taken elsewhere).
    if (state.offers.delete(ev.request_id)) changed("offers");
    return;
  }
  if (ev.state !== "connected" && !isClosed(ev)) {
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
    let tone: Tone = "info";
    if (isClosed(r)) {
      text = outcomeText(r);
      tone = outcomeTone(r);
    } else if (r.state === "connected") {
      text = "Connected";
      tone = "good";
    }
    r.events.push(sysEvent(text, ev.at, tone, true));
    r.typingUntil = 0;
    if (isClosed(r)) {
      r.resolving = null;
      notify({ kind: "closed", request: r });
    }
  }
  changed("list", "me", ...ifOpen(r, "thread", "context"));
}

function onRated(ev: RequestRated, notify: Notify): void {
  const r = state.requests.get(ev.request_id);
  if (!r) return;
  const rating = { score: Number(ev.score) || 0, comment: ev.comment || "" };
  r.rating = rating;
  r.events.push(sysEvent(`Customer rated ${rating.score} of 5`, ev.at, "good", true));
  notify({ kind: "rated", request: r });
  changed("list", ...ifOpen(r, "thread"));
}

function onCallback(ev: CallbackEvent): void {
  const r = state.requests.get(ev.request_id);
  const cb = ev.callback;
  if (!r || !cb) return;
  const before: Partial<Callback> = r.callback || {};
  r.callback = cb;
  r.ringing = cb.state === "ringing";
  if (before.state !== cb.state || before.attempts !== cb.attempts) {
    const said = callbackEventText(cb);
    if (said) r.events.push(sysEvent(said[0], ev.at, said[1], true));
  }
  changed("list", ...ifOpen(r, "thread"));
}

function onRingEnded(ev: CallbackRingEnded, notify: Notify): void {
  const r = state.requests.get(ev.request_id);
  if (!r) return;
  r.ringing = false;
  const [text, tone] = ringEndedText(ev.reason, r.callback);
  r.events.push(sysEvent(text, ev.at, tone, true));
  notify({ kind: "ring_ended", request: r, text });
  changed("list", ...ifOpen(r, "thread"));
}

function onPresence(ev: PresenceEvent): void {
  if (!state.me) return;
  if (ev.status) state.me.presence = ev.status;
  if (Number.isFinite(ev.capacity)) state.me.capacity = ev.capacity;
  if (Number.isFinite(ev.active)) state.me.active = ev.active;
  if (state.presencePending === ev.status) state.presencePending = null;
  changed("me");
}

const held = (session: unknown): boolean => isRecord(session) && Boolean(session.held);
const count = (list: unknown): number => (Array.isArray(list) ? list.length : 0);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A short human summary of what changed in a context ("step payment → review; 1 new error"). */
export function contextDiff(before: Partial<Context>, after: Partial<Context>): string {
  const parts: string[] = [];
  const text = (v: unknown): string => (v ? String(v) : "—");
  if ((before.flow || "") !== (after.flow || "")) parts.push(`flow ${text(before.flow)} → ${text(after.flow)}`);
  if ((before.step || "") !== (after.step || "")) parts.push(`step ${text(before.step)} → ${text(after.step)}`);
  const newErrors = count(after.errors) - count(before.errors);
  if (newErrors > 0) parts.push(`${newErrors} new error${newErrors > 1 ? "s" : ""}`);
  const newSteps = count(after.journey) - count(before.journey);
  if (newSteps > 0) parts.push(`${newSteps} journey event${newSteps > 1 ? "s" : ""}`);
  if (held(before.session) !== held(after.session)) parts.push(held(after.session) ? "session held" : "session released");
  if (!same(before.fields || [], after.fields || [])) parts.push("form changed");
  if (!same(before.data || {}, after.data || {})) parts.push("data changed");
  return clip(parts.join("; "), 200);
}

function leave(r: Req, newState: RequestState, notify: Notify): void {
  state.requests.delete(r.id);
  state.order = state.order.filter((x) => x !== r.id);
  if (state.selectedId === r.id) state.selectedId = firstOpenId();
  notify({ kind: "left", request: r, state: newState });
  changed("list", "thread", "context", "me");
}

// ---- local actions

export function select(id: string): void {
  const r = state.requests.get(id);
  if (!r) return;
  state.selectedId = id;
  if (document.visibilityState === "visible") r.unread = 0;
  changed("list", "thread", "context");
}

export function markSeen(): void {
  const r = state.selectedId ? state.requests.get(state.selectedId) : undefined;
  if (r && r.unread) {
    r.unread = 0;
    changed("list");
  }
}

export function dismiss(id: string): void {
  const r = state.requests.get(id);
  if (!r || isLive(r)) return;
  state.requests.delete(id);
  state.order = state.order.filter((x) => x !== id);
  if (state.selectedId === id) state.selectedId = firstOpenId();
  changed("list", "thread", "context", "me");
}

export function setConn(status: ConnStatus, attempt: number): void {
  state.conn = { status, attempt };
  changed("conn");
}

/** Offers, oldest first (the one Alt+A accepts). */
export function offersOldestFirst(): DeskOffer[] {
  const when = (o: DeskOffer): number => o.at || o.expires_at || 0;
  return [...state.offers.values()].sort((a, b) => when(a) - when(b));
}

export function activeCount(): number {
  let n = 0;
  for (const r of state.requests.values()) if (r.state === "connected") n += 1;
  return n;
}

export function totalUnread(): number {
  let n = 0;
  for (const r of state.requests.values()) n += r.unread;
  return n;
}
