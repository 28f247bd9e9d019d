// One client for the resume protocol (docs/protocol.md), for the widget's customer socket and
// the desk's specialist socket:
//
// - `hello` with the last `seq` applied; the server replays every event after it;
// - events handed on strictly in `seq` order, once each: an early one is held until the gap
//   fills, and a gap that lasts `gapWait` reconnects so the server replays from the last seq;
// - a full resync when the server says so (`welcome.last_seq` behind ours, or `stale_seq`):
//   what was built from the stream is dropped and the stream comes again from 0;
// - an outbox of write frames, each kept until its `ack` or `error` (routed by `ref`), sent
//   again with the same id after every reconnect, optionally kept across a reload;
// - `busy`, `unavailable` and `rate_limited` keep the frame and send it again later;
// - a heartbeat: a ping every `pingEvery`, and no frame at all `pongGrace` after it means the
//   socket is dead even if the browser hasn't noticed;
// - reconnects with the shared backoff, at once when the browser comes back online;
// - frames paced under the server's limit (20 a second, burst 40);
// - an honest status: connecting, connected (welcomed), reconnecting, offline, stopped.
//
// The transport is injected (a WebSocket by default), so tests drive it with a fake socket.
//
// The desk's DeskSocket (frontend/desk/socket.ts) is a thin wrapper over it:
//   lastSeq: () => n        -> lastSeq: n at start, seek(snapshot.seq) after a fresh snapshot
//   onEvent                 -> onEvent (now in seq order and once each: the store's gap check
//                              no longer fires; a gap reconnects here, and seek() resyncs)
//   onSignal, onStatus      -> the same (welcome included in onSignal)
//   onAck(id, result, f)    -> the same; onFrameError(error, f) -> onError(error, f)
//   isSignedIn, onSignedOut -> onClose: async (code, opened) => refused handshake or
//                              4401/4403/1008 and not signed in ? (onSignedOut(), "stop") : "retry"
//   storageKey              -> outboxStore: sessionOutbox(key, (f) => f.type === "message")
//   watch                   -> hello: (n) => ({type: "hello", last_seq: n, ...(watch ? {watch: true} : {})})
//   presence superseding    -> latestOnly: ["presence"]
//   ws.close(4000, "gap")   -> reconnect(true); connectNow() -> reconnect()
//   SILENCE_LIMIT 50 s      -> timing: {pingEvery: 20_000, pongGrace: 30_000}

import { backoffDelay } from "./backoff";
import {
  type ClientFrame,
  type FrameError,
  type NewWrite,
  type ServerFrame,
  type StreamEvent,
  type WriteFrame,
  readError,
  WriteRefused,
} from "./frames";
import { newId } from "./ids";
import { type JsonObject, num, obj, parseObject, str } from "./json";
import { type Connector, type Network, type OutboxStore, type Transport, browserNetwork, webSocketConnector } from "./transport";

export * from "./frames";
export * from "./transport";

export type StreamStatus = "connecting" | "connected" | "reconnecting" | "offline" | "stopped";

export interface StreamTiming {
  pingEvery: number;
  pongGrace: number;
  gapWait: number;
  slowAfter: number;
  rateLimitedRetry: number;
  perSecond: number;
  burst: number;
}

export const DEFAULT_TIMING: StreamTiming = {
  pingEvery: 25_000,
  pongGrace: 10_000,
  gapWait: 3_000,
  slowAfter: 10_000,
  rateLimitedRetry: 1_500,
  perSecond: 15,
  burst: 30,
};

/** What to do after the socket closed: try again (with backoff), or stop for good. */
export type AfterClose = "retry" | "stop";

