import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as actions from "./actions";
import { applySnapshot, reset, setConn, state } from "./store";
import { FrameError, type DeskSocket, type WriteResult } from "./socket";
import type { DeskState } from "./api";
import type { RequestDetail, WriteDraft, WriteFrame } from "./protocol";

/** A socket stand-in: records writes and signals; each write's fate is up to the test. */
class FakeDeskSocket {
  writes: Array<WriteDraft & { id: string }> = [];
  signals: unknown[] = [];
  settle = new Map<string, { resolve: (r: WriteResult) => void; reject: (e: Error) => void }>();
  private n = 0;

  write(frame: WriteDraft): { id: string; done: Promise<WriteResult> } {
    const id = frame.id || `w${(this.n += 1)}`;
    this.writes.push({ ...frame, id });
    const done = new Promise<WriteResult>((resolve, reject) => this.settle.set(id, { resolve, reject }));
    return { id, done };
  }

  signal(frame: unknown): void {
    this.signals.push(frame);
  }

  ack(i: number, result: WriteResult = {}): Promise<void> {
    this.settle.get(this.writes[i].id)?.resolve(result);
    return flush();
  }

  refuse(i: number, code: FrameError["code"], message = "No"): Promise<void> {
    this.settle.get(this.writes[i].id)?.reject(new FrameError(message, code));
    return flush();
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

const T0 = 1_800_000_000_000;
function detail(id: string, over: Partial<RequestDetail> = {}): RequestDetail {
  return {
    id, channel: "chat", callback: null, state: "connected", cause: null, queue: null,
    customer: { verified: false, id: null, name: "Sam", email: null }, description: "", context: { fields: [] },
    messages: [], created_at: T0, connected_at: T0, disposition: null, note: null, rating: null, ended_at: null, ...over,
  };
}
const snapshot = (requests: RequestDetail[]): DeskState => ({
  specialist: { id: "s1", name: "Ana", email: "a@x", role: "Specialist", presence: "available", capacity: 3, is_supervisor: false },
  csrf: "x", seq: 1, requests, limits: { message_bytes: 4096, context_bytes: 1 }, queues: [],
  offers: [{ request_id: "o1", channel: "chat", priority: 0, callback: null, offered_at: T0, expires_at: T0 + 1, queue: null, customer: { verified: false, id: null, name: "Kim", email: null }, description: "", context: { fields: [] }, at: T0 }],
});

let socket: FakeDeskSocket;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  reset();
  applySnapshot(snapshot([detail("r1"), detail("done", { state: "resolved" })]));
  setConn("connected", 0);
  socket = new FakeDeskSocket();
  actions.bindSocket(socket as unknown as DeskSocket);
  document.body.replaceChildren();
});

afterEach(() => {
  actions.bindSocket(null);
  vi.useRealTimers();
});

describe("accept and decline", () => {
  it("accepts once, marks the offer busy, and remembers it is mine", () => {
    actions.accept("o1");
    actions.accept("o1");
    expect(socket.writes).toEqual([{ type: "accept", request_id: "o1", id: "w1" }]);
    expect(state.offers.get("o1")?.busy).toBe("accepting");
    expect(state.acceptedByMe.has("o1")).toBe(true);
  });

  it("won't accept while not connected", () => {
    setConn("reconnecting", 1);
    actions.accept("o1");
    actions.decline("o1");
    expect(socket.writes).toEqual([]);
  });

  it("drops an offer the server says is gone", async () => {
    actions.accept("o1");
    await socket.refuse(0, "not_found", "No such offer");
    expect(state.offers.has("o1")).toBe(false);
    expect(state.acceptedByMe.has("o1")).toBe(false);
  });

  it("keeps an offer refused for another reason, usable again", async () => {
    actions.accept("o1");
    await socket.refuse(0, "busy", "Try again");
    expect(state.offers.get("o1")?.busy).toBeNull();
  });

  it("removes a declined offer once acknowledged", async () => {
    actions.decline("o1");
    expect(state.offers.get("o1")?.busy).toBe("declining");
    await socket.ack(0);
    expect(state.offers.has("o1")).toBe(false);
  });
});

describe("presence", () => {
  it("asks, then takes the new presence on its ack", async () => {
    actions.setPresence("busy");
    expect(state.presencePending).toBe("busy");
    await socket.ack(0, { status: "busy" });
    expect(state.presencePending).toBeNull();
    expect(state.me?.presence).toBe("busy");
  });

  it("doesn't ask for the presence it has", () => {
    actions.setPresence("available");
    expect(socket.writes).toEqual([]);
  });

  it("leaves a superseded request alone", async () => {
    actions.setPresence("busy");
    actions.setPresence("away");
    await socket.ack(0, { superseded: true });
    expect(state.presencePending).toBe("away");
  });
});

