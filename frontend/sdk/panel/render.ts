// Drawing the panel from its state: which view and which part of the thread shows, the
// header, the honest connection state, the outcome, the counters under the text boxes.

import { ENDED_STATES } from "../shapes";
import { byteLength } from "../text";
import { renderMessages } from "./thread";
import { type Panel, type ThreadMode, type View } from "./types";
import { COMPOSE_HELP, DESCRIPTION_MAX } from "./view";
import { loadExt } from "./ext";
import { dropAsk, renderEnded } from "./end";

// A callback still to come (the engine's `retrying` is between two rings).
const LIVE_CALLBACK: ReadonlySet<string> = new Set(["promised", "ringing", "retrying"]);

function currentView(p: Panel): View {
  if (p.view === "thanks" && !p.req) return "thanks";
  if (!p.req) return "describe";
  if (ENDED_STATES.has(p.req.state)) return "outcome";
  return "thread";
}

// Which part of the thread view shows: the waiting/choice screen, the chat, or one of the
// callbacks piece's screens (in-queue callback, slot picker, booked slot, ringing).
export function threadMode(p: Panel): ThreadMode {
  const req = p.req;
  if (!req) return "wait";
  const cb = req.callback;
  const s = req.state;
  if (req.ring) return "ring";
  if (s === "connected") return "chat";
  if (p.ext && p.ext.picking()) return "pick";
  if (s === "scheduled" || (cb && cb.kind === "scheduled" && cb.state === "promised")) return "scheduled";
  if (s === "new") return "pick";
  if (cb && cb.kind === "in_queue" && cb.state && LIVE_CALLBACK.has(cb.state)) return "callback";
  return "wait";
}

export function render(p: Panel): void {
  const ui = p.ui;
  const prev = p.view;
  const view = (p.view = currentView(p));
  ui.describeForm.hidden = view !== "describe";
  ui.thread.hidden = view !== "thread";
  ui.outcome.hidden = view !== "outcome";
  ui.thanks.hidden = view !== "thanks";
  ui.panel.setAttribute("data-view", view);
  if (view === "describe") p.kept = [];
  renderHeading(p);
  if (view === "thread") renderThread(p);
  else if (p.ext && p.req) p.ext.render("off");
  // The cancel question goes once there is nothing left to cancel from here: the chat or a
  // ring took the screen, or the request ended.
  if (view !== "thread" || ["chat", "ring"].includes(threadMode(p))) dropAsk(p);
  if (view === "outcome" || view === "thanks") renderEnded(p);
  else ui.transcriptTools.hidden = true;
  if (view === "outcome") renderOutcome(p);
  if (view === "describe") updateDescribe(p);
  // At the end the card sits under the kept conversation: show the card.
  if (prev !== view) ui.body.scrollTop = view === "outcome" || view === "thanks" ? ui.body.scrollHeight : 0;
}

function renderHeading(p: Panel): void {
  const ui = p.ui;
  const sp = p.req?.specialist;
  if (p.view === "thread" && p.req?.state === "connected" && sp?.name) {
    ui.title.textContent = sp.name;
    ui.subtitle.textContent = sp.role ? sp.role : "Specialist";
  } else {
    ui.title.textContent = "Get help";
    ui.subtitle.textContent = p.core.appName ? `${p.core.appName} support` : "";
  }
  ui.subtitle.hidden = !ui.subtitle.textContent;
}

function renderThread(p: Panel): void {
  const ui = p.ui;
  const mode = threadMode(p);
  const own = mode === "wait" || mode === "chat" || !p.ext; // what the panel draws itself
  const modeChanged = mode !== p.shownMode;
  p.shownMode = mode;
  if (mode !== "wait" && mode !== "chat") loadExt(p);
  ui.waiting.hidden = mode === "chat" || !own;
  ui.ext.hidden = own;
  ui.composeForm.hidden = mode !== "chat";
  ui.log.hidden = mode === "ring" || (!p.messages.length && p.req?.state !== "connected");
  ui.typing.hidden = ui.typing.hidden || mode === "ring";
  // Notices sit under what they are about: the chat's compose box, or the top screen.
  const noticeAt = mode === "chat" ? ui.composeForm : ui.log;
  if (ui.threadNotice.nextSibling !== noticeAt) ui.thread.insertBefore(ui.threadNotice, noticeAt);
  p.ext?.render(mode);
  renderMessages(p);
  updateCompose(p);
  if (modeChanged) ui.body.scrollTop = mode === "chat" ? ui.body.scrollHeight : 0;
}

