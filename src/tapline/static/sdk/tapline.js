/*! tapline widget and JS SDK: the core. No dependencies, no build step.
 * Works under a strict CSP (script-src 'self'; style-src 'self'): the DOM is built with
 * createElement/textContent only, styles come from tapline.css inside a Shadow DOM.
 * This file is what every page loads: the API, the context (with form capture and masking)
 * and the launcher. The panel (tapline-panel.js) is fetched when the customer is about to open
 * it or a request is in progress, and the callbacks piece (tapline-callbacks.js) when a
 * request needs it. See docs/sdk.md for the API and docs/protocol.md for the wire protocol. */
(function () {
  "use strict";

  if (window.Tapline && window.Tapline.__tapline) return;

  // ---------------------------------------------------------------- constants
  var SCRIPT = document.currentScript || findScript();
  var SCRIPT_SRC = SCRIPT && SCRIPT.src ? SCRIPT.src : "";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ERRORS_MAX = 20;
  var JOURNEY_MAX = 50;
  var VALUE_MAX = 500;
  var BACKOFF_MIN = 500;
  var BACKOFF_MAX = 10000;
  var VERSION = "0.3.0";
  var PANEL_FILE = "tapline-panel.js";
  var ACTIVE = { "new": 1, waiting: 1, offered: 1, connected: 1, scheduled: 1 };
  var MASK_AUTOCOMPLETE = ["cc-number", "cc-csc", "cc-exp", "cc-exp-month", "cc-exp-year",
    "current-password", "new-password", "one-time-code"];
  var SKIP_TYPES = { hidden: 1, submit: 1, button: 1, reset: 1, image: 1 };
  var CARD_REMOVED = "[card number removed]";
  function findScript() {
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/sdk\/tapline(\.min)?\.js(\?|#|$)/.test(all[i].src || "")) return all[i];
    }
    return null;
  }

  // ---------------------------------------------------------------- state
  var opts = null;          // init options
  var server = "";          // origin of the tapline server
  var limits = { message_bytes: 4096, context_bytes: 65536 };
  var appName = "";
  var configState = "idle"; // idle | loading | ok | failed | refused
  var listeners = {};
  var readyFired = false;

  var ctx = { flow: null, step: null, data: {}, session: null };
  var errors = [];
  var journey = [];
  var saveTimer = 0;

  var ui = null;            // the launcher's elements; the panel adds its own
  var P = null;             // the panel (tapline-panel.js), once loaded
  var panelWaiting = [];
  var panelLoading = false;
  var panelTries = 0;
  var resumeFrom = null;    // a stored request, resumed as soon as the panel is here
  var lookedUpAt = 0;       // last GET /customers/requests

  // ---------------------------------------------------------------- utils
  function now() { return Date.now(); }

  function uuid() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") {
      try { return c.randomUUID(); } catch (e) { /* insecure context */ }
    }
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = [];
    for (var j = 0; j < 16; j++) h.push((b[j] + 256).toString(16).slice(1));
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  var encoder = typeof TextEncoder === "function" ? new TextEncoder() : null;
  function byteLength(s) {
    if (encoder) return encoder.encode(s).length;
    return unescape(encodeURIComponent(s)).length;
  }

  function cap(s, n) {
    s = String(s);
    return s.length > n ? s.slice(0, n) : s;
  }

  function luhn(digits) {
    var sum = 0;
    var dbl = false;
    for (var i = digits.length - 1; i >= 0; i--) {
      var d = digits.charCodeAt(i) - 48;
      if (dbl) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 === 0;
  }

  // Card numbers never leave the device, however they are written: 13-19 digits passing
  // Luhn, in groups joined by one to three separators of any kind (spaces, no-break spaces,
  // tabs, newlines, dots, slashes, underscores, dashes, their fullwidth forms), with
  // invisible marks (zero-width spaces, soft hyphens) anywhere, glued to letters or not, in
  // digits of any script. As on the server (sanitize.redact_cards, the second line): the
  // text is mapped to a same-length "shadow" (a digit, " " for a separator, "~" for an
  // invisible mark, "x" for anything else) and every window of whole digit groups is checked.
  function unicodeRe(src) {
    try { return new RegExp(src, "u"); } catch (e) { return null; }  // an old engine
  }
  var RE_DIGIT = unicodeRe("^\\p{Nd}$");
  var RE_DASH = unicodeRe("^\\p{Pd}$");
  var RE_INVISIBLE = unicodeRe("^\\p{Cf}$");
  var SEPARATOR_FOLDS = { ".": 1, "/": 1, "_": 1, "-": 1 };
  var shadows = {};
  var shadowCount = 0;
  function nfkc(ch) {
    try { return ch.normalize("NFKC"); } catch (e) { return ch; }
  }
  // The value of a decimal digit of any script: Unicode keeps them in runs of ten from zero.
  function digitValue(code) {
    var zero = code;
    while (zero > 0 && code - zero < 60 && RE_DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
    return (code - zero) % 10;
  }
  function shadowChar(ch, code) {
    if (code >= 48 && code <= 57) return ch;
    if (code < 128) {
      if (SEPARATOR_FOLDS[ch] || /\s/.test(ch)) return " ";
      return "x";
    }
    var s = shadows[code];
    if (s) return s;
    var folded = nfkc(ch);
    if (folded.length === 1 && folded >= "0" && folded <= "9") s = folded;
    else if (RE_DIGIT && RE_DIGIT.test(ch)) s = String(digitValue(code));
    else if (/\s/.test(ch) || (RE_DASH && RE_DASH.test(ch)) || SEPARATOR_FOLDS[folded]) s = " ";
    else if ((RE_INVISIBLE && RE_INVISIBLE.test(ch)) || /[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]/.test(ch)) s = "~";
    else s = "x";
    if (shadowCount < 5000) { shadows[code] = s; shadowCount++; }
    return s;
  }
  // Same length as the text (a character outside the BMP takes two places: "~" pads it).
  function shadowOf(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var code = text.codePointAt(i);
      var ch = String.fromCodePoint(code);
      out += shadowChar(ch, code);
      if (code > 0xffff) { out += "~"; i++; }
    }
    return out;
  }
  var CARD_RUN = /[0-9](?:~*[0-9])*(?:~*(?: ~*){1,3}[0-9](?:~*[0-9])*)*/g;
  var CARD_GROUP = /[0-9](?:~*[0-9])*/g;
  // [start, end) spans of the card numbers in the text: from each digit group, the longest
  // window of whole groups holding 13-19 digits that passes Luhn.
  function cardSpans(text) {
    var spans = [];
    if (typeof text !== "string" || text.length < 13) return spans;
    var shadow = shadowOf(text);
    var run;
    CARD_RUN.lastIndex = 0;
    while ((run = CARD_RUN.exec(shadow))) {
      var part = run[0];
      var groups = [];
      var g;
      CARD_GROUP.lastIndex = 0;
      while ((g = CARD_GROUP.exec(part))) {
        groups.push({ start: run.index + g.index, end: run.index + g.index + g[0].length, digits: g[0].replace(/~/g, "") });
      }
      var first = 0;
      while (first < groups.length) {
        var digits = "";
        var last = -1;
        for (var j = first; j < groups.length; j++) {
          digits += groups[j].digits;
          if (digits.length > 19) break;
          if (digits.length >= 13 && luhn(digits)) last = j;
        }
        if (last < 0) { first++; continue; }
        spans.push([groups[first].start, groups[last].end]);
        first = last + 1;
      }
    }
    return spans;
  }
  function hasCard(s) {
    return cardSpans(s).length > 0;
  }
  function scrub(s) {
    var spans = cardSpans(s);
    for (var i = spans.length - 1; i >= 0; i--) {
      s = s.slice(0, spans[i][0]) + CARD_REMOVED + s.slice(spans[i][1]);
    }
    return s;
  }

  // Deep copy of plain data with strings scrubbed and capped; functions and DOM dropped.
  function clean(v, depth) {
    depth = depth || 0;
    if (v === null || v === undefined) return null;
    var t = typeof v;
    if (t === "string") return cap(scrub(v), 2000);
    if (t === "number") {
      if (!isFinite(v)) return null;
      return Number.isInteger(v) && Math.abs(v) >= 1e12 && hasCard(String(Math.abs(v))) ? CARD_REMOVED : v;
    }
    if (t === "boolean") return v;
    if (t !== "object" || depth > 6) return null;
    if (typeof Node !== "undefined" && v instanceof Node) return null;
    if (v instanceof Date) return v.getTime();
    if (Array.isArray(v)) {
      var a = [];
      for (var i = 0; i < v.length && i < 100; i++) a.push(clean(v[i], depth + 1));
      return a;
    }
    var o = {};
    var keys = Object.keys(v);
    for (var k = 0; k < keys.length && k < 100; k++) {
      var x = v[keys[k]];
      if (x === undefined || typeof x === "function") continue;
      o[cap(scrub(keys[k]), 100)] = clean(x, depth + 1);
    }
    return o;
  }

  function emit(name, detail) {
    var fns = (listeners[name] || []).slice();
    for (var i = 0; i < fns.length; i++) {
      try { fns[i](detail); } catch (e) { logError(e); }
    }
  }

  function logError(e) {
    if (window.console && console.error) console.error("[tapline]", e);
  }
  function warn(msg) {
    if (window.console && console.warn) console.warn("[tapline] " + msg);
  }

  // ---------------------------------------------------------------- storage
  function storeKey() { return "tapline:" + opts.app; }
  function journeyKey() { return "tapline:" + opts.app + ":journey"; }
  // In localStorage, for every tab and for a page opened later: a request with a callback.
  function liveKey() { return "tapline:" + opts.app + ":live"; }

  function storageGet(key, local) {
    try {
      var raw = (local ? window.localStorage : window.sessionStorage).getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) { return null; }
  }
  function storageSet(key, value, local) {
    try {
      var st = local ? window.localStorage : window.sessionStorage;
      if (value === null) st.removeItem(key);
      else st.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage full or disabled: keep going in memory */ }
  }

  // The device secret: made once per app and browser, kept in localStorage. A request's
  // client id finds the same request again only with it (or the same verified customer),
  // so an id someone else learns or guesses is no key to this customer's request.
  var device = null;
  function deviceKey() { return "tapline:" + opts.app + ":device"; }
  function deviceSecret() {
    if (device) return device;
    var kept = storageGet(deviceKey(), true);
    if (typeof kept === "string" && /^[A-Za-z0-9_-]{22,128}$/.test(kept)) return (device = kept);
    var c = window.crypto;
    if (!c || !c.getRandomValues) return null;  // never a guessable one: no secret at all
    var b = new Uint8Array(32);
    c.getRandomValues(b);
    var text = "";
    for (var i = 0; i < b.length; i++) text += String.fromCharCode(b[i]);
    device = btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    storageSet(deviceKey(), device, true);  // storage off: kept for this page's life
    return device;
  }

  function saveJourneySoon() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () {
      storageSet(journeyKey(), { errors: errors, journey: journey });
    }, 200);
  }

  // ---------------------------------------------------------------- form capture
  function captureRoots() {
    return document.querySelectorAll("[data-tapline-capture]");
  }

  function controlsOf(root) {
    var list = [];
    var els = root.tagName === "FORM" && root.elements ? root.elements
      : root.querySelectorAll("input, select, textarea");
    for (var i = 0; i < els.length; i++) {
      var t = els[i].tagName;
      if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA") list.push(els[i]);
    }
    return list;
  }

  function rootName(root, index) {
    var v = root.getAttribute("data-tapline-capture");
    if (v) return cap(scrub(v), 100);
    return cap(scrub(root.id || root.getAttribute("name") || ("form-" + (index + 1))), 100);
  }

  // Text of a label without the values of controls nested inside it.
  function labelText(node) {
    var out = "";
    var kids = node.childNodes;
    for (var i = 0; i < kids.length; i++) {
      var k = kids[i];
      if (k.nodeType === 3) out += k.nodeValue;
      else if (k.nodeType === 1) {
        var t = k.tagName;
        if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA" || t === "SCRIPT" ||
            t === "STYLE" || t === "BUTTON" || t === "OPTION") continue;
        out += " " + labelText(k) + " ";
      }
    }
    return out;
  }
  function tidy(s) { return cap(scrub(String(s).replace(/\s+/g, " ").trim()), 200); }

  function fieldLabel(el, name) {
    var text = "";
    if (el.id) {
      try {
        var lab = document.querySelector('label[for="' + cssEscape(el.id) + '"]');
        if (lab) text = tidy(labelText(lab));
      } catch (e) { /* odd id */ }
    }
    if (!text) {
      var wrap = el.closest("label");
      if (wrap) text = tidy(labelText(wrap));
    }
    if (!text && el.getAttribute("aria-label")) text = tidy(el.getAttribute("aria-label"));
    if (!text && el.getAttribute("aria-labelledby")) {
      var ids = el.getAttribute("aria-labelledby").split(/\s+/);
      var parts = [];
      for (var i = 0; i < ids.length; i++) {
        var n = ids[i] && document.getElementById(ids[i]);
        if (n) parts.push(labelText(n));
      }
      text = tidy(parts.join(" "));
    }
    return text || name;
  }

  function cssEscape(s) {
    if (window.CSS && CSS.escape) return CSS.escape(s);
    return String(s).replace(/["\\]/g, "\\$&");
  }

  // A field is masked by what it is, not by what it shows: a password field that a "show
  // password" toggle turned into type=text is still a password. The first type seen for each
  // control is kept (and a type changed from password or file is remembered from the change
  // itself), so is its autocomplete purpose, its name, id and label hints, and an ancestor's
  // data-tapline-mask. Once masked, a control stays masked for the page's life.
  var MASK_TYPES = { password: 1, file: 1 };
  var firstTypes = typeof WeakMap === "function" ? new WeakMap() : null;
  var everMasked = typeof WeakSet === "function" ? new WeakSet() : null;
  // Whole words in a name, id or label: "cardNumber", "cc_exp", "user-pin", "PIN".
  var MASK_WORDS = { pin: 1, pins: 1, cc: 1, csc: 1, cvv: 1, cvv2: 1, cvc: 1, cvc2: 1, cid: 1,
    ssn: 1, pan: 1, otp: 1, totp: 1, tan: 1, pwd: 1, pass: 1, iban: 1, bic: 1, pincode: 1,
    passcode: 1, secret: 1, sin: 1, nin: 1, mfa: 1, "2fa": 1 };
  // Anywhere in a name, id or label with its separators taken out.
  var MASK_PARTS = /passw|passwd|passcode|passphrase|pwd|cvv|cvc|iban|card|ccnum|ccexp|cccsc|securitycode|socialsecurity|sortcode|accountnumber|routingnumber|pincode|onetimecode|secret/;

  function typeOf(el) {
    return (el.getAttribute("type") || "").toLowerCase();
  }
  function rememberType(el) {
    if (!el || el.tagName !== "INPUT") return;
    var t = typeOf(el);
    if (firstTypes && !firstTypes.has(el)) firstTypes.set(el, t);
    if (MASK_TYPES[t]) markMasked(el);
  }
  function markMasked(el) {
    if (everMasked) everMasked.add(el);
    else try { el.__taplineMasked = true; } catch (e) { /* frozen */ }
  }
  function wasMasked(el) {
    return everMasked ? everMasked.has(el) : !!el.__taplineMasked;
  }
  // The controls of the capture roots as they are now, before anyone toggles them.
  function rememberTypes() {
    var roots = captureRoots();
    for (var r = 0; r < roots.length; r++) {
      var controls = controlsOf(roots[r]);
      for (var i = 0; i < controls.length; i++) rememberType(controls[i]);
    }
  }
  // A type attribute changed: what it was before counts as what the field is.
  function onTypeChanges(records) {
    for (var i = 0; i < records.length; i++) {
      var rec = records[i];
      var el = rec.target;
      if (!el || el.tagName !== "INPUT") continue;
      var old = (rec.oldValue || "").toLowerCase();
      if (firstTypes && !firstTypes.has(el)) firstTypes.set(el, old);
      if (MASK_TYPES[old]) markMasked(el);
      rememberType(el);
    }
  }

  function words(text) {
    return String(text)
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
      .toLowerCase()
      .split(/[^a-z0-9]+/);
  }
  function sensitiveHint(text) {
    if (!text) return false;
    var w = words(text);
    for (var i = 0; i < w.length; i++) if (MASK_WORDS[w[i]]) return true;
    return MASK_PARTS.test(w.join(""));
  }

  function isMasked(el, label) {
    rememberType(el);
    if (wasMasked(el)) return true;
    var first = firstTypes && firstTypes.has(el) ? firstTypes.get(el) : "";
    if (el.tagName === "INPUT" && (MASK_TYPES[typeOf(el)] || MASK_TYPES[first])) return true;
    var ac = (el.getAttribute("autocomplete") || "").toLowerCase().split(/\s+/);
    for (var i = 0; i < ac.length; i++) {
      if (MASK_AUTOCOMPLETE.indexOf(ac[i]) >= 0 || ac[i].indexOf("cc-exp") === 0) return true;
    }
    if (el.closest("[data-tapline-mask]")) return true;
    return sensitiveHint(el.getAttribute("name")) || sensitiveHint(el.id) ||
      sensitiveHint(el.getAttribute("aria-label")) || sensitiveHint(el.getAttribute("placeholder")) ||
      sensitiveHint(label);
  }

  function isFilled(el) {
    if (el.tagName === "INPUT") {
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") return el.checked;
      if (type === "file") return !!(el.files && el.files.length);
    }
    if (el.tagName === "SELECT") return el.selectedIndex >= 0 && el.value !== "";
    return el.value.length > 0;
  }

  // One field per name; radios and checkboxes sharing a name become one field.
  function captureFields() {
    var fields = [];
    var roots = captureRoots();
    for (var r = 0; r < roots.length; r++) {
      var root = roots[r];
      if (root.closest("[data-tapline-ignore]")) continue;
      var form = rootName(root, r);
      var byName = {};
      var controls = controlsOf(root);
      for (var i = 0; i < controls.length; i++) {
        var el = controls[i];
        var type = (el.getAttribute("type") || "").toLowerCase();
        if (el.tagName === "INPUT" && SKIP_TYPES[type]) continue;
        if (el.closest("[data-tapline-ignore]")) continue;
        var name = cap(scrub(el.getAttribute("name") || el.id || (el.tagName.toLowerCase() + "-" + (i + 1))), 100);
        var group = type === "radio" || type === "checkbox";
        var f = group ? byName[name] : null;
        // A radio group takes its label from the group, not one option.
        var label = f ? f.label : group ? groupLabel(el, name) : fieldLabel(el, name);
        var masked = isMasked(el, label);
        if (masked) markMasked(el);
        var filled = isFilled(el);
        if (!f) {
          f = { form: form, name: name, label: label, filled: false, masked: false };
          fields.push(f);
          if (group) byName[name] = f;
        }
        if (masked) {
          // Only whether it is filled is ever kept for a masked field.
          f.masked = true;
          delete f.value;
        }
        f.filled = f.filled || filled;
        if (f.masked) continue;
        var value = fieldValue(el, type);
        if (value === null) continue;
        if (hasCard(value)) { f.masked = true; delete f.value; continue; }
        f.value = f.value ? cap(f.value + ", " + value, VALUE_MAX) : cap(value, VALUE_MAX);
      }
    }
    return fields;
  }

  function groupLabel(el, name) {
    var fs = el.closest("fieldset");
    if (fs) {
      var lg = fs.querySelector("legend");
      if (lg) { var t = tidy(labelText(lg)); if (t) return t; }
    }
    var g = el.closest('[role="radiogroup"], [role="group"]');
    if (g) {
      var l = g.getAttribute("aria-label");
      if (l) return tidy(l);
    }
    if ((el.type || "").toLowerCase() === "checkbox") return fieldLabel(el, name);
    return name;
  }

  // Never called for masked fields.
  function fieldValue(el, type) {
    if (type === "checkbox" || type === "radio") return el.checked ? el.value : null;
    if (el.tagName === "SELECT") {
      var parts = [];
      for (var i = 0; i < el.options.length; i++) {
        var o = el.options[i];
        if (!o.selected) continue;
        var text = tidy(o.text);
        parts.push(text === o.value || !o.value ? text : text + " (" + o.value + ")");
      }
      return parts.length ? parts.join(", ") : null;
    }
    return el.value === "" ? null : el.value;
  }

  function inCapture(target) {
    if (!target || target.nodeType !== 1) return false;
    if (target.closest("[data-tapline-capture]")) return true;
    var f = target.form;
    return !!(f && f.hasAttribute && f.hasAttribute("data-tapline-capture"));
  }

  function onDocInput(e) {
    if (inCapture(e.target)) { rememberType(e.target); changed(); }
  }

  // ---------------------------------------------------------------- context
  function pageInfo() {
    var l = window.location;
    var url = l.origin + l.pathname;
    // Hash routes say where the customer is; query strings often carry secrets.
    if (/^#!?\//.test(l.hash)) url += l.hash.split("?")[0];
    return { url: scrub(url), title: cap(scrub(document.title || ""), 200) };
  }

  function buildContext() {
    var c = {};
    if (ctx.flow) c.flow = cap(scrub(ctx.flow), 200);
    if (ctx.step) c.step = cap(scrub(ctx.step), 200);
    c.data = clean(ctx.data) || {};
    c.fields = captureFields();
    c.errors = errors.slice();
    c.journey = journey.slice();
    if (ctx.session) c.session = ctx.session;
    c.page = pageInfo();
    return fit(c);
  }

  // Keep the context under the server's limit: drop the oldest journey entries first,
  // then the oldest errors, then field values, then data.
  function fit(c) {
    var max = Math.max(1024, (limits.context_bytes || 65536) - 256);
    var json = JSON.stringify(c);
    if (byteLength(json) <= max) return c;
    while (c.journey.length && byteLength(JSON.stringify(c)) > max) {
      c.journey.splice(0, Math.max(1, Math.ceil(c.journey.length / 10)));
    }
    while (c.errors.length && byteLength(JSON.stringify(c)) > max) c.errors.shift();
    if (byteLength(JSON.stringify(c)) > max) {
      for (var i = 0; i < c.fields.length; i++) {
        if (c.fields[i].value && c.fields[i].value.length > 50) {
          c.fields[i].value = c.fields[i].value.slice(0, 50);
        }
      }
    }
    if (byteLength(JSON.stringify(c)) > max) {
      var keys = Object.keys(c.data);
      while (keys.length && byteLength(JSON.stringify(c)) > max) delete c.data[keys.pop()];
    }
    while (c.fields.length && byteLength(JSON.stringify(c)) > max) c.fields.pop();
    return c;
  }

  // Something in the context changed: the panel sends it while a request is active.
  function changed() {
    if (P) P.contextChanged();
  }

  // ---------------------------------------------------------------- HTTP
  function api(method, path, body, bearer) {
    var url = server + "/api/v1" + path + (path.indexOf("?") >= 0 ? "&" : "?") +
      "app=" + encodeURIComponent(opts.app);
    var init = { method: method, headers: { "Accept": "application/json" }, credentials: "omit", mode: "cors" };
    if (bearer) init.headers.Authorization = "Bearer " + bearer;
    if (method === "POST" && path === "/requests") {
      var secret = deviceSecret();
      if (secret) init.headers["X-Tapline-Device"] = secret;
    }
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: res.status, ok: res.ok, data: data };
      });
    });
  }

  var configRetry = 0;
  function loadConfig() {
    configState = "loading";
    if (P) P.renderConn();
    api("GET", "/sdk/config").then(function (r) {
      if (r.ok && r.data) {
        configState = "ok";
        configRetry = 0;
        if (r.data.app && r.data.app.name) appName = String(r.data.app.name);
        if (r.data.limits) {
          if (r.data.limits.message_bytes > 0) limits.message_bytes = r.data.limits.message_bytes;
          if (r.data.limits.context_bytes > 0) limits.context_bytes = r.data.limits.context_bytes;
        }
        showWidget();
        lookUpElsewhere();
      } else if (r.status === 403 || r.status === 404) {
        configState = "refused";
        warn("help is not available here: " + ((r.data && r.data.detail) || ("HTTP " + r.status)));
        if (hasRequest()) showWidget();  // an active request can still finish
        else if (ui) ui.host.style.display = "none";
        fireReady();
      } else {
        retryConfig();
      }
      if (P) P.renderConn();
    }, function () { retryConfig(); if (P) P.renderConn(); });
  }

  function retryConfig() {
    configState = "failed";
    showWidget();
    configRetry = Math.min(configRetry + 1, 6);
    setTimeout(loadConfig, backoff(configRetry));
  }

  function backoff(n) {
    var base = Math.min(BACKOFF_MAX, BACKOFF_MIN * Math.pow(2, Math.max(0, n - 1)));
    return Math.round(base * (0.7 + Math.random() * 0.6));
  }

  // Another device of a verified customer may hold a live request (say, a callback that is
  // about to ring): find it, at most every 30 s, when no request is active here.
  function lookUpElsewhere() {
    var token = opts && opts.user && opts.user.token;
    if (!token || hasRequest() || configState !== "ok" || now() - lookedUpAt < 30000) return;
    lookedUpAt = now();
    api("GET", "/customers/requests", undefined, String(token)).then(function (r) {
      var list = r.ok && r.data && Array.isArray(r.data.requests) ? r.data.requests : [];
      var best = null;
      for (var i = 0; i < list.length; i++) {
        var x = list[i];
        // A request left `new` (no one was there, nothing booked) is not worth resuming.
        if (!x || !ACTIVE[x.state] || (x.state === "new" && !x.callback)) continue;
        if (!best || (x.callback && !best.callback)) best = x;
      }
      if (best) loadPanel(function () { P.adopt(best); });
    }, function () { /* offline: try again on the next visit */ });
  }

  function hasRequest() { return P ? !!P.requestId() : !!resumeFrom; }

  // ---------------------------------------------------------------- the panel, on demand
  function sibling(file) {
    return SCRIPT_SRC ? new URL(file, SCRIPT_SRC).href : server + "/sdk/" + file;
  }

  // tapline-panel.js registers itself with Tapline.__panel. `then` runs once it is here.
  function loadPanel(then) {
    if (P) { if (then) then(); return; }
    if (then) panelWaiting.push(then);
    if (panelLoading || !ui) return;  // start() loads it once the launcher exists
    panelLoading = true;
    var s = document.createElement("script");
    s.src = (opts.panelScript || sibling(PANEL_FILE)) + "?v=" + VERSION;
    s.async = true;
    s.addEventListener("error", function () {
      panelLoading = false;
      if (s.parentNode) s.parentNode.removeChild(s);
      panelTries = Math.min(panelTries + 1, 6);
      warn("could not load " + PANEL_FILE + "; retrying");
      setTimeout(function () { if (!P && (panelWaiting.length || resumeFrom)) loadPanel(); }, backoff(panelTries));
    });
    (document.head || document.documentElement).appendChild(s);
  }

  function registerPanel(factory) {
    if (P || typeof factory !== "function" || !ui) return;
    try { P = factory(core); } catch (e) { logError(e); return; }
    panelLoading = false;
    var from = resumeFrom;
    resumeFrom = null;
    if (from) P.resume(from);
    if (ui.host.style.display !== "none") { P.renderConn(); P.render(); }
    var fns = panelWaiting;
    panelWaiting = [];
    for (var i = 0; i < fns.length; i++) {
      try { fns[i](); } catch (e) { logError(e); }
    }
  }

  function openPanel() {
    if (!P && ui) ui.launcher.setAttribute("aria-busy", "true");
    loadPanel(function () {
      ui.launcher.removeAttribute("aria-busy");
      P.open();
    });
  }

  // ---------------------------------------------------------------- DOM helpers
  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        var v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === "text") el.textContent = v;
        else if (k === "class") el.className = v;
        else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : v);
      }
    }
    if (kids) {
      for (var i = 0; i < kids.length; i++) {
        if (kids[i] === null || kids[i] === undefined) continue;
        el.appendChild(typeof kids[i] === "string" ? document.createTextNode(kids[i]) : kids[i]);
      }
    }
    return el;
  }

  function svg(paths, cls) {
    var s = document.createElementNS(SVG_NS, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    s.setAttribute("class", cls || "tl-icon");
    for (var i = 0; i < paths.length; i++) {
      var p = document.createElementNS(SVG_NS, "path");
      p.setAttribute("d", paths[i]);
      s.appendChild(p);
    }
    return s;
  }

  var ICON_CHAT = ["M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6A.5.5 0 0 1 5 19.2V16h0a1 1 0 0 1-1-1V5.5z",
    "M8 8.5h8M8 11.5h5"];
  // ---------------------------------------------------------------- build UI
  function build() {
    var host = document.createElement("div");
    host.setAttribute("data-tapline-widget", "");
    host.className = "tapline-host";
    var root = host.attachShadow({ mode: "open" });
    // Hide until the stylesheet has loaded so nothing flashes unstyled.
    host.style.visibility = "hidden";
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = opts.stylesheet || (SCRIPT_SRC ? new URL("tapline.css", SCRIPT_SRC).href : server + "/sdk/tapline.css");
    // Nothing hidden takes focus: once shown, the panel (if it opened meanwhile) gets it.
    var reveal = function () {
      if (!host.style.visibility) return;
      host.style.visibility = "";
      if (P) P.revealed();
    };
    link.addEventListener("load", reveal);
    link.addEventListener("error", reveal);
    setTimeout(reveal, 3000);
    root.appendChild(link);

    var uid = "tl" + Math.random().toString(36).slice(2, 8);
    var r = { host: host, root: root, uid: uid };

    r.unreadText = h("span", { id: uid + "-unread", class: "tl-sr", text: "" });
    r.badge = h("span", { class: "tl-badge", hidden: true, "aria-hidden": "true" });
    r.launcher = h("button", {
      type: "button", class: "tl-launcher", "aria-expanded": "false", "aria-controls": uid + "-panel",
      "aria-describedby": uid + "-unread",
      onclick: function () { if (P && P.isOpen()) P.close(); else openPanel(); }
    }, [svg(ICON_CHAT), h("span", { class: "tl-launcher-text", text: "Get help" }), r.badge]);
    // The panel is fetched when the customer is about to use it.
    r.launcher.addEventListener("pointerenter", function () { loadPanel(); });
    r.launcher.addEventListener("focus", function () { loadPanel(); });
    root.appendChild(r.launcher);
    root.appendChild(r.unreadText);
    ui = r;
    applyPosition();
  }


  function applyPosition() {
    var host = ui.host;
    var pos = opts.position === "bottom-left" ? "bottom-left" : "bottom-right";
    host.classList.toggle("tl-left", pos === "bottom-left");
    host.classList.toggle("tl-right", pos !== "bottom-left");
    var off = opts.offset || {};
    if (typeof off.x === "number") host.style.setProperty("--tapline-offset-x", off.x + "px");
    if (typeof off.y === "number") host.style.setProperty("--tapline-offset-y", off.y + "px");
    if (opts.accent) host.style.setProperty("--tapline-accent", String(opts.accent));
    host.classList.toggle("tl-inline", !!opts.container);
    ui.launcher.hidden = opts.launcher === false;
  }

  function mount() {
    var parent = null;
    if (opts.container) {
      parent = typeof opts.container === "string" ? document.querySelector(opts.container) : opts.container;
      if (!parent) warn("container " + opts.container + " not found; using the page corner");
    }
    if (!parent) { ui.host.classList.remove("tl-inline"); parent = document.body; }
    if (ui.host.parentNode !== parent) parent.appendChild(ui.host);
  }

  function showWidget() {
    if (!ui) return;
    ui.host.style.display = "";
    if (P) { P.renderConn(); P.render(); }
    fireReady();
  }

  function fireReady() {
    if (readyFired) return;
    readyFired = true;
    emit("ready", { app: opts.app, name: appName });
  }

  // ---------------------------------------------------------------- init
  function init(options) {
    if (!options || !options.app) throw new Error("Tapline.init needs {app: '<public key>'}");
    var first = !opts;
    if (!first && opts.app !== options.app) warn("init called again with another app; keeping " + opts.app);
    var appKey = first ? String(options.app) : opts.app;
    opts = Object.assign({}, opts || {}, options, { app: appKey });
    server = originOf(opts.server) || originOf(SCRIPT_SRC) || window.location.origin;
    if (!first) {
      if (ui) { applyPosition(); mount(); }
      return api_;
    }

    var saved = storageGet(journeyKey());
    if (saved) {
      if (Array.isArray(saved.errors)) errors = saved.errors.slice(-ERRORS_MAX);
      if (Array.isArray(saved.journey)) journey = saved.journey.slice(-JOURNEY_MAX);
    }
    // This tab's request, else one with a callback kept for every tab of this browser.
    var stored = storageGet(storeKey());
    if (!stored) {
      stored = storageGet(liveKey(), true);
      if (stored && !ACTIVE[stored.state]) { storageSet(liveKey(), null, true); stored = null; }
      if (stored && !errors.length && !journey.length) {
        if (Array.isArray(stored.errors)) errors = stored.errors.slice(-ERRORS_MAX);
        if (Array.isArray(stored.journey)) journey = stored.journey.slice(-JOURNEY_MAX);
      }
    }
    if (stored && stored.request_id && stored.customer_token) resumeFrom = stored;

    var start = function () {
      build();
      ui.host.style.display = "none";
      mount();
      // What each field is, before a "show password" toggle changes what it shows.
      rememberTypes();
      document.addEventListener("focusin", function (e) { if (inCapture(e.target)) rememberType(e.target); }, true);
      document.addEventListener("input", onDocInput, true);
      document.addEventListener("change", onDocInput, true);
      document.addEventListener("reset", function (e) { if (inCapture(e.target)) setTimeout(changed, 0); }, true);
      if (window.MutationObserver) {
        new MutationObserver(onTypeChanges).observe(document.documentElement, {
          attributes: true, attributeFilter: ["type"], attributeOldValue: true, subtree: true
        });
        new MutationObserver(function (records) {
          for (var a = 0; a < records.length; a++) {
            for (var b = 0; b < records[a].addedNodes.length; b++) {
              var added1 = records[a].addedNodes[b];
              if (added1.nodeType !== 1) continue;
              if (added1.tagName === "INPUT") rememberType(added1);
              else if (added1.querySelectorAll) {
                var inputs = added1.querySelectorAll("input");
                for (var c = 0; c < inputs.length; c++) rememberType(inputs[c]);
              }
            }
          }
          if (!P || !P.active()) return;
          for (var i = 0; i < records.length; i++) {
            var added = records[i].addedNodes;
            for (var j = 0; j < added.length; j++) {
              var n = added[j];
              if (n.nodeType === 1 && (n.hasAttribute("data-tapline-capture") || n.querySelector("[data-tapline-capture]") || inCapture(n))) {
                changed();
                return;
              }
            }
          }
        }).observe(document.documentElement, { childList: true, subtree: true });
      }
      window.addEventListener("online", function () {
        if (P) P.online();
        if (configState === "failed") loadConfig();
      });
      window.addEventListener("offline", function () { if (P) P.offline(); });
      window.addEventListener("hashchange", changed);
      window.addEventListener("popstate", changed);
      // Another tab asked for a callback: this tab rings too.
      window.addEventListener("storage", function (e) {
        if (e.key !== liveKey() || !e.newValue || hasRequest()) return;
        var d = null;
        try { d = JSON.parse(e.newValue); } catch (err) { return; }
        loadPanel(function () { P.adopt(d); });
      });
      document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") lookUpElsewhere();
      });
      if (resumeFrom || panelWaiting.length) loadPanel();
      loadConfig();
    };
    if (document.body) start();
    else document.addEventListener("DOMContentLoaded", start);
    return api_;
  }

  function originOf(u) {
    if (!u) return "";
    try { return new URL(u, window.location.href).origin; } catch (e) { return ""; }
  }

  function requireInit(name) {
    if (!opts) { warn(name + " called before Tapline.init"); return false; }
    return true;
  }

  // ---------------------------------------------------------------- for the panel
  // What tapline-panel.js may use. Not a public API: it changes with VERSION.
  var core = {
    version: VERSION, ACTIVE: ACTIVE, limits: limits,
    h: h, svg: svg, now: now, uuid: uuid, byteLength: byteLength, cap: cap, scrub: scrub,
    emit: emit, logError: logError, warn: warn, api: api, backoff: backoff, sibling: sibling,
    storeKey: storeKey, liveKey: liveKey, storageGet: storageGet, storageSet: storageSet,
    buildContext: buildContext,
    get opts() { return opts; },
    get server() { return server; },
    get appName() { return appName; },
    get configState() { return configState; },
    get ui() { return ui; },
    get errors() { return errors; },
    get journey() { return journey; }
  };

  // ---------------------------------------------------------------- public API
  var api_ = {
    __tapline: true,
    __panel: registerPanel,
    __ext: function (name, factory) { if (P) P.registerExt(name, factory); },
    version: VERSION,
    init: init,
    setContext: function (c) {
      c = c || {};
      if ("flow" in c) ctx.flow = c.flow == null ? null : String(c.flow);
      if ("step" in c) ctx.step = c.step == null ? null : String(c.step);
      if (c.data === null) ctx.data = {};
      else if (c.data && typeof c.data === "object") {
        for (var k in c.data) {
          if (!Object.prototype.hasOwnProperty.call(c.data, k)) continue;
          if (c.data[k] === undefined) delete ctx.data[k];
          else ctx.data[k] = clean(c.data[k]);
        }
      }
      changed();
    },
    setSession: function (s) {
      if (!s) { ctx.session = null; changed(); return; }
      var exp = s.expiresAt != null ? s.expiresAt : s.expires_at;
      ctx.session = { held: !!s.held, expires_at: typeof exp === "number" ? exp : (exp ? Date.parse(exp) || null : null) };
      changed();
    },
    trackError: function (e) {
      e = e || {};
      errors.push({ code: cap(scrub(String(e.code == null ? "" : e.code)), 100), message: cap(scrub(String(e.message == null ? "" : e.message)), VALUE_MAX), at: now() });
      if (errors.length > ERRORS_MAX) errors.splice(0, errors.length - ERRORS_MAX);
      if (opts) saveJourneySoon();
      changed();
    },
    track: function (event, props) {
      var entry = { event: cap(scrub(String(event)), 100), at: now() };
      if (props && typeof props === "object") entry.props = clean(props);
      journey.push(entry);
      if (journey.length > JOURNEY_MAX) journey.splice(0, journey.length - JOURNEY_MAX);
      if (opts) saveJourneySoon();
      changed();
    },
    open: function () { if (requireInit("open")) openPanel(); },
    close: function () { if (P) P.close(); },
    on: function (name, fn) {
      if (typeof fn !== "function") return;
      (listeners[name] = listeners[name] || []).push(fn);
      // `ready` and an active `assist:start` are sticky: a listener added after they fired
      // (say, right after init resumed a request) still hears them, once.
      if (name === "ready" && readyFired) {
        try { fn({ app: opts.app, name: appName }); } catch (e) { logError(e); }
      }
      var started = name === "assist:start" && P && P.startedId();
      if (started) {
        try { fn({ requestId: started }); } catch (e) { logError(e); }
      }
    },
    off: function (name, fn) {
      var l = listeners[name];
      if (!l) return;
      if (!fn) { delete listeners[name]; return; }
      var i = l.indexOf(fn);
      if (i >= 0) l.splice(i, 1);
    },
    // Read-only views for the host and for tests.
    get state() { return P ? P.state() : resumeFrom ? resumeFrom.state || null : null; },
    get requestId() { return P ? P.requestId() : resumeFrom ? String(resumeFrom.request_id) : null; },
    get context() { return opts ? buildContext() : null; }
  };

  window.Tapline = api_;
})();
