import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type JsonObject, parseObject } from "./json";
import {
  type AfterClose,
  type Network,
  type StreamOptions,
  type StreamStatus,
  type Transport,
  type TransportHandlers,
  type WriteFrame,
  Stream,
  WriteRefused,
} from "./stream";

// A socket the test drives by hand: it records what the client sends and plays the server.
class FakeSocket implements Transport {
  readonly sent: JsonObject[] = [];
  closedWith: number | null = null;
  constructor(readonly url: string, private readonly on: TransportHandlers) {}
  send(data: string): void {
    const frame = parseObject(data);
    if (frame) this.sent.push(frame);
  }
  close(code = 1000): void {
    this.closedWith = code;
  }
  open(): void {
    this.on.open();
  }
  welcome(lastSeq = 0): void {
    this.receive({ type: "welcome", last_seq: lastSeq });
  }
  receive(frame: JsonObject): void {
    this.on.message(JSON.stringify(frame));
  }
  raw(text: string): void {
    this.on.message(text);
  }
  serverCloses(code = 1006): void {
    this.on.close(code);
  }
  types(): string[] {
    return this.sent.map((f) => String(f.type));
  }
}

class FakeNetwork implements Network {
  up = true;
  private on: (() => void) | null = null;
  private off: (() => void) | null = null;
  online(): boolean {
    return this.up;
  }
  watch(online: () => void, offline: () => void): () => void {
    this.on = online;
    this.off = offline;
    return () => {
      this.on = this.off = null;
    };
  }
  goOffline(): void {
    this.up = false;
    this.off?.();
  }
  goOnline(): void {
    this.up = true;
    this.on?.();
  }
}

interface Harness {
  stream: Stream;
  sockets: FakeSocket[];
  events: number[];
  statuses: StreamStatus[];
  network: FakeNetwork;
  last(): FakeSocket;
}

function harness(extra: Partial<StreamOptions> = {}): Harness {
  const sockets: FakeSocket[] = [];
  const events: number[] = [];
  const statuses: StreamStatus[] = [];
  const network = new FakeNetwork();
  const stream = new Stream({
    url: () => "ws://tapline.test/ws/customer?app=pk",
    hello: (lastSeq) => ({ type: "hello", request_id: "r_1", token: "tlc_x", last_seq: lastSeq }),
    connect: (url, on) => {
      const s = new FakeSocket(url, on);
      sockets.push(s);
      return s;
    },
    network,
    random: () => 0.5, // no jitter: 500, 1000, 2000 …
    onEvent: (ev) => events.push(ev.seq),
    onStatus: (status) => statuses.push(status),
    ...extra,
  });
  const last = () => {
    const s = sockets[sockets.length - 1];
    if (!s) throw new Error("no socket yet");
    return s;
  };
  return { stream, sockets, events, statuses, network, last };
}

/** Start, open and welcome the first socket. */
function connected(extra: Partial<StreamOptions> = {}, lastSeq = 0): Harness {
  const t = harness(extra);
  t.stream.start();
  t.last().open();
  t.last().welcome(lastSeq);
  return t;
}

