import {
  applyBoard,
  bindBoard,
  board,
  every,
  loadBoard
} from "./chunks/chunk-Q5OFTHYJ.js";
import {
  current,
  linkHandler,
  onRoute
} from "./chunks/chunk-VAL4UJE4.js";
import {
  ApiError,
  CHANNELS,
  DISPOSITIONS,
  activeCount,
  announce,
  applyEvent,
  applySnapshot,
  changed,
  channelOf,
  clip,
  clockTime,
  dismiss,
  dispositionLabel,
  duration,
  fullTime,
  getState,
  h,
  icon,
  initials,
  isClosed,
  isLate,
  isLive,
  isRecord,
  isoTime,
  kbd,
  markSeen,
  offersOldestFirst,
  on,
  outcomeText,
  promiseText,
  propsText,
  render,
  reset,
  ring,
  ringingText,
  select,
  serverNow,
  setConn,
  signIn,
  signOut,
  state,
  stateLabel,
  toast,
  totalUnread,
  utf8Bytes,
  valueText
} from "./chunks/chunk-RE3IMUZ3.js";

// frontend/shared/backoff.ts
var BACKOFF_FIRST = 500;
var BACKOFF_MAX = 1e4;
var BACKOFF_JITTER = 0.25;
function backoffDelay(attempt, random = Math.random) {
  const n = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
  const base = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** Math.min(n, 10));
  const jittered = base * (1 - BACKOFF_JITTER + random() * 2 * BACKOFF_JITTER);
  return Math.round(Math.min(BACKOFF_MAX, Math.max(0, jittered)));
}

