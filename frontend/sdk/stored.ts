// A request as kept in storage (docs/sdk.md, "Connection and resume"):
// sessionStorage["tapline:<app>"] for this tab, and localStorage["tapline:<app>:live"] (no
// outbox or draft, with the journey) while it has a callback, for every tab of the browser.
// The same shape comes from GET /customers/requests for another device's request.

import { type Json, type JsonObject, isObject, list, num, obj, str } from "../shared/json";
import { type WriteFrame, isWrite } from "../shared/stream";
import {
  ACTIVE_STATES,
  type Callback,
  type Estimate,
  type Offers,
  type Queue,
  readCallback,
  readEstimate,
  readOffers,
  readQueue,
} from "./shapes";

export type StoredRequest = {
  request_id: string;
  customer_token: string;
  last_seq: number;
  state: string;
  cause: string | null;
  outbox: WriteFrame[];
  draft: string;
  estimate: Estimate | null;
  options: Offers | null;
  queue: Queue | null;
  callback: Callback | null;
};

/** A stored (or found) request, or null when it lacks its id or token. */
export function readStored(value: Json | null | undefined): StoredRequest | null {
  if (!isObject(value)) return null;
  const id = value.request_id;
  const token = value.customer_token;
  if (id === undefined || id === null || token === undefined || token === null || id === "" || token === "") return null;
  return {
    request_id: String(id),
    customer_token: String(token),
    last_seq: num(value.last_seq) ?? 0,
    state: str(value.state) || "waiting",
    cause: str(value.cause),
    outbox: list(value.outbox).filter(isWrite),
    draft: str(value.draft) ?? "",
    estimate: readEstimate(value.estimate),
    options: readOffers(value.options),
    queue: readQueue(value.queue),
    callback: readCallback(value.callback),
  };
}

export function isActive(stored: StoredRequest): boolean {
  return ACTIVE_STATES.has(stored.state);
}

/** The JSON kept in storage. */
export function storedJson(s: StoredRequest): JsonObject {
  return {
    request_id: s.request_id,
    customer_token: s.customer_token,
    last_seq: s.last_seq,
    state: s.state,
    cause: s.cause,
    outbox: s.outbox,
    draft: s.draft,
    estimate: s.estimate,
    options: s.options,
    queue: s.queue,
    callback: s.callback,
  };
}

/** The errors and journey kept with a request for every tab (they go with it). */
export function historyOf(value: Json | null): { errors: Json; journey: Json } | null {
  const o = obj(value);
  return o ? { errors: o.errors ?? null, journey: o.journey ?? null } : null;
}
