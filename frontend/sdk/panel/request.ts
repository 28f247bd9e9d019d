// The help request: asking for it, resuming or adopting one, keeping it in storage, its state
// and the host's events (assist:start, state, assist:end), the context sent while it is
// active, and its end.

import { type JsonObject, obj, str } from "../../shared/json";
import { newId } from "../../shared/ids";
import { setBusy, showNotice } from "../controls";
import { ACTIVE_STATES, ENDED_STATES, readEstimate, readOffers, readQueue } from "../shapes";
import { storageGet, storageSet } from "../storage";
import { type StoredRequest, storedJson } from "../stored";
import { cap } from "../text";
import { connect, setPeerTyping, write } from "./connection";
import { loadExt, needsExt } from "./ext";
import { close, focusView } from "./focus";
import { paintStars, render, renderConn, say } from "./render";
import { ownMessage } from "./thread";
import { type Panel, type Req } from "./types";
import { DESCRIPTION_MAX } from "./view";

const CONTEXT_DEBOUNCE = 400;
export const CARD_NOTICE = "Card numbers stay on your device, so we removed one from what you wrote.";

// ---------------------------------------------------------------- storage

// A request whose customer asked to be called back outlives the tab: it is kept in
// localStorage so another tab, or a page opened again later, resumes it and rings.
function keepsAcrossTabs(req: Req): boolean {
  const cb = req.callback;
  return ACTIVE_STATES.has(req.state) && (req.state === "scheduled" || !!(cb && cb.state !== "cancelled"));
}

export function saveReq(p: Panel): void {
  const keys = p.core.keys;
  const req = p.req;
  if (!req) {
    storageSet(keys.store, null);
    return;
  }
  const saved: StoredRequest = {
    request_id: req.request_id,
    customer_token: req.customer_token,
    last_seq: req.last_seq,
    state: req.state,
    cause: req.cause || null,
    // Context is rebuilt on the next page; messages, cancels and ratings are kept.
    outbox: (p.stream?.pending() ?? []).filter((f) => f.type !== "context"),
    draft: p.ui.compose.value,
    estimate: req.estimate,
    options: req.options,
    queue: req.queue,
    callback: req.callback,
  };
  storageSet(keys.store, storedJson(saved));
  const live = obj(storageGet(keys.live, true));
  if (keepsAcrossTabs(req)) {
    // The journey so far goes with it, so a page opened later still tells the specialist.
    storageSet(keys.live, { ...storedJson(saved), outbox: [], draft: "", ...p.core.history() }, true);
  } else if (live && live.request_id === req.request_id) {
    storageSet(keys.live, null, true);
  }
}

/** Once after a run of events (a replay is many), not after each. */
export function saveReqSoon(p: Panel): void {
  if (p.saveQueued) return;
  p.saveQueued = true;
  queueMicrotask(() => {
    p.saveQueued = false;
    saveReq(p);
  });
}

function newReq(d: StoredRequest): Req {
  return {
    request_id: d.request_id, customer_token: d.customer_token, last_seq: 0, state: d.state,
    cause: d.cause, specialist: null, draft: d.draft, estimate: d.estimate, options: d.options,
    queue: d.queue, callback: d.callback, ring: null, adopted: false, joined: false,
  };
}

// ---------------------------------------------------------------- context

export function requestActive(p: Panel): boolean {
  return !!p.req && ACTIVE_STATES.has(p.req.state);
}

export function contextChanged(p: Panel): void {
  if (!requestActive(p)) return;
  p.contextDirty = true;
  clearTimeout(p.contextTimer);
  p.contextTimer = setTimeout(() => flushContext(p), CONTEXT_DEBOUNCE);
}

/** Send the context if it changed; only the newest unacknowledged one is kept. */
export function flushContext(p: Panel): void {
  p.contextTimer = undefined;
  if (!requestActive(p) || !p.contextDirty) return;
  const c = p.core.buildContext();
  const json = JSON.stringify(c);
  p.contextDirty = false;
  if (json === p.lastContextJson) return;
  p.lastContextJson = json;
  write(p, { type: "context", id: newId(), context: c });
}

// ---------------------------------------------------------------- asking for help