function event(seq: number, type = "message"): JsonObject {
  return { seq, type, at: 1000 + seq };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("connecting and resuming", () => {
  it("says hello with the last seq applied, then is connected once welcomed", () => {
    const t = harness({ lastSeq: 17 });
    t.stream.start();
    expect(t.statuses).toEqual(["connecting"]);
    expect(t.last().sent).toEqual([]);
    t.last().open();
    expect(t.last().sent).toEqual([{ type: "hello", request_id: "r_1", token: "tlc_x", last_seq: 17 }]);
    expect(t.stream.ready).toBe(false);
    t.last().welcome(17);
    expect(t.stream.ready).toBe(true);
    expect(t.statuses).toEqual(["connecting", "connected"]);
  });

  it("resumes from the last seq it handed on after a drop", () => {
    const t = connected();
    for (const seq of [1, 2, 3]) t.last().receive(event(seq));
    t.last().serverCloses();
    vi.advanceTimersByTime(500);
    expect(t.sockets).toHaveLength(2);
    t.last().open();
    expect(t.last().sent[0]).toMatchObject({ type: "hello", last_seq: 3 });
  });

  it("hands signals on and keeps pong to itself", () => {
    const signals: string[] = [];
    const t = connected({ onSignal: (f) => signals.push(f.type) });
    t.last().receive({ type: "pong" });
    t.last().receive({ type: "typing", from: "specialist", active: true });
    t.last().receive({ type: "estimate", position: 2 });
    t.last().receive({ type: "nonsense", seq: "x" });
    expect(signals).toEqual(["welcome", "typing", "estimate", "nonsense"]);
  });

  it("ignores frames that are not JSON objects", () => {
    const signals: string[] = [];
    const t = connected({ onSignal: (f) => signals.push(f.type) });
    for (const junk of ["not json", "[1,2]", '"text"', '{"no":"type"}', '{"type":7}', "null"]) {
      expect(() => t.last().raw(junk)).not.toThrow();
    }
    expect(signals).toEqual(["welcome"]);
  });
});

describe("events in seq order", () => {
  it("hands each event on once, in order, holding early ones until the gap fills", () => {
    const t = connected();
    const s = t.last();
    s.receive(event(1));
    s.receive(event(1)); // a duplicate
    s.receive(event(3)); // early: held
    expect(t.events).toEqual([1]);
    s.receive(event(2));
    expect(t.events).toEqual([1, 2, 3]);
    expect(t.stream.lastSeq).toBe(3);
    vi.advanceTimersByTime(10_000);
    expect(t.sockets).toHaveLength(1); // the gap filled: no reconnect
  });

  it("reconnects when a gap lasts, and the server's replay fills it", () => {
    const t = connected();
    t.last().receive(event(1));
    t.last().receive(event(3));
    vi.advanceTimersByTime(2_999);
    expect(t.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.last()).not.toBe(t.sockets[0]);
    expect(t.sockets[0]?.closedWith).toBe(4000);
    t.last().open();
    expect(t.last().sent[0]).toMatchObject({ type: "hello", last_seq: 1 });
    t.last().welcome(3);
    t.last().receive(event(2));
    t.last().receive(event(3));
    expect(t.events).toEqual([1, 2, 3]);
  });

  it("drops and replays from 0 when the welcome is behind what it holds", () => {
    const onResync = vi.fn();
    const t = connected({ onResync, lastSeq: 40 }, 40);
    t.last().serverCloses();
    vi.advanceTimersByTime(500);
    t.last().open();
    expect(t.last().sent[0]).toMatchObject({ last_seq: 40 });
    t.last().welcome(5); // another server's stream, or a store made up
    t.last().receive({ type: "error", code: "stale_seq", message: "past the end", ref: null });
    expect(onResync).toHaveBeenCalledTimes(1);
    expect(t.stream.lastSeq).toBe(0);
    for (const seq of [1, 2, 3, 4, 5]) t.last().receive(event(seq));
    expect(t.events).toEqual([1, 2, 3, 4, 5]);
  });

  it("resyncs on stale_seq alone too", () => {
    const onResync = vi.fn();
    const onError = vi.fn();
    const t = connected({ onResync, onError, lastSeq: 9 }, 9);
    t.last().receive({ type: "error", code: "stale_seq", message: "", ref: null });
    expect(onResync).toHaveBeenCalledTimes(1);
    expect(onError).not.toHaveBeenCalled();
    t.last().receive(event(1));
    expect(t.events).toEqual([1]);
  });

  it("seeks to a snapshot's seq and says hello from there", () => {
    const t = connected();
    t.last().receive(event(1));
    t.stream.seek(30);
    t.last().open();
    expect(t.last().sent[0]).toMatchObject({ last_seq: 30 });
    t.last().receive(event(30));
    t.last().receive(event(31));
    expect(t.events).toEqual([1, 31]);
  });

  it("stops handing events on once the caller stops inside one", () => {
    const t = harness();
    const seen: number[] = [];
    const stream = new Stream({
      url: () => "ws://x",
      hello: (n) => ({ type: "hello", last_seq: n }),
      connect: (url, on) => {
        const s = new FakeSocket(url, on);
        t.sockets.push(s);
        return s;
      },
      network: null,
      onEvent: (ev) => {
        seen.push(ev.seq);
        if (ev.seq === 2) stream.stop();
      },
    });
    stream.start();
    t.last().open();
    t.last().welcome();
    t.last().receive(event(3));
    t.last().receive(event(1));
    t.last().receive(event(2));
    expect(seen).toEqual([1, 2]);
    expect(stream.status).toBe("stopped");
  });
});

describe("the outbox", () => {
  it("sends writes once welcomed, and an ack resolves them", async () => {
    const onAck = vi.fn();
    const t = harness({ onAck });
    t.stream.start();
    const w = t.stream.write({ type: "message", body: "Hello" });
    t.last().open();
    expect(t.last().types()).toEqual(["hello"]);
    t.last().welcome();
    expect(t.last().sent[1]).toEqual({ type: "message", body: "Hello", id: w.id });
    t.last().receive({ type: "ack", id: w.id, result: { message_id: "m_1" } });
    await expect(w.done).resolves.toEqual({ message_id: "m_1" });
    expect(onAck).toHaveBeenCalledWith(w.id, { message_id: "m_1" }, { type: "message", body: "Hello", id: w.id });
    expect(t.stream.pending()).toEqual([]);
  });

  it("re-sends every unacknowledged write with its own id after a reconnect", () => {
    const t = connected();
    const a = t.stream.write({ type: "message", body: "one" });
    const b = t.stream.write({ type: "cancel" });
    t.last().receive({ type: "ack", id: a.id, result: {} });
    const c = t.stream.write({ type: "rate", score: 4 });
    t.last().serverCloses();
    vi.advanceTimersByTime(500);
    t.last().open();
    expect(t.last().types()).toEqual(["hello"]); // not before the welcome
    t.last().welcome();
    expect(t.last().sent.slice(1)).toEqual([
      { type: "cancel", id: b.id },
      { type: "rate", score: 4, id: c.id },
    ]);
  });

  it("keeps a caller's id, and writing it again replaces the frame", () => {
    const t = connected();
    const first = t.stream.write({ type: "message", id: "client-1", body: "draft" });
    const again = t.stream.write({ type: "message", id: "client-1", body: "final" });
    expect(again.id).toBe("client-1");
    expect(again.done).toBe(first.done);
    expect(t.stream.pending()).toEqual([{ type: "message", id: "client-1", body: "final" }]);
  });

  it("keeps only the newest of a latest-only type", async () => {
    const t = connected({ latestOnly: ["context"] });
    t.last().serverCloses();
    const old = t.stream.write({ type: "context", context: { step: "a" } });
    const msg = t.stream.write({ type: "message", body: "hi" });
    const fresh = t.stream.write({ type: "context", context: { step: "b" } });
    await expect(old.done).resolves.toEqual({ superseded: true });
    expect(t.stream.pending().map((f) => f.id)).toEqual([msg.id, fresh.id]);
  });

  it("routes an error to the write it names, and others to the caller alone", async () => {
    const onError = vi.fn();
    const t = connected({ onError });
    const w = t.stream.write({ type: "message", body: "x".repeat(10) });
    t.last().receive({ type: "error", code: "too_large", message: "Too large", ref: w.id });
    await expect(w.done).rejects.toBeInstanceOf(WriteRefused);
    await expect(w.done).rejects.toMatchObject({ code: "too_large" });
    expect(onError).toHaveBeenLastCalledWith(
      { code: "too_large", message: "Too large", ref: w.id, retryAfter: null },
      { type: "message", body: "xxxxxxxxxx", id: w.id },
    );
    expect(t.stream.pending()).toEqual([]);
    t.last().receive({ type: "error", code: "bad_json", message: "Bad", ref: null });
    expect(onError).toHaveBeenLastCalledWith({ code: "bad_json", message: "Bad", ref: null, retryAfter: null }, undefined);
  });

  it("sends a write the server was too busy for again, same id, after retry_after", () => {
    const onError = vi.fn();
    const t = connected({ onError });
    const w = t.stream.write({ type: "message", body: "hi" });
    t.last().receive({ type: "error", code: "busy", message: "", ref: w.id, retry_after: 2 });
    expect(onError).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_999);
    expect(t.last().sent.filter((f) => f.id === w.id)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.last().sent.filter((f) => f.id === w.id)).toHaveLength(2);
    t.last().receive({ type: "error", code: "rate_limited", message: "", ref: w.id });
    vi.advanceTimersByTime(1_500);
    expect(t.last().sent.filter((f) => f.id === w.id)).toHaveLength(3);
    expect(t.stream.pending()).toHaveLength(1);
  });

  it("says hello again when the server asks for it", () => {
    const t = connected({}, 0);
    t.last().receive(event(1));
    t.last().receive({ type: "error", code: "hello_required", message: "", ref: null });
    expect(t.last().sent.at(-1)).toMatchObject({ type: "hello", last_seq: 1 });
  });

  it("flags a write not acknowledged in time", () => {
    const onSlow = vi.fn();
    const t = connected({ onSlow });
    const a = t.stream.write({ type: "message", body: "a" });
    const b = t.stream.write({ type: "message", body: "b" });
    t.last().receive({ type: "ack", id: b.id, result: {} });
    vi.advanceTimersByTime(10_000);
    expect(onSlow).toHaveBeenCalledTimes(1);
    expect(onSlow).toHaveBeenCalledWith({ type: "message", body: "a", id: a.id });
  });

  it("forgets a write the server showed it stored", async () => {
    const t = connected();
    const w = t.stream.write({ type: "message", body: "a" });
    expect(t.stream.forget(w.id)).toMatchObject({ body: "a" });
    await expect(w.done).resolves.toEqual({});
    expect(t.stream.pending()).toEqual([]);
    expect(t.stream.forget(w.id)).toBeUndefined();
  });

  it("keeps writes across a reload in the store it is given", () => {
    let saved: readonly WriteFrame[] = [{ type: "message", id: "m-1", body: "kept" }];
    const store = { load: () => [...saved], save: (f: readonly WriteFrame[]) => (saved = f) };
    const t = connected({ outboxStore: store });
    expect(t.last().sent[1]).toEqual({ type: "message", id: "m-1", body: "kept" });
    const w = t.stream.write({ type: "cancel" });
    expect(saved.map((f) => f.id)).toEqual(["m-1", w.id]);
    t.last().receive({ type: "ack", id: "m-1", result: {} });
    expect(saved.map((f) => f.id)).toEqual([w.id]);
  });

  it("paces frames under the server's rate and drops typing rather than queue it", () => {
    const t = connected();
    for (let i = 0; i < 40; i++) t.stream.write({ type: "message", body: String(i) });
    t.stream.signal({ type: "typing", active: true });
    const sent = () => t.last().sent.filter((f) => f.type === "message").length;
    const first = sent();
    expect(first).toBeLessThan(20);
    vi.advanceTimersByTime(1_000);
    expect(sent() - first).toBeLessThanOrEqual(16);
    vi.advanceTimersByTime(2_000);
    expect(sent()).toBe(40);
    expect(t.last().types()).not.toContain("typing");
    vi.advanceTimersByTime(2_000);
    t.stream.signal({ type: "typing", active: false });
    expect(t.last().sent.at(-1)).toEqual({ type: "typing", active: false });
  });

  it("sends signals only while connected", () => {
    const t = harness();
    t.stream.start();
    t.last().open();
    t.stream.signal({ type: "typing", active: true });
    expect(t.last().types()).toEqual(["hello"]);
  });
});

