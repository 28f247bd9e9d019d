import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  activeCount, applyEvent, applySnapshot, changed, contextDiff, dismiss, isClosed, isLive, markSeen,
  normalizeRating, offersOldestFirst, on, outcomeText, reset, select, setConn, state, totalUnread, type Notice,
} from "./store";
import type { DeskState } from "./api";
import type { Callback, DeskEvent, Message, Offer, RequestDetail } from "./protocol";

const T0 = 1_800_000_000_000;

function detail(id: string, over: Partial<RequestDetail> = {}): RequestDetail {
  return {
    id,
    channel: "chat",
    callback: null,
    state: "connected",
    cause: null,
    queue: { id: "q1", name: "Payments" },
    customer: { verified: true, id: "u1", name: `Customer ${id}`, email: null },
    description: "Stuck on payment",
    context: { fields: [], flow: "booking", step: "payment" },
    messages: [],
    created_at: T0,
    connected_at: T0 + 1000,
    disposition: null,
    note: null,
    rating: null,
    ended_at: null,
    ...over,
  };
}

function offer(id: string, over: Partial<Offer> = {}): Offer {
  return {
    request_id: id,
    channel: "chat",
    priority: 0,
    callback: null,
    offered_at: T0,
    expires_at: T0 + 30_000,
    queue: { id: "q1", name: "Payments" },
    customer: { verified: false, id: null, name: `Offer ${id}`, email: null },
    description: "Help",
    context: { fields: [] },
    at: T0,
    ...over,
  };
}

function message(id: number, over: Partial<Message> = {}): Message {
  return { id, client_id: `c${id}`, sender: "customer", author: "Sam", body: `m${id}`, at: T0 + id * 1000, ...over };
}

function snapshot(over: Partial<DeskState> = {}): DeskState {
  return {
    specialist: { id: "s1", name: "Ana", email: "ana@example.com", role: "Specialist", presence: "available", capacity: 3, is_supervisor: false },
    csrf: "x",
    seq: 10,
    requests: [],
    offers: [],
    queues: [{ id: "q1", name: "Payments", waiting: 2 }],
    limits: { message_bytes: 4096, context_bytes: 65536 },
    ...over,
  };
}

/** An event as a test writes it: seq and at are optional. */
type Draft = DeskEvent extends infer E ? (E extends DeskEvent ? Omit<E, "seq" | "at"> & { seq?: number; at?: number } : never) : never;

/** Events get the next seq unless told. */
let seq = 10;
function ev(e: Draft): DeskEvent {
  const s = e.seq ?? (seq += 1);
  return { at: T0 + s, ...e, seq: s } as DeskEvent;
}

let notices: Notice[] = [];
const notify = (n: Notice): void => {
  notices.push(n);
};

