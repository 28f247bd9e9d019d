/*! tapline panel: the help panel behind the launcher (describe; wait and choose a channel; the
 * conversation; the outcome and rating) and the request's socket. tapline.js loads it when the
 * customer is about to open the panel or a request is in progress. Same rules as the core: no
 * HTML strings, no inline styles, every text from the server set with textContent. */
(function () {
  "use strict";

  var T = window.Tapline;
  if (!T || typeof T.__panel !== "function") return;

  T.__panel(function (C) {
    // ---------------------------------------------------------------- from the core
    var h = C.h;
    var svg = C.svg;
    var now = C.now;
    var uuid = C.uuid;
    var byteLength = C.byteLength;
    var cap = C.cap;
    var scrub = C.scrub;
    var emit = C.emit;
    var logError = C.logError;
    var warn = C.warn;
    var api = C.api;
    var backoff = C.backoff;
    var storeKey = C.storeKey;
    var liveKey = C.liveKey;
    var storageGet = C.storageGet;
    var storageSet = C.storageSet;
    var buildContext = C.buildContext;
    var limits = C.limits;
    var ACTIVE = C.ACTIVE;
    var VERSION = C.version;
    var ui = C.ui;

    // ---------------------------------------------------------------- constants
    var DESCRIPTION_MAX = 1000;
    var COMMENT_MAX = 1000;
    var CONTEXT_DEBOUNCE = 400;
    var PING_EVERY = 25000;
    var PONG_GRACE = 10000;
    var ACK_SLOW = 10000;
    var TYPING_RESEND = 3000;
    var TYPING_IDLE = 4000;
    var TYPING_SHOW = 6000;
    var EXT_FILE = "tapline-callbacks.js";
    var ENDED = { resolved: 1, cancelled: 1, dead_end: 1 };
    var CARD_NOTICE = "Card numbers stay on your device, so we removed one from what you wrote.";

    // ---------------------------------------------------------------- state
    // {request_id, customer_token, last_seq, state, cause, specialist, outbox, draft,
    //  estimate, options, queue, callback, ring, adopted}
    var req = null;
    var seenAtLoad = 0;       // last_seq stored before this page load; older events are history
    var replayUntil = 0;      // welcome.last_seq: events up to here are a replay
    var messages = [];        // rendered thread: {key, id, client_id, sender, author, body, at, status}
    var startFired = null;    // request id for which assist:start fired on this page
    var endFired = null;
    var createId = null;      // client id of the POST being made
    var creating = false;

    var ws = null;
    var wsState = "closed";   // closed | connecting | open (welcomed)
    var attempt = 0;
    var reconnectTimer = 0;
    var pingTimer = 0;
    var pongTimer = 0;
    var gapTimer = 0;
    var pendingEvents = {};
    var sendQueue = [];
    var tokens = 15;
    var tokenTimer = 0;
    var lastContextJson = null;
    var contextTimer = 0;
    var contextDirty = false;
    var typingSentAt = 0;
    var typingActive = false;
    var typingIdleTimer = 0;
    var peerTypingTimer = 0;
    var slowTimers = {};
    var unread = 0;
    var isOpen = false;
    var view = "describe";
    var returnFocus = null;
    var ext = null;           // the callbacks piece, once loaded (tapline-callbacks.js)
    var extWaiting = [];
    var extLoading = false;
    var extTries = 0;
    var clockSkew = 0;        // local minus server clock, from live events
    var shownMode = null;     // the thread mode last drawn
    var ringHint = "";        // "Ana is calling you", on the launcher while ringing

    // ---------------------------------------------------------------- storage
    // A request whose customer asked to be called back outlives the tab: it is kept in
    // localStorage so another tab, or a page opened again later, resumes it and rings.
    function keepsAcrossTabs() {
      var cb = req && req.callback;
      return !!req && !!ACTIVE[req.state] && (req.state === "scheduled" ||
        !!(cb && cb.state !== "cancelled"));
    }

    function saveReq() {
      if (!C.opts) return;
      if (!req) { storageSet(storeKey(), null); return; }
      var outbox = [];
      for (var i = 0; i < req.outbox.length; i++) {
        // Typing and context are rebuilt on the next page; messages, cancel and rate are kept.
        if (req.outbox[i].type !== "context") outbox.push(req.outbox[i]);
      }
      var saved = {
        request_id: req.request_id,
        customer_token: req.customer_token,
        last_seq: req.last_seq,
        state: req.state,
        cause: req.cause || null,
        outbox: outbox,
        draft: ui && ui.compose ? ui.compose.value : (req.draft || ""),
        estimate: req.estimate || null,
        options: req.options || null,
        queue: req.queue || null,
        callback: req.callback || null
      };
      storageSet(storeKey(), saved);
      var live = storageGet(liveKey(), true);
      if (keepsAcrossTabs()) {
        // The journey so far goes with it, so a page opened later still tells the specialist.
        saved.outbox = [];
        saved.draft = "";
        saved.errors = C.errors;
        saved.journey = C.journey;
        storageSet(liveKey(), saved, true);
      } else if (live && live.request_id === req.request_id) {
        storageSet(liveKey(), null, true);
      }
    }

    // ---------------------------------------------------------------- context
    function requestActive() {
      return !!(req && ACTIVE[req.state]);
    }

    function contextChanged() {
      if (!requestActive()) return;
      contextDirty = true;
      clearTimeout(contextTimer);
      contextTimer = setTimeout(flushContext, CONTEXT_DEBOUNCE);
    }

    function flushContext() {
      contextTimer = 0;
      if (!requestActive() || !contextDirty) return;
      var c = buildContext();
      var json = JSON.stringify(c);
      contextDirty = false;
      if (json === lastContextJson) return;
      lastContextJson = json;
      // Only the newest context matters: an older unacked one is replaced.
      req.outbox = req.outbox.filter(function (f) { return f.type !== "context"; });
      write({ type: "context", id: uuid(), context: c });
    }

    // ---------------------------------------------------------------- asking for help
    function createRequest(description, scrubbed) {
      if (creating) return;
      creating = true;
      if (!createId) createId = uuid();
      var u = C.opts.user || {};
      var body = {
        id: createId,
        description: description,
        user: {
          id: u.id == null ? null : String(u.id),
          name: u.name == null ? null : scrub(String(u.name)),
          email: u.email == null ? null : String(u.email),
          token: u.token == null ? null : String(u.token)
        },
        context: buildContext()
      };
      setBusy(ui.requestBtn, true, "Requesting…");
      showNotice(ui.describeNotice, scrubbed ? CARD_NOTICE : "");
      api("POST", "/requests", body).then(function (r) {
        creating = false;
        setBusy(ui.requestBtn, false);
        if (r.ok && r.data && r.data.request_id) {
          createId = null;
          lastContextJson = JSON.stringify(body.context);
          req = newReq(r.data);
          req.estimate = r.data.estimate || null;
          req.options = r.data.options || null;
          req.queue = r.data.queue || null;
          seenAtLoad = 0;
          messages = [];
          ui.describe.value = "";
          saveReq();
          fireStart();
          emitState();
          if (needsExt()) loadExt();
          render();
          if (ext) ext.estimate(); else say("Finding a specialist…");
          if (scrubbed) showNotice(ui.threadNotice, CARD_NOTICE);
          focusView();
          connect();
        } else if (r.status === 413) {
          showNotice(ui.describeNotice, "That was too much to send at once. Please shorten your description and try again.");
        } else if (r.status === 403) {
          showNotice(ui.describeNotice, "Help isn't available on this page right now. Please try again later.");
        } else if (r.status === 422) {
          createId = null;
          showNotice(ui.describeNotice, "Something in the request wasn't accepted. Please check your description and try again.");
        } else if (r.status === 429) {
          showNotice(ui.describeNotice, "Too many requests just now. Please wait a moment and try again.");
        } else {
          showNotice(ui.describeNotice, "We couldn't reach help just now. Your description is kept — please try again.");
        }
      }, function () {
        creating = false;
        setBusy(ui.requestBtn, false);
        showNotice(ui.describeNotice, navigator.onLine === false
          ? "You're offline. Your description is kept — try again when you're back online."
          : "We couldn't reach help just now. Your description is kept — please try again.");
      });
    }

    function newReq(d) {
      return {
        request_id: String(d.request_id),
        customer_token: String(d.customer_token),
        last_seq: 0,
        state: d.state || "waiting",
        cause: d.cause || null,
        specialist: null,
        outbox: Array.isArray(d.outbox) ? d.outbox : [],
        draft: d.draft || "",
        estimate: d.estimate || null,
        options: d.options || null,
        queue: d.queue || null,
        callback: d.callback || null,
        ring: null
      };
    }

    // Adopt a request this tab didn't start: from another tab (localStorage) or another device
    // (GET /customers/requests). Its thread is history: nothing in the replay is announced.
    function adopt(d) {
      if (req || !d || !d.request_id || !d.customer_token || !ACTIVE[d.state || "waiting"]) return;
      req = newReq(d);
      req.adopted = true;
      seenAtLoad = Infinity;
      messages = [];
      saveReq();
      fireStart();
      if (needsExt()) loadExt();
      render();
      connect();
    }

    // ---------------------------------------------------------------- callbacks piece
    function needsExt() {
      if (!req || !ACTIVE[req.state]) return false;
      var o = req.options || {};
      return !!(o.callback || o.schedule || req.callback || req.ring ||
        req.state === "new" || req.state === "scheduled");
    }

    // tapline-callbacks.js (choices, callbacks, slots, ringing) is loaded only when a request
    // may need it. It registers itself with Tapline.__ext.
    function loadExt(then) {
      if (ext) { if (then) then(); return; }
      if (then) extWaiting.push(then);
      if (extLoading) return;
      extLoading = true;
      var s = document.createElement("script");
      s.src = (C.opts.callbacksScript || C.sibling(EXT_FILE)) +
        "?v=" + VERSION;
      s.async = true;
      s.addEventListener("error", function () {
        extLoading = false;
        if (s.parentNode) s.parentNode.removeChild(s);
        extTries = Math.min(extTries + 1, 6);
        warn("could not load " + EXT_FILE + "; retrying");
        setTimeout(function () { if (!ext && needsExt()) loadExt(); }, backoff(extTries));
      });
      (document.head || document.documentElement).appendChild(s);
    }

    function registerExt(name, factory) {
      if (name !== "callbacks" || ext || typeof factory !== "function" || !ui) return;
      try { ext = factory(core); } catch (e) { logError(e); return; }
      extLoading = false;
      render();
      if (req && req.ring) ringNow();
      ext.estimate();
      var fns = extWaiting;
      extWaiting = [];
      for (var i = 0; i < fns.length; i++) {
        try { fns[i](); } catch (e) { logError(e); }
      }
    }

    function withExt(fn) {
      if (ext) fn();
      else loadExt(fn);
    }

    // ---------------------------------------------------------------- socket
    function wsUrl() {
      return C.server.replace(/^http/, "ws") + "/ws/customer?app=" + encodeURIComponent(C.opts.app);
    }

    function connect() {
      if (!req || ws) return;
      clearTimeout(reconnectTimer);
      reconnectTimer = 0;
      var sock;
      try { sock = new WebSocket(wsUrl()); } catch (e) { scheduleReconnect(); return; }
      ws = sock;
      wsState = "connecting";
      renderConn();
      sock.onopen = function () {
        if (ws !== sock) return;
        rawSend({ type: "hello", request_id: req.request_id, token: req.customer_token, last_seq: req.last_seq });
        startPing();
      };
      sock.onmessage = function (e) {
        if (ws !== sock) return;
        var f;
        try { f = JSON.parse(e.data); } catch (err) { return; }
        if (f && typeof f === "object") onFrame(f);
      };
      sock.onclose = function (e) {
        if (ws !== sock) return;
        dropSocket();
        if (e.code === 4401) { resumeRefused(); return; }
        scheduleReconnect();
      };
      sock.onerror = function () { /* onclose follows */ };
    }

    function dropSocket() {
      var s = ws;
      ws = null;
      wsState = "closed";
      sendQueue = [];
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
      clearTimeout(gapTimer);
      pendingEvents = {};
      if (s) {
        s.onopen = s.onmessage = s.onclose = s.onerror = null;
        try { s.close(); } catch (e) { /* already closed */ }
      }
      setPeerTyping(false);
      renderConn();
      renderMessages();
    }

    function scheduleReconnect() {
      if (!req || reconnectTimer) return;
      attempt++;
      reconnectTimer = setTimeout(function () {
        reconnectTimer = 0;
        connect();
      }, backoff(attempt));
      renderConn();
    }

    function reconnectNow() {
      if (!req) return;
      if (ws) dropSocket();
      attempt = 0;
      clearTimeout(reconnectTimer);
      reconnectTimer = 0;
      connect();
    }

    function startPing() {
      clearInterval(pingTimer);
      pingTimer = setInterval(function () {
        rawSend({ type: "ping" });
        clearTimeout(pongTimer);
        pongTimer = setTimeout(function () {
          // No answer at all: the socket is dead even if the browser hasn't noticed.
          dropSocket();
          scheduleReconnect();
        }, PONG_GRACE);
      }, PING_EVERY);
    }

    // At most ~15 frames a second (the server allows 20, burst 40).
    function rawSend(frame) {
      if (!ws || ws.readyState !== 1) return false;
      if (tokens >= 1 && !sendQueue.length) {
        tokens--;
        ws.send(JSON.stringify(frame));
      } else if (frame.type !== "typing") {
        sendQueue.push(frame);
      }
      if (!tokenTimer) {
        tokenTimer = setInterval(function () {
          tokens = Math.min(30, tokens + 1.5);
          while (sendQueue.length && tokens >= 1 && ws && ws.readyState === 1) {
            tokens--;
            ws.send(JSON.stringify(sendQueue.shift()));
          }
          if (tokens >= 30 && !sendQueue.length) { clearInterval(tokenTimer); tokenTimer = 0; }
        }, 100);
      }
      return true;
    }

    // A write is kept in the outbox until acked and re-sent with the same id on reconnect.
    function write(frame) {
      if (!req) return;
      req.outbox.push(frame);
      saveReq();
      if (wsState === "open") rawSend(frame);
      watchSlow(frame.id);
    }

    function watchSlow(id) {
      clearTimeout(slowTimers[id]);
      slowTimers[id] = setTimeout(function () {
        delete slowTimers[id];
        var m = findMessage(id);
        if (m && m.status === "pending") { m.status = "slow"; renderMessages(); }
      }, ACK_SLOW);
    }

    function takeFromOutbox(id) {
      if (!req) return null;
      for (var i = 0; i < req.outbox.length; i++) {
        if (req.outbox[i].id === id) {
          var f = req.outbox.splice(i, 1)[0];
          clearTimeout(slowTimers[id]);
          delete slowTimers[id];
          saveReq();
          return f;
        }
      }
      return null;
    }

    function onFrame(f) {
      if (f.type === "pong") { clearTimeout(pongTimer); return; }
      clearTimeout(pongTimer);
      if (typeof f.seq === "number") { onEvent(f); return; }
      switch (f.type) {
        case "welcome": onWelcome(f); break;
        case "ack": onAck(f); break;
        case "error": onError(f); break;
        case "typing":
          if (f.from === "specialist") setPeerTyping(!!f.active);
          break;
        case "estimate": onEstimate(f); break;
        default: break;
      }
    }

    function onWelcome(f) {
      if (!req) return;
      wsState = "open";
      attempt = 0;
      replayUntil = typeof f.last_seq === "number" ? f.last_seq : req.last_seq;
      if (req.adopted) { req.adopted = false; seenAtLoad = replayUntil; }
      if (f.state && replayUntil <= req.last_seq) setState(f.state, req.cause);
      else if (f.state) {
        var sock = ws;
        setTimeout(function () {
          // The promised replay never came: trust the state the server told us.
          if (ws === sock && req && !caughtUp()) { replayUntil = req.last_seq; setState(f.state, req.cause); }
        }, 5000);
      }
      // Re-send every unacked write with its own id; the server dedupes.
      for (var i = 0; i < req.outbox.length; i++) {
        rawSend(req.outbox[i]);
        watchSlow(req.outbox[i].id);
        var m = findMessage(req.outbox[i].id);
        if (m && m.status === "slow") m.status = "pending";
      }
      if (lastContextJson === null) contextDirty = true;
      if (contextDirty) { clearTimeout(contextTimer); contextTimer = setTimeout(flushContext, 0); }
      renderConn();
      renderMessages();
    }

    function onEvent(ev) {
      if (!req || ev.seq <= req.last_seq) return;  // already seen
      pendingEvents[ev.seq] = ev;
      while (pendingEvents[req.last_seq + 1]) {
        var next = pendingEvents[req.last_seq + 1];
        delete pendingEvents[req.last_seq + 1];
        req.last_seq = next.seq;
        applyEvent(next);
        if (!req) return;
      }
      saveReq();
      clearTimeout(gapTimer);
      var waitingFor = Object.keys(pendingEvents).length;
      if (waitingFor) {
        // A gap in the stream: reconnect and let the server replay from last_seq.
        gapTimer = setTimeout(reconnectNow, 3000);
      }
    }

    function applyEvent(ev) {
      var fresh = ev.seq > seenAtLoad;
      var live = ev.seq > replayUntil && wsState === "open";
      if (live && typeof ev.at === "number") clockSkew = now() - ev.at;
      if (ev.type === "request.state") {
        if (ev.specialist !== undefined) req.specialist = ev.specialist;
        setState(ev.state, ev.cause);
      } else if (ev.type === "message" && ev.message) {
        addServerMessage(ev.message, fresh);
      } else if (ev.type === "callback" && ev.callback && typeof ev.callback === "object") {
        req.callback = ev.callback;
        if (live) emit("callback", copyOf(ev.callback));
        if (ext) ext.event(ev, live);
        if (needsExt()) loadExt();
        saveReq();
        render();
      } else if (ev.type === "callback.ring") {
        // Ring only while the ring is still on: a replayed ring that has expired is history.
        var left = typeof ev.expires_at === "number" && typeof ev.at === "number" ? ev.expires_at - ev.at : 30000;
        var until = live ? now() + left : (typeof ev.expires_at === "number" ? ev.expires_at + clockSkew : 0);
        if (until > now() && ACTIVE[req.state]) {
          // `expires_at` as the server sent it names this ring exactly (the push carries it
          // too): an Answer pressed on another ring's notification never answers this one.
          req.ring = {
            attempt: ev.attempt || 1, until: until, specialist: ev.specialist || null,
            expires_at: typeof ev.expires_at === "number" ? ev.expires_at : null
          };
          ringNow();
        }
      } else if (ev.type === "callback.ring_ended") {
        var had = !!req.ring;
        req.ring = null;
        if (ext) ext.event(ev, live);
        if (had) {
          if (live) emit("ring:end", { requestId: req.request_id, reason: ev.reason || null });
          render();
          if (isOpen) focusView(true);
        }
      }
    }

    function copyOf(o) { try { return JSON.parse(JSON.stringify(o)); } catch (e) { return null; } }

    // A specialist is ready and the customer is rung: open the panel and let the callbacks
    // piece show the ring (it loads first if it hasn't yet).
    function ringNow() {
      if (!req || !req.ring) return;
      withExt(function () {
        if (!req || !req.ring) return;
        if (!req.ring.shown) {
          req.ring.shown = true;
          emit("ring", { requestId: req.request_id, specialist: copyOf(req.ring.specialist), expiresAt: req.ring.until });
        }
        ext.ring();
        render();
        if (!isOpen) open(); else focusView();
      });
    }

    // The live estimate: shown in place, announced politely only when it changes meaningfully.
    function onEstimate(f) {
      if (!req || (f.request_id && f.request_id !== req.request_id)) return;
      // `mean: null` is an honest "can't say" (no one eligible is on): it replaces the last one.
      var e = { position: f.position, mean: f.mean, low: f.low, high: f.high, at: f.at };
      req.estimate = e;
      if (f.options && typeof f.options === "object") req.options = f.options;
      if (needsExt()) loadExt();
      saveReq();
      emit("estimate", copyOf(e));
      render();
      if (ext) ext.estimate();
    }

    function onAck(f) {
      var frame = takeFromOutbox(f.id);
      if (!frame) return;
      var result = f.result || {};
      if (frame.type === "message") {
        var m = findMessage(frame.id);
        if (m) {
          m.status = "sent";
          if (result.message && typeof result.message === "object") mergeMessage(m, result.message);
          placeSent(m);
          renderMessages();
        }
      } else if (frame.type === "rate") {
        finishRating();
      } else if (frame.type === "cancel") {
        if (result.state && ENDED[result.state]) setState(result.state, result.cause || null);
      } else if (EXT_FRAMES[frame.type]) {
        if (result.callback && typeof result.callback === "object") req.callback = result.callback;
        saveReq();
        if (ext) ext.ack(frame, result);
        render();
        if (isOpen) focusView(true);
      }
    }

    // A callback still to come (the engine's `retrying` is between two rings).
    var LIVE_CALLBACK = { promised: 1, ringing: 1, retrying: 1 };
    var EXT_FRAMES = { callback: 1, schedule: 1, reschedule: 1, cancel_callback: 1, answer: 1 };

    var ERROR_TEXT = {
      too_large: "That message is too long to send. Please shorten it.",
      rate_limited: "You're sending very quickly. Please wait a moment.",
      invalid_state: "That can't be done right now.",
      not_allowed: "That isn't allowed for this request.",
      not_found: "We couldn't find this help request.",
      bad_frame: "Something went wrong sending that. Please try again.",
      bad_json: "Something went wrong sending that. Please try again."
    };

    function onError(f) {
      var code = f.code || "";
      if (code === "hello_required" && req && ws) {
        rawSend({ type: "hello", request_id: req.request_id, token: req.customer_token, last_seq: req.last_seq });
        return;
      }
      if (wsState !== "open" && (code === "not_found" || code === "not_allowed")) {
        resumeRefused();
        return;
      }
      var text = ERROR_TEXT[code] || (f.message ? String(f.message) : "Something went wrong. Please try again.");
      var frame = f.ref ? takeFromOutbox(f.ref) : null;
      if (frame && frame.type === "message") {
        var m = findMessage(frame.id);
        if (m) {
          if (code === "too_large" && ui.compose.value === "") {
            // Give the text back to edit rather than lose it.
            ui.compose.value = m.body;
            messages.splice(messages.indexOf(m), 1);
            updateCompose();
          } else {
            m.status = "failed";
          }
          renderMessages();
        }
      } else if (frame && frame.type === "rate") {
        setBusy(ui.rateBtn, false);
        showNotice(ui.outcomeNotice, text);
        return;
      } else if (frame && frame.type === "cancel") {
        setBusy(ui.cancelBtn, false);
      } else if (frame && frame.type === "context") {
        return;  // the next change sends a fresh context
      } else if (ext && ((frame && EXT_FRAMES[frame.type]) || /^slot_/.test(code))) {
        if (ext.error(frame, code, text)) return;
      }
      showNotice(view === "describe" ? ui.describeNotice : view === "outcome" ? ui.outcomeNotice : ui.threadNotice, text);
    }

    function resumeRefused() {
      var old = req;
      endRequest();
      if (old && startFired === old.request_id && endFired !== old.request_id) {
        endFired = old.request_id;
        emit("assist:end", { requestId: old.request_id, state: old.state, cause: "resume_refused" });
      }
      render();
      showNotice(ui.describeNotice, "We couldn't reopen your earlier help request. Please tell us again what's getting in your way.");
    }

    // ---------------------------------------------------------------- request state
    function setState(state, cause) {
      if (!req || !state) return;
      var prev = req.state;
      req.state = state;
      if (cause !== undefined && cause !== null) req.cause = cause;
      // The server posts a system message when a specialist drops, so no notice of our own.
      var live = caughtUp();
      if (state !== prev) {
        if (state === "connected") showNotice(ui.threadNotice, "");
        if (!ACTIVE[state]) clearTimeout(contextTimer);
      }
      if (live && state !== lastEmitted) emitState();
      saveReq();
      render();
      if (live && state !== prev && isOpen) {
        if (ENDED[state] || (state === "connected" && prev !== "connected")) focusView(true);
      }
      maybeFireEnd();
    }

    // Live once the socket said welcome and the replay is in. (The server may send the replay
    // before or after `welcome`; events before it are history either way.)
    function caughtUp() { return !!req && wsState === "open" && req.last_seq >= replayUntil; }

    function maybeFireEnd() {
      if (!req || !ENDED[req.state] || !caughtUp()) return;
      if (startFired === req.request_id && endFired !== req.request_id) {
        endFired = req.request_id;
        setPeerTyping(false);
        emit("assist:end", { requestId: req.request_id, state: req.state, cause: req.cause || null });
      }
    }

    function fireStart() {
      if (!req || startFired === req.request_id) return;
      startFired = req.request_id;
      emit("assist:start", { requestId: req.request_id });
    }

    var lastEmitted = null;
    function emitState() {
      if (req) lastEmitted = req.state;
      if (req) emit("state", { state: req.state, requestId: req.request_id, cause: req.cause || null });
    }

    function endRequest() {
      clearTimeout(contextTimer);
      clearTimeout(reconnectTimer);
      reconnectTimer = 0;
      for (var k in slowTimers) clearTimeout(slowTimers[k]);
      slowTimers = {};
      if (ws) dropSocket();
      var live = storageGet(liveKey(), true);
      if (req && live && live.request_id === req.request_id) storageSet(liveKey(), null, true);
      req = null;
      if (ext) ext.reset();
      messages = [];
      lastContextJson = null;
      contextDirty = false;
      storageSet(storeKey(), null);
      if (ui) {
        ui.compose.value = "";
        ui.comment.value = "";
        for (var i = 0; i < ui.stars.length; i++) ui.stars[i].input.checked = false;
        paintStars(0);
        showNotice(ui.threadNotice, "");
        showNotice(ui.outcomeNotice, "");
        setBusy(ui.cancelBtn, false);
        setBusy(ui.rateBtn, false);
      }
      renderConn();
    }

    // ---------------------------------------------------------------- messages
    function findMessage(clientId) {
      for (var i = 0; i < messages.length; i++) {
        if (messages[i].client_id === clientId) return messages[i];
      }
      return null;
    }

    function mergeMessage(m, s) {
      if (s.id) m.id = s.id;
      if (s.at) m.at = s.at;
      if (s.author) m.author = s.author;
      if (typeof s.body === "string") m.body = s.body;
    }

    function addServerMessage(s, fresh) {
      var m = null;
      for (var i = 0; i < messages.length; i++) {
        if ((s.id && messages[i].id === s.id) || (s.client_id && messages[i].client_id === s.client_id)) {
          m = messages[i];
          break;
        }
      }
      if (m) {
        mergeMessage(m, s);
        if (m.status !== "sent") {
          m.status = "sent";
          takeFromOutbox(m.client_id);
          placeSent(m);
        }
      } else {
        m = {
          id: s.id || null,
          client_id: s.client_id || null,
          sender: s.sender || "system",
          author: s.author || "",
          body: typeof s.body === "string" ? s.body : "",
          at: s.at || now(),
          status: "sent"
        };
        placeSent(m);
        // An own message from an earlier page whose ack we missed.
        if (m.client_id && req) takeFromOutbox(m.client_id);
        if (fresh && m.sender !== "customer") {
          if (m.sender === "specialist") setPeerTyping(false);
          if (!isOpen) { unread++; renderUnread(); }
        }
      }
      if (fresh) emit("message", copyMessage(m));
      renderMessages();
    }

    // Stored messages come in stream order; messages not yet sent stay below them.
    function placeSent(m) {
      var i = messages.indexOf(m);
      if (i >= 0) messages.splice(i, 1);
      var at = messages.length;
      for (var j = 0; j < messages.length; j++) {
        if (messages[j].status !== "sent") { at = j; break; }
      }
      messages.splice(at, 0, m);
    }

    function copyMessage(m) {
      return { id: m.id, client_id: m.client_id, sender: m.sender, author: m.author, body: m.body, at: m.at };
    }

    function sendMessage() {
      if (!req || req.state !== "connected") return;
      var raw = ui.compose.value;
      var body = scrub(raw.replace(/\s+$/, ""));
      if (!body.trim()) return;
      if (byteLength(body) > limits.message_bytes) { updateCompose(); return; }
      var id = uuid();
      messages.push({ id: null, client_id: id, sender: "customer", author: displayName(), body: body, at: now(), status: "pending" });
      ui.compose.value = "";
      updateCompose();
      if (body !== raw.replace(/\s+$/, "")) {
        showNotice(ui.threadNotice, CARD_NOTICE);
      }
      stopTyping();
      write({ type: "message", id: id, body: body });
      saveReq();
      renderMessages();
    }

    function retryMessage(m) {
      if (!req) return;
      m.status = "pending";
      takeFromOutbox(m.client_id);
      write({ type: "message", id: m.client_id, body: m.body });
      renderMessages();
    }

    function displayName() {
      return "You";
    }

    // ---------------------------------------------------------------- typing
    function onComposeInput() {
      updateCompose();
      saveDraftSoon();
      if (!req || req.state !== "connected") return;
      if (!ui.compose.value) { stopTyping(); return; }
      var t = now();
      if (!typingActive || t - typingSentAt > TYPING_RESEND) {
        typingActive = true;
        typingSentAt = t;
        if (wsState === "open") rawSend({ type: "typing", active: true });
      }
      clearTimeout(typingIdleTimer);
      typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE);
    }

    function stopTyping() {
      clearTimeout(typingIdleTimer);
      if (!typingActive) return;
      typingActive = false;
      if (wsState === "open") rawSend({ type: "typing", active: false });
    }

    var draftTimer = 0;
    function saveDraftSoon() {
      clearTimeout(draftTimer);
      draftTimer = setTimeout(function () { if (req) saveReq(); }, 500);
    }

    function setPeerTyping(on) {
      clearTimeout(peerTypingTimer);
      if (!ui) return;
      ui.typing.hidden = !on;
      ui.typingText.textContent = on ? "Specialist is typing…" : "";
      if (on) peerTypingTimer = setTimeout(function () { setPeerTyping(false); }, TYPING_SHOW);
    }

    // ---------------------------------------------------------------- rating
    function sendRating() {
      if (!req) return;
      var score = 0;
      for (var i = 0; i < ui.stars.length; i++) if (ui.stars[i].input.checked) score = i + 1;
      if (!score) {
        showNotice(ui.outcomeNotice, "Choose from 1 to 5 stars, or close if you'd rather not rate.");
        ui.stars[0].input.focus();
        return;
      }
      showNotice(ui.outcomeNotice, "");
      var frame = { type: "rate", id: uuid(), score: score };
      var comment = scrub(ui.comment.value.trim());
      if (comment) frame.comment = cap(comment, COMMENT_MAX);
      setBusy(ui.rateBtn, true, "Sending…");
      if (!ws && !reconnectTimer) connect();
      write(frame);
    }

    function finishRating() {
      endRequest();
      view = "thanks";
      render();
      if (isOpen) focusView();
    }

    function closeOutcome() {
      endRequest();
      view = "describe";
      render();
      close();
    }

    // ---------------------------------------------------------------- DOM helpers
    var ICON_CLOSE = ["M6 6l12 12M18 6L6 18"];
    var ICON_STAR = ["M12 3.6l2.6 5.3 5.8.8-4.2 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.2-4.1 5.8-.8z"];

    function setBusy(btn, busy, label) {
      if (!btn) return;
      if (busy) {
        if (!btn.getAttribute("data-label")) btn.setAttribute("data-label", btn.textContent);
        btn.textContent = label || btn.textContent;
        btn.disabled = true;
        btn.setAttribute("aria-busy", "true");
      } else {
        var l = btn.getAttribute("data-label");
        if (l) btn.textContent = l;
        btn.removeAttribute("data-label");
        btn.disabled = false;
        btn.removeAttribute("aria-busy");
      }
    }

    function showNotice(el, text) {
      if (!el) return;
      el.textContent = text || "";
      el.hidden = !text;
    }

    function fmtTime(ms) {
      try {
        return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      } catch (e) { return ""; }
    }

    function say(text) {
      if (!ui) return;
      ui.announcer.textContent = "";
      setTimeout(function () { ui.announcer.textContent = text; }, 50);
    }

    // ---------------------------------------------------------------- build UI
    // The panel joins the launcher in the widget's shadow root, before it in the DOM.
    function build() {
      var r = ui;
      var uid = r.uid;
      // Header
      r.title = h("h2", { id: uid + "-title", class: "tl-title", text: "Get help" });
      r.subtitle = h("p", { class: "tl-subtitle", text: "" });
      r.connDot = h("span", { class: "tl-conn-dot", "aria-hidden": "true" });
      r.connText = h("span", { class: "tl-conn-text", text: "Connected" });
      r.conn = h("p", { class: "tl-conn", role: "status" }, [r.connDot, r.connText]);
      r.closeBtn = h("button", { type: "button", class: "tl-icon-btn", "aria-label": "Close help", onclick: function () { close(); } },
        [svg(ICON_CLOSE)]);
      var header = h("div", { class: "tl-header" }, [
        h("div", { class: "tl-heading" }, [r.title, r.subtitle, r.conn]), r.closeBtn
      ]);

      // Describe
      r.describe = h("textarea", {
        id: uid + "-describe", class: "tl-textarea", rows: "4", maxlength: String(DESCRIPTION_MAX),
        required: true, "aria-describedby": uid + "-privacy " + uid + "-count",
        oninput: function () { updateDescribe(); }
      });
      r.describe.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submitDescribe(); }
      });
      r.describeCount = h("p", { id: uid + "-count", class: "tl-count", text: "0 / " + DESCRIPTION_MAX });
      r.describeError = h("p", { id: uid + "-describe-error", class: "tl-field-error", hidden: true });
      r.describeNotice = h("p", { class: "tl-notice", role: "status", hidden: true });
      r.requestBtn = h("button", { type: "submit", class: "tl-btn tl-btn-primary", text: "Request help" });
      r.describeForm = h("form", { class: "tl-view tl-describe", novalidate: true, onsubmit: function (e) { e.preventDefault(); submitDescribe(); } }, [
        h("label", { class: "tl-label", "for": uid + "-describe", text: "What's getting in your way?" }),
        r.describe,
        h("div", { class: "tl-row-between" }, [r.describeError, r.describeCount]),
        h("p", { id: uid + "-privacy", class: "tl-privacy" }, [
          "The specialist will see where you are in the app and what you've entered, so you don't have to explain it again. ",
          h("strong", { text: "Card numbers and passwords stay on your device." })
        ]),
        r.describeNotice,
        h("div", { class: "tl-actions" }, [r.requestBtn])
      ]);

      // Thread: waiting block, specialist, log, typing, compose
      // Waiting is the choice screen: chat (chosen already, with its honest wait), and the
      // other channels the callbacks piece adds into `choices`.
      r.estimate = h("p", { class: "tl-estimate", "data-tapline-estimate": "", hidden: true });
      r.position = h("p", { class: "tl-position", hidden: true });
      r.choices = h("div", { class: "tl-choices", hidden: true });
      r.cancelBtn = h("button", { type: "button", class: "tl-btn tl-btn-secondary", text: "Cancel request", onclick: cancelRequest });
      r.waitingText = h("p", { class: "tl-waiting-title", text: "Finding a specialist…" });
      r.waiting = h("div", { class: "tl-waiting" }, [
        h("div", { class: "tl-progress", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]),
        r.waitingText,
        r.estimate,
        r.position,
        r.choices,
        h("p", { class: "tl-hint", text: "You can keep using the app while you wait. Your place is kept, even if you reload the page." }),
        h("div", { class: "tl-actions" }, [r.cancelBtn])
      ]);
      r.ext = h("div", { class: "tl-ext", hidden: true });
      r.announcer = h("p", { class: "tl-sr", role: "status", "aria-live": "polite" });
      r.log = h("ol", { class: "tl-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
      r.typingText = h("span", { text: "" });
      r.typing = h("p", { class: "tl-typing", hidden: true }, [h("span", { class: "tl-typing-dots", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]), r.typingText]);
      r.threadNotice = h("p", { class: "tl-notice", role: "status", hidden: true });
      r.compose = h("textarea", {
        id: uid + "-compose", class: "tl-textarea tl-compose-input", rows: "2",
        "aria-describedby": uid + "-compose-help", placeholder: "Write a message",
        oninput: onComposeInput
      });
      r.compose.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMessage(); }
      });
      r.compose.addEventListener("blur", stopTyping);
      r.composeHelp = h("p", { id: uid + "-compose-help", class: "tl-count", text: "Enter to send, Shift+Enter for a new line" });
      r.sendBtn = h("button", { type: "submit", class: "tl-btn tl-btn-primary tl-send", text: "Send" });
      r.composeForm = h("form", { class: "tl-compose", novalidate: true, onsubmit: function (e) { e.preventDefault(); sendMessage(); } }, [
        h("label", { class: "tl-sr", "for": uid + "-compose", text: "Message" }),
        h("div", { class: "tl-compose-row" }, [r.compose, r.sendBtn]),
        r.composeHelp
      ]);
      r.thread = h("div", { class: "tl-view tl-thread" }, [r.waiting, r.ext, r.log, r.typing, r.threadNotice, r.composeForm]);

      // Outcome
      r.outcomeTitle = h("h3", { class: "tl-outcome-title", tabindex: "-1", text: "" });
      r.outcomeText = h("p", { class: "tl-outcome-text", text: "" });
      r.stars = [];
      var starWrap = h("div", { class: "tl-stars" });
      for (var i = 1; i <= 5; i++) {
        var input = h("input", { type: "radio", name: uid + "-score", id: uid + "-star" + i, value: String(i), class: "tl-star-input" });
        var label = h("label", { class: "tl-star" }, [
          input, svg(ICON_STAR, "tl-star-icon"), h("span", { class: "tl-sr", text: i === 1 ? "1 star" : i + " stars" })
        ]);
        input.addEventListener("change", paintFromInputs);
        label.addEventListener("mouseenter", (function (n) { return function () { paintStars(n, true); }; })(i));
        starWrap.appendChild(label);
        r.stars.push({ input: input, label: label });
      }
      starWrap.addEventListener("mouseleave", paintFromInputs);
      r.comment = h("textarea", { id: uid + "-comment", class: "tl-textarea", rows: "2", maxlength: String(COMMENT_MAX) });
      r.outcomeNotice = h("p", { class: "tl-notice", role: "status", hidden: true });
      r.rateBtn = h("button", { type: "submit", class: "tl-btn tl-btn-primary", text: "Send rating" });
      r.outcomeClose = h("button", { type: "button", class: "tl-btn tl-btn-secondary", text: "Close", onclick: closeOutcome });
      r.outcome = h("form", { class: "tl-view tl-outcome", novalidate: true, onsubmit: function (e) { e.preventDefault(); sendRating(); } }, [
        r.outcomeTitle, r.outcomeText,
        h("fieldset", { class: "tl-rating" }, [
          h("legend", { class: "tl-label", text: "How was the help you got?" }),
          starWrap
        ]),
        h("label", { class: "tl-label", "for": uid + "-comment", text: "Anything you'd like to add? (optional)" }),
        r.comment,
        r.outcomeNotice,
        h("div", { class: "tl-actions" }, [r.outcomeClose, r.rateBtn])
      ]);

      // Thanks
      r.thanksTitle = h("h3", { class: "tl-outcome-title", tabindex: "-1", text: "Thank you for your feedback." });
      r.thanksClose = h("button", { type: "button", class: "tl-btn tl-btn-primary", text: "Close", onclick: function () { view = "describe"; render(); close(); } });
      r.thanks = h("div", { class: "tl-view tl-thanks" }, [
        r.thanksTitle,
        h("p", { class: "tl-outcome-text", text: "If anything else gets in your way, help is one tap away." }),
        h("div", { class: "tl-actions" }, [r.thanksClose])
      ]);

      r.body = h("div", { class: "tl-body" }, [r.describeForm, r.thread, r.outcome, r.thanks]);
      r.panel = h("div", {
        id: uid + "-panel", class: "tl-panel", role: "dialog", "aria-modal": "false",
        "aria-labelledby": uid + "-title", hidden: true
      }, [header, r.body, r.announcer]);
      r.panel.addEventListener("keydown", onPanelKey);

      r.root.insertBefore(r.panel, r.launcher);
    }

    // ---------------------------------------------------------------- render
    function currentView() {
      if (view === "thanks" && !req) return "thanks";
      if (!req) return "describe";
      if (ENDED[req.state]) return "outcome";
      return "thread";
    }

    function render() {
      if (!ui) return;
      var prev = view;
      view = currentView();
      ui.describeForm.hidden = view !== "describe";
      ui.thread.hidden = view !== "thread";
      ui.outcome.hidden = view !== "outcome";
      ui.thanks.hidden = view !== "thanks";
      ui.panel.setAttribute("data-view", view);

      var connected = req && req.state === "connected";
      var sp = req && req.specialist;
      if (view === "thread" && connected && sp && sp.name) {
        ui.title.textContent = String(sp.name);
        ui.subtitle.textContent = sp.role ? String(sp.role) : "Specialist";
      } else {
        ui.title.textContent = "Get help";
        ui.subtitle.textContent = C.appName ? C.appName + " support" : "";
      }
      ui.subtitle.hidden = !ui.subtitle.textContent;

      if (view === "thread") {
        var mode = threadMode();
        var own = mode === "wait" || mode === "chat" || !ext;  // what the core draws itself
        var modeChanged = mode !== shownMode;
        shownMode = mode;
        if (mode !== "wait" && mode !== "chat") loadExt();
        ui.waiting.hidden = mode === "chat" || !own;
        ui.ext.hidden = own;
        ui.composeForm.hidden = mode !== "chat";
        ui.log.hidden = mode === "ring" || (!messages.length && !connected);
        ui.typing.hidden = ui.typing.hidden || mode === "ring";
        // Notices sit under what they are about: the chat's compose box, or the top screen.
        var noticeAt = mode === "chat" ? ui.composeForm : ui.log;
        if (ui.threadNotice.nextSibling !== noticeAt) ui.thread.insertBefore(ui.threadNotice, noticeAt);
        if (ext) ext.render(mode);
        renderMessages();
        updateCompose();
        if (modeChanged) ui.body.scrollTop = mode === "chat" ? ui.body.scrollHeight : 0;
      } else if (ext && req) {
        ext.render("off");
      }
      if (view === "outcome") renderOutcome();
      if (view === "describe") updateDescribe();
      if (prev !== view) {
        ui.body.scrollTop = 0;
      }
    }

    // Which part of the thread view shows: the waiting/choice screen, the chat, or one of the
    // callbacks piece's screens (in-queue callback, slot picker, booked slot, ringing).
    function threadMode() {
      if (!req) return "wait";
      var cb = req.callback;
      var s = req.state;
      if (req.ring) return "ring";
      if (s === "connected") return "chat";
      if (ext && ext.picking()) return "pick";
      if (s === "scheduled" || (cb && cb.kind === "scheduled" && cb.state === "promised")) return "scheduled";
      if (s === "new") return "pick";
      if (cb && cb.kind === "in_queue" && LIVE_CALLBACK[cb.state]) return "callback";
      return "wait";
    }

    function renderOutcome() {
      var s = req.state;
      var title;
      var text;
      if (s === "resolved") {
        title = "Your request is resolved.";
        text = "We hope everything is working for you now.";
      } else if (s === "cancelled") {
        title = "Your request was cancelled.";
        text = "If you still need help, you can ask again at any time.";
      } else {
        title = "We couldn't finish helping you this time.";
        text = deadEndText(req.cause) + " We're sorry. If you still need help, you can ask again at any time.";
      }
      ui.outcomeTitle.textContent = title;
      ui.outcomeText.textContent = text;
    }

    function deadEndText(cause) {
      switch (cause) {
        case "abandoned": return "No specialist was able to take your request in time.";
        case "disconnected": return "The connection was lost before we could finish.";
        case "missed_callback": return "We missed the callback we promised.";
        case "unresolved": return "Your specialist couldn't resolve the problem.";
        default: return "The request ended without a solution.";
      }
    }

    function renderConn() {
      if (!ui) return;
      var state;
      if (navigator.onLine === false) state = "offline";
      else if (req) state = wsState === "open" ? "connected" : "reconnecting";
      else state = C.configState === "failed" ? "reconnecting" : C.configState === "refused" ? "offline" : "connected";
      var text = state === "connected" ? "Connected" : state === "offline" ? "Offline" : "Reconnecting…";
      if (ui.connText.textContent !== text) ui.connText.textContent = text;
      ui.conn.setAttribute("data-state", state);
      ui.panel.setAttribute("data-conn", state);
    }

    // The launcher's description: who is calling (while ringing), else the unread count.
    function renderUnread() {
      if (!ui) return;
      ui.badge.hidden = !unread && !ringHint;
      ui.host.classList.toggle("tl-ringing", !!ringHint);
      ui.unreadText.textContent = ringHint || (unread ? (unread === 1 ? "1 new message" : unread + " new messages") : "");
    }

    function setRingHint(text) {
      ringHint = text || "";
      renderUnread();
    }

    function renderMessages() {
      if (!ui) return;
      var log = ui.log;
      var atBottom = ui.body.scrollHeight - ui.body.scrollTop - ui.body.clientHeight < 40;
      var added = false;
      for (var i = 0; i < messages.length; i++) {
        var m = messages[i];
        if (!m.el) {
          m.el = buildMessage(m);
          added = true;
        }
        if (log.children[i] !== m.el) log.insertBefore(m.el, log.children[i] || null);
        updateMessage(m);
      }
      while (log.children.length > messages.length) log.removeChild(log.lastChild);
      var mode = req && view === "thread" ? threadMode() : "";
      if (mode) ui.log.hidden = mode === "ring" || (!messages.length && req.state !== "connected");
      // Before the chat, the top of the screen (the wait, the choices) matters more than the log.
      if (added && mode === "chat" && (atBottom || (messages.length && messages[messages.length - 1].sender === "customer"))) {
        ui.body.scrollTop = ui.body.scrollHeight;
      }
    }

    function buildMessage(m) {
      var system = m.sender !== "customer" && m.sender !== "specialist";
      var who = m.sender === "customer" ? "You" : system ? null : (m.author || "Specialist");
      var li = h("li", { class: "tl-msg tl-from-" + (system ? "system" : m.sender) });
      var time = h("time", { class: "tl-time" });
      var status = h("span", { class: "tl-status" });
      var retry = h("button", { type: "button", class: "tl-link", text: "Retry", hidden: true, onclick: function () { retryMessage(m); } });
      li.appendChild(h("p", { class: "tl-meta" }, [who ? h("span", { class: "tl-author", text: who }) : null, " ", time, " ", status, " ", retry]));
      li.appendChild(h("p", { class: "tl-text", text: m.body }));
      m.parts = { time: time, status: status, retry: retry, text: li.lastChild };
      return li;
    }

    function updateMessage(m) {
      var p = m.parts;
      var iso = "";
      try { iso = new Date(m.at).toISOString(); } catch (e) { iso = ""; }
      if (p.time.getAttribute("datetime") !== iso) {
        p.time.setAttribute("datetime", iso);
        p.time.textContent = fmtTime(m.at);
      }
      if (p.text.textContent !== m.body) p.text.textContent = m.body;
      var s = "";
      if (m.sender === "customer") {
        if (m.status === "pending") s = wsState === "open" ? "Sending…" : "Will send when connected";
        else if (m.status === "slow") s = "Not sent yet";
        else if (m.status === "failed") s = "Not sent";
        else s = "Sent";
      }
      if (p.status.textContent !== s) p.status.textContent = s;
      m.el.setAttribute("data-status", m.status);
      p.retry.hidden = !(m.status === "failed" || m.status === "slow");
    }

    function updateDescribe() {
      var n = ui.describe.value.length;
      ui.describeCount.textContent = n + " / " + DESCRIPTION_MAX;
      if (n && ui.describeError.textContent) {
        ui.describeError.textContent = "";
        ui.describeError.hidden = true;
        ui.describe.removeAttribute("aria-invalid");
      }
    }

    function updateCompose() {
      if (!ui) return;
      var bytes = byteLength(ui.compose.value);
      var max = limits.message_bytes;
      var over = bytes > max;
      ui.sendBtn.disabled = over;
      ui.compose.toggleAttribute("aria-invalid", over);
      ui.composeHelp.classList.toggle("tl-field-error", over);
      if (over) {
        ui.composeHelp.textContent = "This message is too long to send (" + bytes + " of " + max +
          " bytes). Please shorten it or split it into two messages.";
      } else if (bytes > max * 0.8) {
        ui.composeHelp.textContent = (max - bytes) + " bytes left";
      } else {
        ui.composeHelp.textContent = "Enter to send, Shift+Enter for a new line";
      }
    }

    function paintStars(n, hover) {
      if (!ui) return;
      for (var i = 0; i < ui.stars.length; i++) {
        ui.stars[i].label.classList.toggle("tl-on", i < n);
        ui.stars[i].label.classList.toggle("tl-hover", !!hover && i < n);
      }
    }
    function paintFromInputs() {
      var n = 0;
      for (var i = 0; i < ui.stars.length; i++) if (ui.stars[i].input.checked) n = i + 1;
      paintStars(n);
    }

    // ---------------------------------------------------------------- actions
    function submitDescribe() {
      var text = ui.describe.value.trim();
      if (!text) {
        ui.describeError.textContent = "Please tell us a little about what's happening.";
        ui.describeError.hidden = false;
        ui.describe.setAttribute("aria-invalid", "true");
        ui.describe.setAttribute("aria-errormessage", ui.describeError.id);
        ui.describe.focus();
        return;
      }
      var clean = scrub(text);
      if (clean !== text) ui.describe.value = clean;
      createRequest(cap(clean, DESCRIPTION_MAX), clean !== text);
    }

    function cancelRequest() {
      if (!req || !ACTIVE[req.state]) return;
      setBusy(ui.cancelBtn, true, "Cancelling…");
      if (!ws && !reconnectTimer) connect();
      write({ type: "cancel", id: uuid() });
    }

    function focusables() {
      var all = ui.panel.querySelectorAll("button, textarea, input, [tabindex]");
      var out = [];
      var seenRadio = {};
      for (var i = 0; i < all.length; i++) {
        var el = all[i];
        if (el.disabled || el.closest("[hidden]")) continue;
        if (el.getAttribute("tabindex") === "-1") continue;
        if (el.type === "radio") {
          // A radio group is one tab stop: the checked one, else the first.
          if (seenRadio[el.name]) continue;
          var checked = ui.panel.querySelector('input[name="' + el.name + '"]:checked');
          seenRadio[el.name] = true;
          out.push(checked || el);
          continue;
        }
        out.push(el);
      }
      return out;
    }

    function onPanelKey(e) {
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        close();
        return;
      }
      if (e.key !== "Tab") return;
      var list = focusables();
      if (!list.length) return;
      var active = ui.root.activeElement;
      var i = list.indexOf(active);
      // From a heading focused by script (tabindex -1), Tab goes on from there as usual.
      if (i === -1 && active && ui.panel.contains(active) && active !== ui.panel) return;
      if (e.shiftKey && (i <= 0)) { e.preventDefault(); list[list.length - 1].focus(); }
      else if (!e.shiftKey && (i === list.length - 1 || i === -1)) { e.preventDefault(); list[0].focus(); }
    }

    function focusView(soft) {
      if (!ui || !isOpen) return;
      var active = ui.root.activeElement;
      // Don't pull focus away from someone typing in the panel.
      if (soft && active && active.tagName === "TEXTAREA" && !active.closest("[hidden]")) return;
      var target;
      if (view === "describe") target = ui.describe;
      else if (view === "thread") {
        var mode = threadMode();
        target = mode === "chat" ? ui.compose : ext && mode !== "wait" ? ext.focusTarget(mode) : ui.cancelBtn;
      }
      else if (view === "outcome") target = ui.outcomeTitle;
      else if (view === "thanks") target = ui.thanksTitle;
      if (target) {
        try { target.focus({ preventScroll: true }); } catch (e) { target.focus(); }
      }
    }

    function open() {
      if (!ui) return;
      if (!isOpen) {
        var active = document.activeElement;
        returnFocus = active && active !== document.body && active !== ui.host ? active : null;
        isOpen = true;
        ui.panel.hidden = false;
        ui.host.classList.add("tl-open");
        ui.launcher.setAttribute("aria-expanded", "true");
        unread = 0;
        renderUnread();
        render();
        emit("open", {});
      }
      focusView();
    }

    function close() {
      if (!ui || !isOpen) return;
      isOpen = false;
      stopTyping();
      ui.panel.hidden = true;
      ui.host.classList.remove("tl-open");
      ui.launcher.setAttribute("aria-expanded", "false");
      if (view === "thanks") { view = "describe"; render(); }
      var target = !ui.launcher.hidden ? ui.launcher : returnFocus;
      if (target && target.focus) {
        try { target.focus({ preventScroll: true }); } catch (e) { target.focus(); }
      }
      emit("close", {});
    }

    // ---------------------------------------------------------------- resume
    // A request stored by an earlier page of this tab, or kept for every tab (a callback).
    function resume(stored) {
      if (req) return;
      req = newReq(stored);
      // Replay the whole stream to rebuild the thread; events up to the stored
      // last_seq were seen on an earlier page and are not announced again.
      seenAtLoad = stored.last_seq || 0;
      for (var i = 0; i < req.outbox.length; i++) {
        var f = req.outbox[i];
        if (f.type === "message") {
          messages.push({ id: null, client_id: f.id, sender: "customer", author: "You", body: f.body, at: now(), status: "pending" });
        }
      }
      if (req.draft) ui.compose.value = req.draft;
      if (ACTIVE[req.state]) fireStart();
      if (needsExt()) loadExt();
      render();
      connect();
    }

    // ---------------------------------------------------------------- for the callbacks piece
    // What tapline-callbacks.js may use. Not a public API: it changes with VERSION.
    var core = {
      version: VERSION,
      h: h, svg: svg, uuid: uuid, now: now, cap: cap, say: say,
      showNotice: showNotice, setBusy: setBusy, fmtTime: fmtTime,
      write: write, api: api, emit: emit, copyOf: copyOf, warn: warn,
      render: render, open: open, focusView: focusView, cancelRequest: cancelRequest,
      saveReq: saveReq, contextChanged: contextChanged, threadMode: threadMode, setRingHint: setRingHint,
      get req() { return req; },
      get opts() { return C.opts; },
      get ui() { return ui; },
      get isOpen() { return isOpen; },
      get online() { return wsState === "open"; },
      get clockSkew() { return clockSkew; }
    };

    build();
    ui.launcher.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && isOpen) { e.preventDefault(); close(); }
    });

    return {
      open: open,
      close: close,
      isOpen: function () { return isOpen; },
      render: render,
      renderConn: renderConn,
      contextChanged: contextChanged,
      active: requestActive,
      state: function () { return req ? req.state : null; },
      requestId: function () { return req ? req.request_id : null; },
      startedId: function () { return requestActive() && startFired === req.request_id ? req.request_id : null; },
      resume: resume,
      adopt: adopt,
      registerExt: registerExt,
      online: function () {
        renderConn();
        if (req && wsState !== "open") reconnectNow();
      },
      offline: function () { renderConn(); renderMessages(); },
      revealed: function () {
        if (isOpen && !ui.panel.contains(ui.root.activeElement)) focusView();
      }
    };
  });
})();
