// What the server sends the widget (docs/protocol.md, "Shapes"), read from JSON into types.
// Declared with `type` so each is also a JSON object: they are stored and handed to the host.

import { type Json, type JsonObject, isObject, num, obj, str } from "../shared/json";

/** A request the widget keeps on: still in the queue, connected, or booked. */
export const ACTIVE_STATES: ReadonlySet<string> = new Set(["new", "waiting", "offered", "connected", "scheduled"]);
export const ENDED_STATES: ReadonlySet<string> = new Set(["resolved", "cancelled", "dead_end"]);

/** Seconds; `mean`, `low`, `high` are null when no honest figure exists. */
export type Estimate = {
  position: number | null;
  mean: number | null;
  low: number | null;
  high: number | null;
  at: number | null;
};

/** What the widget offers besides waiting. */
export type Offers = {
  open: boolean | null;
  wait: boolean | null;
  callback: boolean | null;
  schedule: boolean | null;
  next_open: number | null;
  reason: string | null;
};

export type Callback = {
  id: string | null;
  kind: string | null;
  state: string | null;
  window_start: number | null;
  window_end: number | null;
  slot_start: number | null;
  attempts: number | null;
  kept: boolean | null;
};

export type Person = { name: string | null; role: string | null };
export type Queue = { id: string | null; name: string | null };

export type Message = {
  id: string | null;
  client_id: string | null;
  sender: string;
  author: string;
  body: string;
  at: number;
};

function bool(value: Json | undefined): boolean | null {
  return typeof value === "boolean" ? value : null;
}

export function readEstimate(value: Json | undefined): Estimate | null {
  const e = obj(value);
  if (!e) return null;
  return { position: num(e.position), mean: num(e.mean), low: num(e.low), high: num(e.high), at: num(e.at) };
}

export function readOffers(value: Json | undefined): Offers | null {
  const o = obj(value);
  if (!o) return null;
  return {
    open: bool(o.open),
    wait: bool(o.wait),
    callback: bool(o.callback),
    schedule: bool(o.schedule),
    next_open: num(o.next_open),
    reason: str(o.reason),
  };
}

export function readCallback(value: Json | undefined): Callback | null {
  const c = obj(value);
  if (!c) return null;
  return {
    id: str(c.id),
    kind: str(c.kind),
    state: str(c.state),
    window_start: num(c.window_start),
    window_end: num(c.window_end),
    slot_start: num(c.slot_start),
    attempts: num(c.attempts),
    kept: bool(c.kept),
  };
}

export function readPerson(value: Json | undefined): Person | null {
  const p = obj(value);
  return p ? { name: str(p.name), role: str(p.role) } : null;
}

export function readQueue(value: Json | undefined): Queue | null {
  const q = obj(value);
  return q ? { id: str(q.id), name: str(q.name) } : null;
}

/** A message as the server sends it; null fields stay null (merged, not overwritten). */
export type ServerMessage = {
  id: string | null;
  client_id: string | null;
  sender: string | null;
  author: string | null;
  body: string | null;
  at: number | null;
};

export function readMessage(value: Json | undefined): ServerMessage | null {
  const m = obj(value);
  if (!m) return null;
  return {
    id: str(m.id),
    client_id: str(m.client_id),
    sender: str(m.sender),
    author: str(m.author),
    body: str(m.body),
    at: num(m.at),
  };
}

/** A plain JSON object of a typed shape (they are JSON by construction). */
export function asJson(value: Estimate | Offers | Callback | Person | Queue | Message): JsonObject {
  return { ...value };
}

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return isObject(value);
}