beforeEach(() => {
  reset();
  state.selectedId = null;
  seq = 10;
  notices = [];
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("applySnapshot", () => {
  it("takes me, the seq, the queues and the offers", () => {
    applySnapshot(snapshot({ offers: [offer("r9")] }));
    expect(state.me?.name).toBe("Ana");
    expect(state.lastSeq).toBe(10);
    expect(state.queues).toEqual([{ id: "q1", name: "Payments", waiting: 2 }]);
    expect([...state.offers.keys()]).toEqual(["r9"]);
  });

  it("orders requests newest first, by connection then creation", () => {
    applySnapshot(snapshot({
      requests: [
        detail("old", { connected_at: T0 + 1000 }),
        detail("new", { connected_at: T0 + 5000 }),
        detail("waiting", { state: "resolved", connected_at: null, created_at: T0 + 3000 }),
      ],
    }));
    expect(state.order).toEqual(["new", "waiting", "old"]);
  });

  it("selects the first live request, else the first one", () => {
    applySnapshot(snapshot({ requests: [detail("a", { state: "resolved", connected_at: T0 + 9000 }), detail("b")] }));
    expect(state.selectedId).toBe("b");
    reset();
    applySnapshot(snapshot({ requests: [detail("a", { state: "resolved" })] }));
    expect(state.selectedId).toBe("a");
  });

  it("keeps the selection when the request is still there", () => {
    applySnapshot(snapshot({ requests: [detail("a"), detail("b", { connected_at: T0 + 9000 })] }));
    select("a");
    applySnapshot(snapshot({ requests: [detail("a"), detail("b", { connected_at: T0 + 9000 })] }));
    expect(state.selectedId).toBe("a");
  });

  it("sorts messages by time and derives the created and connected lines", () => {
    applySnapshot(snapshot({ requests: [detail("a", { messages: [message(3), message(1), message(2)] })] }));
    const r = state.requests.get("a");
    expect(r?.messages.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(r?.events.map((e) => e.text)).toEqual(["Request created in Payments", "Connected: you joined the chat"]);
  });

  it("adds the outcome after the last message of a closed request", () => {
    applySnapshot(snapshot({ requests: [detail("a", { state: "resolved", disposition: "resolved", messages: [message(5)] })] }));
    const last = state.requests.get("a")?.events.at(-1);
    expect(last).toEqual({ text: "Outcome: Resolved", at: T0 + 5001, tone: "good" });
  });

  it("keeps unread counts, pending replies and live events across a fresh snapshot", () => {
    applySnapshot(snapshot({ requests: [detail("a")] }));
    const r = state.requests.get("a");
    if (!r) throw new Error("no request");
    r.unread = 2;
    r.pending.set("p1", { client_id: "p1", body: "hi", at: T0, status: "sending", error: "" });
    r.pending.set("c4", { client_id: "c4", body: "sent", at: T0, status: "sending", error: "" });
    r.events.push({ text: "Context updated", at: T0 + 2, tone: "info", live: true });
    applySnapshot(snapshot({ seq: 12, requests: [detail("a", { messages: [message(4, { sender: "specialist" })] })] }));
    const again = state.requests.get("a");
    expect(again?.unread).toBe(2);
    expect([...(again?.pending.keys() ?? [])]).toEqual(["p1"]); // c4 is in the thread now
    expect(again?.events.some((e) => e.text === "Context updated")).toBe(true);
  });

  it("turns a numeric rating into {score, comment}", () => {
    applySnapshot(snapshot({ requests: [detail("a", { state: "resolved", disposition: "resolved", rating: 4 })] }));
    expect(state.requests.get("a")?.rating).toEqual({ score: 4, comment: "" });
  });

  it("tells every topic", async () => {
    const seen: string[] = [];
    on("queues", () => seen.push("queues"));
    applySnapshot(snapshot());
    await Promise.resolve();
    expect(seen).toContain("queues");
  });
});

describe("applyEvent: ordering by seq", () => {
  beforeEach(() => applySnapshot(snapshot()));

  it("applies the next seq and moves lastSeq on", () => {
    expect(applyEvent(ev({ type: "offer", offer: offer("r1") }), notify)).toBe("applied");
    expect(state.lastSeq).toBe(11);
  });

  it("ignores a seq already seen (a replay overlap)", () => {
    applyEvent(ev({ type: "offer", offer: offer("r1") }), notify);
    expect(applyEvent(ev({ type: "offer", offer: offer("r2"), seq: 11 }), notify)).toBe("duplicate");
    expect(applyEvent(ev({ type: "offer", offer: offer("r3"), seq: 3 }), notify)).toBe("duplicate");
    expect([...state.offers.keys()]).toEqual(["r1"]);
    expect(state.lastSeq).toBe(11);
  });

  it("reports a gap and applies nothing", () => {
    expect(applyEvent(ev({ type: "offer", offer: offer("r1"), seq: 13 }), notify)).toBe("gap");
    expect(state.lastSeq).toBe(10);
    expect(state.offers.size).toBe(0);
    expect(notices).toEqual([]);
  });

  it("applies the missing events once replayed, then the one after", () => {
    expect(applyEvent(ev({ type: "offer", offer: offer("r3"), seq: 13 }))).toBe("gap");
    expect(applyEvent(ev({ type: "offer", offer: offer("r1"), seq: 11 }))).toBe("applied");
    expect(applyEvent(ev({ type: "offer", offer: offer("r2"), seq: 12 }))).toBe("applied");
    expect(applyEvent(ev({ type: "offer", offer: offer("r3"), seq: 13 }))).toBe("applied");
    expect(state.lastSeq).toBe(13);
  });

  it("counts an unknown event type as applied and ignores it", () => {
    const unknown = { type: "something.new", seq: 11, at: T0 } as unknown as DeskEvent;
    expect(applyEvent(unknown, notify)).toBe("applied");
    expect(state.lastSeq).toBe(11);
    expect(notices).toEqual([]);
  });

  it("defaults to a silent notify", () => {
    expect(applyEvent(ev({ type: "offer", offer: offer("r1") }))).toBe("applied");
  });
});

describe("offers", () => {
  beforeEach(() => applySnapshot(snapshot({ requests: [detail("mine")] })));

  it("adds an offer and announces it", () => {
    applyEvent(ev({ type: "offer", offer: offer("r1") }), notify);
    expect(state.offers.get("r1")?.customer.name).toBe("Offer r1");
    expect(notices.map((n) => n.kind)).toEqual(["offer"]);
  });

  it("ignores an offer for a request already mine and open", () => {
    applyEvent(ev({ type: "offer", offer: offer("mine") }), notify);
    expect(state.offers.has("mine")).toBe(false);
    expect(notices).toEqual([]);
  });

  it("ignores an offer without a request id", () => {
    applyEvent(ev({ type: "offer", offer: offer("") }), notify);
    expect(state.offers.size).toBe(0);
  });

  it("withdraws an offer and says why, unless I accepted it", () => {
    applyEvent(ev({ type: "offer", offer: offer("r1") }), notify);
    applyEvent(ev({ type: "offer", offer: offer("r2") }), notify);
    state.acceptedByMe.add("r2");
    applyEvent(ev({ type: "offer.withdrawn", request_id: "r1", reason: "expired" }), notify);
    applyEvent(ev({ type: "offer.withdrawn", request_id: "r2", reason: "taken" }), notify);
    expect(state.offers.size).toBe(0);
    expect(notices.filter((n) => n.kind === "offer.withdrawn")).toHaveLength(1);
    expect(notices.at(-1)).toMatchObject({ kind: "offer.withdrawn", reason: "expired" });
  });

  it("lists offers oldest first", () => {
    applyEvent(ev({ type: "offer", offer: offer("late", { at: T0 + 5000 }) }));
    applyEvent(ev({ type: "offer", offer: offer("early", { at: T0 + 1000 }) }));
    expect(offersOldestFirst().map((o) => o.request_id)).toEqual(["early", "late"]);
  });

  it("drops an offer whose request went away", () => {
    applyEvent(ev({ type: "offer", offer: offer("r1") }));
    applyEvent(ev({ type: "request.state", request_id: "r1", state: "cancelled", cause: null, disposition: null, note: null, rating: null }));
    expect(state.offers.has("r1")).toBe(false);
  });
});

describe("request.assigned", () => {
  beforeEach(() => applySnapshot(snapshot()));

  it("moves the offer to my requests, newest first, keeping its channel and callback", () => {
    const cb: Callback = { id: "r1", kind: "in_queue", state: "promised", window_start: T0, window_end: T0 + 60_000, slot_start: null, attempts: 0, kept: null };
    applyEvent(ev({ type: "offer", offer: offer("r1", { channel: "voice", callback: cb }) }));
    const d = detail("r1");
    Reflect.deleteProperty(d, "channel");
    Reflect.deleteProperty(d, "callback");
    applyEvent(ev({ type: "request.assigned", request: d }), notify);
    const r = state.requests.get("r1");
    expect(state.offers.has("r1")).toBe(false);
    expect(r?.channel).toBe("voice");
    expect(r?.callback).toEqual(cb);
    expect(state.order[0]).toBe("r1");
    expect(notices.at(-1)).toMatchObject({ kind: "assigned", mine: false });
  });

  it("selects what I accepted, even with another chat open", () => {
    applyEvent(ev({ type: "request.assigned", request: detail("a") }));
    expect(state.selectedId).toBe("a");
    state.acceptedByMe.add("b");
    applyEvent(ev({ type: "request.assigned", request: detail("b") }), notify);
    expect(state.selectedId).toBe("b");
    expect(notices.at(-1)).toMatchObject({ kind: "assigned", mine: true });
  });

  it("leaves a live chat selected when another is assigned", () => {
    applyEvent(ev({ type: "request.assigned", request: detail("a") }));
    applyEvent(ev({ type: "request.assigned", request: detail("b") }));
    expect(state.selectedId).toBe("a");
    expect(state.order).toEqual(["b", "a"]);
  });

  it("ignores a detail without an id", () => {
    applyEvent(ev({ type: "request.assigned", request: detail("") }));
    expect(state.requests.size).toBe(0);
  });
});

describe("messages and unread counts", () => {
  beforeEach(() => {
    applySnapshot(snapshot({ requests: [detail("a"), detail("b", { connected_at: T0 })] }));
    select("a");
  });

  it("appends a message once, however often it comes", () => {
    applyEvent(ev({ type: "message", request_id: "a", message: message(1) }), notify);
    applyEvent(ev({ type: "message", request_id: "a", message: message(1) }), notify);
    expect(state.requests.get("a")?.messages).toHaveLength(1);
    expect(notices).toHaveLength(1);
  });

  it("keeps the thread in time order when a message arrives late", () => {
    applyEvent(ev({ type: "message", request_id: "a", message: message(5) }));
    applyEvent(ev({ type: "message", request_id: "a", message: message(2) }));
    expect(state.requests.get("a")?.messages.map((m) => m.id)).toEqual([2, 5]);
  });

  it("counts customer messages in a chat that isn't open", () => {
    applyEvent(ev({ type: "message", request_id: "b", message: message(1) }), notify);
    applyEvent(ev({ type: "message", request_id: "b", message: message(2) }), notify);
    expect(state.requests.get("b")?.unread).toBe(2);
    expect(totalUnread()).toBe(2);
    expect(notices.at(-1)).toMatchObject({ kind: "message", seen: false });
  });

  it("doesn't count messages in the open chat", () => {
    applyEvent(ev({ type: "message", request_id: "a", message: message(1) }), notify);
    expect(state.requests.get("a")?.unread).toBe(0);
    expect(notices.at(-1)).toMatchObject({ kind: "message", seen: true });
  });

  it("counts messages in the open chat while the tab is hidden", () => {
    vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    applyEvent(ev({ type: "message", request_id: "a", message: message(1) }));
    expect(state.requests.get("a")?.unread).toBe(1);
  });

  it("doesn't count my own or system messages, nor announce them", () => {
    applyEvent(ev({ type: "message", request_id: "b", message: message(1, { sender: "specialist" }) }), notify);
    applyEvent(ev({ type: "message", request_id: "b", message: message(2, { sender: "system" }) }), notify);
    expect(state.requests.get("b")?.unread).toBe(0);
    expect(notices).toEqual([]);
  });

  it("clears the pending reply the echoed message stands for", () => {
    const r = state.requests.get("a");
    r?.pending.set("c1", { client_id: "c1", body: "hi", at: T0, status: "sending", error: "" });
    applyEvent(ev({ type: "message", request_id: "a", message: message(1, { sender: "specialist" }) }));
    expect(r?.pending.size).toBe(0);
  });

  it("ends the customer's typing hint on their message", () => {
    const r = state.requests.get("a");
    if (r) r.typingUntil = Date.now() + 5000;
    applyEvent(ev({ type: "message", request_id: "a", message: message(1) }));
    expect(r?.typingUntil).toBe(0);
  });

  it("selecting a chat clears its count; markSeen clears the open one", () => {
    applyEvent(ev({ type: "message", request_id: "b", message: message(1) }));
    select("b");
    expect(state.requests.get("b")?.unread).toBe(0);
    const a = state.requests.get("a");
    if (a) a.unread = 3;
    select("a");
    if (a) a.unread = 3;
    markSeen();
    expect(a?.unread).toBe(0);
  });

  it("keeps the count when selecting while the tab is hidden", () => {
    applyEvent(ev({ type: "message", request_id: "b", message: message(1) }));
    vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    select("b");
    expect(state.selectedId).toBe("b");
    expect(state.requests.get("b")?.unread).toBe(1);
  });

  it("ignores a message for a request that isn't mine", () => {
    expect(applyEvent(ev({ type: "message", request_id: "zz", message: message(1) }), notify)).toBe("applied");
    expect(notices).toEqual([]);
  });

  it("ignores select() of an unknown id", () => {
    select("nope");
    expect(state.selectedId).toBe("a");
  });
});

describe("request.state and outcomes", () => {
  beforeEach(() => applySnapshot(snapshot({ requests: [detail("a"), detail("b", { connected_at: T0 })] })));

  const stateEv = (state: RequestDetail["state"], over: Record<string, unknown> = {}) =>
    ev({ type: "request.state", request_id: "a", state, cause: null, disposition: null, note: null, rating: null, ...over });

  it("closes a request with its outcome and tone", () => {
    applyEvent(stateEv("resolved", { disposition: "resolved_with_followup" }), notify);
    const r = state.requests.get("a");
    expect(r?.state).toBe("resolved");
    expect(isLive(r)).toBe(false);
    expect(r?.events.at(-1)).toMatchObject({ text: "Outcome: Resolved, follow-up needed", tone: "good", live: true });
    expect(notices.at(-1)).toMatchObject({ kind: "closed" });
  });

  it("a not-resolved outcome is a warning", () => {
    applyEvent(stateEv("resolved", { disposition: "not_resolved" }));
    expect(state.requests.get("a")?.events.at(-1)?.tone).toBe("warn");
  });

  it("a cancelled request says so", () => {
    applyEvent(stateEv("cancelled"));
    expect(state.requests.get("a")?.events.at(-1)).toMatchObject({ text: "The customer cancelled the request", tone: "info" });
  });

  it("a dead end names its cause", () => {
    applyEvent(stateEv("dead_end", { cause: "lost_on_disconnect" }));
    expect(state.requests.get("a")?.events.at(-1)?.text).toBe("Dead end: lost on disconnect");
  });

  it("takes the rating the state event carries", () => {
    applyEvent(stateEv("resolved", { disposition: "resolved", rating: 5 }));
    expect(state.requests.get("a")?.rating).toEqual({ score: 5, comment: "" });
  });

  it("clears a pending resolve when the request closes", () => {
    const r = state.requests.get("a");
    if (r) r.resolving = "acked";
    applyEvent(stateEv("resolved", { disposition: "resolved" }));
    expect(r?.resolving).toBeNull();
  });

  it("adds no line when the state doesn't change", () => {
    const before = state.requests.get("a")?.events.length;
    applyEvent(stateEv("connected"), notify);
    expect(state.requests.get("a")?.events.length).toBe(before);
    expect(notices).toEqual([]);
  });

  it("a request back to waiting leaves the list and the selection moves on", () => {
    select("a");
    applyEvent(stateEv("waiting"), notify);
    expect(state.requests.has("a")).toBe(false);
    expect(state.order).toEqual(["b"]);
    expect(state.selectedId).toBe("b");
    expect(notices.at(-1)).toMatchObject({ kind: "left", state: "waiting" });
  });

  it("counts only connected requests as active", () => {
    expect(activeCount()).toBe(2);
    applyEvent(stateEv("resolved", { disposition: "duplicate" }));
    expect(activeCount()).toBe(1);
  });

  it("a closed request can be dismissed, a live one can't", () => {
    dismiss("b");
    expect(state.requests.has("b")).toBe(true);
    applyEvent(stateEv("cancelled"));
    select("a");
    dismiss("a");
    expect(state.requests.has("a")).toBe(false);
    expect(state.selectedId).toBe("b");
  });

  it("a rating adds a line and replaces the score", () => {
    applyEvent(stateEv("resolved", { disposition: "resolved" }));
    applyEvent(ev({ type: "request.rated", request_id: "a", score: 4, comment: "Quick" }), notify);
    expect(state.requests.get("a")?.rating).toEqual({ score: 4, comment: "Quick" });
    expect(state.requests.get("a")?.events.at(-1)?.text).toBe("Customer rated 4 of 5");
    expect(notices.at(-1)).toMatchObject({ kind: "rated" });
  });
});

describe("outcomeText and isClosed", () => {
  it("words every outcome", () => {
    expect(outcomeText({ state: "resolved", disposition: "duplicate", cause: null })).toBe("Outcome: Duplicate");
    expect(outcomeText({ state: "resolved", disposition: null, cause: null })).toBe("Outcome: Resolved");
    expect(outcomeText({ state: "dead_end", disposition: "not_resolved", cause: "unresolved" })).toBe("Closed as dead end: Not resolved");
    expect(outcomeText({ state: "dead_end", disposition: null, cause: null })).toBe("Dead end");
    expect(outcomeText({ state: "waiting", disposition: null, cause: null })).toBe("Waiting");
  });

  it("knows the closed states", () => {
    expect(["resolved", "cancelled", "dead_end"].every((s) => isClosed({ state: s as "resolved" }))).toBe(true);
    expect(isClosed({ state: "connected" })).toBe(false);
    expect(isLive(undefined)).toBe(false);
  });
});

describe("context, callbacks and presence", () => {
  beforeEach(() => applySnapshot(snapshot({ requests: [detail("a")], offers: [offer("o1")] })));

  it("a context update replaces the context and says what changed", () => {
    applyEvent(ev({ type: "context.updated", request_id: "a", context: { fields: [], flow: "booking", step: "review", errors: [{ code: "E1" }] } }));
    const r = state.requests.get("a");
    expect(r?.context.step).toBe("review");
    expect(r?.events.at(-1)?.text).toBe("Context updated: step payment → review; 1 new error");
  });

  it("a context update reaches an offer too", () => {
    applyEvent(ev({ type: "context.updated", request_id: "o1", context: { fields: [], step: "x" } }));
    expect(state.offers.get("o1")?.context.step).toBe("x");
  });

  it("a callback event keeps the callback and adds a line when its state changes", () => {
    const cb: Callback = { id: "a", kind: "in_queue", state: "ringing", window_start: T0, window_end: T0 + 1, slot_start: null, attempts: 1, kept: null };
    applyEvent(ev({ type: "callback", request_id: "a", callback: cb }));
    const r = state.requests.get("a");
    expect(r?.ringing).toBe(true);
    expect(r?.events.at(-1)?.text).toBe("Ringing the customer… (attempt 1)");
    const lines = r?.events.length;
    applyEvent(ev({ type: "callback", request_id: "a", callback: { ...cb } }));
    expect(r?.events.length).toBe(lines);
  });

  it("a ring that ended stops the banner and says how", () => {
    const r = state.requests.get("a");
    if (r) r.ringing = true;
    applyEvent(ev({ type: "callback.ring_ended", request_id: "a", reason: "answered" }), notify);
    expect(r?.ringing).toBe(false);
    expect(notices.at(-1)).toMatchObject({ kind: "ring_ended", text: "The customer answered the ring" });
  });

  it("presence updates me and clears the presence asked for", () => {
    state.presencePending = "busy";
    applyEvent(ev({ type: "presence", status: "busy", active: 1, capacity: 4 }));
    expect(state.me).toMatchObject({ presence: "busy", active: 1, capacity: 4 });
    expect(state.presencePending).toBeNull();
  });
});

describe("contextDiff", () => {
  it("is empty when nothing it watches changed", () => {
    expect(contextDiff({ fields: [], flow: "a" }, { fields: [], flow: "a" })).toBe("");
  });

  it("names flow, step, errors, journey, session, form and data", () => {
    const text = contextDiff(
      { fields: [{ filled: false }], flow: "a", step: "s1", errors: [], journey: [], session: { held: false }, data: { x: 1 } },
      { fields: [{ filled: true }], flow: "b", step: "s2", errors: [1, 2], journey: [1], session: { held: true }, data: { x: 2 } },
    );
    expect(text).toBe("flow a → b; step s1 → s2; 2 new errors; 1 journey event; session held; form changed; data changed");
  });

  it("shows a missing side as a dash and a released session", () => {
    expect(contextDiff({ step: "s1", session: { held: true } }, { session: {} })).toBe("step s1 → —; session released");
  });

  it("doesn't count fewer errors as new", () => {
    expect(contextDiff({ errors: [1, 2] }, { errors: [1] })).toBe("");
  });
});

describe("small helpers", () => {
  it("normalizes ratings", () => {
    expect(normalizeRating(null)).toBeNull();
    expect(normalizeRating(3)).toEqual({ score: 3, comment: "" });
    expect(normalizeRating({ score: 2, comment: "ok" })).toEqual({ score: 2, comment: "ok" });
    expect(normalizeRating("5")).toBeNull();
  });

  it("setConn records the status and attempt", () => {
    setConn("reconnecting", 3);
    expect(state.conn).toEqual({ status: "reconnecting", attempt: 3 });
  });

  it("batches changes into one call per topic per microtask", async () => {
    const calls: string[] = [];
    on("board", () => calls.push("board"));
    changed("board");
    changed("board", "board");
    expect(calls).toEqual([]);
    await Promise.resolve();
    expect(calls).toEqual(["board"]);
  });

  it("reset forgets everything of the session", () => {
    applySnapshot(snapshot({ requests: [detail("a")] }));
    state.acceptedByMe.add("a");
    reset();
    expect(state.me).toBeNull();
    expect(state.requests.size).toBe(0);
    expect(state.acceptedByMe.size).toBe(0);
    expect(state.lastSeq).toBe(0);
  });
});

describe("context sources and the customer's presence", () => {
  const tab1 = {
    id: "d1/t1", tab: "t1", device: "d1", ua: "desktop" as const, step: "payment", step_rank: 3,
    furthest: { step: "payment", rank: 3, at: T0, context: { fields: [], step: "payment", data: { fare: 412 } } },
    history: [], updated_at: T0,
  };
  beforeEach(() => applySnapshot(snapshot({ requests: [detail("a", { sources: [tab1], presence: { state: "here", since: T0 } })] })));

  it("a second tab on search is added beside the first, and the thread says which", () => {
    const tab2 = { ...tab1, id: "d1/t2", tab: "t2", step: "search", step_rank: 0, furthest: { step: "search", rank: 0, at: T0 + 5, context: null }, updated_at: T0 + 5 };
    applyEvent(ev({ type: "context.updated", request_id: "a", context: { fields: [], step: "search", data: {} }, source: tab2 }));
    const r = state.requests.get("a");
    expect(r?.sources.map((s) => [s.id, s.furthest.step])).toEqual([["d1/t1", "payment"], ["d1/t2", "search"]]);
    expect(r?.sources[0].furthest.context?.data).toEqual({ fare: 412 });
    expect(r?.events.at(-1)?.text).toBe("Context from another tab: step search");
  });

  it("an update from the same tab says what changed in that tab", () => {
    const back = { ...tab1, step: "search", step_rank: 0, updated_at: T0 + 5 };
    applyEvent(ev({ type: "context.updated", request_id: "a", context: { fields: [], step: "search" }, source: back }));
    const r = state.requests.get("a");
    expect(r?.events.at(-1)?.text).toBe("Context updated: step payment → search");
    expect(r?.sources[0].furthest.context?.data).toEqual({ fare: 412 });
  });

  it("customer.presence sets the presence and adds a line", () => {
    applyEvent(ev({ type: "customer.presence", request_id: "a", presence: { state: "gone", since: T0 + 9 } }));
    const r = state.requests.get("a");
    expect(r?.presence).toEqual({ state: "gone", since: T0 + 9 });
    expect(r?.events.at(-1)?.text).toBe("Customer left: no page open");
  });
});
