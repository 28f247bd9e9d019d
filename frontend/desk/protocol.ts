// The desk's half of the WebSocket protocol (/ws/specialist) as types, written by hand from
// the server's models (src/tapline/protocol.py, published as JSON Schema at
// /api/v1/protocol.json; docs/protocol.md says what each frame means). socket.ts parses
// frames once and hands them on as these shapes.

/** Unix epoch milliseconds. */
export type Ms = number;

export type RequestState =
  | "new"
  | "scheduled"
  | "waiting"
  | "offered"
  | "connected"
  | "resolved"
  | "cancelled"
  | "dead_end";
export type DeadEndCause =
  | "abandoned"
  | "lost_on_disconnect"
  | "missed_callback"
  | "unresolved"
  | "no_specialist";
export type Disposition = "resolved" | "resolved_with_followup" | "not_resolved" | "duplicate";
export type Channel = "chat" | "voice" | "video";
export type Presence = "available" | "busy" | "away" | "offline";
export type ChoosablePresence = "available" | "busy" | "away";
export type ErrorCode =
  | "bad_json"
  | "bad_frame"
  | "too_large"
  | "unknown_type"
  | "not_allowed"
  | "not_found"
  | "invalid_state"
  | "rate_limited"
  | "hello_required"
  | "stale_seq"
  | "busy"
  | "unavailable"
  | "too_many_sockets"
  | "slot_full"
  | "slot_past"
  | "slot_closed";

// ---- shapes

export interface SpecialistRef {
  name: string;
  role: string;
}

export interface QueueRef {
  id: string;
  name: string;
}

/** One message of a thread; `body` is plain text. */
export interface Message {
  id: number;
  client_id: string;
  sender: "customer" | "specialist" | "system";
  author: string;
  body: string;
  at: Ms;
}

/** What the app sent unsigned beside a valid token. */
export interface Claimed {
  name?: string | null;
  email?: string | null;
}

export interface Customer {
  verified: boolean;
  id: string | null;
  name: string | null;
  email: string | null;
  claimed?: Claimed | null;
}

/** A form field the SDK reports; a masked one never carries `value`. Other keys are the app's. */
export interface ContextField {
  filled: boolean;
  masked?: boolean | null;
  [key: string]: unknown;
}

/** The customer's app state as the SDK made it, sanitized: every other key is the app's choice. */
export interface Context {
  fields: ContextField[];
  errors?: unknown[] | null;
  journey?: unknown[] | null;
  [key: string]: unknown;
}

export type CallbackState =
  | "promised"
  | "ringing"
  | "retrying"
  | "answered"
  | "missed"
  | "requeued"
  | "cancelled"
  | "rescheduled";

export interface Callback {
  id: string;
  kind: "in_queue" | "scheduled";
  state: CallbackState;
  window_start: Ms;
  window_end: Ms;
  slot_start: Ms | null;
  attempts: number;
  kept: boolean | null;
  /** Not in the protocol today: "attempt 1 of 3" when a server sends it. */
  max_attempts?: number;
}

/** A request offered to this specialist. `at` is when the request was made. */
export interface Offer {
  request_id: string;
  channel: Channel;
  priority: number;
  callback: Callback | null;
  offered_at: Ms;
  expires_at: Ms;
  queue: QueueRef | null;
  customer: Customer;
  description: string;
  context: Context;
  at: Ms;
}

export type UaClass = "phone" | "tablet" | "desktop" | "unknown";

/** A source's furthest step; `context` is null in an event whose furthest step did not move. */
export interface Furthest {
  step: string | null;
  rank: number | null;
  at: Ms | null;
  context: Context | null;
}

/** Where a context came from: one tab or device of the customer (docs/protocol.md). */
export interface ContextSource {
  id: string;
  tab: string | null;
  device: string | null;
  ua: UaClass;
  step: string | null;
  step_rank: number | null;
  furthest: Furthest;
  history: { step: string; at: Ms }[];
  updated_at: Ms;
}

export interface CustomerPresence {
  state: "here" | "away" | "gone";
  since: Ms | null;
}

