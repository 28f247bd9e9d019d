import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DeskSocket, FrameError, parseFrame, type DeskSocketOptions } from "./socket";
import type { ConnStatus } from "./store";

/** A WebSocket that records what is sent and lets the test play the server. */
class FakeSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  sent: Record<string, unknown>[] = [];
  closed: [number, string] | null = null;

  constructor(readonly url: string) {
    super();
    FakeSocket.all.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000, reason = ""): void {
    this.closed = [code, reason];
    this.readyState = FakeSocket.CLOSED;
  }

  // ---- the server's side
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }

  receive(frame: unknown): void {
    this.dispatchEvent(new MessageEvent("message", { data: typeof frame === "string" ? frame : JSON.stringify(frame) }));
  }

  drop(code = 1006): void {
    this.readyState = FakeSocket.CLOSED;
    this.dispatchEvent(new CloseEvent("close", { code }));
  }

  types(): unknown[] {
    return this.sent.map((f) => f.type);
  }
}

const last = (): FakeSocket => {
  const ws = FakeSocket.all.at(-1);
  if (!ws) throw new Error("no socket opened");
  return ws;
};

let statuses: Array<[ConnStatus, number]>;
let made: DeskSocket[] = [];
let options: DeskSocketOptions;
let online: boolean;

function make(over: Partial<DeskSocketOptions> = {}): DeskSocket {
  options = {
    lastSeq: () => 7,
    onEvent: vi.fn(),
    onSignal: vi.fn(),
    onStatus: (s, a) => statuses.push([s, a]),
    isSignedIn: vi.fn(() => Promise.resolve(true)),
    onSignedOut: vi.fn(),
    onAck: vi.fn(),
    onFrameError: vi.fn(),
    ...over,
  };
  const s = new DeskSocket(options);
  made.push(s);
  return s;
}

/** Start, open and welcome: the socket is ready. */
function ready(s: DeskSocket): FakeSocket {
  s.start();
  const ws = last();
  ws.open();
  ws.receive({ type: "welcome", specialist_id: "s1", last_seq: 7 });
  return ws;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  statuses = [];
  online = true;
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.spyOn(navigator, "onLine", "get").mockImplementation(() => online);
  vi.spyOn(Math, "random").mockReturnValue(0.5); // no jitter
  sessionStorage.clear();
});