export interface StreamOptions {
  url: () => string;
  /** The first frame on every socket; `lastSeq` is the last event applied. */
  hello: (lastSeq: number) => ClientFrame;
  connect?: Connector;
  network?: Network | null;
  /** The last seq already applied (kept by the caller across a reload). */
  lastSeq?: number;
  timing?: Partial<StreamTiming>;
  /** Frame types of which only the newest unacknowledged one is kept (context, presence). */
  latestOnly?: readonly string[];
  outboxStore?: OutboxStore;
  random?: () => number;
  onEvent: (event: StreamEvent) => void;
  /** Every signal but ack, error and pong: welcome, typing, estimate, queues, … */
  onSignal?: (frame: ServerFrame) => void;
  onStatus?: (status: StreamStatus, attempt: number) => void;
  onAck?: (id: string, result: JsonObject, frame: WriteFrame | undefined) => void;
  /** An `error` signal; `frame` is the write it refers to (`ref`), if it is one of ours. */
  onError?: (error: FrameError, frame: WriteFrame | undefined) => void;
  /** The server replays the whole stream from 0: drop what was built from it. */
  onResync?: () => void;
  /** A write not acknowledged within `slowAfter`. */
  onSlow?: (frame: WriteFrame) => void;
  /** Asked after each close (`opened`: the socket had opened); by default, retry. */
  onClose?: (code: number, opened: boolean) => AfterClose | Promise<AfterClose>;
}

export interface Written {
  id: string;
  /** Resolves with the ack's result; rejects with WriteRefused. */
  done: Promise<JsonObject>;
}

interface Waiter {
  resolve: (result: JsonObject) => void;
  reject: (error: Error) => void;
  done: Promise<JsonObject>;
}

interface Connection {
  transport: Transport | null;
  opened: boolean;
  welcomed: boolean;
  resynced: boolean;
}

// Signals never carry a seq; a frame of these types is never taken for an event.
const SIGNALS = new Set(["ack", "error", "pong", "typing", "welcome", "estimate", "queues", "wallboard", "config", "alert", "signed_out"]);
const RETRY_LATER = new Set(["busy", "unavailable", "rate_limited"]);
const DROPPABLE = new Set(["typing"]);