export interface RequestDetail {
  id: string;
  channel: Channel;
  callback: Callback | null;
  state: RequestState;
  cause: DeadEndCause | null;
  queue: QueueRef | null;
  customer: Customer;
  description: string;
  context: Context;
  messages: Message[];
  created_at: Ms;
  connected_at: Ms | null;
  disposition: Disposition | null;
  note: string | null;
  rating: number | null;
  ended_at: Ms | null;
  /** Where its context came from (absent from an older server). */
  sources?: ContextSource[];
  presence?: CustomerPresence | null;
}

export interface QueueCount {
  id: string;
  name: string;
  waiting: number;
}

export interface SpecialistCounts {
  available: number;
  busy: number;
  away: number;
  offline: number;
}

/** docs/protocol.md, Wallboard: answered + abandoned + waiting + ended_unanswered = offered. */
export interface Today {
  offered: number;
  answered: number;
  within_target: number;
  abandoned: number;
  waiting: number;
  waiting_over_target: number;
  ended_unanswered: number;
  /** All but those still waiting inside the target; the service level's denominator. */
  settled: number;
  service_level: number | null;
  target_seconds: number;
  dead_ends: Partial<Record<DeadEndCause, number>>;
  /** Not in the protocol today: a service-level goal, marked met or below when present. */
  target_level?: number;
}

export interface WallboardQueue {
  id: string;
  name: string;
  open: boolean;
  waiting: number;
  /** Seconds; null when nobody waits. */
  oldest_wait: number | null;
  specialists: SpecialistCounts;
  callbacks_due: number;
  callbacks_kept: { kept: number; total: number };
  today: Today;
}

/** What an `ack` carries: `{}`, or one of these (message, resolve, presence, callbacks). */
export interface AckResult {
  message_id?: number;
  state?: RequestState;
  status?: ChoosablePresence;
  callback?: Callback;
}

// ---- signals (no seq)

export interface Welcome {
  type: "welcome";
  specialist_id: string;
  last_seq: number;
}

export interface Pong {
  type: "pong";
}

export interface Ack {
  type: "ack";
  /** The client id of the frame acknowledged. */
  id: string;
  result: AckResult;
}

export interface ErrorSignal {
  type: "error";
  code: ErrorCode;
  message: string;
  /** The client id of the frame refused, if it had one. */
  ref: string | null;
  retry_after?: number | null;
}

export interface TypingSignal {
  type: "typing";
  request_id: string;
  from: "customer" | "specialist";
  active: boolean;
}

export interface QueuesSignal {
  type: "queues";
  queues: QueueCount[];
}

/** Supervisors: a configuration write committed. */
export interface ConfigSignal {
  type: "config";
  what: "queue" | "specialist" | "rules" | "shift";
  id: string | null;
  change: "created" | "updated" | "deleted" | "archived" | "restored" | "deactivated" | "reactivated";
}

/** Supervisors, at most once a second while anything changes. */
export interface WallboardSignal {
  type: "wallboard";
  at: Ms;
  queues: WallboardQueue[];
}

export interface AlertSignal {
  type: "alert";
  kind: "unroutable";
  request_id: string;
  queue_id: string;
  reason: "unqualified" | "declined";
  detail: string;
}

export interface SignedOut {
  type: "signed_out";
}

export type DeskSignal =
  | Welcome
  | Pong
  | Ack
  | ErrorSignal
  | TypingSignal
  | QueuesSignal
  | ConfigSignal
  | WallboardSignal
  | AlertSignal
  | SignedOut
  | CobrowseEventsSignal;

// ---- events (with seq)

interface Sequenced {
  seq: number;
  at: Ms;
}

/** On the stream of the specialist the request leaves (resolved, back to waiting, …). */
export interface RequestStateEvent extends Sequenced {
  type: "request.state";
  request_id: string;
  state: RequestState;
  cause: DeadEndCause | null;
  disposition: Disposition | null;
  note: string | null;
  rating: number | null;
}

export interface MessageEvent extends Sequenced {
  type: "message";
  request_id: string;
  message: Message;
}

export interface OfferEvent extends Sequenced {
  type: "offer";
  offer: Offer;
}

export type WithdrawnReason = "expired" | "declined" | "taken" | "cancelled" | "specialist_left";