describe("replies", () => {
  it("shows a reply as pending until the echoed message comes", () => {
    expect(actions.sendMessage("r1", "Hello")).toBe(true);
    const [frame] = socket.writes;
    expect(frame).toMatchObject({ type: "message", request_id: "r1", body: "Hello" });
    expect(state.requests.get("r1")?.pending.get(frame.id)).toMatchObject({ body: "Hello", status: "sending" });
  });

  it("won't send to a closed request", () => {
    expect(actions.sendMessage("done", "Hello")).toBe(false);
    expect(actions.sendMessage("nope", "Hello")).toBe(false);
    expect(socket.writes).toEqual([]);
  });

  it("says Delivered on the ack, and drops it once the thread has it", () => {
    actions.sendMessage("r1", "Hello");
    const frame = socket.writes[0] as WriteFrame;
    actions.onAck(frame.id, { message_id: 9 }, frame);
    const r = state.requests.get("r1");
    expect(r?.pending.get(frame.id)?.status).toBe("sent");
    r?.messages.push({ id: 9, client_id: frame.id, sender: "specialist", author: "Ana", body: "Hello", at: T0 });
    actions.onAck(frame.id, { message_id: 9 }, frame);
    expect(r?.pending.has(frame.id)).toBe(false);
  });

  it("marks a refused reply failed, to retry with the same id or discard", () => {
    actions.sendMessage("r1", "Hello");
    const frame = socket.writes[0] as WriteFrame;
    actions.onFrameError({ type: "error", code: "too_large", message: "Too long", ref: frame.id }, frame);
    const p = state.requests.get("r1")?.pending.get(frame.id);
    expect(p).toMatchObject({ status: "failed", error: "Too long" });
    actions.retryMessage("r1", frame.id);
    expect(socket.writes[1]).toEqual({ type: "message", id: frame.id, request_id: "r1", body: "Hello" });
    expect(p?.status).toBe("sending");
    actions.discardMessage("r1", frame.id);
    expect(state.requests.get("r1")?.pending.size).toBe(0);
  });

  it("restores replies sent before a reload, unless the thread has them", () => {
    state.requests.get("r1")?.messages.push({ id: 1, client_id: "old", sender: "specialist", author: "Ana", body: "x", at: T0 });
    actions.restorePending([
      { type: "message", id: "kept", request_id: "r1", body: "again" },
      { type: "message", id: "old", request_id: "r1", body: "x" },
      { type: "message", id: "gone", request_id: "nope", body: "y" },
      { type: "accept", id: "a", request_id: "r1" },
    ]);
    expect([...(state.requests.get("r1")?.pending.keys() ?? [])]).toEqual(["kept"]);
  });

  it("toasts an error about no frame of ours, but not a rate limit", () => {
    document.body.append(Object.assign(document.createElement("div"), { id: "toasts" }));
    actions.onFrameError({ type: "error", code: "rate_limited", message: "slow", ref: null }, undefined);
    actions.onFrameError({ type: "error", code: "bad_frame", message: "Bad frame", ref: null }, undefined);
    expect([...document.querySelectorAll(".toast")].map((t) => t.textContent)).toEqual(["Bad frame"]);
  });
});

describe("resolve", () => {
  it("sends the disposition and note, and waits for the outcome", async () => {
    const done = actions.resolve("r1", "resolved_with_followup", "Call back Monday");
    expect(socket.writes[0]).toMatchObject({ type: "resolve", request_id: "r1", disposition: "resolved_with_followup", note: "Call back Monday" });
    const r = state.requests.get("r1");
    expect(r?.resolving).toBe("sending");
    await socket.ack(0, { state: "resolved" });
    await expect(done).resolves.toEqual({ state: "resolved" });
    expect(r?.resolving).toBe("acked");
    expect(r?.resolveNote).toBe("Call back Monday");
  });

  it("leaves the note out when there is none", () => {
    void actions.resolve("r1", "duplicate", "");
    expect(socket.writes[0]).not.toHaveProperty("note");
  });

  it("refuses a request that isn't live, and undoes on a refusal", async () => {
    await expect(actions.resolve("done", "resolved", "")).rejects.toThrow("no longer connected");
    const done = actions.resolve("r1", "resolved", "");
    await socket.refuse(0, "invalid_state");
    await expect(done).rejects.toBeInstanceOf(FrameError);
    expect(state.requests.get("r1")?.resolving).toBeNull();
  });
});

describe("typing", () => {
  it("sends one active signal per 3 s, and inactive once", () => {
    actions.typing("r1", true);
    actions.typing("r1", true);
    vi.advanceTimersByTime(2999);
    actions.typing("r1", true);
    vi.advanceTimersByTime(1);
    actions.typing("r1", true);
    actions.typing("r1", false);
    actions.typing("r1", false);
    expect(socket.signals).toEqual([
      { type: "typing", request_id: "r1", active: true },
      { type: "typing", request_id: "r1", active: true },
      { type: "typing", request_id: "r1", active: false },
    ]);
  });

  it("never says inactive first, and forcing skips the wait", () => {
    actions.typing("r2", false);
    actions.typing("r2", true);
    actions.typing("r2", true, true);
    expect(socket.signals).toHaveLength(2);
  });
});
