/* SkyWay: the demo host app of tapline.
 *
 * A single-page airline booking flow (search, flight, passenger, payment, confirmed) that
 * embeds the tapline SDK the way an integrating developer would. Plain JS, no framework,
 * no build step. The DOM is built with createElement/textContent only (strict CSP).
 *
 * The story it plays: a 70% off fare, a payment screen that is unclear about refund credits,
 * and a strict session timer that loses the booking. While a specialist helps, the timer is held.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ constants and data

  const CURRENCY = "EUR";
  const CREDITS_CENTS = 15000;
  const DEFAULT_SESSION_SECONDS = 180;
  const RESUME_GRACE_MS = 60000; // after help ends, never resume with less than this (or the full length)
  const STEPS = ["search", "select", "passenger", "payment", "confirmed"];
  const BOOKING_STEPS = ["select", "passenger", "payment", "confirmed"];
  // The funnel's order: the desk keeps the furthest step reached across tabs and reloads.
  const FUNNEL = ["search", ...BOOKING_STEPS];
  const PAY_ERROR_MESSAGE =
    "Card payment declined by the issuer (3-D Secure authentication failed). No money was taken.";

  const FLIGHTS = [
    {
      id: "SW214", dep: "07:05", arr: "10:50", duration: "2h 45m", stops: 0,
      aircraft: "Airbus A320neo", fareClass: "Promo Light", cabin: "Economy",
      priceCents: 16470, wasCents: 54900, promo: "70% off", seatsLeft: 3,
      perks: [[true, "Personal item"], [false, "Cabin bag"], [false, "Changes or refunds"]],
    },
    {
      id: "SW218", dep: "11:35", arr: "15:20", duration: "2h 45m", stops: 0,
      aircraft: "Airbus A321neo", fareClass: "Classic", cabin: "Economy", priceCents: 23800,
      perks: [[true, "Cabin bag 8 kg"], [true, "Free seat choice"], [true, "Changes for €70"]],
    },
    {
      id: "SW1602", dep: "09:10", arr: "15:55", duration: "5h 45m", stops: 1, via: "OPO",
      viaNote: "Change in Porto (OPO), 1h 20m", aircraft: "Embraer E195 · Airbus A320",
      fareClass: "Classic", cabin: "Economy", priceCents: 20100,
      perks: [[true, "Cabin bag 8 kg"], [true, "Free seat choice"], [true, "Changes for €70"]],
    },
    {
      id: "SW226", dep: "18:40", arr: "22:25", duration: "2h 45m", stops: 0,
      aircraft: "Airbus A320neo", fareClass: "Flex", cabin: "Economy", priceCents: 38900,
      perks: [[true, "Checked bag 23 kg"], [true, "Free changes"], [true, "Fully refundable"]],
    },
  ];

  const TRAVELLER_DEFAULTS = {
    name: "Sam Traveller",
    email: "sam@example.com",
    phone: "+351 912 345 678",
    dob: "1988-04-12",
  };

  const ICONS = {
    plane: "M21.5 12c0-.8-.9-1.4-2-1.4h-4.9L9.4 3.5h-2l2.7 7.1H5.2L3.4 8.3H2l1 3.7-1 3.7h1.4l1.8-2.3h4.9l-2.7 7.1h2l5.2-7.1h4.9c1.1 0 2-.6 2-1.4Z",
  };

  // ------------------------------------------------------------------ small helpers

  const $ = (id) => document.getElementById(id);
  const money = new Intl.NumberFormat("en-IE", { style: "currency", currency: CURRENCY });
  const fmt = (cents) => money.format(cents / 100);
  const euros = (cents) => Math.round(cents) / 100;
  const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Build an element. props: text, class, on: {event: fn}, anything else becomes an attribute. */
  function h(tag, props, children) {
    const node = document.createElement(tag);
    setProps(node, props);
    addChildren(node, children);
    return node;
  }

  function svg(tag, attrs, children) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    setProps(node, attrs);
    addChildren(node, children);
    return node;
  }

  function setProps(node, props) {
    if (!props) return;
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "on") {
        for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
      } else node.setAttribute(key, value === true ? "" : String(value));
    }
  }

  function addChildren(node, children) {
    if (children === undefined || children === null) return;
    for (const child of [].concat(children)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
  }

  function planeIcon(size) {
    return svg("svg", { viewBox: "0 0 24 24", width: size, height: size, "aria-hidden": "true", focusable: "false" },
      svg("path", { d: ICONS.plane, fill: "currentColor" }));
  }

  function perkIcon(included) {
    const d = included ? "m5 12.5 4.5 4.5L19 7.5" : "M7 7l10 10M17 7 7 17";
    return svg("svg", { viewBox: "0 0 24 24", width: 16, height: 16, "aria-hidden": "true", focusable: "false" },
      svg("path", { d, fill: "none", stroke: "currentColor", "stroke-width": 2.5, "stroke-linecap": "round", "stroke-linejoin": "round" }));
  }

  function isoDate(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }

  function parseIsoDate(value) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    if (!match) return null;
    const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    return Number.isNaN(date.getTime()) ? null : date;
  }

  function formatDate(value, withYear) {
    const date = parseIsoDate(value);
    if (!date) return value || "";
    const opts = { weekday: "short", day: "numeric", month: "short" };
    if (withYear) opts.year = "numeric";
    return new Intl.DateTimeFormat("en-GB", opts).format(date);
  }

  function parseAirport(value) {
    const text = String(value || "").trim();
    const match = /^(.*?)\s*\(([A-Za-z]{3})\)$/.exec(text);
    if (match) return { name: match[1] || match[2].toUpperCase(), code: match[2].toUpperCase() };
    return { name: text, code: text.replace(/[^A-Za-z]/g, "").slice(0, 3).toUpperCase() };
  }

  function paxLabel(count) {
    return count === 1 ? "1 adult" : `${count} adults`;
  }

  function clock(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000));
    return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
  }

  function durationWords(seconds) {
    if (seconds < 60) return `${seconds} seconds`;
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    const m = minutes === 1 ? "1 minute" : `${minutes} minutes`;
    return rest ? `${m} ${rest} seconds` : m;
  }

  function announce(message) {
    const region = $("sr-announcer");
    region.textContent = "";
    // A fresh text node after a tick makes screen readers announce repeated messages too.
    setTimeout(() => { region.textContent = message; }, 50);
  }

  function fire(input) {
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function bookingRef() {
    const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const bytes = new Uint8Array(6);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  }

  // ------------------------------------------------------------------ the tapline SDK, guarded
  //
  // The page must work when /sdk/tapline.js fails to load or throws. Until init has run, the
  // latest context and session are remembered and events are queued, then flushed in order.

  const sdk = {
    status: "loading", // loading | ready | off
    context: null,
    session: null,
    pending: [],

    available(method) {
      const api = window.Tapline;
      return Boolean(api) && typeof api[method] === "function";
    },

    invoke(method, args) {
      if (!this.available(method)) return undefined;
      try {
        return window.Tapline[method](...args);
      } catch (err) {
        console.warn(`[skyway] Tapline.${method} failed`, err);
        return undefined;
      }
    },

    sentKeys: [],

    /** The SDK merges `data` key by key; send the keys we dropped as undefined so it replaces. */
    setContext(context) {
      this.context = context;
      if (this.status === "ready") this.sendContext();
    },

    sendContext() {
      const data = { ...this.context.data };
      for (const key of this.sentKeys) if (!(key in data)) data[key] = undefined;
      this.sentKeys = Object.keys(this.context.data);
      this.invoke("setContext", [{ ...this.context, data }]);
    },

    setSession(session) {
      this.session = session;
      if (this.status === "ready") this.invoke("setSession", [session]);
    },

    track(event, props) { this.emit("track", [event, props || {}]); },
    trackError(error) { this.emit("trackError", [error]); },

    emit(method, args) {
      if (this.status === "ready") this.invoke(method, args);
      else if (this.status === "loading" && this.pending.length < 100) this.pending.push([method, args]);
    },

    open() { return this.invoke("open", []); },
    clearSnapshot(flow) { if (this.status === "ready") this.invoke("clearSnapshot", [flow]); },

    async start(identity) {
      if (!identity || !identity.app || !this.available("init")) {
        this.status = "off";
        this.pending = [];
        console.info("[skyway] tapline is not available; the booking works without it.");
        return;
      }
      let result;
      try {
        result = window.Tapline.init({
          app: identity.app,
          user: identity.user || null,
          // Web Push for callbacks: SkyWay's own worker, which brings in tapline's.
          serviceWorker: "/demo/assets/sw.js",
        });
      } catch (err) {
        console.warn("[skyway] Tapline.init failed", err);
        this.status = "off";
        this.pending = [];
        return;
      }
      this.invoke("on", ["assist:start", onAssistStart]);
      this.invoke("on", ["assist:end", onAssistEnd]);
      // The banner says what the widget says (its `state` event), never more.
      this.invoke("on", ["state", onWidgetState]);
      // The keep-alive: while help is open the SDK fires `hold`; the session stays held for
      // a lease of two intervals, renewed by each one (docs/sdk.md, "Holding the session").
      this.invoke("on", ["hold", onHold]);
      // "Restore what you entered" (docs/sdk.md, "Snapshot and restore").
      this.invoke("on", ["restore", onRestore]);
      // The inline help link appears only once the widget says help is really available.
      this.invoke("on", ["ready", () => { $("payment-help").hidden = false; }]);
      if (result && typeof result.then === "function") {
        try {
          await Promise.race([result, delay(5000)]);
        } catch (err) {
          console.warn("[skyway] Tapline.init rejected", err);
        }
      }
      this.status = "ready";
      if (this.session) this.invoke("setSession", [this.session]);
      if (this.context) this.sendContext();
      const queued = this.pending;
      this.pending = [];
      for (const [method, args] of queued) this.invoke(method, args);
    },
  };

  // ------------------------------------------------------------------ state

  const params = new URLSearchParams(window.location.search);
  const sessionSeconds = (() => {
    const value = Number.parseInt(params.get("session") || "", 10);
    return Number.isFinite(value) && value > 0 ? Math.min(value, 86400) : DEFAULT_SESSION_SECONDS;
  })();

  const state = {
    step: "search",
    search: null, // {from: {name, code}, to: {name, code}, date, pax}
    flight: null,
    creditsApplied: false,
    payAttempts: 0,
    paying: false,
    booking: null,
    resultsToken: 0,
    traveller: { ...TRAVELLER_DEFAULTS },
    prefill: true, // after a session expires, nothing is prefilled again: that is the pain
  };

  const session = {
    lengthMs: sessionSeconds * 1000,
    status: "running", // running | expired | done
    expiresAt: Date.now() + sessionSeconds * 1000,
    held: false,
    heldRemainingMs: 0,
    holdUntil: 0, // the hold lease: renewed by each `hold` event
    warned: new Set(),
  };

  const assist = { active: false, state: null };

  // ------------------------------------------------------------------ the session timer

  function remainingMs() {
    if (session.held) return session.heldRemainingMs;
    return Math.max(0, session.expiresAt - Date.now());
  }

  function reportSession() {
    if (session.status === "done") {
      sdk.setSession({ expiresAt: null, held: false });
      return;
    }
    // Held: no expiry to count down (the desk shows "held"); otherwise the real deadline.
    sdk.setSession({ expiresAt: session.held ? null : session.expiresAt, held: session.held });
  }

  function startSession() {
    session.status = "running";
    session.held = false;
    session.expiresAt = Date.now() + session.lengthMs;
    session.warned.clear();
    if (assist.active) holdSession();
    else reportSession();
    renderSession();
  }

  function holdSession() {
    if (session.status !== "running" || session.held) return;
    session.heldRemainingMs = remainingMs();
    session.held = true;
    reportSession();
    renderSession();
  }

  function resumeSession() {
    if (!session.held) return;
    const grace = Math.min(RESUME_GRACE_MS, session.lengthMs);
    session.held = false;
    session.expiresAt = Date.now() + Math.max(session.heldRemainingMs, grace);
    session.warned.clear();
    reportSession();
    renderSession();
  }

  function extendSession() {
    if (session.status !== "running" || session.held) return;
    session.expiresAt = Date.now() + session.lengthMs;
    session.warned.clear();
    reportSession();
    renderSession();
    sdk.track("session_extended", { seconds: sessionSeconds });
    announce(`Session extended. It now expires in ${durationWords(sessionSeconds)}.`);
  }

  function renderSession() {
    const box = $("session-status");
    const text = $("session-countdown");
    let label;
    let mode;
    if (session.status === "expired") {
      label = "Session expired";
      mode = "expired";
    } else if (session.status === "done") {
      label = "Booking saved";
      mode = "done";
    } else if (session.held) {
      label = "Held while you're being helped";
      mode = "held";
    } else {
      const ms = remainingMs();
      label = `Session expires in ${clock(ms)}`;
      mode = ms <= 30000 ? "warn" : "ok";
      warnOnce(ms);
    }
    if (text.textContent !== label) text.textContent = label;
    if (box.getAttribute("data-state") !== mode) box.setAttribute("data-state", mode);
    const held = String(session.held);
    if (box.getAttribute("data-held") !== held) box.setAttribute("data-held", held);
    const extend = $("session-extend");
    const showExtend = mode === "ok" || mode === "warn";
    if (extend.hidden === showExtend) extend.hidden = !showExtend;
  }

  function warnOnce(ms) {
    for (const threshold of [60000, 20000]) {
      if (session.lengthMs <= threshold * 1.5 || ms > threshold || session.warned.has(threshold)) continue;
      session.warned.add(threshold);
      announce(`Your session expires in ${durationWords(Math.ceil(ms / 1000))}. Choose Extend session to keep your booking.`);
    }
  }

  function tick() {
    if (session.held && Date.now() > session.holdUntil) {
      // No keep-alive came for two intervals: help is gone, the session runs again.
      resumeSession();
      renderBanner();
    }
    if (session.status === "running" && !session.held && remainingMs() <= 0) {
      expireSession();
      return;
    }
    renderSession();
  }

  function expireSession() {
    const lostStep = state.step;
    session.status = "expired";
    session.held = false;
    state.step = "expired";
    // Told first, so that the SDK keeps its snapshot of the full form, not the emptied one.
    reportSession();
    clearBooking();
    showOnly("expired");
    renderSession();
    reportSession();
    sdk.setContext({ flow: "booking", step: "expired", data: { lost_step: lostStep, reason: "session_timeout" } });
    sdk.track("session_expired", { step: lostStep });
    setHash("expired", true);
    $("expired-title").focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  /** The dead end: everything typed is gone. */
  function clearBooking() {
    state.flight = null;
    state.creditsApplied = false;
    state.payAttempts = 0;
    state.paying = false;
    state.booking = null;
    state.prefill = false;
    $("flight-list").replaceChildren();
    for (const input of $("passenger-form").querySelectorAll("input")) {
      input.value = "";
      fire(input);
    }
    $("extra-passengers").replaceChildren();
    $("payment-form").reset();
    for (const input of $("payment-form").querySelectorAll("input")) fire(input);
    $("card-brand").textContent = "";
    $("pay-error").hidden = true;
    setPayBusy(false);
    for (const input of document.querySelectorAll("[aria-invalid]")) setFieldError(input, "");
  }

  // ------------------------------------------------------------------ help (tapline events)

  function onAssistStart() {
    if (assist.active) return;
    assist.active = true;
    const now = window.Tapline && window.Tapline.state;
    if (typeof now === "string") assist.state = now;
    renderBanner();
  }

  function onAssistEnd() {
    if (!assist.active) return;
    assist.active = false;
    assist.state = null;
    session.holdUntil = 0;
    renderBanner();
    resumeSession();
    if (session.status === "running") {
      announce(`Your session has resumed and expires in ${durationWords(Math.ceil(remainingMs() / 1000))}.`);
    }
  }

  function onWidgetState(detail) {
    assist.state = detail && typeof detail.state === "string" ? detail.state : null;
    renderBanner();
  }

  function onHold(detail) {
    const every = detail && typeof detail.every === "number" ? detail.every : 30000;
    session.holdUntil = Date.now() + 2 * every;
    const was = session.held;
    if (detail && detail.reason === "desk" && session.status === "running" && !session.held) {
      session.expiresAt = Date.now() + session.lengthMs; // the specialist asked for more time
    }
    holdSession();
    if (!was && session.held) {
      announce("Your session is on hold while SkyWay helps you.");
      renderBanner();
    } else reportSession(); // what the desk sees is what is true now
  }

  const BANNER = {
    new: "Your question is with SkyWay; a specialist will reply when we open.",
    waiting: "Finding a SkyWay specialist for you.",
    offered: "A SkyWay specialist is about to join.",
    scheduled: "Your callback with SkyWay is booked.",
    connected: "A SkyWay specialist is helping you.",
  };

  function renderBanner() {
    const text = assist.active ? BANNER[assist.state] : null;
    $("assist-banner").hidden = !text;
    if (!text) return;
    const held = session.held ? " Your session is on hold." : "";
    $("assist-text").textContent = text + held;
  }

  /** The SDK put the kept form values back; rebuild the booking around them. */
  function onRestore(snapshot) {
    if (!snapshot || snapshot.flow !== "booking") return;
    const data = snapshot.data || {};
    const fields = Array.isArray(snapshot.fields) ? snapshot.fields : [];
    if (session.status !== "running") startSession();
    state.search = readSearch();
    state.flight = FLIGHTS.find((f) => f.id === data.flight) || null;
    renderResults(false);
    const credits = fields.find((f) => f.form === "payment" && f.name === "use_credits");
    state.creditsApplied = data.credits_applied === true || Boolean(credits && credits.values && credits.values.length);
    $("apply-credits").checked = state.creditsApplied;
    renderExtraPassengers();
    for (const f of fields) {
      const input = f.form === "passenger" && typeof f.value === "string" ? $("passenger-form").elements.namedItem(f.name) : null;
      if (input instanceof HTMLInputElement && input.value !== f.value) {
        input.value = f.value;
        fire(input);
      }
    }
    const order = ["payment", "passenger", "select", "search"];
    const wanted = order.indexOf(snapshot.step) >= 0 ? order.slice(order.indexOf(snapshot.step)) : order;
    const step = wanted.find(canEnter) || "search";
    $("card-reask").hidden = step !== "payment";
    goTo(step);
    if (step === "payment") $("card-number").focus({ preventScroll: true });
    announce(step === "payment"
      ? "Your booking is restored. For your safety the card number is never kept: please enter your card again."
      : "What you entered is restored.");
  }

  // ------------------------------------------------------------------ navigation

  function canEnter(step) {
    switch (step) {
      case "search": return true;
      case "select": return Boolean(state.search);
      case "passenger": return Boolean(state.search && state.flight);
      case "payment": return Boolean(state.search && state.flight && passengerValid(false));
      case "confirmed": return Boolean(state.booking);
      default: return false;
    }
  }

  function showOnly(step) {
    $("step-search").hidden = step !== "search";
    $("booking").hidden = !BOOKING_STEPS.includes(step);
    for (const name of BOOKING_STEPS) $(`step-${name}`).hidden = name !== step;
    $("step-expired").hidden = step !== "expired";
  }

  function setHash(step, replace) {
    const url = `${window.location.pathname}${window.location.search}#${step}`;
    try {
      if (replace) window.history.replaceState({ step }, "", url);
      else window.history.pushState({ step }, "", url);
    } catch (_err) {
      /* history can be unavailable in sandboxed frames; navigation still works */
    }
  }

  function goTo(step, opts) {
    const options = opts || {};
    if (session.status === "expired") return;
    state.step = step;
    showOnly(step);
    if (step === "select") renderSelectHeader();
    if (step === "passenger") renderExtraPassengers();
    if (step === "payment") renderPayment();
    if (step === "confirmed") renderConfirmed();
    renderProgress();
    renderSummary();
    if (options.history !== false) setHash(step, Boolean(options.replace));
    if (options.focus !== false) {
      const heading = step === "search" ? $("search-title") : $(`step-${step}`).querySelector("h1");
      if (heading) heading.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
    sendContext();
    sdk.track("step_viewed", { step });
  }

  function onPopState() {
    const target = window.location.hash.slice(1) || "search";
    if (session.status === "expired") {
      setHash("expired", true);
      return;
    }
    if (state.step === "confirmed" && target !== "confirmed") {
      // A paid booking is final; going back starts a new trip instead of re-paying.
      newTrip();
      return;
    }
    if (STEPS.includes(target) && canEnter(target)) goTo(target, { history: false });
    else goTo(state.step, { replace: true });
  }

  function renderProgress() {
    const current = STEPS.indexOf(state.step);
    for (const item of $("progress-list").children) {
      const index = STEPS.indexOf(item.getAttribute("data-step"));
      const mode = index < current ? "done" : index === current ? "current" : "todo";
      item.setAttribute("data-state", mode);
      if (mode === "current") item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
      let sr = item.querySelector(".visually-hidden");
      if (!sr) {
        sr = h("span", { class: "visually-hidden" });
        item.append(sr);
      }
      sr.textContent = mode === "done" ? " (completed)" : mode === "current" ? " (current step)" : "";
    }
  }

  // ------------------------------------------------------------------ context for the specialist

  function fareCents() {
    if (!state.flight || !state.search) return 0;
    return state.flight.priceCents * state.search.pax;
  }

  function creditsUsedCents() {
    return state.creditsApplied ? Math.min(CREDITS_CENTS, fareCents()) : 0;
  }

  function flightData() {
    const f = state.flight;
    const s = state.search;
    const data = {};
    if (s) {
      data.route = `${s.from.code} → ${s.to.code}`;
      data.date = s.date;
      data.passengers = s.pax;
    }
    if (f) {
      data.flight = f.id;
      data.departure = `${s ? s.date : ""} ${f.dep}`.trim();
      data.fare_class = f.fareClass;
      data.fare = euros(fareCents());
      data.currency = CURRENCY;
      if (f.promo) data.promo = f.promo;
    }
    return data;
  }

  function contextData(step) {
    if (step === "search") {
      const s = readSearch();
      return { route: `${s.from.code} → ${s.to.code}`, date: s.date, passengers: s.pax };
    }
    const data = flightData();
    if (step === "payment") {
      data.credits = euros(CREDITS_CENTS);
      data.credits_applied = state.creditsApplied;
      data.total_due = euros(fareCents() - creditsUsedCents());
      data.pay_attempts = state.payAttempts;
    }
    if (step === "confirmed" && state.booking) {
      const b = state.booking;
      data.booking_ref = b.ref;
      data.paid_with_credits = euros(b.creditsCents);
      data.paid_by_card = euros(b.cardCents);
    }
    return data;
  }

  function sendContext() {
    sdk.setContext({ flow: "booking", step: state.step, steps: FUNNEL, data: contextData(state.step) });
  }

  // ------------------------------------------------------------------ step 1: search

  function readSearch() {
    return {
      from: parseAirport($("from").value),
      to: parseAirport($("to").value),
      date: $("date").value,
      pax: Number.parseInt($("passengers").value, 10) || 1,
    };
  }

  function setSearchDefaults() {
    const today = new Date();
    const inThreeWeeks = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 21);
    $("date").min = isoDate(today);
    $("date").value = isoDate(inThreeWeeks);
  }

  function onSearch(event) {
    event.preventDefault();
    const s = readSearch();
    const error = $("search-error");
    let message = "";
    const date = parseIsoDate(s.date);
    const today = new Date();
    today.setHours(0, 0, 0, 0);
    if (!s.from.code || !s.to.code) message = "Choose where you're flying from and to.";
    else if (s.from.code === s.to.code) message = "Departure and destination must be different.";
    else if (!date) message = "Choose a departure date.";
    else if (date < today) message = "The departure date can't be in the past.";
    error.textContent = message;
    error.hidden = !message;
    if (message) {
      sdk.track("form_invalid", { form: "search" });
      return;
    }
    state.search = s;
    state.flight = null;
    sdk.track("flights_searched", { route: `${s.from.code} → ${s.to.code}`, date: s.date, passengers: s.pax });
    renderResults(true);
    goTo("select");
  }

  function onSwap() {
    const from = $("from");
    const to = $("to");
    [from.value, to.value] = [to.value, from.value];
    fire(from);
    fire(to);
  }

  // ------------------------------------------------------------------ step 2: choose a flight

  function renderSelectHeader() {
    const s = state.search;
    if (!s) return;
    $("select-subtitle").textContent =
      `${s.from.name} → ${s.to.name} · ${formatDate(s.date)} · ${paxLabel(s.pax)}`;
  }

  function renderResults(withLoading) {
    const list = $("flight-list");
    const status = $("results-status");
    const token = ++state.resultsToken;
    if (withLoading) {
      list.replaceChildren(...[1, 2, 3].map(() => h("li", { class: "skeleton", "aria-hidden": "true" })));
      list.setAttribute("aria-busy", "true");
      status.textContent = "Searching flights…";
      delay(650).then(() => {
        if (token === state.resultsToken) renderResults(false);
      });
      return;
    }
    list.removeAttribute("aria-busy");
    list.replaceChildren(...FLIGHTS.map(flightCard));
    status.textContent = `${FLIGHTS.length} flights found · sorted by recommended`;
  }

  function flightCard(f) {
    const s = state.search;
    const stops = f.stops === 0
      ? h("span", { class: "flight-stops-direct", text: "Direct" })
      : h("span", { text: `1 stop · ${f.via}` });
    const perks = h("ul", { class: "fare-perks" }, f.perks.map(([included, label]) =>
      h("li", { class: included ? "yes" : "no" }, [
        perkIcon(included),
        h("span", { text: label }),
        included ? null : h("span", { class: "visually-hidden", text: " (not included)" }),
      ])));
    const priceLabel = f.wasCents ? `${f.promo} promo fare, ${fmt(f.priceCents)}, was ${fmt(f.wasCents)}` : fmt(f.priceCents);
    const button = h("button", {
      type: "button",
      class: "btn btn-primary",
      id: `select-${f.id}`,
      "aria-label": `Select flight ${f.id}, ${f.dep} to ${f.arr}, ${f.fareClass}, ${priceLabel} per adult`,
      text: "Select",
      on: { click: () => selectFlight(f) },
    });
    const total = s && s.pax > 1 ? ` · ${fmt(f.priceCents * s.pax)} total` : "";
    return h("li", {
      class: `flight-option${f.promo ? " is-promo" : ""}${state.flight === f ? " is-selected" : ""}`,
      "data-flight": f.id,
    }, [
      f.promo ? h("span", { class: "pill pill-promo flight-ribbon", text: `${f.promo} · Spring sale` }) : null,
      h("div", { class: "flight-main" }, [
        h("div", { class: "flight-times" }, [
          h("div", {}, [
            h("div", { class: "flight-time", text: f.dep }),
            h("div", { class: "flight-airport", text: s ? s.from.code : "" }),
          ]),
          h("div", { class: "flight-line" }, [
            h("span", { text: f.duration }),
            h("div", { class: "flight-track" }, planeIcon(16)),
            stops,
          ]),
          h("div", { class: "flight-end" }, [
            h("div", { class: "flight-time", text: f.arr }),
            h("div", { class: "flight-airport", text: s ? s.to.code : "" }),
          ]),
        ]),
        h("p", { class: "flight-meta", text: [f.id, f.viaNote, f.aircraft].filter(Boolean).join(" · ") }),
      ]),
      h("div", { class: "flight-fare" }, [
        h("span", { class: "fare-name", text: f.fareClass }),
        h("span", { class: "muted", text: ` · ${f.cabin}` }),
        perks,
      ]),
      h("div", { class: "flight-price" }, [
        f.wasCents ? h("span", { class: "price-was" }, [h("span", { class: "visually-hidden", text: "Was " }), fmt(f.wasCents)]) : null,
        h("span", { class: "price-now", text: fmt(f.priceCents) }),
        h("span", { class: "price-per", text: `per adult${total}` }),
        f.seatsLeft ? h("span", { class: "seats-left", text: `Only ${f.seatsLeft} seats left at this price` }) : null,
        button,
      ]),
    ]);
  }

  function selectFlight(flight) {
    if (state.flight !== flight) {
      state.creditsApplied = false;
      state.payAttempts = 0;
      $("apply-credits").checked = false;
      $("pay-error").hidden = true;
    }
    state.flight = flight;
    for (const card of $("flight-list").querySelectorAll(".flight-option")) {
      card.classList.toggle("is-selected", card.getAttribute("data-flight") === flight.id);
    }
    sdk.setContext({ flow: "booking", step: "select", data: contextData("select") });
    sdk.track("flight_selected", {
      flight: flight.id,
      fare_class: flight.fareClass,
      fare: euros(fareCents()),
      currency: CURRENCY,
      promo: flight.promo || null,
    });
    goTo("passenger");
  }

  // ------------------------------------------------------------------ step 3: passenger

  function prefillPassenger(previous) {
    if (!state.prefill) return;
    const t = state.traveller;
    const pairs = [
      ["passenger-name", t.name, previous && previous.name],
      ["passenger-email", t.email, previous && previous.email],
      ["passenger-phone", t.phone, previous && previous.phone],
      ["passenger-dob", t.dob, previous && previous.dob],
    ];
    for (const [id, value, old] of pairs) {
      const input = $(id);
      // Never overwrite what the traveller typed.
      if (input.value === "" || (old !== undefined && input.value === old)) {
        if (input.value !== value) {
          input.value = value;
          fire(input);
        }
      }
    }
  }

  function renderExtraPassengers() {
    const box = $("extra-passengers");
    const wanted = Math.max(0, (state.search ? state.search.pax : 1) - 1);
    while (box.children.length > wanted) box.lastElementChild.remove();
    while (box.children.length < wanted) {
      const n = box.children.length + 2;
      box.append(h("fieldset", { class: "extra-passenger" }, [
        h("legend", {}, [`Passenger ${n} `, h("span", { class: "muted", text: "· Adult" })]),
        h("div", { class: "form-grid" }, [
          fieldBlock(`passenger-${n}-name`, `passenger_${n}_name`, "Full name", { autocomplete: "off" }),
          fieldBlock(`passenger-${n}-dob`, `passenger_${n}_dob`, "Date of birth", { type: "date", autocomplete: "off" }),
        ]),
      ]));
    }
  }

  function fieldBlock(id, name, label, attrs) {
    const errorId = `${id}-error`;
    return h("div", { class: "field" }, [
      h("label", { for: id, text: label }),
      h("input", { id, name, required: true, "aria-describedby": errorId, ...attrs, on: { input: clearOwnError } }),
      h("p", { class: "field-error", id: errorId, hidden: true }),
    ]);
  }

  function setFieldError(input, message) {
    const error = $(`${input.id}-error`);
    if (message) {
      input.setAttribute("aria-invalid", "true");
      if (error) {
        error.textContent = message;
        error.hidden = false;
      }
    } else {
      input.removeAttribute("aria-invalid");
      if (error) {
        error.textContent = "";
        error.hidden = true;
      }
    }
  }

  function clearOwnError(event) {
    if (event.target.hasAttribute("aria-invalid")) setFieldError(event.target, "");
  }

  function ageOn(dobValue, onDate) {
    const dob = parseIsoDate(dobValue);
    if (!dob) return null;
    let age = onDate.getFullYear() - dob.getFullYear();
    const beforeBirthday = onDate.getMonth() < dob.getMonth()
      || (onDate.getMonth() === dob.getMonth() && onDate.getDate() < dob.getDate());
    if (beforeBirthday) age -= 1;
    return age;
  }

  /** Validate the passenger form. With show=false only answers; with show=true marks fields. */
  function passengerValid(show) {
    const checks = [];
    const name = $("passenger-name");
    const email = $("passenger-email");
    const phone = $("passenger-phone");
    const dob = $("passenger-dob");
    const now = new Date();
    checks.push([name, name.value.trim().length < 2 ? "Enter the lead passenger's full name." : ""]);
    checks.push([email, /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim()) ? "" : "Enter an email address like name@example.com."]);
    checks.push([phone, phone.value.replace(/\D/g, "").length >= 7 ? "" : "Enter a mobile number, including the country code."]);
    const age = ageOn(dob.value, now);
    let dobError = "";
    if (age === null) dobError = "Enter a date of birth.";
    else if (age < 0 || parseIsoDate(dob.value) > now) dobError = "The date of birth can't be in the future.";
    else if (age < 18) dobError = "The lead passenger must be 18 or older.";
    checks.push([dob, dobError]);
    for (const fieldset of $("extra-passengers").children) {
      for (const input of fieldset.querySelectorAll("input")) {
        const empty = input.value.trim() === "";
        checks.push([input, empty ? (input.type === "date" ? "Enter a date of birth." : "Enter this passenger's full name.") : ""]);
      }
    }
    const invalid = checks.filter(([, message]) => message);
    if (show) {
      for (const [input, message] of checks) setFieldError(input, message);
      if (invalid.length) invalid[0][0].focus();
    }
    return invalid.length === 0 ? true : (show ? invalid.map(([input]) => input.name) : false);
  }

  function onPassengerSubmit(event) {
    event.preventDefault();
    const result = passengerValid(true);
    if (result !== true) {
      sdk.track("form_invalid", { form: "passenger", fields: result });
      return;
    }
    goTo("payment");
  }

  // ------------------------------------------------------------------ step 4: payment

  function renderPayment(animate) {
    const f = state.flight;
    const s = state.search;
    if (!f || !s) return;
    $("credits-available").textContent = fmt(CREDITS_CENTS);
    $("apply-credits").checked = state.creditsApplied;
    const lines = $("price-lines");
    const fareLabel = `${f.fareClass} fare${f.promo ? ` (${f.promo})` : ""} × ${s.pax}`;
    const children = [
      h("dt", { text: fareLabel }), h("dd", { text: fmt(fareCents()) }),
      h("dt", { text: "Taxes and airport fees" }), h("dd", { text: "Included" }),
    ];
    if (state.creditsApplied) {
      // Deliberately low-key, as on many real sites: this is the confusing part of the story.
      children.push(
        h("dt", { class: "line-credit" }, ["Refund credits", h("sup", { text: "*" })]),
        h("dd", { class: "line-credit", text: `−${fmt(creditsUsedCents())}` }),
      );
    }
    lines.replaceChildren(...children);
    const due = $("amount-due");
    const text = fmt(fareCents() - creditsUsedCents());
    if (due.textContent !== text) {
      due.textContent = text;
      if (animate) {
        due.classList.add("is-changing");
        setTimeout(() => due.classList.remove("is-changing"), 300);
      }
    }
  }

  function onCreditsToggle() {
    state.creditsApplied = $("apply-credits").checked;
    if (state.step !== "payment") return; // a form reset, not the traveller
    renderPayment(true);
    sendContext();
    sdk.track("credits_toggled", { applied: state.creditsApplied });
  }

  function luhn(digits) {
    let sum = 0;
    let double = false;
    for (let i = digits.length - 1; i >= 0; i -= 1) {
      let d = Number(digits[i]);
      if (double) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      double = !double;
    }
    return sum % 10 === 0;
  }

  function cardBrand(digits) {
    if (/^4/.test(digits)) return "VISA";
    if (/^(5[1-5]|2[2-7])/.test(digits)) return "MASTERCARD";
    if (/^3[47]/.test(digits)) return "AMEX";
    return "";
  }

  function onCardNumberInput(event) {
    const input = event.target;
    const atEnd = input.selectionStart === input.value.length;
    const digits = input.value.replace(/\D/g, "").slice(0, 19);
    const grouped = digits.replace(/(\d{4})(?=\d)/g, "$1 ");
    if (atEnd && grouped !== input.value) input.value = grouped;
    $("card-brand").textContent = cardBrand(digits);
  }

  function onExpiryInput(event) {
    const input = event.target;
    if (input.selectionStart !== input.value.length) return;
    const digits = input.value.replace(/\D/g, "").slice(0, 4);
    const formatted = digits.length > 2 ? `${digits.slice(0, 2)} / ${digits.slice(2)}` : digits;
    if (formatted !== input.value) input.value = formatted;
  }

  function onCvcInput(event) {
    const input = event.target;
    const digits = input.value.replace(/\D/g, "").slice(0, 4);
    if (digits !== input.value) input.value = digits;
  }

  function paymentValid() {
    const number = $("card-number");
    const exp = $("card-exp");
    const cvc = $("card-cvc");
    const name = $("card-name");
    const digits = number.value.replace(/\D/g, "");
    const checks = [];
    let numberError = "";
    if (!digits) numberError = "Enter your card number.";
    else if (digits.length < 13 || !luhn(digits)) numberError = "This card number isn't valid. Check it and try again.";
    checks.push([number, numberError]);
    const match = /^(\d{2})\s*\/?\s*(\d{2})$/.exec(exp.value.trim());
    let expError = "";
    if (!match) expError = "Enter the expiry date as MM / YY.";
    else {
      const month = Number(match[1]);
      const year = 2000 + Number(match[2]);
      const endOfMonth = new Date(year, month, 1);
      if (month < 1 || month > 12) expError = "The month must be between 01 and 12.";
      else if (endOfMonth <= new Date()) expError = "This card has expired.";
    }
    checks.push([exp, expError]);
    checks.push([cvc, /^\d{3,4}$/.test(cvc.value) ? "" : "Enter the 3 or 4 digit security code."]);
    checks.push([name, name.value.trim().length < 2 ? "Enter the name shown on the card." : ""]);
    for (const [input, message] of checks) setFieldError(input, message);
    const invalid = checks.filter(([, message]) => message);
    if (invalid.length) invalid[0][0].focus();
    return invalid.map(([input]) => input.name);
  }

  function setPayBusy(busy) {
    const button = $("pay");
    button.disabled = busy;
    if (busy) {
      button.setAttribute("aria-busy", "true");
      button.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), "Processing payment…");
    } else {
      button.removeAttribute("aria-busy");
      button.replaceChildren("Pay now");
    }
  }

  async function onPay(event) {
    event.preventDefault();
    if (state.paying) return;
    $("pay-error").hidden = true;
    const invalid = paymentValid();
    if (invalid.length) {
      sdk.track("form_invalid", { form: "payment", fields: invalid });
      return;
    }
    state.paying = true;
    setPayBusy(true);
    sdk.track("payment_submitted", { total_due: euros(fareCents() - creditsUsedCents()), credits_applied: state.creditsApplied });
    await delay(1300);
    if (!state.paying || session.status !== "running") return; // the session ended meanwhile
    state.paying = false;
    setPayBusy(false);
    state.payAttempts += 1;
    if (state.payAttempts === 1) {
      // The demo fails the first attempt once, so the desk shows a real error in context.
      $("pay-error-text").textContent =
        "Your bank didn't authorise this payment (PAY-402). No money has been taken. Check your card details and try again.";
      $("pay-error").hidden = false;
      sdk.trackError({ code: "PAY-402", message: PAY_ERROR_MESSAGE });
      sendContext();
      return;
    }
    completeBooking();
  }

  function fillDemoCard() {
    const year = (new Date().getFullYear() + 3) % 100;
    const values = [
      ["card-number", "4242 4242 4242 4242"],
      ["card-exp", `12 / ${String(year).padStart(2, "0")}`],
      ["card-cvc", "123"],
      ["card-name", $("passenger-name").value.trim() || state.traveller.name],
    ];
    for (const [id, value] of values) {
      const input = $(id);
      input.value = value;
      setFieldError(input, "");
      fire(input);
    }
    $("card-brand").textContent = "VISA";
    $("pay").focus();
  }

  // ------------------------------------------------------------------ step 5: confirmed

  function completeBooking(fake) {
    sdk.clearSnapshot("booking"); // booked: nothing left to restore
    $("card-reask").hidden = true;
    const digits = $("card-number").value.replace(/\D/g, "");
    const names = [$("passenger-name").value.trim()];
    for (const input of $("extra-passengers").querySelectorAll("input[name$='_name']")) names.push(input.value.trim());
    const credits = creditsUsedCents();
    state.booking = {
      ref: bookingRef(),
      names: names.filter(Boolean),
      email: $("passenger-email").value.trim(),
      last4: digits.slice(-4) || (fake ? "4242" : ""),
      fareCents: fareCents(),
      creditsCents: credits,
      cardCents: fareCents() - credits,
    };
    session.status = "done";
    session.held = false;
    renderSession();
    reportSession();
    goTo("confirmed", { replace: true });
    sdk.track("booking_confirmed", {
      booking_ref: state.booking.ref,
      flight: state.flight.id,
      paid_with_credits: euros(state.booking.creditsCents),
      paid_by_card: euros(state.booking.cardCents),
    });
  }

  function renderConfirmed() {
    const b = state.booking;
    const f = state.flight;
    const s = state.search;
    if (!b || !f || !s) return;
    $("booking-ref").textContent = b.ref;
    $("confirmed-lede").textContent =
      `Your e-ticket is on its way to ${b.email}. Online check-in opens 30 hours before departure.`;
    const rows = [
      ["Flight", `${f.id} · ${s.from.name} (${s.from.code}) → ${s.to.name} (${s.to.code})`],
      ["Departs", `${formatDate(s.date, true)} at ${f.dep} · arrives ${f.arr} (local time)`],
      ["Fare", `${f.fareClass}${f.promo ? ` · ${f.promo} promo fare kept` : ""}`],
      [b.names.length > 1 ? "Passengers" : "Passenger", b.names.join(", ")],
      ["Total", fmt(b.fareCents)],
    ];
    if (b.creditsCents) rows.push(["Paid with refund credits", fmt(b.creditsCents)]);
    rows.push([`Charged to card${b.last4 ? ` •••• ${b.last4}` : ""}`, fmt(b.cardCents)]);
    const remaining = CREDITS_CENTS - b.creditsCents;
    rows.push(["Refund credits left", fmt(remaining)]);
    const list = $("confirmed-details");
    list.replaceChildren(...rows.flatMap(([term, value]) => [h("dt", { text: term }), h("dd", { text: value })]));
  }

  function newTrip() {
    state.flight = null;
    state.booking = null;
    state.creditsApplied = false;
    state.payAttempts = 0;
    $("payment-form").reset();
    $("card-brand").textContent = "";
    $("pay-error").hidden = true;
    for (const card of $("flight-list").querySelectorAll(".flight-option")) card.classList.remove("is-selected");
    startSession();
    goTo("search");
  }

  // ------------------------------------------------------------------ booking summary (sticky)

  function renderSummary() {
    const body = $("summary-body");
    const s = state.search;
    const f = state.flight;
    if (!s) {
      body.replaceChildren(h("p", { class: "summary-empty", text: "Search for a flight to start." }));
      return;
    }
    const nodes = [
      h("div", { class: "summary-route" }, [h("span", { text: s.from.code }), planeIcon(18), h("span", { text: s.to.code })]),
      h("p", { class: "summary-sub", text: `${s.from.name} to ${s.to.name}` }),
      h("p", { class: "summary-sub", text: `${formatDate(s.date)} · ${paxLabel(s.pax)} · One way` }),
    ];
    if (f) {
      nodes.push(h("div", { class: "summary-flight" }, [
        h("div", { class: "summary-flight-head" }, [
          h("span", { text: `${f.dep} – ${f.arr}` }),
          h("span", { text: f.id }),
        ]),
        h("p", { text: `${f.duration} · ${f.stops === 0 ? "Direct" : `1 stop (${f.via})`} · ${f.fareClass}` }),
        f.promo ? h("p", { class: "summary-promo" }, h("span", { class: "pill pill-promo", text: `${f.promo} promo fare` })) : null,
      ]));
      const lines = [
        h("dt", { text: `Fare × ${s.pax}` }), h("dd", { text: fmt(fareCents()) }),
      ];
      if (f.wasCents) {
        lines.push(h("dt", { class: "muted", text: "You save" }), h("dd", { class: "muted", text: fmt((f.wasCents - f.priceCents) * s.pax) }));
      }
      nodes.push(h("dl", { class: "summary-lines" }, lines));
      nodes.push(h("div", { class: "summary-total" }, [h("span", { text: "Total" }), h("span", { text: fmt(fareCents()) })]));
    } else {
      nodes.push(h("p", { class: "summary-empty", text: "Choose a flight to see your price." }));
    }
    body.replaceChildren(...nodes);
  }

  // ------------------------------------------------------------------ identity (demo backend)

  async function loadIdentity() {
    try {
      const response = await fetch("/demo/api/session", {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.json();
    } catch (err) {
      console.warn("[skyway] could not load the demo identity", err);
      return null;
    }
  }

  function applyIdentity(identity) {
    const user = identity && identity.user;
    if (!user) return;
    const previous = { ...state.traveller };
    if (user.name) state.traveller.name = String(user.name);
    if (user.email) state.traveller.email = String(user.email);
    const name = state.traveller.name;
    $("account-name").textContent = name;
    $("account-initials").textContent = name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join("");
    prefillPassenger(previous);
  }

  // ------------------------------------------------------------------ start

  /** `#select`, `#passenger`, `#payment`, `#confirmed`, `#expired` jump to a step with demo data. */
  function startAt(target) {
    if (target === "expired") {
      state.search = readSearch();
      expireSession();
      return;
    }
    const index = STEPS.indexOf(target);
    if (index <= 0) {
      goTo("search", { history: false, focus: false });
      return;
    }
    state.search = readSearch();
    renderResults(false);
    if (index >= 2) state.flight = FLIGHTS[0];
    if (target === "confirmed") {
      state.creditsApplied = true;
      completeBooking(true);
      return;
    }
    goTo(target, { replace: true, focus: false });
  }

  function wire() {
    $("search-form").addEventListener("submit", onSearch);
    $("swap").addEventListener("click", onSwap);
    $("passenger-form").addEventListener("submit", onPassengerSubmit);
    $("passenger-form").addEventListener("input", clearOwnError);
    $("payment-form").addEventListener("submit", onPay);
    $("payment-form").addEventListener("input", clearOwnError);
    $("apply-credits").addEventListener("change", onCreditsToggle);
    $("card-number").addEventListener("input", onCardNumberInput);
    $("card-exp").addEventListener("input", onExpiryInput);
    $("card-cvc").addEventListener("input", onCvcInput);
    $("demo-card").addEventListener("click", fillDemoCard);
    $("session-extend").addEventListener("click", extendSession);
    $("restart").addEventListener("click", () => {
      $("search-form").reset();
      setSearchDefaults();
      state.search = null;
      startSession();
      goTo("search");
    });
    $("book-again").addEventListener("click", newTrip);
    $("brand-home").addEventListener("click", (event) => {
      event.preventDefault();
      if (session.status === "expired") return;
      if (state.step === "confirmed") newTrip();
      else goTo("search");
    });
    document.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target.closest("[data-goto]") : null;
      if (!target) return;
      const step = target.getAttribute("data-goto");
      if (canEnter(step)) goTo(step);
    });
    window.addEventListener("popstate", onPopState);
  }

  function addHelpLink() {
    // A contextual entry point next to the confusing fine print; shown only when the SDK is ready.
    const button = h("button", { type: "button", class: "link-button", text: "Ask a SkyWay specialist" });
    button.addEventListener("click", () => {
      sdk.track("help_link_clicked", { step: state.step });
      sdk.open();
    });
    const note = h("p", { class: "small", id: "payment-help", hidden: true }, [
      "Not sure what will be charged? ", button, ". They can see your booking.",
    ]);
    $("price-lines").parentElement.append(note);
  }

  function main() {
    setSearchDefaults();
    addHelpLink();
    prefillPassenger();
    $("expired-minutes").textContent = durationWords(sessionSeconds);
    wire();
    renderSession();
    reportSession();
    setInterval(tick, 250);
    startAt(window.location.hash.slice(1));
    loadIdentity().then((identity) => {
      applyIdentity(identity);
      return sdk.start(identity);
    }).catch((err) => console.warn("[skyway] tapline start failed", err));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
