/*! tapline callbacks: the other channels beside waiting ("Call me back when it's my turn",
 * "Schedule a time"), the slot picker, the booked slot, and the ring. tapline.js loads this
 * only when a request may need it. Same rules as the core: no HTML strings, no inline styles,
 * every text from the server set with textContent. See docs/sdk.md. */
(function () {
  "use strict";

  var T = window.Tapline;
  if (!T || typeof T.__ext !== "function") return;

  T.__ext("callbacks", function (core) {
    var h = core.h;
    var ui = core.ui;
    var NOTIFY_KEY = "tapline:notify";
    var SLOT_ERRORS = {
      slot_full: "Sorry, that time was just taken.",
      slot_past: "That time has already passed.",
      slot_closed: "That time isn't available."
    };
    var UNREACHED = { timeout: 1, no_answer: 1 };
    var NO_ESTIMATE = "no one is free to estimate the wait yet";
    var ICON_PHONE = ["M6.6 3.5h2.6l1.4 4.2-2 1.3a11 11 0 0 0 6.4 6.4l1.3-2 4.2 1.4v2.6a2 2 0 0 1-2.2 2A17 17 0 0 1 4.6 5.7a2 2 0 0 1 2-2.2z"];

    var picking = null;      // null | "schedule" | "reschedule": the slot picker is open
    var slots = null;        // {tz, list: [{start, end, left}]}
    var slotsState = "idle"; // idle | loading | ok | failed
    var slotsFor = null;     // request id the slots were fetched for
    var dayKey = null;       // the day shown in the picker
    var chosen = null;       // the chosen slot's start
    var ringTimer = 0;
    var chimeTimer = 0;
    var notification = null;
    var audio = null;
    var shownMode = null;
    var declined = false;    // this page said "Not now" to the last ring
    var endedBy = null;      // why the last ring ended

    var uid = "tlc" + Math.random().toString(36).slice(2, 8);
    function id(s) { return uid + "-" + s; }
    function req() { return core.req; }
    function show(el, on) { el.hidden = !on; }

    // ------------------------------------------------------------ honest waits
    // "less than a minute", "about 6 min (4–8)", "about 50 min (30 min–2 h)". `speech` gives
    // the words a screen reader should say instead.
    function waitParts(v) {
      if (v < 5400) {
        var m = Math.max(1, Math.round(v / 60));
        return { n: m, u: "min", s: m === 1 ? "minute" : "minutes", t: String(m) };
      }
      var x = Math.round(v / 1800) / 2;
      var w = Math.floor(x);
      return { n: x * 60, u: "h", s: x === 1 ? "hour" : "hours", t: x % 1 ? (w || "") + "½" : String(x) };
    }

    function waitText(e, speech) {
      var mean = Math.max(0, +e.mean || 0);
      var low = typeof e.low === "number" ? Math.min(e.low, mean) : mean;
      var high = typeof e.high === "number" ? Math.max(e.high, mean) : mean;
      var unit = function (p) { return speech ? p.s : p.u; };
      if (mean < 60) {
        if (high < 90) return "less than a minute";
        var hp = waitParts(high);
        return "less than a minute (up to " + hp.t + " " + unit(hp) + ")";
      }
      var m = waitParts(mean);
      var l = low < 30 ? null : waitParts(low);
      var hi = waitParts(high);
      var out = "about " + m.t + " " + unit(m);
      if (l && l.n === m.n && hi.n === m.n) return out;
      if (speech) return out + (l ? ", between " + l.t + (l.u === hi.u ? "" : " " + unit(l)) + " and " : ", up to ") + hi.t + " " + unit(hi);
      if (!l) return out + " (up to " + hi.t + (hi.u === m.u ? "" : " " + hi.u) + ")";
      var same = l.u === hi.u && hi.u === m.u;
      return out + " (" + l.t + (same ? "" : " " + l.u) + "–" + hi.t + (same ? "" : " " + hi.u) + ")";
    }

    function positionText(e) {
      var p = e && e.position;
      if (typeof p !== "number" || p < 1) return "";
      return p === 1 ? "You're next in line." : "You're number " + Math.round(p) + " in line.";
    }

    function hasEstimate(e) { return !!e && typeof e.mean === "number"; }
    function unknown(e) { return !!e && e.mean === null; }

    // Shown in place; said to screen readers only when it changes meaningfully: the minutes
    // move by 2 or a quarter, it drops under a minute, or the customer is next. At most every
    // 20 s, except for "you're next".
    var spoken = null;
    var spokenAt = 0;
    function announce() {
      var r = req();
      if (!r || core.threadMode() !== "wait") return;
      var e = r.estimate;
      if (unknown(e)) {
        if (spoken && spoken.b === -1) return;
        spoken = { b: -1, next: false };
        spokenAt = Date.now();
        core.say((positionText(e) ? positionText(e) + " " : "") + NO_ESTIMATE + ".");
        return;
      }
      if (!hasEstimate(e)) return;
      var b = e.mean < 60 ? 0 : Math.round(e.mean / 60);
      var next = e.position === 1;
      var last = spoken;
      var meaningful = !last || (b === 0) !== (last.b === 0) || (next && !last.next) ||
        Math.abs(b - last.b) >= Math.max(2, last.b * 0.25);
      if (!meaningful || (last && !(next && !last.next) && Date.now() - spokenAt < 20000)) return;
      spoken = { b: b, next: next };
      spokenAt = Date.now();
      core.say((positionText(e) ? positionText(e) + " " : "") + "Estimated wait " + waitText(e, true) + ".");
    }

    function renderEstimate(r) {
      var e = r.estimate;
      var text = hasEstimate(e) ? "Chat now · " + waitText(e) : unknown(e) ? "Chat now · " + NO_ESTIMATE : "";
      if (ui.estimate.textContent !== text) ui.estimate.textContent = text;
      ui.estimate.hidden = !text;
      ui.position.textContent = positionText(e);
      ui.position.hidden = !ui.position.textContent;
    }

    // ------------------------------------------------------------ building blocks
    function button(text, cls, onclick, extra) {
      var a = { type: "button", class: "tl-btn " + cls, text: text, onclick: onclick };
      for (var k in extra || {}) a[k] = extra[k];
      return h("button", a);
    }

    function title(key, text) {
      return h("h3", { id: id(key), class: "tl-ext-title", tabindex: "-1", text: text });
    }

    function notifySupported() {
      return typeof window.Notification === "function" && Notification.permission !== "denied";
    }
    function notifyPref() {
      try { return window.localStorage.getItem(NOTIFY_KEY); } catch (e) { return null; }
    }
    function setNotifyPref(v) {
      try { window.localStorage.setItem(NOTIFY_KEY, v); } catch (e) { /* memory only */ }
    }
    function notifyOn() {
      return typeof window.Notification === "function" && Notification.permission === "granted" &&
        notifyPref() !== "0";
    }

    // "Notify me": permission is asked only here, from the customer's own click.
    var notifyBoxes = [];
    function notifyRow() {
      var box = h("input", { type: "checkbox", id: id("notify" + notifyBoxes.length), class: "tl-check-input" });
      var hint = h("span", { class: "tl-check-hint", text: "Also show a notification when it's your turn, if this page is in the background." });
      var row = h("label", { class: "tl-check", "for": box.id }, [box, h("span", { class: "tl-check-text" }, [
        h("span", { class: "tl-check-name", text: "Notify me" }), hint])]);
      box.addEventListener("change", function () {
        unlockAudio();
        if (!box.checked) { setNotifyPref("0"); pushStop(); syncNotify(); return; }
        setNotifyPref("1");
        if (pushWanted()) { pushStart(); return; }
        if (Notification.permission === "granted") { syncNotify(); return; }
        var done = function (p) {
          if (p !== "granted") {
            setNotifyPref("0");
            core.showNotice(ui.threadNotice, "Notifications are turned off for this site in your browser, so we'll ring on this page only.");
          }
          syncNotify();
        };
        try {
          var p = Notification.requestPermission(done);
          if (p && typeof p.then === "function") p.then(done, function () { done("denied"); });
        } catch (e) { done("denied"); }
      });
      notifyBoxes.push({ row: row, box: box });
      return row;
    }
    function syncNotify() {
      var supported = notifySupported();
      for (var i = 0; i < notifyBoxes.length; i++) {
        notifyBoxes[i].row.hidden = !supported;
        notifyBoxes[i].box.checked = notifyOn();
      }
    }

    // A gentle two-note chime while ringing, only once the customer has clicked something of
    // ours on this page (browsers allow sound only after a user gesture).
    function unlockAudio() {
      var AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) return;
      try {
        if (!audio) audio = new AC();
        if (audio.state === "suspended") audio.resume();
      } catch (e) { audio = null; }
    }
    function chime() {
      if (!audio || audio.state !== "running") return;
      var t = audio.currentTime;
      var notes = [659.25, 880];
      for (var i = 0; i < notes.length; i++) {
        var o = audio.createOscillator();
        var g = audio.createGain();
        var at = t + i * 0.22;
        o.type = "sine";
        o.frequency.value = notes[i];
        g.gain.setValueAtTime(0.0001, at);
        g.gain.exponentialRampToValueAtTime(0.06, at + 0.03);
        g.gain.exponentialRampToValueAtTime(0.0001, at + 0.7);
        o.connect(g);
        g.connect(audio.destination);
        o.start(at);
        o.stop(at + 0.75);
      }
    }

    // ------------------------------------------------------------ Web Push
    // With the host's service worker (init's `serviceWorker`), the ring also comes as a
    // system notification when the page is closed. Permission is asked only from the
    // customer's own click on a callback (or on Notify me). Whatever the browser says, the
    // callback stands and rings by the socket; the customer is told plainly if the browser
    // won't ring with the page closed. See docs/subsystems/callbacks.md, "Web Push".
    var pushState = "idle";  // idle | asking | on | denied | unavailable
    var pushFor = null;      // the request the subscription was posted for
    var pushNotes = [];
    var PUSH_TEXT = {
      on: "We'll also ring this browser with a notification if you close this page.",
      denied: "Notifications are off for this site in your browser, so it won't ring while this page is closed. Keep it open, or open it again before your turn.",
      unavailable: "This browser can't ring while this page is closed. Keep it open, or open it again before your turn."
    };

    function pushNote() {
      var p = h("p", { class: "tl-hint", "data-tapline-push": "", hidden: true });
      pushNotes.push(p);
      return p;
    }
    function renderPush() {
      var t = PUSH_TEXT[pushState] || "";
      for (var i = 0; i < pushNotes.length; i++) {
        if (pushNotes[i].textContent !== t) pushNotes[i].textContent = t;
        pushNotes[i].hidden = !t;
      }
    }
    function setPush(state, why) {
      if (why) core.warn("Web Push: " + why);
      pushState = state;
      renderPush();
      syncNotify();
    }
    function pushWanted() {
      var o = core.opts || {};
      return !!o.serviceWorker;
    }
    function pushCapable() {
      return "serviceWorker" in navigator && typeof window.PushManager === "function" &&
        typeof window.Notification === "function" && window.isSecureContext !== false;
    }
    function b64urlBytes(s) {
      var b = atob(String(s).replace(/-/g, "+").replace(/_/g, "/") + "===".slice((String(s).length + 3) % 4));
      var out = new Uint8Array(b.length);
      for (var i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
      return out;
    }
    function sameKey(sub, key) {
      var k = sub && sub.options && sub.options.applicationServerKey;
      if (!k) return false;
      var a = new Uint8Array(k);
      if (a.length !== key.length) return false;
      for (var i = 0; i < a.length; i++) if (a[i] !== key[i]) return false;
      return true;
    }
    // The host's worker, registered and active (pushManager.subscribe needs an active one).
    function activeRegistration() {
      var o = core.opts || {};
      var reg = o.serviceWorkerScope ? { scope: o.serviceWorkerScope } : undefined;
      return navigator.serviceWorker.register(o.serviceWorker, reg).then(function (r) {
        if (r.active) return r;
        var w = r.installing || r.waiting;
        return new Promise(function (resolve, reject) {
          if (!w) { reject(new Error("no worker")); return; }
          w.addEventListener("statechange", function () {
            if (w.state === "activated") resolve(r);
            else if (w.state === "redundant") reject(new Error("the worker failed to install"));
          });
        });
      });
    }
    function askPermission() {
      if (Notification.permission !== "default") return Promise.resolve(Notification.permission);
      return new Promise(function (resolve) {
        try {
          var p = Notification.requestPermission(resolve);
          if (p && typeof p.then === "function") p.then(resolve, function () { resolve("denied"); });
        } catch (e) { resolve("denied"); }
      });
    }

    // Called straight from a click, so that the permission prompt may show.
    function pushStart() {
      var r = req();
      if (!r || !pushWanted()) return;
      if (!pushCapable()) { setPush("unavailable", "this browser has no Push API here"); return; }
      if (notifyPref() === "0" && Notification.permission === "granted") return;  // they said no
      setPush("asking");
      var rid = r.request_id;
      askPermission().then(function (permission) {
        if (permission !== "granted") { setNotifyPref("0"); setPush("denied"); return null; }
        setNotifyPref("1");
        return Promise.all([activeRegistration(), core.api("GET", "/push/key")]).then(function (got) {
          var reg = got[0];
          if (!got[1].ok || !got[1].data || !got[1].data.public_key) throw new Error("no server key (HTTP " + got[1].status + ")");
          var key = b64urlBytes(got[1].data.public_key);
          return reg.pushManager.getSubscription().then(function (old) {
            if (old && sameKey(old, key)) return old;
            var fresh = function () { return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }); };
            return old ? old.unsubscribe().then(fresh, fresh) : fresh();
          });
        }).then(function (sub) {
          var cur = req();
          if (!cur || cur.request_id !== rid) return null;
          var page = window.location.origin + window.location.pathname;
          return core.api("POST", "/push/subscriptions", { request_id: rid, subscription: sub.toJSON(), url: page }, cur.customer_token).then(function (res) {
            if (!res.ok) throw new Error((res.data && typeof res.data.detail === "string" && res.data.detail) || "HTTP " + res.status);
            pushFor = rid;
            setPush("on");
          });
        });
      }).catch(function (e) {
        setPush("unavailable", (e && e.name ? e.name + ": " : "") + (e && e.message ? e.message : String(e)));
      });
    }

    function pushStop() {
      var r = req();
      if (pushState !== "on" || !r || !pushCapable()) { if (pushState === "on") setPush("idle"); return; }
      var rid = pushFor || r.request_id;
      setPush("idle");
      activeRegistration().then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
        if (!sub) return null;
        var endpoint = sub.endpoint;
        return sub.unsubscribe().then(function () {
          return core.api("DELETE", "/push/subscriptions", { request_id: rid, endpoint: endpoint }, r.customer_token);
        });
      }).catch(function (e) { core.warn("Web Push: " + (e && e.message ? e.message : String(e))); });
    }

    // The worker passes on a click on the notification: open the panel; "Answer" answers the
    // ring on now (the customer pressed it this moment), and the worker forgets that press so
    // that no other page answers again. A page that isn't ringing yet asks when it rings.
    function fromWorker(e) {
      var d = e && e.data;
      var r = req();
      if (!d || d.type !== "tapline:answer" || !r || d.request_id !== r.request_id) return;
      core.open();
      if (d.answer && canAnswer()) {
        answer(true);
        try { e.source.postMessage({ type: "tapline:forget", request_id: r.request_id }); } catch (x) { /* gone */ }
      }
    }

    // A press on Answer in the ring's notification with no page of the host open: the worker
    // opened this page and remembered the press for that ring (tapline-sw.js). When this ring
    // starts, ask the worker once whether it is the ring answered there (request, attempt and
    // the ring's end as the server sent them): then answer at once, as the Answer button does.
    // The worker gives a press away once, and never for another ring or after the ring's end.
    var askedFor = null;     // the ring last asked about
    function canAnswer() {
      return shownMode === "ring" && !rg.answerBtn.disabled && !rg.answerBtn.getAttribute("aria-busy");
    }
    function hostWorker() {
      var o = core.opts || {};
      if (!o.serviceWorker || !("serviceWorker" in navigator) || !navigator.serviceWorker) return Promise.resolve(null);
      var want = new URL(o.serviceWorker, window.location.href).href;
      return navigator.serviceWorker.getRegistrations().then(function (list) {
        for (var i = 0; i < list.length; i++) {
          if (list[i].active && list[i].active.scriptURL === want) return list[i].active;
        }
        return null;
      });
    }
    function askWorker(w, question) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        var late = setTimeout(function () { channel.port1.close(); resolve(null); }, 10000);
        channel.port1.onmessage = function (e) {
          clearTimeout(late);
          channel.port1.close();
          resolve(e.data);
        };
        w.postMessage(question, [channel.port2]);
      });
    }
    function sameRing(a, b) {
      return !!a && !!b && a.attempt === b.attempt && a.expires_at === b.expires_at;
    }
    function answeredOnNotification() {
      var r = req();
      var ring = r && r.ring;
      if (!ring || typeof ring.expires_at !== "number") return;
      var key = r.request_id + " " + ring.attempt + " " + ring.expires_at;
      if (askedFor === key) return;
      askedFor = key;
      var rid = r.request_id;
      hostWorker().then(function (w) {
        return w && askWorker(w, { type: "tapline:answered?", request_id: rid, attempt: ring.attempt, expires_at: ring.expires_at });
      }).then(function (reply) {
        var cur = req();
        if (!reply || reply.answered !== true || !cur || cur.request_id !== rid || !sameRing(cur.ring, ring) || !canAnswer()) return;
        var sp = cur.ring.specialist || {};
        var said = "You answered on the notification. Connecting you" + (sp.name ? " with " + String(sp.name) : "") + "…";
        answer(true);
        rg.text.textContent = said;
        core.say(said);
      }).catch(function (e) { core.warn("Web Push: " + (e && e.message ? e.message : String(e))); });
    }
    if ("serviceWorker" in navigator && navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener("message", fromWorker);
      try { navigator.serviceWorker.startMessages(); } catch (e) { /* older browsers start on their own */ }
    }

    // ------------------------------------------------------------ the choices beside waiting
    var ch = {};
    ch.cbHint = h("p", { id: id("cb-hint"), class: "tl-choice-hint", text: "Keep your place and close this page if you like. We'll ring you here." });
    ch.cbBtn = button("Call me back when it's my turn", "tl-choice", askCallback, { "aria-describedby": ch.cbHint.id });
    ch.schHint = h("p", { id: id("sch-hint"), class: "tl-choice-hint", text: "Choose a 15-minute slot that suits you, and we'll ring you then." });
    ch.schBtn = button("Schedule a time", "tl-choice", function () { startPick("schedule"); }, { "aria-describedby": ch.schHint.id });
    ch.cb = h("div", { class: "tl-choice-item" }, [ch.cbBtn, ch.cbHint, notifyRow()]);
    ch.sch = h("div", { class: "tl-choice-item" }, [ch.schBtn, ch.schHint]);
    ch.wrap = h("div", { role: "group", "aria-labelledby": id("choices") }, [
      ch.title = h("p", { id: id("choices"), class: "tl-choices-title", text: "Rather not wait here?" }), ch.cb, ch.sch
    ]);
    ui.choices.appendChild(ch.wrap);

    // ------------------------------------------------------------ in-queue callback promised
    var cv = {};
    cv.title = title("cb-title", "We'll ring you here when it's your turn");
    cv.when = h("p", { class: "tl-ext-lead" });
    cv.promise = h("p", { class: "tl-ext-text" });
    cv.position = h("p", { class: "tl-ext-text" });
    cv.waitBtn = button("Wait in chat instead", "tl-btn-secondary", function () { cancelCallback(); });
    cv.schBtn = button("Schedule a time instead", "tl-btn-secondary", function () { startPick("schedule"); });
    cv.cancelBtn = button("Cancel request", "tl-btn-secondary", function () { core.cancelRequest(); });
    cv.view = h("div", { class: "tl-ext-view", "aria-labelledby": cv.title.id, role: "region" }, [
      h("div", { class: "tl-ext-icon", "aria-hidden": "true" }, [core.svg(ICON_PHONE)]),
      cv.title, cv.when, cv.promise, cv.position,
      h("p", { class: "tl-hint", text: "Open this page again, or the app on another device where you're signed in, and it rings there too." }),
      pushNote(),
      notifyRow(),
      h("div", { class: "tl-actions tl-actions-stack" }, [cv.waitBtn, cv.schBtn, cv.cancelBtn])
    ]);

    // ------------------------------------------------------------ slot picker
    var pk = {};
    pk.title = title("pick-title", "Schedule a time");
    pk.lead = h("p", { class: "tl-ext-text", hidden: true });
    pk.tz = h("p", { class: "tl-hint", hidden: true });
    pk.status = h("p", { class: "tl-ext-text", role: "status" });
    pk.days = h("div", { class: "tl-days", role: "tablist", "aria-label": "Day" });
    pk.times = h("div", { class: "tl-times", role: "group", id: id("times") });
    pk.dayPanel = h("div", { role: "tabpanel", class: "tl-day-panel" }, [pk.times]);
    pk.notice = h("p", { class: "tl-notice", role: "status", hidden: true });
    pk.retryBtn = button("Try again", "tl-btn-secondary", function () { fetchSlots(true); }, { hidden: true });
    pk.bookBtn = button("Book this time", "tl-btn-primary", book, { disabled: true });
    pk.backBtn = button("Back", "tl-btn-secondary", function () { stopPick(); });
    pk.cancelBtn = button("Cancel request", "tl-btn-secondary", function () { core.cancelRequest(); });
    pk.view = h("div", { class: "tl-ext-view tl-pick", "aria-labelledby": pk.title.id, role: "region" }, [
      pk.title, pk.lead, pk.tz, pk.status, pk.days, pk.dayPanel, pk.notice,
      h("div", { class: "tl-actions" }, [pk.retryBtn, pk.backBtn, pk.cancelBtn, pk.bookBtn])
    ]);
    pk.days.addEventListener("keydown", function (e) { roam(e, pk.days, "[role=tab]", true); });
    pk.times.addEventListener("keydown", function (e) { roam(e, pk.times, "button", false); });

    // ------------------------------------------------------------ booked slot
    var bk = {};
    bk.title = title("booked-title", "Your call is booked");
    bk.when = h("p", { class: "tl-ext-lead" });
    bk.tz = h("p", { class: "tl-hint", hidden: true });
    bk.changeBtn = button("Change time", "tl-btn-secondary", function () { startPick("reschedule"); });
    bk.cancelBtn = button("Cancel booking", "tl-btn-secondary", function () { cancelCallback(); });
    bk.view = h("div", { class: "tl-ext-view", "aria-labelledby": bk.title.id, role: "region" }, [
      h("div", { class: "tl-ext-icon", "aria-hidden": "true" }, [core.svg(ICON_PHONE)]),
      bk.title, bk.when, bk.tz,
      h("p", { class: "tl-ext-text", text: "We'll ring you here then. You can close this page: open it again a little before, or the app on another device where you're signed in." }),
      pushNote(),
      notifyRow(),
      h("div", { class: "tl-actions" }, [bk.cancelBtn, bk.changeBtn])
    ]);

    // ------------------------------------------------------------ ringing
    var rg = {};
    rg.title = h("h3", { id: id("ring-title"), class: "tl-ring-title" });
    rg.role = h("p", { class: "tl-ring-role" });
    rg.text = h("p", { id: id("ring-text"), class: "tl-ext-text" });
    rg.count = h("p", { class: "tl-ring-count" });
    rg.answerBtn = button("Answer", "tl-btn-primary tl-btn-answer", function () { answer(true); });
    rg.laterBtn = button("Not now", "tl-btn-secondary", function () { answer(false); });
    rg.view = h("div", {
      class: "tl-ext-view tl-ring", role: "alertdialog", "aria-modal": "true",
      "aria-labelledby": rg.title.id, "aria-describedby": rg.text.id
    }, [
      h("div", { class: "tl-ring-icon", "aria-hidden": "true" }, [core.svg(ICON_PHONE)]),
      rg.title, rg.role, rg.text, rg.count,
      h("div", { class: "tl-actions tl-ring-actions" }, [rg.laterBtn, rg.answerBtn])
    ]);

    ui.ext.appendChild(cv.view);
    ui.ext.appendChild(pk.view);
    ui.ext.appendChild(bk.view);
    ui.ext.appendChild(rg.view);
    syncNotify();

    // Arrow keys move along a row of buttons with one tab stop (roving tabindex). In the times
    // grid, Up and Down move by a visual row.
    function roam(e, box, sel, select) {
      var items = Array.prototype.slice.call(box.querySelectorAll(sel));
      var i = items.indexOf(ui.root.activeElement);
      if (i < 0) return;
      var cols = 1;
      if (!select) {
        while (cols < items.length && items[cols].offsetTop === items[0].offsetTop) cols++;
      }
      var j = i;
      switch (e.key) {
        case "ArrowRight": j = i + 1; break;
        case "ArrowLeft": j = i - 1; break;
        case "ArrowDown": j = select ? i + 1 : i + cols; break;
        case "ArrowUp": j = select ? i - 1 : i - cols; break;
        case "Home": j = 0; break;
        case "End": j = items.length - 1; break;
        default: return;
      }
      e.preventDefault();
      j = Math.max(0, Math.min(items.length - 1, j));
      for (var k = 0; k < items.length; k++) items[k].tabIndex = k === j ? 0 : -1;
      items[j].focus();
      if (select) {
        // Choosing a day redraws the tabs: keep focus on the chosen one.
        var tid = items[j].id;
        items[j].click();
        var again = ui.root.getElementById(tid);
        if (again) again.focus();
      }
    }

    // ------------------------------------------------------------ time formatting
    function localZone() {
      try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
    }
    function zoneName(tz) { return String(tz).replace(/_/g, " "); }
    function dayOf(ms) {
      var d = new Date(ms);
      return d.getFullYear() + "-" + (d.getMonth() + 1) + "-" + d.getDate();
    }
    function dayLabel(ms, long) {
      var d = new Date(ms);
      var today = new Date();
      var tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
      var rel = dayOf(ms) === dayOf(today.getTime()) ? "Today" : dayOf(ms) === dayOf(tomorrow.getTime()) ? "Tomorrow" : "";
      try {
        var date = d.toLocaleDateString([], long ? { weekday: "long", day: "numeric", month: "long" } : { weekday: "short", day: "numeric", month: "short" });
        return rel ? (long ? rel + ", " + date : rel) : date;
      } catch (e) { return rel || d.toDateString(); }
    }
    function span(start, end) {
      return dayLabel(start, true) + ", " + core.fmtTime(start) + (end ? "–" + core.fmtTime(end) : "");
    }
    function whenBack(ms) {
      var d = dayOf(ms);
      var today = dayOf(Date.now());
      var rel = d === today ? "today" : dayLabel(ms) === "Tomorrow" ? "tomorrow" : "on " + dayLabel(ms, true);
      return rel + " at " + core.fmtTime(ms);
    }
    function minutes(s) { return Math.max(1, Math.round(s / 60)); }
    // "within 4–8 min": the range of the estimate the customer sees now.
    function within(e) {
      if (!e || typeof e.high !== "number") return "";
      if (e.high >= 5400) return "in " + waitText(e);
      var hi = minutes(e.high);
      var lo = typeof e.low === "number" && e.low >= 30 ? minutes(e.low) : 0;
      if (hi <= 1) return "within a minute";
      return "within " + (lo && lo < hi ? lo + "–" : "") + hi + " min";
    }

    // ------------------------------------------------------------ actions
    function send(frame, btn, busyText) {
      frame.id = core.uuid();
      if (btn) core.setBusy(btn, true, busyText);
      core.write(frame);
    }

    function askCallback() {
      unlockAudio();
      pushStart();
      core.showNotice(ui.threadNotice, "");
      send({ type: "callback" }, ch.cbBtn, "Asking…");
    }

    function cancelCallback() {
      var btn = core.threadMode() === "scheduled" ? bk.cancelBtn : cv.waitBtn;
      send({ type: "cancel_callback" }, btn, "One moment…");
    }

    function answer(accept) {
      unlockAudio();
      declined = !accept;
      stopRinging(false);
      send({ type: "answer", accept: !!accept }, accept ? rg.answerBtn : rg.laterBtn, accept ? "Connecting…" : "One moment…");
      (accept ? rg.laterBtn : rg.answerBtn).disabled = true;
    }

    function startPick(kind) {
      unlockAudio();
      picking = kind;
      chosen = null;
      // A new time for a booking starts on the booked day.
      var cb = req() && req().callback;
      if (kind === "reschedule" && cb && typeof cb.slot_start === "number") dayKey = dayOf(cb.slot_start);
      core.showNotice(pk.notice, "");
      fetchSlots(false);
      core.render();
      core.focusView();
    }

    function stopPick() {
      picking = null;
      chosen = null;
      core.render();
      core.focusView();
    }

    function book() {
      if (!chosen) return;
      pushStart();
      var r = req();
      var kind = picking === "reschedule" || (r && r.state === "scheduled") ? "reschedule" : "schedule";
      core.showNotice(pk.notice, "");
      send({ type: kind, slot: chosen }, pk.bookBtn, "Booking…");
    }

    function fetchSlots(force) {
      var r = req();
      if (!r) return;
      if (!force && slotsState === "loading") return;
      if (!force && slotsState === "ok" && slotsFor === r.request_id && slots && Date.now() - slots.at < 60000) { renderPick(); return; }
      slotsState = "loading";
      slotsFor = r.request_id;
      renderPick();
      core.api("GET", "/slots?request_id=" + encodeURIComponent(r.request_id), undefined, r.customer_token).then(function (res) {
        if (!req() || req().request_id !== slotsFor) return;
        if (res.ok && res.data && Array.isArray(res.data.slots)) {
          var list = [];
          for (var i = 0; i < res.data.slots.length; i++) {
            var s = res.data.slots[i];
            if (s && typeof s.start === "number" && (s.left == null || s.left > 0)) {
              list.push({ start: s.start, end: typeof s.end === "number" ? s.end : s.start + 900000 });
            }
          }
          list.sort(function (a, b) { return a.start - b.start; });
          slots = { tz: typeof res.data.tz === "string" ? res.data.tz : "", list: list, at: Date.now() };
          slotsState = "ok";
          if (chosen && !findSlot(chosen)) chosen = null;
        } else {
          slotsState = "failed";
        }
        renderPick();
      }, function () {
        slotsState = "failed";
        renderPick();
      });
    }

    function findSlot(start) {
      if (!slots) return null;
      for (var i = 0; i < slots.list.length; i++) if (slots.list[i].start === start) return slots.list[i];
      return null;
    }

    // ------------------------------------------------------------ ringing
    function startRinging() {
      declined = false;
      var r = req();
      if (!r || !r.ring) return;
      var sp = r.ring.specialist || {};
      var name = sp.name ? String(sp.name) : "";
      rg.title.textContent = name ? name + " is ready to help you" : "A specialist is ready to help you";
      rg.role.textContent = sp.role ? String(sp.role) : "";
      rg.role.hidden = !sp.role;
      rg.text.textContent = "It's your turn. Answer to start chatting: " + (name || "they") +
        " can already see what you asked and where you are in the app.";
      core.setBusy(rg.answerBtn, false);
      core.setBusy(rg.laterBtn, false);
      tick();
      clearInterval(ringTimer);
      ringTimer = setInterval(tick, 1000);
      clearInterval(chimeTimer);
      chime();
      chimeTimer = setInterval(function () {
        if (req() && req().ring && req().ring.until > Date.now()) chime();
      }, 3500);
      core.setRingHint((name || "A specialist") + " is calling you");
      answeredOnNotification();
      if (notifyOn() && (document.visibilityState !== "visible" || !document.hasFocus())) {
        try {
          if (notification) notification.close();
          notification = new Notification(rg.title.textContent, {
            body: "It's your turn. Open the page to answer.",
            tag: "tapline-ring-" + r.request_id,
            requireInteraction: true
          });
          notification.onclick = function () {
            try { window.focus(); } catch (e) { /* not allowed */ }
            core.open();
            if (notification) notification.close();
          };
        } catch (e) { notification = null; }
      }
    }

    function tick() {
      var r = req();
      if (!r || !r.ring) return;
      var left = Math.max(0, Math.ceil((r.ring.until - Date.now()) / 1000));
      var text = left > 0 ? "Ringing · " + Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2) + " left to answer" : "Still ringing…";
      if (rg.count.textContent !== text) rg.count.textContent = text;
    }

    function stopRinging(all) {
      clearInterval(chimeTimer);
      chimeTimer = 0;
      if (all) {
        clearInterval(ringTimer);
        ringTimer = 0;
        core.setRingHint("");
      }
      if (notification) {
        try { notification.close(); } catch (e) { /* gone */ }
        notification = null;
      }
    }

    // ------------------------------------------------------------ rendering
    function renderChoices(r) {
      var o = r.options || {};
      var waiting = r.state === "waiting" || r.state === "offered";
      var cb = waiting && o.callback === true;
      var sch = o.schedule !== false;
      show(ch.cb, cb);
      show(ch.sch, sch);
      ui.choices.hidden = !cb && !sch;
      ch.title.textContent = cb ? "Rather not wait here?" : "Prefer another time?";
      if (!ch.cbBtn.getAttribute("aria-busy")) core.setBusy(ch.cbBtn, false);
    }

    function renderCallback(r) {
      var e = r.estimate;
      var cb = r.callback || {};
      var w = within(e);
      cv.when.textContent = (w ? "Usually " + w + ". " : "") + "You can close this page.";
      cv.promise.textContent = typeof cb.window_end === "number" ?
        "We promise to ring by " + core.fmtTime(cb.window_end) + "." : "";
      show(cv.promise, !!cv.promise.textContent);
      cv.position.textContent = positionText(e) ? positionText(e) + " Your place is kept." : "";
      show(cv.position, !!cv.position.textContent);
      cv.waitBtn.textContent = hasEstimate(e) ? "Wait in chat instead · " + waitText(e) : "Wait in chat instead";
      if (cv.waitBtn.getAttribute("data-label")) cv.waitBtn.setAttribute("data-label", cv.waitBtn.textContent);
      show(cv.schBtn, !r.options || r.options.schedule !== false);
    }

    function renderPick() {
      var r = req();
      if (!r) return;
      var o = r.options || {};
      var closed = r.state === "new" || o.open === false;
      var resched = picking === "reschedule" || r.state === "scheduled";
      pk.title.textContent = closed && !resched ? "No one is here right now" : resched ? "Choose a new time" : "Schedule a time";
      if (closed && !resched) {
        pk.lead.textContent = (typeof o.next_open === "number" ? "Our specialists are back " + whenBack(o.next_open) + ". " : "") +
          "Choose a time and we'll ring you here then. Or leave it: when we open you join the line, and we'll ring you here when it's your turn. What you told us is kept.";
      } else {
        pk.lead.textContent = "We'll ring you here at the time you choose. Each slot is 15 minutes.";
      }
      pk.lead.hidden = false;
      var here = localZone();
      var theirs = slots && slots.tz;
      pk.tz.textContent = theirs && here && theirs !== here ?
        "Times are in your time zone (" + zoneName(here) + "). Our team works on " + zoneName(theirs) + " time." : "";
      pk.tz.hidden = !pk.tz.textContent;
      show(pk.backBtn, !!picking && !(r.state === "new"));
      pk.backBtn.textContent = r.state === "scheduled" ? "Keep my booking" : "Back";
      show(pk.cancelBtn, r.state === "new");
      show(pk.retryBtn, slotsState === "failed");

      var list = slotsState === "ok" && slots ? slots.list : [];
      pk.status.textContent = slotsState === "loading" && !list.length ? "Finding free times…" :
        slotsState === "failed" ? "We couldn't load the free times. Please try again." :
        slotsState === "ok" && !list.length ? "There are no free times in the coming days. Please check again later." : "";
      show(pk.status, !!pk.status.textContent);

      // Days, then the times of the chosen day.
      var days = [];
      var byDay = {};
      for (var i = 0; i < list.length; i++) {
        var k = dayOf(list[i].start);
        if (!byDay[k]) { byDay[k] = []; days.push(k); }
        byDay[k].push(list[i]);
      }
      if (chosen && findSlot(chosen)) dayKey = dayOf(chosen);
      if (days.length && !byDay[dayKey]) dayKey = days[0];
      while (pk.days.firstChild) pk.days.removeChild(pk.days.firstChild);
      while (pk.times.firstChild) pk.times.removeChild(pk.times.firstChild);
      show(pk.days, days.length > 0);
      show(pk.dayPanel, days.length > 0);
      for (var d = 0; d < days.length; d++) {
        (function (key) {
          var first = byDay[key][0].start;
          var selected = key === dayKey;
          var tab = h("button", {
            type: "button", role: "tab", id: id("day-" + key), class: "tl-day",
            "aria-selected": selected ? "true" : "false", "aria-controls": id("times-panel"),
            tabindex: selected ? "0" : "-1", "aria-label": dayLabel(first, true),
            onclick: function () { dayKey = key; renderPick(); }
          }, [h("span", { text: dayLabel(first) })]);
          pk.days.appendChild(tab);
        })(days[d]);
      }
      pk.dayPanel.id = id("times-panel");
      if (dayKey && byDay[dayKey]) {
        pk.dayPanel.setAttribute("aria-labelledby", id("day-" + dayKey));
        pk.times.setAttribute("aria-label", "Times on " + dayLabel(byDay[dayKey][0].start, true));
        var times = byDay[dayKey];
        var focusAt = 0;
        for (var t = 0; t < times.length; t++) if (times[t].start === chosen) focusAt = t;
        var booked = resched && r.callback && typeof r.callback.slot_start === "number" ? r.callback.slot_start : null;
        for (var j = 0; j < times.length; j++) {
          (function (s, n) {
            var mine = s.start === booked;
            pk.times.appendChild(h("button", {
              type: "button", class: "tl-time-slot", "aria-pressed": s.start === chosen ? "true" : "false",
              tabindex: n === focusAt ? "0" : "-1", text: core.fmtTime(s.start) + (mine ? " ✓" : ""),
              "aria-disabled": mine ? "true" : null, "data-mine": mine ? "" : null,
              "aria-label": core.fmtTime(s.start) + " to " + core.fmtTime(s.end) + (mine ? ", your booking now" : ""),
              onclick: function (ev) {
                if (mine) return;
                chosen = s.start;
                var btns = pk.times.querySelectorAll("button");
                for (var q = 0; q < btns.length; q++) {
                  btns[q].setAttribute("aria-pressed", btns[q] === ev.currentTarget ? "true" : "false");
                  btns[q].tabIndex = btns[q] === ev.currentTarget ? 0 : -1;
                }
                renderBook();
              }
            }));
          })(times[j], j);
        }
      }
      renderBook();
    }

    function renderBook() {
      var s = chosen && findSlot(chosen);
      if (!pk.bookBtn.getAttribute("aria-busy")) {
        pk.bookBtn.textContent = s ? "Book " + dayLabel(s.start) + ", " + core.fmtTime(s.start) : "Book this time";
        pk.bookBtn.disabled = !s;
      }
    }

    function renderBooked(r) {
      var cb = r.callback || {};
      var start = typeof cb.slot_start === "number" ? cb.slot_start : cb.window_start;
      var end = typeof cb.window_end === "number" ? cb.window_end : null;
      bk.when.textContent = typeof start === "number" ? span(start, end && end) : "";
      var here = localZone();
      var theirs = slots && slots.tz;
      bk.tz.textContent = theirs && here && theirs !== here ? "That's your local time (" + zoneName(here) + ")." : "";
      bk.tz.hidden = !bk.tz.textContent;
    }

    function render(mode) {
      var r = req();
      if (!r) return;
      renderEstimate(r);
      renderChoices(r);
      show(cv.view, mode === "callback");
      show(pk.view, mode === "pick");
      show(bk.view, mode === "scheduled");
      show(rg.view, mode === "ring");
      if (mode === "callback") renderCallback(r);
      if (mode === "pick") {
        if (shownMode !== "pick") fetchSlots(false);
        else renderPick();
      }
      if (mode === "scheduled") renderBooked(r);
      if (mode !== "ring" && shownMode === "ring") stopRinging(true);
      shownMode = mode;
      renderPush();
      syncNotify();
    }

    function focusTarget(mode) {
      if (mode === "ring") return rg.answerBtn.disabled ? rg.title : rg.answerBtn;
      if (mode === "callback") return cv.title;
      if (mode === "pick") return pk.title;
      if (mode === "scheduled") return bk.title;
      return ui.cancelBtn;
    }

    // ------------------------------------------------------------ protocol
    // What the customer is told when a ring ends unanswered. "Not now" on another page of
    // theirs also reads as unanswered here: the server gives both the same reason.
    function event(ev, live) {
      if (ev.type === "callback.ring_ended") {
        stopRinging(true);
        endedBy = ev.reason || null;
        if (live && UNREACHED[ev.reason] && !declined) {
          core.showNotice(ui.threadNotice, "The call wasn't answered.");
        } else if (live && ev.reason === "cancelled" && !declined) {
          core.showNotice(ui.threadNotice, "The call was cancelled.");
        } else if (live && ev.reason === "specialist_left") {
          core.showNotice(ui.threadNotice, "The specialist had to leave. You keep your place, and we'll ring again when the next one is ready.");
        }
        return;
      }
      if (ev.type === "callback" && live) {
        var cb = ev.callback;
        var r = req();
        if (cb.state === "missed") core.showNotice(ui.threadNotice, "We rang but couldn't reach you.");
        if ((cb.state === "promised" || cb.state === "retrying") && cb.attempts > 0 && endedBy !== "specialist_left") {
          // The specialist may stay connected between rings: then writing starts at once.
          var sp = r && r.state === "connected" && r.specialist && r.specialist.name;
          core.showNotice(ui.threadNotice, (declined ? "All right, not now. " : UNREACHED[endedBy] ? "The call wasn't answered. " : "") +
            (sp ? String(sp) + " is still here: write to start now, or we'll ring again shortly."
              : "You still have your place, and we'll ring again shortly."));
        }
        if (cb.state === "requeued") {
          core.showNotice(ui.threadNotice, "We couldn't reach you, so you're back in line at your place. Please keep this page open.");
        }
      }
    }

    function ack(frame, result) {
      if (frame.type === "callback") {
        core.setBusy(ch.cbBtn, false);
        core.say("We'll ring you here when it's your turn. You can close this page.");
      } else if (frame.type === "schedule" || frame.type === "reschedule") {
        core.setBusy(pk.bookBtn, false);
        picking = null;
        chosen = null;
        slotsState = "idle";
        var cb = result && result.callback;
        if (cb && typeof cb.slot_start === "number") core.say("Booked: " + span(cb.slot_start) + ".");
      } else if (frame.type === "cancel_callback") {
        core.setBusy(cv.waitBtn, false);
        core.setBusy(bk.cancelBtn, false);
        var r = req();
        // The `callback` event follows; until then, don't keep showing the promise.
        if (r && r.callback && (r.callback.state === "promised" || r.callback.state === "ringing")) {
          r.callback = core.copyOf(r.callback);
          r.callback.state = "cancelled";
        }
        core.say(r && r.state === "scheduled" ? "Your booking is cancelled." : "You're waiting in the chat again, in the same place.");
      } else if (frame.type === "answer") {
        core.setBusy(rg.answerBtn, false);
        core.setBusy(rg.laterBtn, false);
        if (frame.accept) core.contextChanged();
      }
    }

    function error(frame, code, text) {
      var type = frame ? frame.type : "";
      if (SLOT_ERRORS[code] || type === "schedule" || type === "reschedule") {
        core.setBusy(pk.bookBtn, false);
        if (!picking) picking = type === "reschedule" ? "reschedule" : "schedule";
        chosen = null;
        core.render();
        core.showNotice(pk.notice, SLOT_ERRORS[code] ? SLOT_ERRORS[code] + " Here are the times still free." : text);
        fetchSlots(true);
        return true;
      }
      if (type === "callback") {
        core.setBusy(ch.cbBtn, false);
        core.showNotice(ui.threadNotice, code === "invalid_state" ? "A callback isn't available for this request right now." : text);
        return true;
      }
      if (type === "cancel_callback") {
        core.setBusy(cv.waitBtn, false);
        core.setBusy(bk.cancelBtn, false);
        return false;
      }
      if (type === "answer") {
        core.setBusy(rg.answerBtn, false);
        core.setBusy(rg.laterBtn, false);
        core.showNotice(ui.threadNotice, code === "invalid_state" ? "That call has already ended." : text);
        return true;
      }
      return false;
    }

    function reset() {
      spoken = null;
      pushState = "idle";
      pushFor = null;
      picking = null;
      chosen = null;
      slots = null;
      slotsState = "idle";
      stopRinging(true);
      shownMode = null;
      core.setBusy(ch.cbBtn, false);
      core.setBusy(pk.bookBtn, false);
    }

    return {
      render: render,
      event: event,
      ack: ack,
      error: error,
      reset: reset,
      ring: startRinging,
      estimate: announce,
      focusTarget: focusTarget,
      picking: function () { return !!picking && !!req() && req().state !== "connected"; }
    };
  });
})();