describe("reconnects and status", () => {
  it("backs off from 500 ms, doubling to 10 s, and resets once welcomed", () => {
    const t = harness();
    t.stream.start();
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = t.sockets.length;
      t.last().serverCloses();
      let waited = 0;
      while (t.sockets.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    t.last().open();
    t.last().welcome();
    t.last().serverCloses();
    vi.advanceTimersByTime(499);
    expect(t.sockets).toHaveLength(8);
    vi.advanceTimersByTime(1);
    expect(t.sockets).toHaveLength(9);
  });

  it("keeps every wait within the jitter's bounds", () => {
    const t = harness({ random: Math.random });
    t.stream.start();
    for (let i = 0; i < 12; i++) {
      const before = t.sockets.length;
      t.last().serverCloses();
      vi.advanceTimersByTime(374);
      expect(t.sockets).toHaveLength(before);
      vi.advanceTimersByTime(10_000 - 374);
      expect(t.sockets).toHaveLength(before + 1);
    }
  });

  it("reports connecting, connected, reconnecting, offline and stopped honestly", () => {
    const t = connected();
    t.last().serverCloses();
    expect(t.stream.status).toBe("reconnecting");
    vi.advanceTimersByTime(500);
    t.last().open();
    t.last().welcome();
    t.network.goOffline();
    expect(t.stream.status).toBe("offline");
    expect(t.stream.ready).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(t.sockets).toHaveLength(2); // no tries while offline
    t.network.goOnline();
    expect(t.sockets).toHaveLength(3); // at once
    t.last().open();
    t.last().welcome();
    t.stream.stop();
    expect(t.sockets[2]?.closedWith).toBe(1000);
    expect(t.statuses).toEqual(["connecting", "connected", "reconnecting", "connected", "offline", "reconnecting", "connected", "stopped"]);
  });

  it("waits for the network before a first try when offline", () => {
    const t = harness();
    t.network.up = false;
    t.stream.start();
    expect(t.stream.status).toBe("offline");
    expect(t.sockets).toHaveLength(0);
    t.network.goOnline();
    expect(t.sockets).toHaveLength(1);
  });

  it("stops for good when the caller says so after a close", async () => {
    const onClose = vi.fn((code: number): AfterClose => (code === 4401 ? "stop" : "retry"));
    const t = connected({ onClose });
    t.last().serverCloses(4401);
    await vi.advanceTimersByTimeAsync(0);
    expect(onClose).toHaveBeenCalledWith(4401, true);
    expect(t.stream.status).toBe("stopped");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
  });

  it("may ask someone else before retrying, and retries when it can't tell", async () => {
    const t = harness({ onClose: () => Promise.reject(new Error("unreachable")) });
    t.stream.start();
    t.last().serverCloses(1006); // refused before it opened
    await vi.advanceTimersByTimeAsync(500);
    expect(t.sockets).toHaveLength(2);
  });

  it("ignores a socket it has let go of", () => {
    const t = connected();
    const old = t.last();
    t.stream.reconnect(true);
    old.receive(event(1));
    old.serverCloses();
    expect(t.events).toEqual([]);
    expect(t.sockets).toHaveLength(2);
  });
});

describe("heartbeat", () => {
  it("pings, and a socket that answers nothing is dead", () => {
    const t = connected();
    vi.advanceTimersByTime(25_000);
    expect(t.last().types()).toContain("ping");
    vi.advanceTimersByTime(9_999);
    expect(t.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.sockets[0]?.closedWith).toBe(4000);
    expect(t.stream.status).toBe("reconnecting");
    vi.advanceTimersByTime(500);
    expect(t.sockets).toHaveLength(2);
  });

  it("any frame in time keeps the socket", () => {
    const t = connected();
    vi.advanceTimersByTime(25_000);
    vi.advanceTimersByTime(5_000);
    t.last().receive({ type: "pong" });
    vi.advanceTimersByTime(20_000);
    t.last().receive({ type: "estimate" });
    vi.advanceTimersByTime(9_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.stream.status).toBe("connected");
  });
});
