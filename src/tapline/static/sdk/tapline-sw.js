/*! tapline service worker: a callback's ring as a system notification, even with the page
 * closed (Web Push). The host serves it from its own origin (a copy, or `importScripts` from
 * its own worker) and names it in `Tapline.init({serviceWorker: ...})`. See docs/sdk.md.
 *
 * It handles `push`, `notificationclick` and its own `message`s, and nothing else: no fetch
 * handler, no cache, so it never stands between the host's pages and the network. Pushes,
 * notifications and messages that are not tapline's are left to the host's own handlers.
 *
 * A press on **Answer** is remembered for that ring (request, attempt and the ring's end as
 * the server sent them) until the ring ends, at most ANSWER_KEEP_MS, in memory and in
 * IndexedDB ("tapline-sw"), since the browser may stop the worker before the page it opened
 * has loaded. The page's widget, when it starts ringing, asks once whether this very ring was
 * answered on the notification (a `tapline:answered?` message with a port for the reply); the
 * first question for a request takes the answer away, whatever it says, so it is used once. */
(function () {
  "use strict";

  var TYPE = "tapline.ring";
  var TAG = "tapline-ring-";
  var DB = "tapline-sw";
  var STORE = "answers";
  var ANSWER_KEEP_MS = 2 * 60 * 1000;  // a ring lasts 30 s by default: never keep one longer

  function text(value, max, fallback) {
    return typeof value === "string" && value ? value.slice(0, max) : fallback;
  }
  function count(value) {
    return typeof value === "number" && isFinite(value) ? value : null;
  }

  // Only http(s) pages: the payload names the page the customer was on.
  function page(url) {
    try {
      var u = new URL(String(url), self.location.origin);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- remembered answers
  var answers = {};  // request id -> {request_id, attempt, expires_at, until}
  var opened = null;

  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var open = self.indexedDB.open(DB, 1);
        open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: "request_id" }); };
        open.onsuccess = function () {
          var db = open.result;
          db.onversionchange = function () { db.close(); opened = null; };
          resolve(db);
        };
        open.onerror = function () { reject(open.error); };
        open.onblocked = function () { reject(new Error("IndexedDB blocked")); };
      });
      opened.catch(function () { opened = null; });
    }
    return opened;
  }

  // One transaction on the store; resolves with what `work` returns (a request's result).
  function stored(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var got = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(got ? got.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function remember(data) {
    var now = Date.now();
    var ends = count(data.expires_at);
    if (count(data.attempt) === null || ends === null || ends <= now) return Promise.resolve();
    var record = {
      request_id: data.request_id, attempt: data.attempt, expires_at: ends,
      until: Math.min(ends, now + ANSWER_KEEP_MS)
    };
    answers[record.request_id] = record;
    return stored("readwrite", function (store) {
      // Forget those whose ring has ended, then keep this one.
      store.openCursor().onsuccess = function (e) {
        var c = e.target.result;
        if (!c) return;
        if (!(c.value && c.value.until > now)) c.delete();
        c.continue();
      };
      store.put(record);
    }).catch(function () { return null; });  // memory only: the page may still ask in time
  }

  // Taken away by the first question for the request, whatever the answer.
  function take(requestId) {
    var mine = answers[requestId] || null;
    delete answers[requestId];
    return stored("readwrite", function (store) {
      var got = store.get(requestId);
      store.delete(requestId);
      return got;
    }).catch(function () { return null; }).then(function (kept) { return mine || kept || null; });
  }

  function answered(record, q) {
    return !!record && record.until > Date.now() && record.attempt === q.attempt &&
      record.expires_at === q.expires_at;
  }

  self.addEventListener("message", function (event) {
    var q = event.data;
    if (!q || typeof q.request_id !== "string") return;
    if (q.type === "tapline:forget") {
      event.waitUntil(take(q.request_id));
    } else if (q.type === "tapline:answered?" && event.ports && event.ports[0]) {
      var port = event.ports[0];
      event.waitUntil(take(q.request_id).then(function (record) {
        port.postMessage({ type: "tapline:answered", request_id: q.request_id, answered: answered(record, q) });
      }));
    }
  });

  // ---------------------------------------------------------------- push and click
  self.addEventListener("push", function (event) {
    var data = null;
    try { data = event.data ? event.data.json() : null; } catch (e) { data = null; }
    if (!data || data.type !== TYPE || typeof data.request_id !== "string") return;
    // Plain text only: a notification's title and body are never parsed as markup.
    var title = text(data.title, 120, "A specialist is ready to help you");
    event.waitUntil(self.registration.showNotification(title, {
      body: text(data.body, 240, "It's your turn. Answer to start."),
      tag: TAG + data.request_id,   // a repeat (the next attempt) replaces the last one
      renotify: true,
      requireInteraction: true,
      actions: [{ action: "answer", title: "Answer" }],
      data: {
        tapline: true, request_id: data.request_id, url: page(data.url),
        attempt: count(data.attempt), expires_at: count(data.expires_at)
      }
    }));
  });

  self.addEventListener("notificationclick", function (event) {
    var n = event.notification;
    var data = n.data || {};
    if (!data.tapline) return;
    n.close();
    var answer = event.action === "answer";
    var message = { type: "tapline:answer", request_id: data.request_id, answer: answer };
    // Answer is remembered first, before any page can ask: a message to a page that is still
    // loading is lost, and a page opened now asks only once its widget rings.
    var kept = answer ? remember(data) : Promise.resolve();
    event.waitUntil(kept.then(function () {
      return self.clients.matchAll({ type: "window", includeUncontrolled: true });
    }).then(function (list) {
      // An open page of the host: prefer the one the customer was on, then a visible one.
      var best = null;
      for (var i = 0; i < list.length; i++) {
        var c = list[i];
        var score = (data.url && c.url.split(/[?#]/)[0] === data.url ? 2 : 0) + (c.visibilityState === "visible" ? 1 : 0);
        if (!best || score > best.score) best = { client: c, score: score };
      }
      if (best) {
        best.client.postMessage(message);
        return best.client.focus ? best.client.focus().catch(function () { return null; }) : null;
      }
      // No page is open: open the one the customer was on. It resumes the request and rings,
      // and its widget answers at once if this ring is the one answered here.
      return data.url ? self.clients.openWindow(data.url) : null;
    }));
  });
})();