afterEach(() => {
  for (const s of made) s.stop(); // no listeners left for the next test
  made = [];
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("connecting", () => {
  it("says hello with the last seq, and is ready on welcome", () => {
    const s = make();
    s.start();
    const ws = last();
    expect(ws.url).toBe(`ws://${location.host}/ws/specialist`);
    expect(statuses).toEqual([["connecting", 0]]);
    ws.open();
    expect(ws.sent).toEqual([{ type: "hello", last_seq: 7 }]);
    expect(s.ready).toBe(false);
    ws.receive({ type: "welcome", specialist_id: "s1", last_seq: 7 });
    expect(s.ready).toBe(true);
    expect(statuses.at(-1)).toEqual(["connected", 0]);
    expect(options.onSignal).toHaveBeenCalledWith({ type: "welcome", specialist_id: "s1", last_seq: 7 });
  });

  it("says watch in hello on a wall display", () => {
    const s = make({ watch: () => true });
    s.start();
    last().open();
    expect(last().sent[0]).toEqual({ type: "hello", last_seq: 7, watch: true });
  });

  it("waits for the network when offline", () => {
    online = false;
    const s = make();
    s.start();
    expect(FakeSocket.all).toHaveLength(0);
    expect(statuses).toEqual([["offline", 0]]);
    online = true;
    window.dispatchEvent(new Event("online"));
    expect(FakeSocket.all).toHaveLength(1);
    expect(statuses.at(-1)).toEqual(["reconnecting", 1]);
  });

  it("closes on going offline, and says so", () => {
    const s = make();
    const ws = ready(s);
    window.dispatchEvent(new Event("offline"));
    expect(ws.closed).toEqual([4000, "offline"]);
    expect(statuses.at(-1)).toEqual(["offline", 0]);
  });
});

describe("events and signals", () => {
  it("hands sequenced events on, and signals apart", () => {
    const s = make();
    const ws = ready(s);
    ws.receive({ type: "offer", seq: 8, at: 1, offer: {} });
    ws.receive({ type: "queues", queues: [] });
    ws.receive({ type: "typing", seq: 9, request_id: "r", from: "customer", active: true });
    expect(options.onEvent).toHaveBeenCalledTimes(1);
    expect(options.onEvent).toHaveBeenCalledWith({ type: "offer", seq: 8, at: 1, offer: {} });
    expect(options.onSignal).toHaveBeenCalledTimes(3); // welcome, queues, typing (a signal even with a seq)
  });

  it("drops what isn't a JSON object", () => {
    const s = make();
    const ws = ready(s);
    ws.receive("{not json");
    ws.receive("42");
    ws.receive("null");
    expect(options.onEvent).not.toHaveBeenCalled();
    expect(options.onSignal).toHaveBeenCalledTimes(1);
    expect(parseFrame(new Blob())).toBeNull();
    expect(parseFrame('{"type":"pong"}')).toEqual({ type: "pong" });
  });
});

describe("the outbox", () => {
  it("gives each write a fresh id and keeps it until its ack", async () => {
    const s = make();
    const ws = ready(s);
    const { id, done } = s.write({ type: "accept", request_id: "r1" });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ws.sent.at(-1)).toEqual({ type: "accept", request_id: "r1", id });
    expect(s.pending()).toHaveLength(1);
    ws.receive({ type: "ack", id, result: {} });
    await expect(done).resolves.toEqual({});
    expect(s.pending()).toEqual([]);
    expect(options.onAck).toHaveBeenCalledWith(id, {}, { type: "accept", request_id: "r1", id });
  });

  it("keeps an id given to it (a resend)", () => {
    const s = make();
    ready(s);
    expect(s.write({ type: "message", id: "same-id", request_id: "r1", body: "hi" }).id).toBe("same-id");
  });

  it("queues writes while disconnected and sends them in order after welcome", () => {
    const s = make();
    s.start();
    const a = s.write({ type: "message", request_id: "r1", body: "one" });
    const b = s.write({ type: "message", request_id: "r1", body: "two" });
    const ws = last();
    ws.open();
    expect(ws.types()).toEqual(["hello"]);
    ws.receive({ type: "welcome", specialist_id: "s1", last_seq: 7 });
    expect(ws.sent.slice(1).map((f) => f.id)).toEqual([a.id, b.id]);
  });

  it("sends unacknowledged writes again, same ids, after a reconnect", () => {
    const s = make();
    const ws = ready(s);
    const { id } = s.write({ type: "resolve", request_id: "r1", disposition: "resolved" });
    ws.drop();
    vi.advanceTimersByTime(500);
    const again = last();
    expect(again).not.toBe(ws);
    again.open();
    again.receive({ type: "welcome", specialist_id: "s1", last_seq: 7 });
    expect(again.sent.at(-1)).toEqual({ type: "resolve", request_id: "r1", disposition: "resolved", id });
  });

  it("keeps only the latest presence", async () => {
    const s = make();
    const first = s.write({ type: "presence", status: "busy" });
    const second = s.write({ type: "presence", status: "away" });
    await expect(first.done).resolves.toEqual({ superseded: true });
    expect(s.pending().map((f) => f.id)).toEqual([second.id]);
  });

  it("rejects a refused write with its code and forgets it", async () => {
    const s = make();
    const ws = ready(s);
    const { id, done } = s.write({ type: "accept", request_id: "r1" });
    ws.receive({ type: "error", code: "not_found", message: "No such offer", ref: id });
    await expect(done).rejects.toEqual(new FrameError("No such offer", "not_found"));
    await done.catch((err: unknown) => expect((err as FrameError).code).toBe("not_found"));
    expect(s.pending()).toEqual([]);
    expect(options.onFrameError).toHaveBeenCalledWith(expect.objectContaining({ code: "not_found" }), expect.objectContaining({ id }));
  });

  it("tries a rate-limited write again 1.5 s later, same id", () => {
    const s = make();
    const ws = ready(s);
    const { id } = s.write({ type: "message", request_id: "r1", body: "hi" });
    ws.receive({ type: "error", code: "rate_limited", message: "slow down", ref: id });
    expect(ws.sent.filter((f) => f.id === id)).toHaveLength(1);
    vi.advanceTimersByTime(1499);
    expect(ws.sent.filter((f) => f.id === id)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ws.sent.filter((f) => f.id === id)).toHaveLength(2);
    expect(s.pending()).toHaveLength(1);
    expect(options.onFrameError).not.toHaveBeenCalled();
  });

  it("passes an error about no frame of ours on", () => {
    const s = make();
    const ws = ready(s);
    ws.receive({ type: "error", code: "bad_frame", message: "bad", ref: null });
    expect(options.onFrameError).toHaveBeenCalledWith(expect.objectContaining({ code: "bad_frame" }), undefined);
  });

  it("rejects every waiting write on sign-out", async () => {
    const s = make();
    const { done } = s.write({ type: "accept", request_id: "r1" });
    s.clearOutbox();
    await expect(done).rejects.toThrow("signed out");
    expect(s.pending()).toEqual([]);
  });

  it("sends signals only while connected, and never queues them", () => {
    const s = make();
    s.start();
    s.signal({ type: "typing", request_id: "r1", active: true });
    const ws = last();
    ws.open();
    ws.receive({ type: "welcome", specialist_id: "s1", last_seq: 7 });
    expect(ws.types()).toEqual(["hello"]);
    s.signal({ type: "typing", request_id: "r1", active: true });
    expect(ws.types()).toEqual(["hello", "typing"]);
  });
});

describe("unsent replies across a reload", () => {
  it("keeps message writes in sessionStorage, and only those", () => {
    const s = make({ storageKey: "outbox" });
    const m = s.write({ type: "message", request_id: "r1", body: "hi" });
    s.write({ type: "accept", request_id: "r2" });
    const saved = JSON.parse(sessionStorage.getItem("outbox") || "[]") as Array<{ id: string }>;
    expect(saved.map((f) => f.id)).toEqual([m.id]);
  });

  it("restores them on the next start and removes the entry once acknowledged", () => {
    const first = make({ storageKey: "outbox" });
    const { id } = first.write({ type: "message", request_id: "r1", body: "hi" });
    const s = make({ storageKey: "outbox" });
    expect(s.pending()).toEqual([{ type: "message", request_id: "r1", body: "hi", id }]);
    const ws = ready(s);
    expect(ws.sent.at(-1)?.id).toBe(id);
    ws.receive({ type: "ack", id, result: { message_id: 3 } });
    expect(sessionStorage.getItem("outbox")).toBeNull();
  });

  it("ignores a damaged entry", () => {
    sessionStorage.setItem("outbox", "{oops");
    expect(make({ storageKey: "outbox" }).pending()).toEqual([]);
    sessionStorage.setItem("outbox", JSON.stringify([{ type: "accept", id: "x" }, { type: "message" }, null]));
    expect(make({ storageKey: "outbox" }).pending()).toEqual([]);
  });
});

describe("reconnecting with backoff", () => {
  it("waits 0.5 s, then doubles up to 10 s, counting attempts", () => {
    const s = make();
    ready(s);
    const waits: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      last().drop();
      const before = FakeSocket.all.length;
      let waited = 0;
      while (FakeSocket.all.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      waits.push(waited);
      last().open(); // opened, then dropped again: no welcome, so the attempts add up
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(statuses.filter(([st]) => st === "reconnecting").map(([, n]) => n).slice(0, 7)).toEqual([1, 1, 2, 2, 3, 3, 4]);
  });

  it("jitters each wait by up to ±25 %", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const s = make();
    ready(s);
    last().drop();
    vi.advanceTimersByTime(374);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("starts again from 0.5 s after a welcome", () => {
    const s = make();
    ready(s);
    last().drop();
    vi.advanceTimersByTime(500);
    last().open(); // opened, not welcomed: the next wait would be 1 s
    last().drop();
    vi.advanceTimersByTime(1000);
    const ws = last();
    ws.open();
    ws.receive({ type: "welcome", specialist_id: "s1", last_seq: 7 });
    expect(s.attempt).toBe(0);
    ws.drop();
    const before = FakeSocket.all.length;
    vi.advanceTimersByTime(499);
    expect(FakeSocket.all.length).toBe(before);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all.length).toBe(before + 1);
  });

  it("asks over HTTP after a handshake that never opened, and stops when signed out", async () => {
    const isSignedIn = vi.fn(() => Promise.resolve(false));
    const s = make({ isSignedIn });
    s.start();
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(isSignedIn).toHaveBeenCalledTimes(1);
    expect(options.onSignedOut).toHaveBeenCalled();
    expect(s.stopped).toBe(true);
    expect(statuses.at(-1)).toEqual(["stopped", 0]);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("asks after an auth close too, and keeps trying when the server can't say", async () => {
    const isSignedIn = vi.fn(() => Promise.reject(new Error("unreachable")));
    const s = make({ isSignedIn });
    ready(s);
    last().drop(4401);
    await vi.advanceTimersByTimeAsync(500);
    expect(isSignedIn).toHaveBeenCalledTimes(1);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("doesn't ask after an ordinary drop of an open socket", async () => {
    const isSignedIn = vi.fn(() => Promise.resolve(true));
    const s = make({ isSignedIn });
    ready(s);
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(500);
    expect(isSignedIn).not.toHaveBeenCalled();
  });

  it("reconnects at once when the network returns", () => {
    const s = make();
    ready(s);
    last().drop();
    window.dispatchEvent(new Event("online"));
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("stops for good", () => {
    const s = make();
    const ws = ready(s);
    s.stop();
    expect(ws.closed).toEqual([1000, "bye"]);
    expect(statuses.at(-1)).toEqual(["stopped", 0]);
    vi.advanceTimersByTime(60_000);
    window.dispatchEvent(new Event("online"));
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe("the heartbeat", () => {
  it("pings after 20 s of silence", () => {
    const s = make();
    const ws = ready(s);
    vi.advanceTimersByTime(20_000);
    expect(ws.types()).not.toContain("ping");
    vi.advanceTimersByTime(5000);
    expect(ws.types()).toContain("ping");
  });

  it("doesn't ping while frames arrive", () => {
    const s = make();
    const ws = ready(s);
    for (let i = 0; i < 10; i += 1) {
      vi.advanceTimersByTime(10_000);
      ws.receive({ type: "pong" });
    }
    expect(ws.types()).not.toContain("ping");
  });

  it("closes a socket silent for 50 s", () => {
    const s = make();
    const ws = ready(s);
    vi.advanceTimersByTime(55_000);
    expect(ws.closed).toEqual([4000, "silent"]);
  });
});