// frontend/shared/ids.ts
function source() {
  return typeof globalThis.crypto === "object" ? globalThis.crypto : void 0;
}
function newId(c = source()) {
  if (c && typeof c.randomUUID === "function") {
    try {
      return c.randomUUID();
    } catch {
    }
  }
  const b = new Uint8Array(16);
  if (c && typeof c.getRandomValues === "function") c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = b[6] & 15 | 64;
  b[8] = b[8] & 63 | 128;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// frontend/desk/socket.ts
var SIGNALS = /* @__PURE__ */ new Set(["ack", "error", "pong", "typing", "queues", "welcome"]);
var PING_EVERY = 2e4;
var SILENCE_LIMIT = 5e4;
var RATE_LIMITED_RETRY = 1500;
var FrameError = class extends Error {
  constructor(message2, code) {
    super(message2);
    this.code = code;
  }
};
var DeskSocket = class {
  constructor(o) {
    this.ws = null;
    /** Open and welcomed. */
    this.ready = false;
    this.stopped = true;
    this.attempt = 0;
    this.lastFrameAt = 0;
    /** id -> frame, in send order. */
    this.outbox = /* @__PURE__ */ new Map();
    this.waiters = /* @__PURE__ */ new Map();
    this.onOnline = () => this.connectNow();
    this.onOffline = () => {
      this.o.onStatus("offline", this.attempt);
      if (this.ws) this.ws.close(4e3, "offline");
    };
    this.o = o;
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
      ws.close(1e3, "bye");
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
   * `done` resolves with the ack's result or rejects with a FrameError.
   */
  write(frame) {
    const f = { ...frame, id: frame.id || newId() };
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
    const done = new Promise((resolve2, reject) => this.waiters.set(f.id, { resolve: resolve2, reject }));
    done.catch(() => {
    });
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
      this.ws?.send(JSON.stringify(frame));
    } catch {
    }
  }
  connect() {
    if (this.stopped) return;
    if (!navigator.onLine) {
      this.o.onStatus("offline", this.attempt);
      return;
    }
    this.o.onStatus(this.attempt ? "reconnecting" : "connecting", this.attempt);
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      void this.scheduleReconnect(false, 1006);
      return;
    }
    this.ws = ws;
    this.listen(ws);
  }
  listen(ws) {
    let opened = false;
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      opened = true;
      this.lastFrameAt = Date.now();
      const watch = Boolean(this.o.watch && this.o.watch());
      this.raw({ type: "hello", last_seq: this.o.lastSeq(), ...watch ? { watch: true } : {} });
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
  heartbeat() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const silent = Date.now() - this.lastFrameAt;
    if (silent > SILENCE_LIMIT) {
      this.ws.close(4e3, "silent");
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
    if (!opened || code === 4401 || code === 4403 || code === 1008) {
      let signedIn;
      try {
        signedIn = await this.o.isSignedIn();
      } catch {
        signedIn = true;
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
    if ("seq" in frame && typeof frame.seq === "number" && !SIGNALS.has(frame.type)) {
      this.o.onEvent(frame);
      return;
    }
    const signal = frame;
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
  acked(id, result) {
    const f = this.outbox.get(id);
    this.outbox.delete(id);
    this.persistOutbox();
    this.o.onAck(id, result, f);
    this.waiters.get(id)?.resolve(result);
    this.waiters.delete(id);
  }
  refused(error) {
    const f = error.ref ? this.outbox.get(error.ref) : void 0;
    if (f && error.code === "rate_limited") {
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
  persistOutbox() {
    if (!this.o.storageKey) return;
    try {
      const keep = [...this.outbox.values()].filter((f) => f.type === "message");
      if (keep.length) sessionStorage.setItem(this.o.storageKey, JSON.stringify(keep));
      else sessionStorage.removeItem(this.o.storageKey);
    } catch {
    }
  }
  restoreOutbox() {
    if (!this.o.storageKey) return;
    try {
      const saved = JSON.parse(sessionStorage.getItem(this.o.storageKey) || "[]");
      if (!Array.isArray(saved)) return;
      for (const f of saved) {
        if (isSavedMessage(f)) this.outbox.set(f.id, f);
      }
    } catch {
    }
  }
};
function parseFrame(data2) {
  if (typeof data2 !== "string") return null;
  let frame;
  try {
    frame = JSON.parse(data2);
  } catch {
    return null;
  }
  if (!frame || typeof frame !== "object") return null;
  return frame;
}
function isSavedMessage(f) {
  if (!f || typeof f !== "object") return false;
  const m = f;
  return typeof m.id === "string" && m.type === "message";
}

// frontend/desk/actions.ts
var socket = null;
var typingSent = /* @__PURE__ */ new Map();
var TYPING_EVERY = 3e3;
function bindSocket(s) {
  socket = s;
}
function bound() {
  if (!socket) throw new Error("The desk's socket is not started.");
  return socket;
}
var offerGone = (err) => err instanceof FrameError && (err.code === "not_found" || err.code === "invalid_state");
var message = (err) => err instanceof Error ? err.message : String(err);
function accept(requestId) {
  const offer = state.offers.get(requestId);
  if (!offer || offer.busy || state.conn.status !== "connected") return;
  offer.busy = "accepting";
  state.acceptedByMe.add(requestId);
  changed("offers");
  bound().write({ type: "accept", request_id: requestId }).done.catch((err) => {
    state.acceptedByMe.delete(requestId);
    const o = state.offers.get(requestId);
    if (o) {
      o.busy = null;
      if (offerGone(err)) state.offers.delete(requestId);
    }
    toast(`Couldn't accept: ${message(err)}`, "error");
    changed("offers");
  });
}
function decline(requestId) {
  const offer = state.offers.get(requestId);
  if (!offer || offer.busy || state.conn.status !== "connected") return;
  offer.busy = "declining";
  changed("offers");
  bound().write({ type: "decline", request_id: requestId }).done.then(() => {
    state.offers.delete(requestId);
    changed("offers");
  }).catch((err) => {
    const o = state.offers.get(requestId);
    if (o) o.busy = null;
    if (offerGone(err)) state.offers.delete(requestId);
    toast(`Couldn't decline: ${message(err)}`, "error");
    changed("offers");
  });
}
function setPresence(status) {
  if (!state.me || state.me.presence === status && !state.presencePending) return;
  state.presencePending = status;
  changed("me");
  bound().write({ type: "presence", status }).done.then((result) => {
    if (result && result.superseded) return;
    if (state.presencePending === status) state.presencePending = null;
    if (state.me) state.me.presence = status;
    changed("me");
  }).catch((err) => {
    state.presencePending = null;
    toast(`Couldn't change presence: ${message(err)}`, "error");
    changed("me");
  });
}
function sendMessage(requestId, body) {
  const r = state.requests.get(requestId);
  if (!r || !isLive(r)) return false;
  const id = newId();
  r.pending.set(id, { client_id: id, body, at: serverNow(), status: "sending", error: "" });
  bound().write({ type: "message", id, request_id: requestId, body });
  typing(requestId, false, true);
  changed("thread", "list");
  return true;
}
function retryMessage(requestId, clientId) {
  const p = state.requests.get(requestId)?.pending.get(clientId);
  if (!p) return;
  p.status = "sending";
  p.error = "";
  bound().write({ type: "message", id: clientId, request_id: requestId, body: p.body });
  changed("thread");
}
function discardMessage(requestId, clientId) {
  const r = state.requests.get(requestId);
  if (r && r.pending.delete(clientId)) changed("thread");
}
function restorePending(frames) {
  for (const f of frames) {
    if (f.type !== "message") continue;
    const r = state.requests.get(f.request_id);
    if (!r || r.messages.some((m) => m.client_id === f.id)) continue;
    r.pending.set(f.id, { client_id: f.id, body: f.body, at: serverNow(), status: "sending", error: "" });
  }
  changed("thread");
}
function onAck(id, _result, frame) {
  if (!frame || frame.type !== "message") return;
  const r = state.requests.get(frame.request_id);
  const p = r && r.pending.get(id);
  if (!r || !p) return;
  if (r.messages.some((x) => x.client_id === id)) r.pending.delete(id);
  else p.status = "sent";
  if (state.selectedId === r.id) changed("thread");
}
function onFrameError(err, frame) {
  if (frame && frame.type === "message") {
    const p = state.requests.get(frame.request_id)?.pending.get(frame.id);
    if (p) {
      p.status = "failed";
      p.error = err.message || err.code || "Not sent";
      changed("thread");
      announce(`Message not sent: ${p.error}`, "assertive");
    }
    return;
  }
  if (!frame) {
    if (err.code && err.code !== "rate_limited") toast(err.message || err.code, "error");
  }
}
function resolve(requestId, disposition, note) {
  const r = state.requests.get(requestId);
  if (!r || !isLive(r)) return Promise.reject(new Error("This request is no longer connected to you."));
  const frame = { type: "resolve", request_id: requestId, disposition };
  if (note) frame.note = note;
  r.resolving = "sending";
  changed("thread");
  return bound().write(frame).done.then(
    (result) => {
      r.resolving = isClosed(r) ? null : "acked";
      r.resolveNote = note || "";
      changed("thread");
      return result;
    },
    (err) => {
      r.resolving = null;
      changed("thread");
      throw err;
    }
  );
}
function typing(requestId, active, force = false) {
  if (!socket) return;
  const last = typingSent.get(requestId);
  const now = Date.now();
  if (active) {
    if (!force && last && last.active && now - last.at < TYPING_EVERY) return;
  } else if (!last || !last.active) {
    return;
  }
  typingSent.set(requestId, { at: now, active });
  socket.signal({ type: "typing", request_id: requestId, active });
}

// frontend/desk/signin.ts
function retryAfter(detail) {
  const wait = /(\d+)\s*s\b/.exec(detail);
  return wait ? Number(wait[1]) : null;
}
function showSignin(root2, { onSignedIn, note = "" }) {
  const email = h("input", { id: "signin-email", type: "email", name: "email", autocomplete: "username", required: true, spellcheck: "false" });
  const password = h("input", { id: "signin-password", type: "password", name: "password", autocomplete: "current-password", required: true });
  const error = h("div.form-error", { id: "signin-error", role: "alert", aria: { live: "assertive" } });
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, "Sign in");
  const form2 = h(
    "form.signin-form",
    { novalidate: true, aria: { describedby: "signin-error" } },
    h("label.field-label", { for: "signin-email" }, "Email"),
    email,
    h("label.field-label", { for: "signin-password" }, "Password"),
    password,
    error,
    submit
  );
  const card = h(
    "main.signin",
    { aria: { labelledby: "signin-title" } },
    h(
      "div.signin-card",
      null,
      h("div.brand.brand-large", null, h("span.brand-mark", { aria: { hidden: "true" } }, icon("chat", 18)), "tapline"),
      h("h1", { id: "signin-title" }, "Sign in to the desk"),
      note ? h("p.signin-note", { role: "status" }, icon("info", 14), note) : null,
      form2
    )
  );
  root2.replaceChildren(card);
  let retryTimer;
  const failed = (err) => {
    const status = err instanceof ApiError ? err.status : 0;
    if (status === 401) {
      error.textContent = "Email or password is wrong.";
      password.setAttribute("aria-invalid", "true");
      password.select();
      password.focus();
    } else if (status === 429 && err instanceof ApiError) {
      error.textContent = err.detail || "Too many sign-in attempts. Try again later.";
      const wait = retryAfter(err.detail || "");
      if (wait !== null) {
        submit.disabled = true;
        submit.textContent = "Sign in";
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => {
          submit.disabled = false;
        }, wait * 1e3);
        return true;
      }
    } else {
      error.textContent = err instanceof Error && err.message || "Sign-in failed. Try again.";
    }
    return false;
  };
  form2.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    email.removeAttribute("aria-invalid");
    password.removeAttribute("aria-invalid");
    if (!email.value.trim() || !password.value) {
      error.textContent = "Enter your email and password.";
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in\u2026";
    try {
      await signIn(email.value.trim(), password.value);
      clearTimeout(retryTimer);
      await onSignedIn();
    } catch (err) {
      if (failed(err)) return;
    }
    submit.disabled = false;
    submit.textContent = "Sign in";
  });
  email.focus();
}

// frontend/desk/offers.ts
function verifiedBadge(customer, compact = false) {
  if (customer && customer.verified === true) {
    return h(
      "span.badge.badge-verified",
      { title: "Identity signed by the app's backend" },
      icon("shield", 12),
      compact ? null : "Verified"
    );
  }
  return h(
    "span.badge.badge-unverified",
    { title: "Claimed by the app, not checked" },
    icon("alert", 12),
    compact ? null : "Unverified"
  );
}
function whereText(context) {
  const c = isRecord(context) ? context : {};
  const parts = [c.flow, c.step].filter((x) => typeof x === "string" && x !== "");
  return parts.join(" \u203A ");
}
function channelChip(x) {
  const c = CHANNELS[channelOf(x)];
  return h(`span.chip.chip-channel.channel-${channelOf(x)}`, null, icon(c.icon, 12), c.label);
}
function callbackLine(cb) {
  const late = isLate(cb);
  return h(
    `p.offer-callback${late ? ".is-late" : ""}`,
    null,
    icon(late ? "alert" : "phone", 14),
    promiseText(cb),
    late ? " \xB7 late" : null
  );
}
function ringTotal(offer, now) {
  const window2 = (offer.expires_at || 0) - (offer.at || 0);
  const left = (offer.expires_at || 0) - now;
  return window2 > 0 && window2 <= 12e4 && window2 >= left ? window2 : Math.max(1e3, left);
}
function customerName(customer) {
  const c = customer || {};
  return c.name || c.email || "Anonymous customer";
}
function offerButtons(offer, name, first) {
  const channel = CHANNELS[channelOf(offer)];
  const offline = state.conn.status !== "connected";
  const acceptText = document.createTextNode(offer.busy === "accepting" ? "Accepting\u2026" : "Accept");
  const accept2 = h("button.btn.btn-primary", {
    type: "button",
    dataset: { key: `accept-${offer.request_id}` },
    disabled: Boolean(offer.busy) || offline,
    title: offline ? "Waiting for the connection" : void 0,
    aria: { keyshortcuts: first ? "Alt+A" : void 0, label: `Accept ${channel.verb} ${clip(name, 60)}` },
    onclick: () => accept(offer.request_id)
  }, icon("check", 14), acceptText);
  const decline2 = h("button.btn", {
    type: "button",
    dataset: { key: `decline-${offer.request_id}` },
    disabled: Boolean(offer.busy) || offline,
    aria: { keyshortcuts: first ? "Alt+D" : void 0, label: `Decline ${channel.verb} ${clip(name, 60)}` },
    onclick: () => decline(offer.request_id)
  }, offer.busy === "declining" ? "Declining\u2026" : "Decline");
  return { accept: accept2, decline: decline2, acceptText };
}
function offerCard(offer, index) {
  const customer = offer.customer || {};
  const name = customerName(customer);
  const where2 = whereText(offer.context);
  const first = index === 0;
  if (!offer.ringTotal) offer.ringTotal = ringTotal(offer, serverNow());
  const total = offer.ringTotal;
  const countdown = ring(40);
  const seconds = h("span.offer-seconds", null, "");
  const buttons = offerButtons(offer, name, first);
  const card = h(
    "li.offer-card",
    { aria: { label: `Offer: ${clip(name, 60)}` } },
    h(
      "div.offer-top",
      h("div.offer-timer", { role: "timer", aria: { label: "Time left to accept" } }, countdown.el, seconds),
      h(
        "div.offer-who",
        h("div.offer-name", { title: name }, clip(name, 60), " ", verifiedBadge(customer)),
        h(
          "div.offer-meta",
          null,
          channelChip(offer),
          offer.queue && offer.queue.name ? h("span.chip", null, icon("queue", 12), offer.queue.name) : null,
          where2 ? h("span.offer-where", { title: where2 }, icon("map", 12), clip(where2, 60)) : null
        )
      )
    ),
    offer.callback ? callbackLine(offer.callback) : null,
    offer.description ? h("p.offer-desc", { title: offer.description }, clip(offer.description, 280)) : null,
    h("div.offer-actions", null, buttons.accept, buttons.decline),
    first ? h("p.offer-hint", { aria: { hidden: "true" } }, kbd("Alt", "A"), " accept \xB7 ", kbd("Alt", "D"), " decline") : null
  );
  every(card, () => {
    const left = (offer.expires_at || 0) - serverNow();
    countdown.set(left / total);
    const s = Math.max(0, Math.ceil(left / 1e3));
    seconds.textContent = left > 0 ? `${s}s` : "0s";
    card.classList.toggle("offer-urgent", left > 0 && left <= 1e4);
    if (left <= 0 && !card.classList.contains("offer-expired")) {
      card.classList.add("offer-expired");
      buttons.accept.disabled = true;
      buttons.decline.disabled = true;
      buttons.acceptText.textContent = "Expired";
      setTimeout(() => {
        if (state.offers.get(offer.request_id) === offer) {
          state.offers.delete(offer.request_id);
          changed("offers");
        }
      }, 5e3);
      return false;
    }
    return true;
  });
  return card;
}
function mountOffers(section2) {
  const heading = h("h2.section-title", { id: "offers-title" }, "Incoming offers");
  const count = h("span.count", null, "");
  heading.append(" ", count);
  const list = h("ul.offer-list", { aria: { labelledby: "offers-title" } });
  const empty = h("p.empty", null, "No offers right now. New ones appear here with a countdown.");
  section2.append(heading, list, empty);
  section2.setAttribute("aria-labelledby", "offers-title");
  const draw = () => {
    const offers = offersOldestFirst();
    count.textContent = offers.length ? String(offers.length) : "";
    section2.classList.toggle("has-offers", offers.length > 0);
    empty.hidden = offers.length > 0;
    render(list, offers.map((o, i) => offerCard(o, i)));
  };
  on("offers", draw);
  on("conn", draw);
}

// frontend/desk/sidebar.ts
var PRESENCE = [
  ["available", "Available"],
  ["busy", "Busy"],
  ["away", "Away"]
];
function presenceButtons() {
  const me = state.me;
  const current2 = state.presencePending || me?.presence || "offline";
  const known = PRESENCE.some(([v]) => v === current2);
  return PRESENCE.map(([value, label], i) => {
    const checked = current2 === value;
    const pending = state.presencePending === value;
    return h(`button.segment.presence-${value}`, {
      type: "button",
      role: "radio",
      dataset: { key: `presence-${value}` },
      aria: { checked: String(checked), busy: pending ? "true" : void 0 },
      tabindex: checked || !known && i === 0 ? "0" : "-1",
      onclick: () => setPresence(value),
      onkeydown: (e) => presenceKeys(e, value)
    }, h("span.dot", { aria: { hidden: "true" } }), label, pending ? "\u2026" : null);
  });
}
function mountMe(section2) {
  const avatar = h("span.avatar", { aria: { hidden: "true" } });
  const name = h("div.me-name");
  const role = h("div.me-role");
  const group = h("div.segmented", { role: "radiogroup", aria: { label: "Presence" } });
  const capacityText = h("span.capacity-text");
  const meter = h("meter.capacity-meter", { min: "0", max: "3", value: "0", aria: { hidden: "true" } });
  section2.append(
    h("div.me-head", null, avatar, h("div", null, name, role)),
    group,
    h("div.capacity", null, capacityText, meter)
  );
  on("me", () => {
    const me = state.me;
    avatar.textContent = initials(me?.name);
    name.textContent = me?.name || "";
    role.textContent = me?.role || "Specialist";
    render(group, presenceButtons());
    const cap = me && Number.isFinite(me.capacity) ? me.capacity : 0;
    const active = activeCount();
    capacityText.textContent = `${active} of ${cap} chat${cap === 1 ? "" : "s"}`;
    meter.max = Math.max(cap, 1);
    meter.value = Math.min(active, meter.max);
    meter.high = Math.max(cap - 0.5, 0.5);
    meter.optimum = 0;
  });
}
function presenceKeys(e, value) {
  if (!(e instanceof KeyboardEvent)) return;
  const i = PRESENCE.findIndex(([v]) => v === value);
  let next = -1;
  if (e.key === "ArrowRight" || e.key === "ArrowDown") next = (i + 1) % PRESENCE.length;
  if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = (i + PRESENCE.length - 1) % PRESENCE.length;
  if (next < 0) return;
  e.preventDefault();
  const [status] = PRESENCE[next];
  setPresence(status);
  requestAnimationFrame(() => document.querySelector(`[data-key="presence-${status}"]`)?.focus());
}
function lastLine(r) {
  const pending = [...r.pending.values()].at(-1);
  const m = r.messages.at(-1);
  if (pending && (!m || pending.at >= (m.at || 0))) return `You: ${pending.body}`;
  if (m) return `${m.sender === "specialist" ? "You: " : ""}${m.body}`;
  return r.description || "";
}
function requestItem(r, index) {
  const customer = r.customer || {};
  const name = customerName(customer);
  const selected = state.selectedId === r.id;
  const closed = !isLive(r);
  const typing2 = r.typingUntil > Date.now();
  const shortcut = index < 9 ? `Alt+${index + 1}` : void 0;
  const stateText = closed && r.state === "resolved" ? dispositionLabel(r.disposition) || "Resolved" : stateLabel(r.state);
  const label = `${clip(name, 60)}, ${stateText}${r.unread ? `, ${r.unread} unread` : ""}`;
  const classes = [selected ? "is-selected" : "", closed ? "is-closed" : ""].filter(Boolean).join(" ");
  const button = h(
    "button.req",
    {
      type: "button",
      class: classes || void 0,
      dataset: { key: `req-${r.id}` },
      aria: { current: selected ? "true" : void 0, keyshortcuts: shortcut, label },
      onclick: () => {
        select(r.id);
        document.dispatchEvent(new CustomEvent("desk:pane", { detail: "thread" }));
      }
    },
    h("span.req-index", { aria: { hidden: "true" } }, index < 9 ? String(index + 1) : ""),
    h(
      "span.req-main",
      null,
      h(
        "span.req-line1",
        null,
        h("span.req-name", { title: name }, clip(name, 40)),
        verifiedBadge(customer, true),
        r.unread ? h("span.unread", { aria: { hidden: "true" } }, String(r.unread)) : null
      ),
      h("span.req-line2", null, typing2 ? h("em", null, "typing\u2026") : clip(lastLine(r), 80)),
      h(
        "span.req-line3",
        null,
        h(`span.state.state-${r.state}`, null, stateText),
        whereText(r.context) ? h("span.req-where", null, clip(whereText(r.context), 40)) : null
      )
    )
  );
  const items = [button];
  if (closed) {
    items.push(h("button.icon-button.req-dismiss", {
      type: "button",
      dataset: { key: `dismiss-${r.id}` },
      aria: { label: `Remove ${clip(name, 60)} from the list` },
      title: "Remove from list",
      onclick: () => dismiss(r.id)
    }, icon("x", 14)));
  }
  return h("li.req-item", null, items);
}
function mountRequests(section2) {
  const count = h("span.count");
  const list = h("ul.req-list");
  const empty = h("p.empty", null, "No chats yet. Accept an offer to start one.");
  section2.append(h("h2.section-title", { id: "mine-title" }, "My requests ", count), list, empty);
  list.setAttribute("aria-labelledby", "mine-title");
  const draw = () => {
    const reqs = state.order.map((id) => state.requests.get(id)).filter((r) => Boolean(r));
    const open = reqs.filter(isLive).length;
    count.textContent = open ? String(open) : "";
    count.title = open ? `${open} open` : "";
    empty.hidden = reqs.length > 0;
    render(list, reqs.map((r, i) => requestItem(r, i)));
  };
  on("list", draw);
  setInterval(() => {
    for (const r of state.requests.values()) {
      if (r.typingUntil && r.typingUntil <= Date.now()) {
        r.typingUntil = 0;
        draw();
        document.dispatchEvent(new CustomEvent("desk:typing"));
      }
    }
  }, 1e3);
}
function mountQueues(section2) {
  const list = h("ul.queue-list");
  const empty = h("p.empty", null, "No queues.");
  section2.append(h("h2.section-title", { id: "queues-title" }, "Queues"), list, empty);
  list.setAttribute("aria-labelledby", "queues-title");
  on("queues", () => {
    empty.hidden = state.queues.length > 0;
    render(list, state.queues.map((q) => {
      const n = Number(q.waiting) || 0;
      return h(
        "li.queue",
        { class: n > 0 ? "is-waiting" : void 0 },
        h("span.queue-name", { title: q.name }, clip(q.name, 40)),
        h("span.queue-count", { aria: { label: `${n} waiting` } }, String(n))
      );
    }));
  });
}
function mountSidebar(aside) {
  const me = h("section.panel.me");
  me.setAttribute("aria-label", "My status");
  const offers = h("section.panel.offers");
  const mine = h("section.panel.mine");
  const queues = h("section.panel.queues");
  aside.append(me, offers, mine, queues);
  mountMe(me);
  mountOffers(offers);
  mountRequests(mine);
  mountQueues(queues);
}

// frontend/desk/thread.ts
var limits = { messageBytes: 4096 };
var drafts = /* @__PURE__ */ new Map();
var shownId = null;
function timeEl(at) {
  if (!at) return null;
  return h("time", { datetime: isoTime(at), title: fullTime(at) }, clockTime(at));
}
function messageItem(m, mine) {
  const sender = ["customer", "specialist", "system"].includes(m.sender) ? m.sender : "system";
  if (sender === "system") {
    return h("li.tl-event", null, icon("info", 14), h("span", null, m.body), timeEl(m.at));
  }
  const who2 = sender === "specialist" && mine ? "You" : m.author || (sender === "customer" ? "Customer" : "Specialist");
  return h(
    `li.msg.msg-${sender}`,
    null,
    h("div.msg-head", null, h("span.msg-author", null, who2), timeEl(m.at)),
    h("div.msg-body", null, m.body)
  );
}
function pendingItem(r, p) {
  const status = p.status === "failed" ? h(
    "div.msg-status.is-failed",
    { role: "alert" },
    icon("alert", 12),
    `Not sent: ${p.error} `,
    h("button.link", { type: "button", onclick: () => retryMessage(r.id, p.client_id) }, "Retry"),
    " \xB7 ",
    h("button.link", { type: "button", onclick: () => discardMessage(r.id, p.client_id) }, "Discard")
  ) : h("div.msg-status", null, p.status === "sent" ? "Delivered" : state.conn.status === "connected" ? "Sending\u2026" : "Waiting for connection\u2026");
  return h(
    "li.msg.msg-specialist.is-pending",
    { class: p.status === "failed" ? "is-failed" : void 0 },
    h("div.msg-head", null, h("span.msg-author", null, "You"), timeEl(p.at)),
    h("div.msg-body", null, p.body),
    status
  );
}
function eventItem(e) {
  const ic = e.tone === "good" ? "check" : e.tone === "warn" ? "alert" : "info";
  return h(`li.tl-event.tone-${e.tone}`, null, icon(ic, 14), h("span", null, e.text), timeEl(e.at));
}
function timelineItems(r) {
  const meName = state.me && state.me.name;
  const rows = [];
  for (const m of r.messages) rows.push({ at: m.at || 0, node: () => messageItem(m, m.author === meName) });
  for (const e of r.events) rows.push({ at: e.at || 0, node: () => eventItem(e) });
  rows.sort((a, b) => a.at - b.at);
  const out = [];
  const first = r.messages.find((m) => m.sender === "customer");
  if (r.description && !(first && first.body === r.description)) {
    out.push(h(
      "li.tl-description",
      null,
      h("div.msg-head", null, h("span.msg-author", null, `${customerName(r.customer)} asked for help`), timeEl(r.created_at)),
      h("div.msg-body", null, r.description)
    ));
  }
  for (const row2 of rows) out.push(row2.node());
  for (const p of r.pending.values()) out.push(pendingItem(r, p));
  return out;
}
function stars(score) {
  const el = h("span.stars", { role: "img", aria: { label: `Rated ${score} of 5` } });
  for (let i = 1; i <= 5; i += 1) {
    const s = icon("star", 14);
    s.classList.add(i <= score ? "star-on" : "star-off");
    el.append(s);
  }
  return el;
}
function outcomeBanner(r) {
  if (isLive(r) && r.ringing && r.callback) {
    return h(
      "div.outcome.is-ringing",
      { role: "status" },
      icon("phone", 16),
      h("span.outcome-text", null, ringingText(r.callback))
    );
  }
  if (r.resolving === "sending" || r.resolving === "acked" && !isClosed(r)) {
    return h("div.outcome.is-pending", { role: "status" }, "Resolving\u2026");
  }
  if (!isClosed(r)) {
    if (isLive(r)) return null;
    return h(
      "div.outcome.is-warn",
      { role: "status" },
      icon("alert", 16),
      h("span.outcome-text", null, `No longer with you: ${stateLabel(r.state)}. The request was re-routed with its context.`)
    );
  }
  const good = r.state === "resolved" && r.disposition !== "not_resolved";
  const parts = [icon(good ? "resolve" : "alert", 16), h("span.outcome-text", null, outcomeText(r))];
  if (r.rating && r.rating.score) {
    parts.push(stars(r.rating.score));
    if (r.rating.comment) parts.push(h("q.rating-comment", null, clip(r.rating.comment, 1e3)));
  } else if (r.state === "resolved") {
    parts.push(h("span.muted", null, "Waiting for the customer's rating"));
  }
  if (r.resolveNote) parts.push(h("span.outcome-note", null, `Note: ${clip(r.resolveNote, 300)}`));
  return h(`div.outcome.${good ? "is-good" : "is-warn"}`, { role: "status" }, parts);
}
function buildThread() {
  const title = h("h2.thread-name", { id: "thread-title" });
  const sub = h("div.thread-sub");
  const resolveBtn = h("button.btn", {
    type: "button",
    aria: { keyshortcuts: "Alt+S" },
    onclick: () => openResolve()
  }, icon("resolve", 14), "Resolve");
  const head = h("header.thread-head", null, h("div.thread-title", null, title, sub), h("div.thread-actions", null, resolveBtn));
  const banner = h("div.outcome-slot");
  const log = h("ol.timeline", { tabindex: "0", aria: { label: "Conversation" } });
  const typing2 = h("div.typing", { aria: { live: "polite" } });
  const textarea = h("textarea.compose-input", {
    id: "reply",
    rows: "3",
    aria: { keyshortcuts: "Alt+R", describedby: "compose-help compose-error" },
    placeholder: "Write a reply\u2026"
  });
  const label = h("label.visually-hidden", { for: "reply" }, "Reply");
  const counter = h("span.compose-count", { aria: { live: "polite" } });
  const error = h("div.compose-error", { id: "compose-error", role: "alert" });
  const sendBtn = h("button.btn.btn-primary", { type: "submit" }, icon("send", 14), "Send");
  const help = h("span.compose-help", { id: "compose-help" }, kbd("Enter"), " send \xB7 ", kbd("Shift", "Enter"), " new line");
  const form2 = h(
    "form.compose",
    { aria: { label: "Reply" } },
    label,
    textarea,
    error,
    h("div.compose-foot", null, help, counter, sendBtn)
  );
  const closedNote = h("p.compose-closed", null);
  const empty = h(
    "div.thread-empty",
    null,
    icon("chat", 32),
    h("h2", null, "No chat selected"),
    h("p", null, "Accept an offer to start helping, or pick a chat on the left."),
    h("p.muted", null, kbd("Alt", "A"), " accept the oldest offer \xB7 ", kbd("Alt", "1\u20269"), " switch chats \xB7 ", kbd("?"), " all shortcuts")
  );
  const body = h("div.thread-body", null, head, banner, log, typing2, form2, closedNote);
  return { title, sub, resolveBtn, banner, log, typing: typing2, textarea, label, counter, error, sendBtn, form: form2, closedNote, empty, body };
}
function updateCounter(ui) {
  const bytes = utf8Bytes(ui.textarea.value);
  const max = limits.messageBytes;
  const over = bytes > max;
  ui.counter.textContent = bytes > max * 0.8 ? `${bytes.toLocaleString()} / ${max.toLocaleString()} bytes` : "";
  ui.counter.classList.toggle("is-over", over);
  ui.textarea.setAttribute("aria-invalid", over ? "true" : "false");
  ui.error.textContent = over ? `Too long to send: ${bytes.toLocaleString()} bytes of ${max.toLocaleString()}. Shorten it or split it into two messages.` : "";
}
function send(ui) {
  const r = state.selectedId ? state.requests.get(state.selectedId) : void 0;
  if (!r || !isLive(r)) return;
  const text = ui.textarea.value;
  if (!text.trim()) return;
  if (utf8Bytes(text) > limits.messageBytes) {
    updateCounter(ui);
    ui.textarea.focus();
    return;
  }
  if (sendMessage(r.id, text)) {
    ui.textarea.value = "";
    drafts.delete(r.id);
    updateCounter(ui);
  }
}
function wireCompose(ui) {
  const { form: form2, textarea, log } = ui;
  form2.addEventListener("submit", (e) => {
    e.preventDefault();
    send(ui);
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      send(ui);
    }
  });
  textarea.addEventListener("input", () => {
    if (state.selectedId) drafts.set(state.selectedId, textarea.value);
    updateCounter(ui);
    if (state.selectedId && textarea.value) typing(state.selectedId, true);
    if (state.selectedId && !textarea.value) typing(state.selectedId, false);
  });
  textarea.addEventListener("blur", () => {
    if (state.selectedId) typing(state.selectedId, false);
  });
  textarea.addEventListener("focus", markSeen);
  log.addEventListener("focus", markSeen);
}
function drawTyping(ui) {
  const r = state.selectedId ? state.requests.get(state.selectedId) : void 0;
  const shown = Boolean(r && r.typingUntil > Date.now() && isLive(r));
  const text = shown && r ? `${customerName(r.customer)} is typing\u2026` : "";
  if (ui.typing.textContent !== text) ui.typing.textContent = text;
}
function drawHead(ui, r) {
  const name = customerName(r.customer);
  ui.title.replaceChildren(clip(name, 80), " ", verifiedBadge(r.customer));
  ui.title.title = name;
  const where2 = whereText(r.context);
  render(
    ui.sub,
    r.channel || r.callback ? channelChip(r) : null,
    r.callback ? callbackLine(r.callback) : null,
    r.queue && r.queue.name ? h("span.chip", null, icon("queue", 12), r.queue.name) : null,
    where2 ? h("span.chip", null, icon("map", 12), clip(where2, 60)) : null,
    h(`span.state.state-${r.state}`, null, stateLabel(r.state))
  );
}
function drawThread(ui) {
  const r = state.selectedId ? state.requests.get(state.selectedId) : void 0;
  ui.empty.hidden = Boolean(r);
  ui.body.hidden = !r;
  if (!r) {
    shownId = null;
    return;
  }
  const switched = shownId !== r.id;
  const { log, textarea } = ui;
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  if (switched) {
    if (shownId) typing(shownId, false);
    textarea.value = drafts.get(r.id) || "";
    updateCounter(ui);
  }
  shownId = r.id;
  drawHead(ui, r);
  const closed = !isLive(r);
  ui.resolveBtn.disabled = closed || Boolean(r.resolving);
  ui.resolveBtn.hidden = closed;
  render(ui.banner, outcomeBanner(r));
  log.replaceChildren(...timelineItems(r));
  if (switched || nearBottom) log.scrollTop = log.scrollHeight;
  ui.form.hidden = closed;
  textarea.disabled = closed;
  ui.sendBtn.disabled = closed;
  ui.label.textContent = `Reply to ${clip(customerName(r.customer), 60)}`;
  ui.closedNote.hidden = !closed;
  ui.closedNote.textContent = !closed ? "" : isClosed(r) ? "This request is closed; the thread is read-only." : "This request is no longer connected to you; the thread is read-only.";
  drawTyping(ui);
}
function mountThread(main) {
  const ui = buildThread();
  main.append(ui.empty, ui.body);
  main.setAttribute("aria-labelledby", "thread-title");
  wireCompose(ui);
  on("thread", () => drawThread(ui));
  on("conn", () => {
    const r = state.selectedId ? state.requests.get(state.selectedId) : void 0;
    if (r && r.pending.size) ui.log.replaceChildren(...timelineItems(r));
  });
  document.addEventListener("desk:typing", () => drawTyping(ui));
  mountResolveDialog();
}
function focusReply() {
  const t = document.getElementById("reply");
  if (t instanceof HTMLTextAreaElement && !t.disabled && !t.closest("[hidden]")) {
    document.dispatchEvent(new CustomEvent("desk:pane", { detail: "thread" }));
    t.focus();
    return true;
  }
  return false;
}
var resolveUi = null;
function isDisposition(value) {
  return Object.prototype.hasOwnProperty.call(DISPOSITIONS, value);
}
function submitResolve(ui) {
  const id = ui.dialog.dataset.requestId || "";
  const picked = ui.form.querySelector("input[name=disposition]:checked")?.value || "resolved";
  const disposition = isDisposition(picked) ? picked : "resolved";
  ui.error.textContent = "";
  ui.submit.disabled = true;
  ui.submit.textContent = "Resolving\u2026";
  resolve(id, disposition, ui.note.value.trim()).then(() => {
    ui.dialog.close();
    announce(`Resolved: ${DISPOSITIONS[disposition]}`);
  }).catch((err) => {
    ui.error.textContent = `Couldn't resolve: ${err instanceof Error ? err.message : String(err)}`;
  }).finally(() => {
    ui.submit.disabled = false;
    ui.submit.textContent = "Resolve";
  });
}
function mountResolveDialog() {
  const heading = h("h2", { id: "resolve-title" }, "Resolve");
  const who2 = h("p.muted");
  const options = Object.entries(DISPOSITIONS).map(([value, label], i) => h(
    "label.radio",
    null,
    h("input", { type: "radio", name: "disposition", value, checked: i === 0 }),
    h("span", null, label)
  ));
  const note = h("textarea", { id: "resolve-note", name: "note", rows: "3", maxlength: "1000" });
  const error = h("p.form-error", { role: "alert" });
  const submit = h("button.btn.btn-primary", { type: "submit", value: "resolve" }, "Resolve");
  const cancel = h("button.btn", { type: "button", onclick: () => dialog.close() }, "Cancel");
  const form2 = h(
    "form",
    { method: "dialog" },
    heading,
    who2,
    h("fieldset", null, h("legend", null, "Disposition"), options),
    h("label.field-label", { for: "resolve-note" }, "Note ", h("span.muted", null, "(optional, for the record)")),
    note,
    error,
    h("div.dialog-actions", null, cancel, submit)
  );
  const dialog = h("dialog.dialog", { aria: { labelledby: "resolve-title" } }, form2);
  document.body.append(dialog);
  const ui = { dialog, who: who2, note, error, form: form2, submit };
  resolveUi = ui;
  form2.addEventListener("submit", (e) => {
    e.preventDefault();
    submitResolve(ui);
  });
  dialog.addEventListener("close", () => {
    const reply = document.getElementById("reply");
    if (reply instanceof HTMLTextAreaElement && !reply.disabled) reply.focus();
  });
}
function openResolve() {
  const r = state.selectedId ? state.requests.get(state.selectedId) : void 0;
  const ui = resolveUi;
  if (!r || !isLive(r) || !ui || ui.dialog.open) return false;
  ui.dialog.dataset.requestId = r.id;
  ui.who.textContent = `Close the chat with ${clip(customerName(r.customer), 80)} and record the outcome.`;
  ui.note.value = "";
  ui.error.textContent = "";
  const firstChoice = ui.form.querySelector("input[name=disposition]");
  if (firstChoice) firstChoice.checked = true;
  ui.dialog.showModal();
  ui.form.querySelector("input[name=disposition]:checked")?.focus();
  return true;
}

// frontend/desk/context.ts
var JOURNEY_SHOWN = 25;
var journeyExpanded = false;
var shownId2 = null;
var root = null;
function section(id, title, iconName, ...content) {
  return h(
    "section.ctx-section",
    { aria: { labelledby: `ctx-${id}` } },
    h("h3.ctx-title", { id: `ctx-${id}` }, icon(iconName, 14), title),
    content
  );
}
function row(label, value, extra) {
  return [h("dt", null, label), h("dd", { title: typeof value === "string" ? value : void 0 }, value, extra || null)];
}
function timeEl2(at) {
  if (typeof at !== "number" || !Number.isFinite(at) || at <= 0) return null;
  return h("time.ctx-time", { datetime: isoTime(at), title: fullTime(at) }, clockTime(at));
}
var num = (x) => typeof x === "number" ? x : NaN;
function identityRows(c, verified) {
  const claimed = verified ? null : h("span.claimed", null, " (claimed)");
  const unsigned = verified && isRecord(c.claimed) ? c.claimed : {};
  const value = (key) => {
    const own = c[key];
    if (own) return [clip(String(own), 120), verified || !claimed ? null : claimed.cloneNode(true)];
    const other = unsigned[key];
    if (typeof other === "string" && other) return [clip(other, 120), h("span.claimed", null, " (unverified)")];
    return ["\u2014", null];
  };
  const rows = [];
  rows.push(...row("Name", ...value("name")));
  rows.push(...row("Email", ...value("email")));
  if (c.id) rows.push(...row("User id", clip(String(c.id), 120), claimed && claimed.cloneNode(true)));
  return rows;
}
function who(customer) {
  const c = customer || {};
  const verified = c.verified === true;
  return section(
    "who",
    "Who",
    "user",
    verified ? h(
      "p.verify.is-verified",
      null,
      icon("shield", 16),
      h("strong", null, "Verified"),
      h("span", null, "The app's backend signed this identity.")
    ) : h(
      "p.verify.is-unverified",
      null,
      icon("alert", 16),
      h("strong", null, "Unverified"),
      h("span", null, "The app claimed this identity; nothing checked it. Confirm who you're talking to before sharing account details.")
    ),
    h("dl.kv", { class: verified ? void 0 : "is-unchecked" }, identityRows(c, verified))
  );
}
function where(ctx) {
  const page = isRecord(ctx.page) ? ctx.page : {};
  return section(
    "where",
    "Where",
    "map",
    h(
      "p.where-main",
      null,
      h("span.where-flow", null, ctx.flow ? clip(valueText(ctx.flow), 60) : "Unknown flow"),
      ctx.step ? [h("span.where-sep", { aria: { hidden: "true" } }, " \u203A "), h("span.where-step", null, clip(valueText(ctx.step), 60))] : null
    ),
    page.title || page.url ? h(
      "dl.kv",
      null,
      page.title ? row("Page", clip(valueText(page.title), 160)) : null,
      // Shown as text, never as a link: the URL is customer-supplied.
      page.url ? row("URL", h("span.mono", null, clip(valueText(page.url), 200))) : null
    ) : null
  );
}
function session(ctx) {
  const s = ctx.session;
  if (!s || typeof s !== "object") {
    return section("session", "App session", "clock", h("p.muted", null, "The app didn't report a session."));
  }
  const { held } = s;
  const expiresAt = num(s.expires_at);
  const status = h("p.session");
  const left = h("span.session-left");
  if (!held) {
    status.classList.add("is-warn");
    status.append(icon("unlock", 16), h("strong", null, "Not held"), " ", h("span", null, "The app isn't holding the customer's session."));
  } else {
    status.append(icon("lock", 16), h("strong", null, "Held"), " ", left);
  }
  const expires = Number.isFinite(expiresAt) && expiresAt > 0;
  const out = section(
    "session",
    "App session",
    "clock",
    status,
    expires ? h("p.muted", null, "Expires at ", timeEl2(expiresAt)) : null
  );
  if (held && expires) {
    every(status, () => {
      const ms = expiresAt - serverNow();
      left.textContent = ms > 0 ? `${duration(ms)} left` : "expired";
      status.classList.toggle("is-warn", ms <= 12e4);
      status.classList.toggle("is-danger", ms <= 0);
      return ms > 0;
    });
  }
  return out;
}
function data(ctx) {
  const d = ctx.data && typeof ctx.data === "object" ? Object.entries(ctx.data) : [];
  return section(
    "data",
    "Data",
    "list",
    d.length ? h("dl.kv", null, d.slice(0, 100).map(([k, v]) => row(clip(k, 60), clip(valueText(v), 300)))) : h("p.muted", null, "No data.")
  );
}
function fieldValue(f) {
  if (f.masked) {
    return h(
      "span.masked",
      { class: f.filled ? "is-filled" : "is-empty" },
      icon("lock", 12),
      f.filled ? "filled" : "empty",
      h("span.visually-hidden", null, " (masked)")
    );
  }
  if (f.value !== void 0 && f.value !== null && f.value !== "") {
    return h("span.field-value", null, clip(valueText(f.value), 200));
  }
  return h("span.field-state", { class: f.filled ? "is-filled" : "is-empty" }, f.filled ? "filled" : "empty");
}
function form(ctx) {
  const fields = Array.isArray(ctx.fields) ? ctx.fields.slice(0, 200) : [];
  if (!fields.length) return section("form", "Form", "form", h("p.muted", null, "No form fields captured."));
  const groups = /* @__PURE__ */ new Map();
  for (const f of fields) {
    if (!f || typeof f !== "object") continue;
    const field = f;
    const key = valueText(field.form || "");
    const list = groups.get(key) ?? [];
    list.push(field);
    groups.set(key, list);
  }
  const blocks = [];
  for (const [name, list] of groups) {
    if (name && groups.size > 1) blocks.push(h("h4.ctx-sub", null, clip(name, 60)));
    blocks.push(h("ul.fields", null, list.map((f) => {
      const label = clip(valueText(f.label || f.name || "Field"), 80);
      return h("li.field", null, h("span.field-name", { title: label }, label), fieldValue(f));
    })));
  }
  return section("form", "Form", "form", blocks);
}
function objects(list) {
  return Array.isArray(list) ? list.filter((e) => Boolean(e) && typeof e === "object") : [];
}
function errors(ctx) {
  const list = objects(ctx.errors);
  list.sort((a, b) => Number(b.at || 0) - Number(a.at || 0));
  return section(
    "errors",
    `Errors${list.length ? ` (${list.length})` : ""}`,
    "alert",
    list.length ? h("ul.errors", null, list.slice(0, 30).map((e) => h(
      "li.error-item",
      null,
      h("div.error-head", null, e.code ? h("span.error-code.mono", null, clip(valueText(e.code), 40)) : null, timeEl2(e.at)),
      h("div.error-msg", null, clip(valueText(e.message || ""), 400))
    ))) : h("p.muted", null, "No errors reported.")
  );
}
function journey(ctx) {
  const list = objects(ctx.journey);
  const hidden = journeyExpanded ? 0 : Math.max(0, list.length - JOURNEY_SHOWN);
  const shown = list.slice(hidden);
  const more = hidden ? h("button.link", { type: "button", onclick: () => {
    journeyExpanded = true;
    drawContext();
  } }, `Show ${hidden} earlier event${hidden > 1 ? "s" : ""}`) : null;
  return section(
    "journey",
    "Journey",
    "route",
    list.length ? [more, h("ol.journey", null, shown.map((j) => h(
      "li.journey-item",
      null,
      h("span.journey-dot", { aria: { hidden: "true" } }),
      h(
        "div.journey-body",
        null,
        h("div.journey-head", null, h("span.journey-event", null, clip(valueText(j.event || "event"), 80)), timeEl2(j.at)),
        j.props ? h("div.journey-props", null, clip(propsText(j.props), 300)) : null
      )
    )))] : h("p.muted", null, "No journey events.")
  );
}
function drawContext() {
  if (!root) return;
  const r = state.selectedId ? state.requests.get(state.selectedId) : void 0;
  if (!r) {
    shownId2 = null;
    render(root, h("div.ctx-empty", null, icon("user", 28), h("p", null, "Select a chat to see who the customer is and where they are.")));
    return;
  }
  if (shownId2 !== r.id) journeyExpanded = false;
  shownId2 = r.id;
  const ctx = isRecord(r.context) ? r.context : {};
  render(
    root,
    h("h2.visually-hidden", null, "Customer context"),
    who(r.customer),
    where(ctx),
    session(ctx),
    data(ctx),
    form(ctx),
    errors(ctx),
    journey(ctx)
  );
}
function mountContext(aside) {
  root = aside;
  on("context", drawContext);
}

// frontend/desk/shortcuts.ts
var SHORTCUTS = [
  [["Alt", "A"], "Accept the oldest offer"],
  [["Alt", "D"], "Decline the oldest offer"],
  [["Alt", "R"], "Focus the reply box"],
  [["Alt", "S"], "Resolve the current chat"],
  [["Alt", "1\u20269"], "Switch to chat 1 to 9"],
  [["Enter"], "Send the reply"],
  [["Shift", "Enter"], "New line in the reply"],
  [["?"], "Show this help"],
  [["Esc"], "Close a dialog"]
];
var helpDialog = null;
function mountHelp() {
  const close = h("button.btn", { type: "button", onclick: () => dialog.close() }, "Close");
  const dialog = h(
    "dialog.dialog",
    { aria: { labelledby: "help-title" } },
    h("h2", { id: "help-title" }, "Keyboard shortcuts"),
    h(
      "table.shortcuts",
      null,
      h("tbody", null, SHORTCUTS.map(([keys, what]) => h("tr", null, h("td", null, kbd(...keys)), h("td", null, what))))
    ),
    h("p.muted", null, "Everything else is reachable with Tab and Shift+Tab."),
    h("div.dialog-actions", null, close)
  );
  helpDialog = dialog;
  document.body.append(dialog);
}
function openHelp() {
  if (helpDialog && !helpDialog.open) helpDialog.showModal();
}
function typingInField(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}
function switchTo(n) {
  const id = state.order[n - 1];
  if (!id) return;
  select(id);
  document.dispatchEvent(new CustomEvent("desk:pane", { detail: "thread" }));
  requestAnimationFrame(() => {
    if (!focusReply()) document.querySelector(`[data-key="req-${CSS.escape(id)}"]`)?.focus();
  });
}
function altKey(code) {
  const digit = /^Digit([1-9])$/.exec(code);
  if (code === "KeyA") {
    const o = offersOldestFirst()[0];
    if (o) accept(o.request_id);
  } else if (code === "KeyD") {
    const o = offersOldestFirst()[0];
    if (o) decline(o.request_id);
  } else if (code === "KeyR") {
    focusReply();
  } else if (code === "KeyS") {
    openResolve();
  } else if (digit) {
    switchTo(Number(digit[1]));
  } else {
    return false;
  }
  return true;
}
function onKey(e) {
  if (!document.body.classList.contains("is-desk")) return;
  const modalOpen = document.querySelector("dialog[open]");
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    if (modalOpen || document.body.dataset.view && document.body.dataset.view !== "desk") return;
    if (altKey(e.code)) e.preventDefault();
    return;
  }
  if (e.key === "?" && !typingInField(e.target) && !modalOpen) {
    e.preventDefault();
    openHelp();
  }
}
function mountShortcuts() {
  mountHelp();
  document.addEventListener("keydown", onKey);
}

// frontend/desk/desk.ts
var TITLES = { desk: "Desk \xB7 tapline", wallboard: "Wallboard \xB7 tapline", configure: "Configure \xB7 tapline" };
var TYPING_SHOWN_FOR = 8e3;
var supervisor = (me) => Boolean(me && me.is_supervisor);
var NAV = [
  { id: "desk", label: "Desk", href: "/desk", built: true, visible: () => true },
  { id: "wallboard", label: "Wallboard", href: "/desk/wallboard", built: true, visible: supervisor },
  { id: "configure", label: "Configure", href: "/desk/configure", built: true, visible: supervisor }
];
var app = document.getElementById("app") ?? document.body;
var socket2 = null;
var shell = null;
var gapAt = -1;
var resyncing = false;
async function boot() {
  try {
    const snap = await getState();
    startDesk(snap);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      signinScreen();
    } else {
      unreachable(err);
    }
  }
}
function unreachable(err) {
  document.body.classList.remove("is-desk");
  const retry = h("button.btn.btn-primary", { type: "button", onclick: () => void boot() }, "Try again");
  app.replaceChildren(h("main.signin", null, h(
    "div.signin-card",
    null,
    h("h1", null, "The desk can't reach the server"),
    h("p", null, clip(err instanceof Error && err.message || "Unknown error", 300)),
    retry
  )));
  retry.focus();
  window.addEventListener("online", () => void boot(), { once: true });
}
function signinScreen(note = "") {
  if (socket2) socket2.stop();
  socket2 = null;
  reset();
  document.body.classList.remove("is-desk");
  document.title = `Sign in \xB7 tapline`;
  showSignin(app, {
    note,
    onSignedIn: async () => {
      const snap = await getState();
      startDesk(snap);
    }
  });
}
async function isSignedIn() {
  try {
    await getState();
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false;
    throw err;
  }
}
function startDesk(snap) {
  if (snap && snap.limits && Number.isFinite(snap.limits.message_bytes)) limits.messageBytes = snap.limits.message_bytes;
  const parts = shell ?? buildShell();
  document.body.classList.add("is-desk");
  if (!parts.nodes.every((n) => n.isConnected)) app.replaceChildren(...parts.nodes);
  bindBoard(snap && snap.specialist ? snap.specialist.id : "");
  applySnapshot(snap);
  showView(current());
  if (socket2) socket2.stop();
  const openedOnWallboard = location.pathname.replace(/\/+$/, "") === "/desk/wallboard";
  const s = new DeskSocket({
    lastSeq: () => state.lastSeq,
    watch: () => openedOnWallboard,
    onEvent,
    onSignal,
    onStatus: (status, attempt) => setConn(status, attempt),
    isSignedIn,
    onSignedOut: () => signinScreen("Your session ended. Sign in again to continue; unsent replies are kept."),
    onAck,
    onFrameError,
    storageKey: state.me && state.me.id ? `tapline.desk.outbox.${state.me.id}` : void 0
  });
  socket2 = s;
  bindSocket(s);
  restorePending(s.pending().filter((f) => f.type === "message"));
  s.start();
}
function onEvent(ev) {
  if (resyncing) return;
  const result = applyEvent(ev, notify);
  if (result !== "gap") return;
  if (gapAt !== state.lastSeq) {
    gapAt = state.lastSeq;
    socket2?.ws?.close(4e3, "gap");
  } else {
    void resync();
  }
}
async function resync() {
  if (resyncing || !socket2) return;
  resyncing = true;
  try {
    const snap = await getState();
    applySnapshot(snap);
    restorePending(socket2.pending().filter((f) => f.type === "message"));
    socket2.ws?.close(4e3, "resync");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signinScreen("Your session ended. Sign in again.");
  } finally {
    resyncing = false;
    gapAt = -1;
  }
}
function onSignal(frame) {
  switch (frame.type) {
    case "welcome":
      if (Number.isFinite(frame.last_seq) && frame.last_seq < state.lastSeq) void resync();
      for (const r of state.requests.values()) r.typingUntil = 0;
      changed("list", "thread");
      if (state.me && state.me.is_supervisor && !board.forbidden) void loadBoard();
      break;
    case "wallboard":
      applyBoard(frame);
      break;
    case "config":
      state.lastConfig = { what: frame.what, id: frame.id == null ? null : String(frame.id), change: frame.change };
      changed("config");
      break;
    case "queues":
      if (Array.isArray(frame.queues)) {
        state.queues = frame.queues;
        changed("queues");
      }
      break;
    case "typing": {
      if (frame.from && frame.from !== "customer") break;
      const r = state.requests.get(frame.request_id);
      if (!r) break;
      r.typingUntil = frame.active ? Date.now() + TYPING_SHOWN_FOR : 0;
      changed("list");
      document.dispatchEvent(new CustomEvent("desk:typing"));
      break;
    }
    default:
      break;
  }
}
function customerName2(c) {
  return clip(c && (c.name || c.email) || "a customer", 60);
}
var WITHDRAWN = {
  expired: "it expired",
  declined: "declined",
  taken: "taken by someone else",
  cancelled: "the customer cancelled"
};
function notify(n) {
  switch (n.kind) {
    case "offer": {
      const where2 = whereText(n.offer.context);
      announce(`New offer from ${customerName2(n.offer.customer)}${where2 ? `, ${where2}` : ""}. Alt+A to accept.`);
      break;
    }
    case "offer.withdrawn": {
      const why = Object.prototype.hasOwnProperty.call(WITHDRAWN, n.reason) ? WITHDRAWN[n.reason] : n.reason || "withdrawn";
      announce(`Offer from ${customerName2(n.offer.customer)} withdrawn: ${why}.`);
      break;
    }
    case "assigned":
      announce(`Connected with ${customerName2(n.request.customer)}.`);
      if (n.mine && (document.activeElement === document.body || !document.activeElement)) focusReply();
      break;
    case "message":
      announce(n.seen ? `${customerName2(n.request.customer)}: ${clip(n.message.body, 300)}` : `New message from ${customerName2(n.request.customer)}.`);
      break;
    case "closed":
      announce(`Chat with ${customerName2(n.request.customer)}: ${outcomeText(n.request)}.`);
      break;
    case "left": {
      const who2 = customerName2(n.request.customer);
      toast(n.request.callback ? `${who2} didn't take the callback now: the request is back in the queue with its context.` : `${who2}'s request went back to the queue with its context.`);
      announce(`${who2}'s request left your list: back in the queue.`);
      break;
    }
    case "ring_ended":
      announce(`${customerName2(n.request.customer)}: ${n.text}.`);
      break;
    case "rated":
      announce(`${customerName2(n.request.customer)} rated the chat ${n.request.rating?.score ?? 0} of 5.`);
      break;
    default:
      break;
  }
}
function buildHeader() {
  const nav = h("nav.topnav", { aria: { label: "Desk sections" } });
  const connText2 = h("span.conn-text");
  const connEl = h("div.conn", { role: "status", aria: { live: "polite" } }, h("span.conn-dot", { aria: { hidden: "true" } }), connText2);
  const helpBtn = h("button.icon-button", {
    type: "button",
    title: "Keyboard shortcuts (?)",
    aria: { label: "Keyboard shortcuts", keyshortcuts: "?" },
    onclick: openHelp
  }, icon("keyboard", 18));
  const meName = h("span.header-me");
  const signoutBtn = h("button.btn.btn-quiet", { type: "button", onclick: () => void doSignOut() }, icon("signout", 14), "Sign out");
  const header = h(
    "header.topbar",
    null,
    h("div.brand", null, h("span.brand-mark", { aria: { hidden: "true" } }, icon("chat", 16)), "tapline"),
    nav,
    h("div.topbar-spacer"),
    connEl,
    helpBtn,
    meName,
    signoutBtn
  );
  return { header, nav, connEl, connText: connText2, meName };
}
function buildColumns() {
  const left = h("aside.col.col-left", { id: "inbox", aria: { label: "Inbox: my status, offers, requests and queues" } });
  const middle = h("main.col.col-middle", { id: "thread" });
  const right = h("aside.col.col-right", { id: "context", tabindex: "0", aria: { label: "Customer context" } });
  const inboxCount = h("span.count");
  const panes = [["inbox", "Inbox", "inbox"], ["thread", "Chat", "chat"], ["context", "Context", "user"]];
  const tabs = panes.map(([pane, label, ic]) => h(
    "button.pane-tab",
    { type: "button", dataset: { pane }, aria: { controls: pane }, onclick: () => setPane(pane) },
    icon(ic, 16),
    label,
    pane === "inbox" ? inboxCount : null
  ));
  const tabbar = h("nav.pane-tabs", { aria: { label: "Panels" } }, tabs);
  const layout = h("div.layout", null, left, middle, right);
  return { left, middle, right, layout, tabbar, tabs, inboxCount };
}
function buildShell() {
  const top = buildHeader();
  const cols = buildColumns();
  const skip = h("a.skip-link", { href: "#reply" }, "Skip to the reply box");
  const boardMain = h("main.view.view-wallboard", { id: "wallboard", hidden: true });
  const configMain = h("main.view.view-configure", { id: "configure", hidden: true });
  const views = {
    desk: { nodes: [skip, cols.tabbar, cols.layout], mounted: true },
    wallboard: { nodes: [boardMain], mounted: false, mount: () => import("./chunks/wallboard-NN4BMQ2Z.js").then((m) => m.mountWallboard(boardMain)) },
    configure: { nodes: [configMain], mounted: false, mount: () => import("./chunks/configure-5AY5O6BG.js").then((m) => m.mountConfigure(configMain)) }
  };
  const built = {
    nodes: [skip, top.header, cols.tabbar, cols.layout, boardMain, configMain],
    nav: top.nav,
    connEl: top.connEl,
    connText: top.connText,
    meName: top.meName,
    layout: cols.layout,
    tabs: cols.tabs,
    inboxCount: cols.inboxCount,
    navCount: h("span.count"),
    views
  };
  shell = built;
  setPane("inbox");
  onRoute(showView);
  mountSidebar(cols.left);
  mountThread(cols.middle);
  mountContext(cols.right);
  mountShortcuts();
  listen(built);
  return built;
}
function listen(parts) {
  document.addEventListener("desk:pane", (e) => {
    if (e instanceof CustomEvent && typeof e.detail === "string") setPane(e.detail);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") markSeen();
  });
  window.addEventListener("online", () => changed("conn"));
  window.addEventListener("offline", () => changed("conn"));
  on("me", () => {
    parts.meName.textContent = clip(state.me?.name || "", 40);
    drawNav(parts);
  });
  on("route", () => drawNav(parts));
  on("conn", () => drawConn(parts));
  on("offers", drawTitle);
  on("list", drawTitle);
}
function drawNav(parts) {
  const { view } = current();
  const items = NAV.filter((item) => item.built && item.visible(state.me));
  document.body.classList.toggle("has-nav", items.length >= 2);
  render(parts.nav, items.length < 2 ? null : items.map((item) => h("a.topnav-link", {
    href: item.href,
    dataset: { key: `nav-${item.id}` },
    aria: { current: item.id === view ? "page" : void 0 },
    onclick: linkHandler
  }, item.label, item.id === "desk" ? parts.navCount : null)));
}
function showView(route) {
  if (!shell) return;
  const views = shell.views;
  const view = route.view in views ? route.view : "desk";
  for (const id of Object.keys(views)) for (const n of views[id].nodes) n.hidden = id !== view;
  document.body.dataset.view = view;
  const v = views[view];
  if (!v.mounted && v.mount) {
    v.mounted = true;
    v.mount().catch((err) => {
      v.mounted = false;
      toast(`This view could not load: ${err instanceof Error ? err.message : String(err)}`, "error");
    });
  }
  if (view === "wallboard" && state.me && state.me.is_supervisor && !board.data) void loadBoard();
  state.route = route;
  changed("route");
  drawTitle();
}
function setPane(pane) {
  if (!shell) return;
  shell.layout.dataset.pane = pane;
  for (const t of shell.tabs) t.setAttribute("aria-pressed", String(t.dataset.pane === pane));
}
function connText(status, attempt, online) {
  if (!online && status !== "stopped") return ["Offline", "bad"];
  if (status === "connected") return ["Connected", "good"];
  if (status === "reconnecting") return [`Reconnecting\u2026 (attempt ${attempt})`, "pending"];
  if (status === "offline") return ["Offline", "bad"];
  if (status === "stopped") return ["Signed out", "bad"];
  return ["Connecting\u2026", "pending"];
}
function drawConn(parts) {
  const [text, kind] = connText(state.conn.status, state.conn.attempt, navigator.onLine);
  parts.connText.textContent = text;
  parts.connEl.dataset.kind = kind;
  document.body.dataset.conn = kind;
}
function drawTitle() {
  const n = state.offers.size + totalUnread();
  const view = document.body.dataset.view;
  const base = view && Object.prototype.hasOwnProperty.call(TITLES, view) ? TITLES[view] : TITLES.desk;
  document.title = n ? `(${n}) ${base}` : base;
  const label = n ? `${state.offers.size} offers, ${totalUnread()} unread` : "";
  if (!shell) return;
  for (const el of [shell.inboxCount, shell.navCount]) {
    el.textContent = n ? String(n) : "";
    el.title = label;
  }
}
async function doSignOut() {
  const open = [...state.requests.values()].filter(isLive).length;
  if (open && !window.confirm(`You have ${open} open chat${open > 1 ? "s" : ""}. Sign out anyway?`)) return;
  socket2?.clearOutbox();
  socket2?.stop();
  try {
    await signOut();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) toast(`Sign-out failed: ${err instanceof Error ? err.message : String(err)}`, "error");
  }
  signinScreen("You signed out.");
}
void boot();
export {
  NAV
};
//# sourceMappingURL=desk.js.map
