/*! tapline service worker: a callback's ring as a system notification, even with the page
 * closed (Web Push). The host serves it from its own origin (a copy, or `importScripts` from
 * its own worker) and names it in `Tapline.init({serviceWorker: ...})`. See docs/sdk.md.
 *
 * It handles `push` and `notificationclick`, and nothing else: no fetch handler, no cache,
 * so it never stands between the host's pages and the network. Pushes and notifications that
 * are not tapline's are left to the host's own handlers. */
(function () {
  "use strict";

  var TYPE = "tapline.ring";
  var TAG = "tapline-ring-";

  function text(value, max, fallback) {
    return typeof value === "string" && value ? value.slice(0, max) : fallback;
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
      data: { tapline: true, request_id: data.request_id, url: page(data.url) }
    }));
  });

  self.addEventListener("notificationclick", function (event) {
    var n = event.notification;
    var data = n.data || {};
    if (!data.tapline) return;
    n.close();
    var message = { type: "tapline:answer", request_id: data.request_id, answer: event.action === "answer" };
    event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
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
      // No page is open: open the one the customer was on. It resumes the request and rings.
      return data.url ? self.clients.openWindow(data.url) : null;
    }));
  });
})();