const DEAD_ENDS: Record<string, string> = {
  abandoned: "No specialist was able to take your request in time.",
  disconnected: "The connection was lost before we could finish.",
  missed_callback: "We missed the callback we promised.",
  unresolved: "Your specialist couldn't resolve the problem.",
};

function renderOutcome(p: Panel): void {
  const s = p.req?.state;
  let title: string;
  let text: string;
  if (s === "resolved") {
    title = "Your request is resolved.";
    text = "We hope everything is working for you now.";
  } else if (s === "cancelled") {
    title = "Your request was cancelled.";
    text = "If you still need help, you can ask again at any time.";
  } else {
    title = "We couldn't finish helping you this time.";
    const cause = p.req?.cause ?? "";
    text = `${DEAD_ENDS[cause] ?? "The request ended without a solution."} We're sorry. If you still need help, you can ask again at any time.`;
  }
  p.ui.outcomeTitle.textContent = title;
  p.ui.outcomeText.textContent = text;
  // No rating question when no specialist ever joined: there was no help to rate.
  const rate = !!p.req?.joined;
  p.ui.ratingBox.hidden = !rate;
  p.ui.rateBtn.hidden = !rate;
}

/** Connected, Reconnecting… or Offline: the socket counts only once welcomed. */
export function renderConn(p: Panel): void {
  const ui = p.ui;
  let state: "connected" | "offline" | "reconnecting";
  if (navigator.onLine === false) state = "offline";
  else if (p.req) state = p.stream?.ready ? "connected" : "reconnecting";
  else state = p.core.configState === "failed" ? "reconnecting" : p.core.configState === "refused" ? "offline" : "connected";
  const text = state === "connected" ? "Connected" : state === "offline" ? "Offline" : "Reconnecting…";
  if (ui.connText.textContent !== text) ui.connText.textContent = text;
  ui.conn.setAttribute("data-state", state);
  ui.panel.setAttribute("data-conn", state);
}

/** The launcher's description: who is calling (while ringing), else the unread count. */
export function renderUnread(p: Panel): void {
  const ui = p.ui;
  ui.badge.hidden = !p.unread && !p.ringHint;
  ui.host.classList.toggle("tl-ringing", !!p.ringHint);
  const count = p.unread === 1 ? "1 new message" : p.unread ? `${p.unread} new messages` : "";
  ui.unreadText.textContent = p.ringHint || count;
}

export function setRingHint(p: Panel, text: string): void {
  p.ringHint = text || "";
  renderUnread(p);
}

export function updateDescribe(p: Panel): void {
  const ui = p.ui;
  const n = ui.describe.value.length;
  ui.describeCount.textContent = `${n} / ${DESCRIPTION_MAX}`;
  if (n && ui.describeError.textContent) {
    ui.describeError.textContent = "";
    ui.describeError.hidden = true;
    ui.describe.removeAttribute("aria-invalid");
  }
}

export function updateCompose(p: Panel): void {
  const ui = p.ui;
  const bytes = byteLength(ui.compose.value);
  const max = p.core.limits.message_bytes;
  const over = bytes > max;
  ui.sendBtn.disabled = over;
  ui.compose.toggleAttribute("aria-invalid", over);
  ui.composeHelp.classList.toggle("tl-field-error", over);
  if (over) {
    ui.composeHelp.textContent = `This message is too long to send (${bytes} of ${max} bytes). Please shorten it or split it into two messages.`;
  } else if (bytes > max * 0.8) {
    ui.composeHelp.textContent = `${max - bytes} bytes left`;
  } else {
    ui.composeHelp.textContent = COMPOSE_HELP;
  }
}

export function paintStars(p: Panel, n: number, hover = false): void {
  p.ui.stars.forEach((star, i) => {
    star.label.classList.toggle("tl-on", i < n);
    star.label.classList.toggle("tl-hover", hover && i < n);
  });
}

export function checkedStars(p: Panel): number {
  let n = 0;
  p.ui.stars.forEach((star, i) => {
    if (star.input.checked) n = i + 1;
  });
  return n;
}

/** Said to screen readers through the polite status region. */
export function say(p: Panel, text: string): void {
  p.ui.announcer.textContent = "";
  setTimeout(() => {
    p.ui.announcer.textContent = text;
  }, 50);
}
