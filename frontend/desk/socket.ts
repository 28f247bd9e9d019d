// The specialist WebSocket: hello with last_seq, resume with backoff, and an outbox of
// unacknowledged write frames that are sent again (same id) after every reconnect.
//
// This module is transport only. Ordering and de-duplication by `seq` live in store.ts.

import { backoffDelay } from "../shared/backoff";
import { newId } from "../shared/ids";
import type {
  AckResult, DeskEvent, DeskServerFrame, DeskSignal, ErrorCode, ErrorSignal, SignalFrame, WriteDraft, WriteFrame,
} from "./protocol";
import type { ConnStatus } from "./store";

const SIGNALS = new Set(["ack", "error", "pong", "typing", "queues", "welcome"]);
const PING_EVERY = 20_000;
const SILENCE_LIMIT = 50_000; // no frame at all for this long: the socket is dead
const RATE_LIMITED_RETRY = 1500;

/** A write the server refused (an `error` whose ref is the write's id). */
export class FrameError extends Error {
  readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode) {
    super(message);
    this.code = code;
  }
}

/** What a write resolves to: the ack's result, or `superseded` for a dropped presence. */
export type WriteResult = AckResult & { superseded?: true };

export interface DeskSocketOptions {
  /** The last seq the store applied. */
  lastSeq: () => number;
  /** A wall display: say `watch` in hello (no offers, not made present). */
  watch?: () => boolean;
  /** Sequenced events, in arrival order. */
  onEvent: (ev: DeskEvent) => void;
  /** Signals: welcome, typing, queues, wallboard, config, pong and the like. */
  onSignal: (frame: DeskSignal) => void;
  onStatus: (status: ConnStatus, attempt: number) => void;
  /** Asked after a refused handshake or an auth close. */
  isSignedIn: () => Promise<boolean>;
  onSignedOut: () => void;
  onAck: (id: string, result: AckResult, frame: WriteFrame | undefined) => void;
  /** An `error` signal, with the frame of ours it refers to, if any. */
  onFrameError: (error: ErrorSignal, frame: WriteFrame | undefined) => void;
  /** Keep unacknowledged `message` frames across a reload (sessionStorage). */
  storageKey?: string;
}

interface Waiter {
  resolve: (result: WriteResult) => void;
  reject: (err: Error) => void;
}

export class DeskSocket {
  ws: WebSocket | null = null;
  /** Open and welcomed. */
  ready = false;
  stopped = true;
  attempt = 0;
  private readonly o: DeskSocketOptions;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  /** id -> frame, in send order. */
  private readonly outbox = new Map<string, WriteFrame>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly onOnline = (): void => this.connectNow();
  private readonly onOffline = (): void => {
    this.o.onStatus("offline", this.attempt);
    if (this.ws) this.ws.close(4000, "offline");
  };

  constructor(o: DeskSocketOptions) {
    this.o = o;
    this.restoreOutbox();
  }