export function submitDescribe(p: Panel): void {
  const ui = p.ui;
  const text = ui.describe.value.trim();
  if (!text) {
    ui.describeError.textContent = "Please tell us a little about what's happening.";
    ui.describeError.hidden = false;
    ui.describe.setAttribute("aria-invalid", "true");
    ui.describe.setAttribute("aria-errormessage", ui.describeError.id);
    ui.describe.focus();
    return;
  }
  const clean = p.core.scrub(text);
  if (clean !== text) ui.describe.value = clean;
  createRequest(p, cap(clean, DESCRIPTION_MAX), clean !== text);
}

const CREATE_FAILED: Record<number, string> = {
  413: "That was too much to send at once. Please shorten your description and try again.",
  403: "Help isn't available on this page right now. Please try again later.",
  422: "Something in the request wasn't accepted. Please check your description and try again.",
  429: "Too many requests just now. Please wait a moment and try again.",
};
const UNREACHABLE = "We couldn't reach help just now. Your description is kept — please try again.";

function createRequest(p: Panel, description: string, scrubbed: boolean): void {
  if (p.creating) return;
  p.creating = true;
  if (!p.createId) p.createId = newId();
  const u = p.core.opts.user ?? {};
  const context = p.core.buildContext();
  const body = {
    id: p.createId,
    description,
    user: {
      id: u.id == null ? null : String(u.id),
      name: u.name == null ? null : p.core.scrub(String(u.name)),
      email: u.email == null ? null : String(u.email),
      token: u.token == null ? null : String(u.token),
    },
    context,
  };
  const ui = p.ui;
  setBusy(ui.requestBtn, true, "Requesting…");
  showNotice(ui.describeNotice, scrubbed ? CARD_NOTICE : "");
  p.core.api("POST", "/requests", body).then(
    (r) => {
      p.creating = false;
      setBusy(ui.requestBtn, false);
      const data = r.ok ? r.data : null;
      if (data && data.request_id) {
        p.lastContextJson = JSON.stringify(context);
        created(p, data, scrubbed);
        return;
      }
      if (r.status === 422) p.createId = null;
      showNotice(ui.describeNotice, CREATE_FAILED[r.status] ?? UNREACHABLE);
    },
    () => {
      p.creating = false;
      setBusy(ui.requestBtn, false);
      showNotice(ui.describeNotice, navigator.onLine === false
        ? "You're offline. Your description is kept — try again when you're back online."
        : UNREACHABLE);
    },
  );
}

function created(p: Panel, data: JsonObject, scrubbed: boolean): void {
  p.createId = null;
  p.req = newReq({
    request_id: String(data.request_id), customer_token: String(data.customer_token), last_seq: 0,
    state: str(data.state) || "waiting", cause: str(data.cause), outbox: [], draft: "",
    estimate: readEstimate(data.estimate), options: readOffers(data.options), queue: readQueue(data.queue), callback: null,
  });
  p.seenAtLoad = 0;
  p.messages = [];
  p.ui.describe.value = "";
  saveReq(p);
  fireStart(p);
  emitState(p);
  if (needsExt(p)) loadExt(p);
  render(p);
  if (p.ext) p.ext.estimate();
  else say(p, "Finding a specialist…");
  if (scrubbed) showNotice(p.ui.threadNotice, CARD_NOTICE);
  focusView(p);
  connect(p);
}

// Adopt a request this tab didn't start: from another tab (localStorage) or another device
// (GET /customers/requests). Its thread is history: nothing in the replay is announced.
export function adopt(p: Panel, d: StoredRequest): void {
  if (p.req || !ACTIVE_STATES.has(d.state)) return;
  p.req = newReq(d);
  p.req.adopted = true;
  p.seenAtLoad = Infinity;
  p.messages = [];
  saveReq(p);
  fireStart(p);
  if (needsExt(p)) loadExt(p);
  render(p);
  connect(p);
}

// A request stored by an earlier page of this tab, or kept for every tab (a callback).
export function resume(p: Panel, stored: StoredRequest): void {
  if (p.req) return;
  p.req = newReq(stored);
  // Replay the whole stream to rebuild the thread; events up to the stored last_seq were
  // seen on an earlier page and are not announced again.
  p.seenAtLoad = stored.last_seq || 0;
  for (const f of stored.outbox) {
    if (f.type === "message") p.messages.push(ownMessage(f.id, str(f.body) ?? ""));
  }
  if (p.req.draft) p.ui.compose.value = p.req.draft;
  if (ACTIVE_STATES.has(p.req.state)) fireStart(p);
  if (needsExt(p)) loadExt(p);
  render(p);
  connect(p, stored.outbox);
}