export interface OfferWithdrawn extends Sequenced {
  type: "offer.withdrawn";
  request_id: string;
  reason: WithdrawnReason;
}

export interface RequestAssigned extends Sequenced {
  type: "request.assigned";
  request: RequestDetail;
}

export interface ContextUpdated extends Sequenced {
  type: "context.updated";
  request_id: string;
  context: Context;
  /** The tab or device it came from; absent from an older server. */
  source?: ContextSource | null;
}

export interface CustomerPresenceEvent extends Sequenced {
  type: "customer.presence";
  request_id: string;
  presence: CustomerPresence;
}

export interface PresenceEvent extends Sequenced {
  type: "presence";
  status: Presence;
  active: number;
  capacity: number;
}

export interface RequestRated extends Sequenced {
  type: "request.rated";
  request_id: string;
  score: number;
  comment: string | null;
}

export interface CallbackEvent extends Sequenced {
  type: "callback";
  request_id: string;
  callback: Callback;
}

export type RingEndReason = "answered" | "no_answer" | "cancelled" | "rescheduled" | "specialist_left";

export interface CallbackRingEnded extends Sequenced {
  type: "callback.ring_ended";
  request_id: string;
  reason: RingEndReason;
}

export type DeskEvent =
  | RequestStateEvent
  | MessageEvent
  | OfferEvent
  | OfferWithdrawn
  | RequestAssigned
  | ContextUpdated
  | CustomerPresenceEvent
  | PresenceEvent
  | RequestRated
  | CallbackEvent
  | CallbackRingEnded
  | CobrowseEvent;

export type DeskServerFrame = DeskSignal | DeskEvent;

// ---- client frames

export interface Hello {
  type: "hello";
  last_seq: number;
  /** A wall display: no offers, not made present. */
  watch?: boolean;
}

export interface Ping {
  type: "ping";
}

export interface SetPresence {
  type: "presence";
  id: string;
  status: ChoosablePresence;
}

export interface Accept {
  type: "accept";
  id: string;
  request_id: string;
}

export interface Decline {
  type: "decline";
  id: string;
  request_id: string;
}

export interface SendMessage {
  type: "message";
  id: string;
  request_id: string;
  body: string;
}

export interface Resolve {
  type: "resolve";
  id: string;
  request_id: string;
  disposition: Disposition;
  note?: string | null;
}

export interface SendTyping {
  type: "typing";
  request_id: string;
  active: boolean;
}

/** Ask the customer's app for more time on its session (the widget fires `hold`). */
export interface SessionExtend {
  type: "session_extend";
  id: string;
  request_id: string;
}

/** Writes: each carries a client-made id and is kept until its `ack`. */
export type WriteFrame = SetPresence | Accept | Decline | SendMessage | Resolve | SessionExtend | CobrowseAsk | CobrowseStop;
/** Passing signals: sent only while connected, never queued. */
export type SignalFrame = Hello | Ping | SendTyping;

/** A write before it has its id (a resend keeps the one it had). */
export type WriteDraft = WriteFrame extends infer F
  ? F extends { id: string }
    ? Omit<F, "id"> & { id?: string }
    : never
  : never;

// ---- co-browse (docs/protocol.md, "Co-browse")

export interface CobrowseAsk {
  type: "cobrowse_ask";
  id: string;
  request_id: string;
}

export interface CobrowseStop {
  type: "cobrowse_stop";
  id: string;
  request_id: string;
}

/** Only to the specialist the customer allowed: rrweb events of the customer's page. */
export interface CobrowseEventsSignal {
  type: "cobrowse.events";
  request_id: string;
  events: object[];
}

export type CobrowseReason =
  | "customer"
  | "specialist"
  | "specialist_left"
  | "too_much_data"
  | "card_number"
  | "ended"
  | "connection_lost";

/** Asked, allowed (`live`), declined or stopped: the record of who saw what, when. */
export interface CobrowseEvent extends Sequenced {
  type: "cobrowse";
  request_id: string;
  state: "asked" | "live" | "declined" | "stopped";
  by: "customer" | "specialist" | "tapline";
  reason: CobrowseReason | null;
}