  start(): void {
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    clearTimeout(this.timer);
    clearInterval(this.pingTimer);
    this.ready = false;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000, "bye");
    }
    this.o.onStatus("stopped", 0);
  }

  /** Forget everything queued (used on sign-out). */
  clearOutbox(): void {
    this.outbox.clear();
    for (const w of this.waiters.values()) w.reject(new Error("signed out"));
    this.waiters.clear();
    this.persistOutbox();
  }

  /** Frames written but not yet acknowledged, oldest first. */
  pending(): WriteFrame[] {
    return [...this.outbox.values()];
  }

  /**
   * A write frame: gets a fresh client id (unless it already has one, e.g. a resend),
   * is kept until its `ack`, and is sent again after every reconnect.
   * `done` resolves with the ack's result or rejects with a FrameError.
   */
  write(frame: WriteDraft): { id: string; done: Promise<WriteResult> } {
    const f = { ...frame, id: frame.id || newId() } as WriteFrame;
    // Only the latest presence matters: drop older unsent presence frames.
    if (f.type === "presence") {
      for (const [id, old] of this.outbox) {
        if (old.type === "presence" && id !== f.id) {
          this.outbox.delete(id);
          this.waiters.get(id)?.resolve({ superseded: true });
          this.waiters.delete(id);
        }
      }
    }
    this.outbox.set(f.id, f);
    this.persistOutbox();
    const done = new Promise<WriteResult>((resolve, reject) => this.waiters.set(f.id, { resolve, reject }));
    done.catch(() => {}); // callers may ignore it
    if (this.ready) this.raw(f);
    return { id: f.id, done };
  }

  /** A passing signal (typing, ping): sent only when connected, never queued. */
  signal(frame: SignalFrame): void {
    if (this.ready) this.raw(frame);
  }

  connectNow(): void {
    if (this.stopped) return;
    if (this.ws && (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)) return;
    clearTimeout(this.timer);
    this.attempt = Math.max(this.attempt, 1);
    this.connect();
  }

  // ---- internals

  private url(): string {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/specialist`;
  }

  private raw(frame: WriteFrame | SignalFrame): void {
    try {
      this.ws?.send(JSON.stringify(frame));
    } catch {
      /* the close handler will reconnect */
    }
  }

  private connect(): void {
    if (this.stopped) return;
    if (!navigator.onLine) {
      this.o.onStatus("offline", this.attempt);
      return; // the `online` event reconnects
    }
    this.o.onStatus(this.attempt ? "reconnecting" : "connecting", this.attempt);
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url());
    } catch {
      void this.scheduleReconnect(false, 1006);
      return;
    }
    this.ws = ws;
    this.listen(ws);
  }

  private listen(ws: WebSocket): void {
    let opened = false;
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      opened = true;
      this.lastFrameAt = Date.now();
      // A page opened on the wallboard is a wall display: it watches, it takes no offers.
      const watch = Boolean(this.o.watch && this.o.watch());
      this.raw({ type: "hello", last_seq: this.o.lastSeq(), ...(watch ? { watch: true } : {}) });
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.heartbeat(), PING_EVERY / 4);
    });
    ws.addEventListener("message", (e) => {
      if (ws !== this.ws) return;
      this.lastFrameAt = Date.now();
      const frame = parseFrame(e.data);
      if (frame) this.receive(frame);
    });
    ws.addEventListener("close", (e) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.ready = false;
      clearInterval(this.pingTimer);
      void this.scheduleReconnect(opened, e.code);
    });
  }

  private heartbeat(): void {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const silent = Date.now() - this.lastFrameAt;
    if (silent > SILENCE_LIMIT) {
      this.ws.close(4000, "silent");
      return;
    }
    if (silent > PING_EVERY) this.raw({ type: "ping" });
  }

  private async scheduleReconnect(opened: boolean, code: number): Promise<void> {
    if (this.stopped) return;
    this.attempt += 1;
    if (!navigator.onLine) {
      this.o.onStatus("offline", this.attempt);
      return;
    }
    this.o.onStatus("reconnecting", this.attempt);
    // A browser can't see the HTTP status of a refused handshake (403 when the session is
    // gone), so after a handshake that never opened, or an auth close, ask over HTTP.
    if (!opened || code === 4401 || code === 4403 || code === 1008) {
      let signedIn: boolean;
      try {
        signedIn = await this.o.isSignedIn();
      } catch {
        signedIn = true; // server unreachable: keep trying
      }
      if (this.stopped) return;
      if (!signedIn) {
        this.stop();
        this.o.onSignedOut();
        return;
      }
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), backoffDelay(this.attempt));
  }

  private receive(frame: DeskServerFrame): void {
    if ("seq" in frame && typeof frame.seq === "number" && !SIGNALS.has(frame.type)) {
      this.o.onEvent(frame);
      return;
    }
    const signal = frame as DeskSignal;
    switch (signal.type) {
      case "welcome":
        this.ready = true;
        this.attempt = 0;
        this.o.onStatus("connected", 0);
        this.o.onSignal(signal);
        for (const f of this.outbox.values()) this.raw(f);
        return;
      case "ack":
        return this.acked(signal.id, signal.result || {});
      case "error":
        return this.refused(signal);
      default:
        this.o.onSignal(signal);
    }
  }

  private acked(id: string, result: AckResult): void {
    const f = this.outbox.get(id);
    this.outbox.delete(id);
    this.persistOutbox();
    this.o.onAck(id, result, f);
    this.waiters.get(id)?.resolve(result);
    this.waiters.delete(id);
  }

  private refused(error: ErrorSignal): void {
    const f = error.ref ? this.outbox.get(error.ref) : undefined;
    if (f && error.code === "rate_limited") {
      // Still ours to deliver: try again shortly, same id.
      setTimeout(() => {
        if (this.ready && this.outbox.has(f.id)) this.raw(f);
      }, RATE_LIMITED_RETRY);
      return;
    }
    if (f) {
      this.outbox.delete(f.id);
      this.persistOutbox();
      this.waiters.get(f.id)?.reject(new FrameError(error.message || error.code, error.code));
      this.waiters.delete(f.id);
    }
    this.o.onFrameError(error, f);
  }

  private persistOutbox(): void {
    if (!this.o.storageKey) return;
    try {
      const keep = [...this.outbox.values()].filter((f) => f.type === "message");
      if (keep.length) sessionStorage.setItem(this.o.storageKey, JSON.stringify(keep));
      else sessionStorage.removeItem(this.o.storageKey);
    } catch {
      /* storage full or disabled: the in-memory outbox still works */
    }
  }

  private restoreOutbox(): void {
    if (!this.o.storageKey) return;
    try {
      const saved: unknown = JSON.parse(sessionStorage.getItem(this.o.storageKey) || "[]");
      if (!Array.isArray(saved)) return;
      for (const f of saved as unknown[]) {
        if (isSavedMessage(f)) this.outbox.set(f.id, f);
      }
    } catch {
      /* ignore a damaged entry */
    }
  }
}

/** The parse boundary: any JSON object from the server is taken as a DeskServerFrame (its
 * models are closed, and a frame of a type this desk doesn't know is ignored later). */
export function parseFrame(data: unknown): DeskServerFrame | null {
  if (typeof data !== "string") return null;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return null;
  }
  if (!frame || typeof frame !== "object") return null;
  return frame as DeskServerFrame;
}

function isSavedMessage(f: unknown): f is WriteFrame & { type: "message" } {
  if (!f || typeof f !== "object") return false;
  const m = f as Record<string, unknown>;
  return typeof m.id === "string" && m.type === "message";
}
