// The specialist WebSocket: hello with last_seq, resume with backoff, and an outbox of
// unacknowledged write frames that are sent again (same id) after every reconnect.
//
// This module is transport only. Ordering and de-duplication by `seq` live in store.js.

const SIGNALS = new Set(["ack", "error", "pong", "typing", "queues", "welcome"]);
const PING_EVERY = 20_000;
const SILENCE_LIMIT = 50_000; // no frame at all for this long: the socket is dead
const BACKOFF_FIRST = 500;
const BACKOFF_MAX = 10_000;

export function newId() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // Fallback for non-secure contexts (plain http on a LAN address).
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export function backoffDelay(attempt) {
  const base = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** Math.max(0, attempt - 1));
  const jittered = base * (0.75 + Math.random() * 0.5);
  return Math.round(Math.min(BACKOFF_MAX, jittered));
}

export class DeskSocket {
  /**
   * @param {object} o
   * @param {() => number} o.lastSeq       the last seq the store applied
   * @param {(ev) => void} o.onEvent       sequenced events, in arrival order
   * @param {(frame) => void} o.onSignal   typing, queues, welcome, pong
   * @param {(status, attempt) => void} o.onStatus  connecting|connected|reconnecting|offline|stopped
   * @param {() => Promise<boolean>} o.isSignedIn   asked after a refused handshake
   * @param {() => void} o.onSignedOut
   * @param {(id, result, frame) => void} o.onAck
   * @param {(error, frame) => void} o.onFrameError  an `error` signal whose ref is one of ours
   * @param {string} [o.storageKey]        keep unacked `message` frames across a reload
   */
  constructor(o) {
    this.o = o;
    this.ws = null;
    this.ready = false; // open and welcomed
    this.stopped = true;
    this.attempt = 0;
    this.timer = null;
    this.pingTimer = null;
    this.lastFrameAt = 0;
    this.outbox = new Map(); // id -> frame, in send order
    this.waiters = new Map(); // id -> {resolve, reject}
    this.onOnline = () => this.connectNow();
    this.onOffline = () => {
      this.o.onStatus("offline", this.attempt);
      if (this.ws) this.ws.close(4000, "offline");
    };
    this.restoreOutbox();
  }

  start() {
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.connect();
  }

  stop() {
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
  clearOutbox() {
    this.outbox.clear();
    for (const w of this.waiters.values()) w.reject(new Error("signed out"));
    this.waiters.clear();
    this.persistOutbox();
  }

  /** Frames written but not yet acknowledged, oldest first. */
  pending() {
    return [...this.outbox.values()];
  }

  /**
   * A write frame: gets a fresh client id (unless it already has one, e.g. a resend),
   * is kept until its `ack`, and is sent again after every reconnect.
   * Returns {id, done} where done resolves with the ack result or rejects with the error.
   */
  write(frame) {
    const f = { ...frame, id: frame.id || newId() };
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
    const done = new Promise((resolve, reject) => this.waiters.set(f.id, { resolve, reject }));
    done.catch(() => {}); // callers may ignore it
    if (this.ready) this.raw(f);
    return { id: f.id, done };
  }

  /** A passing signal (typing, ping): sent only when connected, never queued. */
  signal(frame) {
    if (this.ready) this.raw(frame);
  }

  connectNow() {
    if (this.stopped) return;
    if (this.ws && (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)) return;
    clearTimeout(this.timer);
    this.attempt = Math.max(this.attempt, 1);
    this.connect();
  }

  // ---- internals

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/specialist`;
  }

  raw(frame) {
    try {
      this.ws.send(JSON.stringify(frame));
    } catch {
      /* the close handler will reconnect */
    }
  }

  connect() {
    if (this.stopped) return;
    if (!navigator.onLine) {
      this.o.onStatus("offline", this.attempt);
      return; // the `online` event reconnects
    }
    this.o.onStatus(this.attempt ? "reconnecting" : "connecting", this.attempt);
    let opened = false;
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect(false, 1006);
      return;
    }
    this.ws = ws;
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
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      if (frame && typeof frame === "object") this.receive(frame);
    });
    ws.addEventListener("close", (e) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.ready = false;
      clearInterval(this.pingTimer);
      this.scheduleReconnect(opened, e.code);
    });
  }

  heartbeat() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const silent = Date.now() - this.lastFrameAt;
    if (silent > SILENCE_LIMIT) {
      this.ws.close(4000, "silent");
      return;
    }
    if (silent > PING_EVERY) this.raw({ type: "ping" });
  }

  async scheduleReconnect(opened, code) {
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
      let signedIn = true;
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

  receive(frame) {
    if (typeof frame.seq === "number" && !SIGNALS.has(frame.type)) {
      this.o.onEvent(frame);
      return;
    }
    switch (frame.type) {
      case "welcome":
        this.ready = true;
        this.attempt = 0;
        this.o.onStatus("connected", 0);
        this.o.onSignal(frame);
        for (const f of this.outbox.values()) this.raw(f);
        return;
      case "ack": {
        const f = this.outbox.get(frame.id);
        this.outbox.delete(frame.id);
        this.persistOutbox();
        this.o.onAck(frame.id, frame.result || {}, f);
        this.waiters.get(frame.id)?.resolve(frame.result || {});
        this.waiters.delete(frame.id);
        return;
      }
      case "error": {
        const f = frame.ref ? this.outbox.get(frame.ref) : undefined;
        if (f && frame.code === "rate_limited") {
          // Still ours to deliver: try again shortly, same id.
          setTimeout(() => {
            if (this.ready && this.outbox.has(f.id)) this.raw(f);
          }, 1500);
          return;
        }
        if (f) {
          this.outbox.delete(f.id);
          this.persistOutbox();
          this.waiters.get(f.id)?.reject(Object.assign(new Error(frame.message || frame.code), { code: frame.code }));
          this.waiters.delete(f.id);
        }
        this.o.onFrameError(frame, f);
        return;
      }
      default:
        this.o.onSignal(frame);
    }
  }

  persistOutbox() {
    if (!this.o.storageKey) return;
    try {
      const keep = [...this.outbox.values()].filter((f) => f.type === "message");
      if (keep.length) sessionStorage.setItem(this.o.storageKey, JSON.stringify(keep));
      else sessionStorage.removeItem(this.o.storageKey);
    } catch {
      /* storage full or disabled: the in-memory outbox still works */
    }
  }

  restoreOutbox() {
    if (!this.o.storageKey) return;
    try {
      const saved = JSON.parse(sessionStorage.getItem(this.o.storageKey) || "[]");
      for (const f of saved) {
        if (f && typeof f.id === "string" && f.type === "message") this.outbox.set(f.id, f);
      }
    } catch {
      /* ignore a damaged entry */
    }
  }
}