export function cancelRequest(p: Panel): void {
  if (!requestActive(p)) return;
  setBusy(p.ui.cancelBtn, true, "Cancelling…");
  write(p, { type: "cancel", id: newId() });
}

// ---------------------------------------------------------------- state

export function setState(p: Panel, state: string, cause: string | null): void {
  const req = p.req;
  if (!req || !state) return;
  const prev = req.state;
  req.state = state;
  if (state === "connected") req.joined = true;
  if (cause !== null) req.cause = cause;
  // The server posts a system message when a specialist drops, so no notice of our own.
  const live = caughtUp(p);
  if (state !== prev) {
    if (state === "connected") showNotice(p.ui.threadNotice, "");
    if (!ACTIVE_STATES.has(state)) clearTimeout(p.contextTimer);
  }
  if (live && state !== p.lastEmitted) emitState(p);
  saveReq(p);
  render(p);
  if (live && state !== prev && p.isOpen && (ENDED_STATES.has(state) || state === "connected")) focusView(p, true);
  maybeFireEnd(p);
}

// Live once the socket said welcome and the replay is in. (The server may send the replay
// before or after `welcome`; events before it are history either way.)
export function caughtUp(p: Panel): boolean {
  return !!p.req && !!p.stream?.ready && p.req.last_seq >= p.replayUntil;
}

function maybeFireEnd(p: Panel): void {
  const req = p.req;
  if (!req || !ENDED_STATES.has(req.state) || !caughtUp(p)) return;
  if (p.startFired === req.request_id && p.endFired !== req.request_id) {
    p.endFired = req.request_id;
    setPeerTyping(p, false);
    p.core.emit("assist:end", { requestId: req.request_id, state: req.state, cause: req.cause || null });
  }
}

function fireStart(p: Panel): void {
  if (!p.req || p.startFired === p.req.request_id) return;
  p.startFired = p.req.request_id;
  p.core.emit("assist:start", { requestId: p.req.request_id });
}

function emitState(p: Panel): void {
  if (!p.req) return;
  p.lastEmitted = p.req.state;
  p.core.emit("state", { state: p.req.state, requestId: p.req.request_id, cause: p.req.cause || null });
}

// ---------------------------------------------------------------- the end

/** The socket refused the stored request (4401), or the server doesn't know it. */
export function resumeRefused(p: Panel): void {
  const old = p.req;
  endRequest(p);
  if (old && p.startFired === old.request_id && p.endFired !== old.request_id) {
    p.endFired = old.request_id;
    p.core.emit("assist:end", { requestId: old.request_id, state: old.state, cause: "resume_refused" });
  }
  render(p);
  showNotice(p.ui.describeNotice, "We couldn't reopen your earlier help request. Please tell us again what's getting in your way.");
}

export function endRequest(p: Panel): void {
  const ui = p.ui;
  const old = p.req;
  const stream = p.stream;
  clearTimeout(p.contextTimer);
  p.req = null;
  p.stream = null;
  p.messages = [];
  p.lastContextJson = null;
  p.contextDirty = false;
  stream?.stop();
  setPeerTyping(p, false);
  const live = obj(storageGet(p.core.keys.live, true));
  if (old && live && live.request_id === old.request_id) storageSet(p.core.keys.live, null, true);
  p.ext?.reset();
  storageSet(p.core.keys.store, null);
  ui.compose.value = "";
  ui.comment.value = "";
  for (const star of ui.stars) star.input.checked = false;
  paintStars(p, 0);
  showNotice(ui.threadNotice, "");
  showNotice(ui.outcomeNotice, "");
  setBusy(ui.cancelBtn, false);
  setBusy(ui.rateBtn, false);
  renderConn(p);
}

export function finishRating(p: Panel): void {
  const kept = p.messages;
  endRequest(p);
  p.kept = kept;
  p.view = "thanks";
  render(p);
  if (p.isOpen) focusView(p);
}

export function closeOutcome(p: Panel): void {
  endRequest(p);
  p.view = "describe";
  render(p);
  close(p);
}
