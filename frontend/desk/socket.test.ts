// The desk's socket: what it adds to the shared stream client (frontend/shared/stream.ts,
// tested in stream.test.ts) — its hello, the sign-in check, its outbox across a reload,
// the latest presence only, refusals as FrameError, and stale_seq handed to a resync.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DeskSocket, FrameError, parseFrame, type DeskSocketOptions } from "./socket";
import type { ConnStatus } from "./store";

/** A WebSocket that records what is sent and lets the test play the server. */
class FakeSocket {
  static all: FakeSocket[] = [];
  sent: Record<string, unknown>[] = [];
  closed: [number, string] | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000, reason = ""): void {
    this.closed = [code, reason];
  }

  // ---- the server's side
  open(): void {
    this.onopen?.();
  }

  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  drop(code = 1006): void {
    this.onclose?.({ code });
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
    onResync: vi.fn(),
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
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.spyOn(Math, "random").mockReturnValue(0.5); // no jitter
  sessionStorage.clear();
});

afterEach(() => {
  for (const s of made) s.stop();
  made = [];
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("hello", () => {
  it("opens the specialist socket and says hello with the store's seq", () => {
    const s = make();
    s.start();
    expect(last().url).toBe(`ws://${location.host}/ws/specialist`);
    last().open();
    expect(last().sent).toEqual([{ type: "hello", last_seq: 7 }]);
    expect(s.ready).toBe(false);
    last().receive({ type: "welcome", specialist_id: "s1", last_seq: 7 });
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

  it("resumes from a new snapshot's seq when told to seek", () => {
    const s = make();
    ready(s);
    s.seek(42);
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent[0]).toEqual({ type: "hello", last_seq: 42 });
  });
});

describe("events and signals", () => {
  it("hands events on in seq order, and signals apart", () => {
    const s = make();
    const ws = ready(s);
    ws.receive({ type: "message", seq: 9, request_id: "r1" });
    expect(options.onEvent).not.toHaveBeenCalled(); // 8 is missing: held
    ws.receive({ type: "request.state", seq: 8, request_id: "r1" });
    ws.receive({ type: "queues", queues: [] });
    expect(vi.mocked(options.onEvent).mock.calls.map(([e]) => e.seq)).toEqual([8, 9]);
    expect(options.onSignal).toHaveBeenLastCalledWith({ type: "queues", queues: [] });
  });

  it("asks the desk to rebuild on stale_seq, and does not show it as an error", () => {
    const s = make();
    const ws = ready(s);
    ws.receive({ type: "error", code: "stale_seq", message: "past the end", ref: null });
    expect(options.onResync).toHaveBeenCalledTimes(1);
    expect(options.onFrameError).not.toHaveBeenCalled();
  });

  it("passes an error about no frame of ours on", () => {
    const s = make();
    const ws = ready(s);
    ws.receive({ type: "error", code: "bad_frame", message: "no", ref: null });
    expect(options.onFrameError).toHaveBeenCalledWith({ type: "error", code: "bad_frame", message: "no", ref: null }, undefined);
  });
});

describe("writes", () => {
  it("resolves a write with its ack's result", async () => {
    const s = make();
    const ws = ready(s);
    const { id, done } = s.write({ type: "accept", request_id: "r1" });
    expect(ws.sent.at(-1)).toEqual({ type: "accept", request_id: "r1", id });
    ws.receive({ type: "ack", id, result: {} });
    await expect(done).resolves.toEqual({});
    expect(options.onAck).toHaveBeenCalledWith(id, {}, { type: "accept", request_id: "r1", id });
  });

  it("rejects a refused write with a FrameError carrying its code", async () => {
    const s = make();
    const ws = ready(s);
    const { id, done } = s.write({ type: "accept", request_id: "r1" });
    ws.receive({ type: "error", code: "not_found", message: "No such offer", ref: id });
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).code).toBe("not_found");
    expect(s.pending()).toEqual([]);
  });

  it("sends a busy write again after retry_after, same id", async () => {
    const s = make();
    const ws = ready(s);
    const { id } = s.write({ type: "message", request_id: "r1", body: "hi" });
    ws.receive({ type: "error", code: "busy", message: "later", ref: id, retry_after: 2 });
    expect(options.onFrameError).not.toHaveBeenCalled();
    const before = ws.sent.length;
    await vi.advanceTimersByTimeAsync(2000);
    expect(ws.sent.slice(before)).toEqual([{ type: "message", request_id: "r1", body: "hi", id }]);
  });

  it("keeps only the latest presence", async () => {
    const s = make();
    const first = s.write({ type: "presence", status: "away" });
    s.write({ type: "presence", status: "available" });
    await expect(first.done).resolves.toEqual({ superseded: true });
    expect(s.pending().map((f) => f.type === "presence" && f.status)).toEqual(["available"]);
  });

  it("keeps unsent replies, and only those, across a reload", () => {
    const key = "tapline.desk.outbox.s1";
    const s = make({ storageKey: key });
    s.write({ type: "message", request_id: "r1", body: "kept" });
    s.write({ type: "accept", request_id: "r2" });
    const saved = JSON.parse(sessionStorage.getItem(key) ?? "[]") as Array<{ type: string }>;
    expect(saved.map((f) => f.type)).toEqual(["message"]);
    const again = make({ storageKey: key });
    expect(again.pending().map((f) => f.type)).toEqual(["message"]);
  });
});

describe("signed out", () => {
  it("asks over HTTP after a handshake that never opened, and stops when signed out", async () => {
    const isSignedIn = vi.fn(() => Promise.resolve(false));
    const s = make({ isSignedIn });
    s.start();
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(isSignedIn).toHaveBeenCalledTimes(1);
    expect(options.onSignedOut).toHaveBeenCalled();
    expect(statuses.at(-1)?.[0]).toBe("stopped");
    await vi.advanceTimersByTimeAsync(20_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("asks after an auth close too, and keeps trying when the server can't say", async () => {
    const isSignedIn = vi.fn(() => Promise.reject(new Error("unreachable")));
    const s = make({ isSignedIn });
    ready(s);
    last().drop(4401);
    await vi.advanceTimersByTimeAsync(600);
    expect(isSignedIn).toHaveBeenCalledTimes(1);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("doesn't ask after an ordinary drop of an open socket", async () => {
    const isSignedIn = vi.fn(() => Promise.resolve(true));
    const s = make({ isSignedIn });
    ready(s);
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(600);
    expect(isSignedIn).not.toHaveBeenCalled();
    expect(FakeSocket.all).toHaveLength(2);
  });
});

describe("parseFrame", () => {
  it("takes JSON objects and nothing else", () => {
    expect(parseFrame('{"type":"pong"}')).toEqual({ type: "pong" });
    expect(parseFrame("[1]")).toBeNull();
    expect(parseFrame("nope")).toBeNull();
    expect(parseFrame(3)).toBeNull();
  });
});
