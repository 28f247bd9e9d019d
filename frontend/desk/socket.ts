// The specialist WebSocket: the shared stream client (frontend/shared/stream.ts) with the
// desk's options — hello with last_seq (and `watch` on a wall display), the sign-in check
// after a refused handshake, unsent replies kept across a reload, only the latest presence
// kept — and the desk's typed frames at the boundary.
//
// Resume, ordering by seq, gaps, resends with the same id, backoff, the heartbeat and the
// honest status are the stream's: one client for the widget and the desk.

import { type JsonObject } from "../shared/json";
import {
  type FrameError as StreamError,
  type ServerFrame,
  type StreamEvent,
  type WriteFrame as StreamWrite,
  Stream,
  WriteRefused,
  sessionOutbox,
} from "../shared/stream";
import type {
  AckResult, DeskEvent, DeskServerFrame, DeskSignal, ErrorCode, ErrorSignal, SignalFrame, WriteDraft, WriteFrame,
} from "./protocol";
import type { ConnStatus } from "./store";

// The desk's socket may send 200 frames a second (TAPLINE_DESK_FRAME_RATE); stay under it.
const TIMING = { pingEvery: 20_000, pongGrace: 30_000, perSecond: 150, burst: 300 };
const AUTH_CLOSES = new Set([4401, 4403, 1008]);

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
  /** The last seq the store applied, read once at start (seek() after a new snapshot). */
  lastSeq: () => number;
  /** A wall display: say `watch` in hello (no offers, not made present). */
  watch?: () => boolean;
  /** Sequenced events, in seq order, once each. */
  onEvent: (ev: DeskEvent) => void;
  /** Signals: welcome, typing, queues, wallboard, config and the like. */
  onSignal: (frame: DeskSignal) => void;
  onStatus: (status: ConnStatus, attempt: number) => void;
  /** Asked after a refused handshake or an auth close. */
  isSignedIn: () => Promise<boolean>;
  onSignedOut: () => void;
  onAck: (id: string, result: AckResult, frame: WriteFrame | undefined) => void;
  /** An `error` signal, with the frame of ours it refers to, if any. */
  onFrameError: (error: ErrorSignal, frame: WriteFrame | undefined) => void;
  /** The server replays the whole stream from 0 (`stale_seq`): rebuild from a snapshot. */
  onResync?: () => void;
  /** Keep unacknowledged `message` frames across a reload (sessionStorage). */
  storageKey?: string;
}

export class DeskSocket {
  private readonly o: DeskSocketOptions;
  private readonly stream: Stream;

  constructor(o: DeskSocketOptions) {
    this.o = o;
    this.stream = new Stream({
      url: socketUrl,
      hello: (lastSeq) => ({ type: "hello", last_seq: lastSeq, ...(o.watch && o.watch() ? { watch: true } : {}) }),
      lastSeq: o.lastSeq(),
      timing: TIMING,
      latestOnly: ["presence"],
      outboxStore: o.storageKey ? sessionOutbox(o.storageKey, (f) => f.type === "message") : undefined,
      onEvent: (ev: StreamEvent) => o.onEvent(ev as unknown as DeskEvent),
      onSignal: (frame: ServerFrame) => o.onSignal(frame as unknown as DeskSignal),
      onStatus: (status, attempt) => o.onStatus(status, attempt),
      onAck: (id, result, frame) => o.onAck(id, result as AckResult, frame as WriteFrame | undefined),
      onError: (error, frame) => this.refused(error, frame),
      onResync: () => o.onResync?.(),
      onClose: (code, opened) => this.afterClose(code, opened),
    });
  }

  /** Open and welcomed: writes go out now. */
  get ready(): boolean {
    return this.stream.ready;
  }

  get attempt(): number {
    return this.stream.attempt;
  }

  start(): void {
    this.stream.start();
  }

  stop(): void {
    this.stream.stop();
  }

  /** Forget everything queued (used on sign-out). */
  clearOutbox(): void {
    this.stream.clearOutbox();
  }

  /** Frames written but not yet acknowledged, oldest first. */
  pending(): WriteFrame[] {
    return this.stream.pending() as unknown as WriteFrame[];
  }

  /**
   * A write frame: a fresh client id (unless it has one, e.g. a resend), kept until its
   * `ack`, sent again after every reconnect. `done` resolves with the ack's result or
   * rejects with a FrameError.
   */
  write(frame: WriteDraft): { id: string; done: Promise<WriteResult> } {
    const written = this.stream.write(frame as unknown as JsonObject & { type: string; id?: string });
    const done = written.done.then(
      (result) => result as WriteResult,
      (error: unknown) => {
        const code = (error instanceof WriteRefused ? error.code : "unavailable") as ErrorCode;
        throw new FrameError(error instanceof Error ? error.message : String(error), code);
      },
    );
    done.catch(() => {}); // callers may ignore it
    return { id: written.id, done };
  }

  /** A passing signal (typing): sent only when connected, never queued. */
  signal(frame: SignalFrame): void {
    this.stream.signal(frame as unknown as JsonObject & { type: string });
  }

  /** Connect again now, unless a socket is open or opening (`force`: even then). */
  reconnect(force = false): void {
    this.stream.reconnect(force);
  }

  /** Resume from `seq` (a fresh snapshot's, or where the store is): reconnects to say so. */
  seek(seq: number): void {
    this.stream.seek(seq);
  }

  private refused(error: StreamError, frame: StreamWrite | undefined): void {
    // The stream has asked for the whole stream again; the store rebuilds (onResync).
    if (error.code === "stale_seq") return;
    const signal = { type: "error", code: error.code, message: error.message, ref: error.ref } as ErrorSignal;
    this.o.onFrameError(signal, frame as WriteFrame | undefined);
  }

  // A browser can't see the HTTP status of a refused handshake (403 when the session is
  // gone), so after a handshake that never opened, or an auth close, ask over HTTP.
  private async afterClose(code: number, opened: boolean): Promise<"retry" | "stop"> {
    if (opened && !AUTH_CLOSES.has(code)) return "retry";
    let signedIn: boolean;
    try {
      signedIn = await this.o.isSignedIn();
    } catch {
      signedIn = true; // server unreachable: keep trying
    }
    if (signedIn) return "retry";
    this.o.onSignedOut();
    return "stop";
  }
}

function socketUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/specialist`;
}

/** The parse boundary for frames read outside the stream (tests, tools): any JSON object. */
export function parseFrame(data: unknown): DeskServerFrame | null {
  if (typeof data !== "string") return null;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return null;
  }
  if (!frame || typeof frame !== "object" || Array.isArray(frame)) return null;
  return frame as DeskServerFrame;
}