export class Stream {
  private readonly o: StreamOptions;
  private readonly t: StreamTiming;
  private readonly connector: Connector;
  private readonly network: Network | null;
  private conn: Connection | null = null;
  private stopped = true;
  private unwatch: (() => void) | null = null;
  private currentStatus: StreamStatus = "stopped";
  private toldTries = 0;
  private tries = 0;
  private cursor: number;
  private readonly held = new Map<number, StreamEvent>();
  private readonly outbox = new Map<string, WriteFrame>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly slow = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly retries = new Map<string, ReturnType<typeof setTimeout>>();
  private queue: string[] = [];
  private tokens: number;
  private paceTimer: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: StreamOptions) {
    this.o = options;
    this.t = { ...DEFAULT_TIMING, ...options.timing };
    this.connector = options.connect ?? webSocketConnector;
    this.network = options.network === undefined ? browserNetwork : options.network;
    this.cursor = Math.max(0, options.lastSeq ?? 0);
    this.tokens = this.t.burst / 2;
    for (const f of options.outboxStore?.load() ?? []) {
      if (f && typeof f.id === "string" && typeof f.type === "string") this.outbox.set(f.id, f);
    }
  }

  // ---------------------------------------------------------------- reading

  get status(): StreamStatus {
    return this.currentStatus;
  }
  get attempt(): number {
    return this.tries;
  }
  /** Open and welcomed: writes go out now. */
  get ready(): boolean {
    return !!this.conn && this.conn.welcomed;
  }
  /** The last event handed on. */
  get lastSeq(): number {
    return this.cursor;
  }
  /** Writes not yet acknowledged, oldest first. */
  pending(): WriteFrame[] {
    return [...this.outbox.values()];
  }

  // ---------------------------------------------------------------- life

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.network) this.unwatch = this.network.watch(() => this.onOnline(), () => this.onOffline());
    this.connect();
  }

  /** Close for good. The outbox stays (see clearOutbox); start() again resumes. */
  stop(): void {
    if (this.stopped && this.currentStatus === "stopped") return;
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = null;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.drop(1000, "bye");
    for (const timer of this.slow.values()) clearTimeout(timer);
    this.slow.clear();
    this.setStatus("stopped");
  }

  /**
   * Connect again now: after a gap, when the network is back, on the caller's word. Unless
   * `force`, a socket that is open or opening is kept.
   */
  reconnect(force = false): void {
    if (this.stopped) return;
    if (this.conn && !force) return;
    this.drop(4000, "reconnect");
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.tries = Math.max(this.tries, 1);
    this.connect();
  }

  /** Resume from `seq` (a snapshot's), dropping held events; reconnects to say so. */
  seek(seq: number): void {
    this.cursor = Math.max(0, seq);
    this.held.clear();
    this.clearGap();
    if (this.conn) this.reconnect(true);
  }

  // ---------------------------------------------------------------- writing

  /**
   * A write frame: kept until its ack, sent now if the socket is ready and again after every
   * reconnect, with the same id. Writing an id already pending replaces that frame.
   */
  write(frame: NewWrite): Written {
    const f: WriteFrame = { ...frame, id: frame.id ?? newId() };
    if (this.o.latestOnly?.includes(f.type)) this.supersede(f);
    let waiter = this.waiters.get(f.id);
    if (!waiter) {
      waiter = makeWaiter();
      this.waiters.set(f.id, waiter);
    }
    this.outbox.set(f.id, f);
    this.persist();
    if (this.ready) this.transmit(f);
    this.watchSlow(f);
    return { id: f.id, done: waiter.done };
  }

  /** A passing signal (typing): sent only while ready, never queued or kept. */
  signal(frame: ClientFrame): void {
    if (this.ready) this.transmit(frame);
  }

  /** Take a write out of the outbox as done (the server's event showed it was stored). */
  forget(id: string): WriteFrame | undefined {
    const f = this.outbox.get(id);
    if (!f) return undefined;
    this.settle(id);
    this.waiters.get(id)?.resolve({});
    this.waiters.delete(id);
    return f;
  }

  /** Forget every pending write (the request ended, the specialist signed out). */
  clearOutbox(): void {
    for (const id of [...this.outbox.keys()]) this.settle(id);
    for (const w of this.waiters.values()) w.reject(new Error("cleared"));
    this.waiters.clear();
    this.persist();
  }

  // ---------------------------------------------------------------- internals: socket

  private connect(): void {
    if (this.stopped || this.conn) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (this.network && !this.network.online()) {
      this.setStatus("offline"); // the `online` event reconnects
      return;
    }
    this.setStatus(this.tries ? "reconnecting" : "connecting");
    const conn: Connection = { transport: null, opened: false, welcomed: false, resynced: false };
    this.conn = conn;
    try {
      conn.transport = this.connector(this.o.url(), {
        open: () => this.onOpen(conn),
        message: (data) => this.onMessage(conn, data),
        close: (code) => this.onClosed(conn, code),
      });
    } catch {
      this.conn = null;
      this.afterClose(1006, false);
    }
  }

  private onOpen(conn: Connection): void {
    if (conn !== this.conn) return;
    conn.opened = true;
    this.send(conn, JSON.stringify(this.o.hello(this.cursor)));
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.ping(), this.t.pingEvery);
  }

  private onClosed(conn: Connection, code: number): void {
    if (conn !== this.conn) return;
    const opened = conn.opened;
    this.drop();
    this.afterClose(code, opened);
  }

  private afterClose(code: number, opened: boolean): void {
    if (this.stopped) return;
    this.tries += 1;
    const online = !this.network || this.network.online();
    this.setStatus(online ? "reconnecting" : "offline");
    let verdict: AfterClose | Promise<AfterClose> = "retry";
    try {
      if (this.o.onClose) verdict = this.o.onClose(code, opened);
    } catch {
      verdict = "retry";
    }
    // Asked someone (the desk asks the server whether it is still signed in): wait for it.
    if (typeof verdict === "string") this.decide(verdict);
    else verdict.then((v) => this.decide(v), () => this.decide("retry")); // can't tell: retry
  }

  private decide(verdict: AfterClose): void {
    if (this.stopped || this.conn) return;
    if (verdict === "stop") {
      this.stop();
      return;
    }
    if (this.network && !this.network.online()) return; // the `online` event reconnects
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), backoffDelay(this.tries, this.o.random));
  }

  /** Let go of the current socket, closing it; everything tied to it goes too. */
  private drop(code = 4000, reason = "drop"): void {
    const conn = this.conn;
    this.conn = null;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = undefined;
    this.clearGap();
    this.held.clear();
    this.queue = [];
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    if (conn?.transport) {
      try {
        conn.transport.close(code, reason);
      } catch {
        /* already gone */
      }
    }
  }

  private onOnline(): void {
    this.tries = 0;
    this.reconnect();
  }

  private onOffline(): void {
    if (this.stopped) return;
    // A socket on a network that went away is dead, whatever the browser still says.
    const had = !!this.conn;
    this.drop(4000, "offline");
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (had || this.currentStatus !== "offline") this.tries += 1;
    this.setStatus("offline");
  }

  private ping(): void {
    const conn = this.conn;
    if (!conn?.opened) return;
    this.transmit({ type: "ping" });
    if (this.pongTimer !== undefined) return;
    this.pongTimer = setTimeout(() => {
      this.pongTimer = undefined;
      if (conn !== this.conn) return;
      // Nothing at all came back: the socket is dead even if the browser hasn't noticed.
      this.drop(4000, "silent");
      this.afterClose(4000, true);
    }, this.t.pongGrace);
  }

  // Told on every change, and again when another attempt starts (the desk shows the count).
  private setStatus(status: StreamStatus): void {
    if (status === this.currentStatus && this.tries === this.toldTries) return;
    this.currentStatus = status;
    this.toldTries = this.tries;
    this.o.onStatus?.(status, this.tries);
  }

  // ---------------------------------------------------------------- internals: frames in

  private onMessage(conn: Connection, data: string): void {
    if (conn !== this.conn) return;
    clearTimeout(this.pongTimer); // any frame shows the socket is alive
    this.pongTimer = undefined;
    const frame = parseObject(data);
    const type = frame ? str(frame.type) : null;
    if (!frame || type === null) return;
    const seq = num(frame.seq);
    if (seq !== null && !SIGNALS.has(type)) {
      this.onEvent({ ...frame, type, seq });
      return;
    }
    if (type === "pong") return;
    if (type === "welcome") this.onWelcome(conn, { ...frame, type });
    else if (type === "ack") this.onAck(frame);
    else if (type === "error") this.onError(conn, frame);
    else this.o.onSignal?.({ ...frame, type });
  }

  private onWelcome(conn: Connection, frame: ServerFrame): void {
    conn.welcomed = true;
    this.tries = 0;
    const end = num(frame.last_seq);
    // The stream is shorter than what we hold: the server replays it all from 0.
    if (end !== null && end < this.cursor) this.resync(conn);
    this.setStatus("connected");
    this.o.onSignal?.(frame);
    if (conn !== this.conn) return;
    for (const f of this.outbox.values()) {
      this.transmit(f);
      this.watchSlow(f);
    }
  }

  private resync(conn: Connection): void {
    if (conn.resynced) return;
    conn.resynced = true;
    this.cursor = 0;
    this.held.clear();
    this.clearGap();
    this.o.onResync?.();
  }

  private onEvent(ev: StreamEvent): void {
    if (ev.seq <= this.cursor) return; // seen already
    this.held.set(ev.seq, ev);
    const conn = this.conn;
    for (let next = this.held.get(this.cursor + 1); next; next = this.held.get(this.cursor + 1)) {
      this.held.delete(next.seq);
      this.cursor = next.seq;
      this.o.onEvent(next);
      if (this.stopped || conn !== this.conn) return;
    }
    if (!this.held.size) this.clearGap();
    else if (this.gapTimer === undefined) {
      // An event is missing: reconnect and let the server replay from the last seq.
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        if (this.held.size) this.reconnect(true);
      }, this.t.gapWait);
    }
  }

  private clearGap(): void {
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
  }

  private onAck(frame: JsonObject): void {
    const id = str(frame.id);
    if (id === null) return;
    const result = obj(frame.result) ?? {};
    const f = this.outbox.get(id);
    this.settle(id);
    this.waiters.get(id)?.resolve(result);
    this.waiters.delete(id);
    this.o.onAck?.(id, result, f);
  }

  private onError(conn: Connection, frame: JsonObject): void {
    const error = readError(frame);
    if (error.code === "hello_required" && conn.opened) {
      this.send(conn, JSON.stringify(this.o.hello(this.cursor)));
      return;
    }
    if (error.code === "stale_seq") {
      this.resync(conn);
      return;
    }
    const f = error.ref === null ? undefined : this.outbox.get(error.ref);
    if (f && RETRY_LATER.has(error.code)) {
      // Nothing of it was kept: the same frame, same id, a little later.
      const wait = error.retryAfter !== null ? error.retryAfter * 1000 : this.t.rateLimitedRetry;
      clearTimeout(this.retries.get(f.id));
      this.retries.set(f.id, setTimeout(() => {
        this.retries.delete(f.id);
        const still = this.outbox.get(f.id);
        if (still && this.ready) this.transmit(still);
      }, wait));
      return;
    }
    if (f) {
      this.settle(f.id);
      this.waiters.get(f.id)?.reject(new WriteRefused(error));
      this.waiters.delete(f.id);
    }
    this.o.onError?.(error, f);
  }

  // ---------------------------------------------------------------- internals: frames out

  private supersede(f: WriteFrame): void {
    for (const old of this.outbox.values()) {
      const id = old.id;
      if (old.type !== f.type || id === f.id) continue;
      this.settle(id);
      this.waiters.get(id)?.resolve({ superseded: true });
      this.waiters.delete(id);
    }
  }

  /** Out of the outbox, its timers cleared, the store told. */
  private settle(id: string): void {
    if (!this.outbox.delete(id)) return;
    clearTimeout(this.slow.get(id));
    this.slow.delete(id);
    clearTimeout(this.retries.get(id));
    this.retries.delete(id);
    this.persist();
  }

  private watchSlow(f: WriteFrame): void {
    if (!this.o.onSlow) return;
    clearTimeout(this.slow.get(f.id));
    this.slow.set(f.id, setTimeout(() => {
      this.slow.delete(f.id);
      const still = this.outbox.get(f.id);
      if (still) this.o.onSlow?.(still);
    }, this.t.slowAfter));
  }

  private persist(): void {
    this.o.outboxStore?.save(this.pending());
  }

  /** Paced: at most `perSecond` a second after a burst; typing is dropped rather than queued. */
  private transmit(frame: ClientFrame): void {
    const conn = this.conn;
    if (!conn?.opened) return;
    const data = JSON.stringify(frame);
    if (this.tokens >= 1 && !this.queue.length) {
      this.tokens -= 1;
      this.send(conn, data);
    } else if (!DROPPABLE.has(frame.type)) {
      this.queue.push(data);
    }
    this.pace();
  }

  private pace(): void {
    if (this.paceTimer !== undefined) return;
    const step = 100;
    this.paceTimer = setInterval(() => {
      this.tokens = Math.min(this.t.burst, this.tokens + (this.t.perSecond * step) / 1000);
      const conn = this.conn;
      while (conn?.opened && this.queue.length && this.tokens >= 1) {
        this.tokens -= 1;
        this.send(conn, this.queue.shift() ?? "");
      }
      if (this.tokens >= this.t.burst && !this.queue.length) {
        clearInterval(this.paceTimer);
        this.paceTimer = undefined;
      }
    }, step);
  }

  private send(conn: Connection, data: string): void {
    try {
      conn.transport?.send(data);
    } catch {
      /* the close handler reconnects */
    }
  }
}

function makeWaiter(): Waiter {
  let resolve: (result: JsonObject) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const done = new Promise<JsonObject>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  done.catch(() => undefined); // callers may ignore it
  return { resolve, reject, done };
}

