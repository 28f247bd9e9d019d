// The desk's entry point: boot (snapshot or sign-in), the shell (header, navigation,
// connection state, the views), the socket wiring, announcements and the title.
// Views: the desk's three columns, the wallboard and Configure (router.js); the last two
// are loaded the first time a supervisor opens them.

import { h, icon, render, announce, toast } from "./dom.js";
import { getState, signOut, ApiError } from "./api.js";
import { DeskSocket } from "./socket.js";
import {
  state, on, changed, applySnapshot, applyEvent, reset, setConn, markSeen, totalUnread, isLive, outcomeText,
} from "./store.js";
import * as actions from "./actions.js";
import { clip } from "./format.js";
import { showSignin } from "./signin.js";
import { mountSidebar } from "./sidebar.js";
import { mountThread, limits, focusReply } from "./thread.js";
import { mountContext } from "./context.js";
import { mountShortcuts, openHelp } from "./shortcuts.js";
import { whereText } from "./offers.js";
import { current as currentRoute, onRoute, linkHandler } from "./router.js";
import { board, bindBoard, applyBoard, loadBoard } from "./board.js";

const TITLES = { desk: "Desk · tapline", wallboard: "Wallboard · tapline", configure: "Configure · tapline" };
const TYPING_SHOWN_FOR = 8000;

// Where the desk can go. `visible` decides per specialist and `built` hides what isn't
// served yet.
const supervisor = (me) => Boolean(me && me.is_supervisor);
export const NAV = [
  { id: "desk", label: "Desk", href: "/desk", built: true, visible: () => true },
  { id: "wallboard", label: "Wallboard", href: "/desk/wallboard", built: true, visible: supervisor },
  { id: "configure", label: "Configure", href: "/desk/configure", built: true, visible: supervisor },
];

const app = document.getElementById("app");
let socket = null;
let shell = null; // the desk's DOM, built once and kept across sign-outs
let gapAt = -1;
let resyncing = false;
const conn = { el: null, text: null };
const layout = { el: null, tabs: [] };
const views = {}; // view id -> {nodes: [elements], mount?: () => Promise, mounted}
let navCount = null;

// ---- boot

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
  const retry = h("button.btn.btn-primary", { type: "button", onclick: () => boot() }, "Try again");
  app.replaceChildren(h("main.signin", null, h("div.signin-card", null,
    h("h1", null, "The desk can't reach the server"),
    h("p", null, clip((err && err.message) || "Unknown error", 300)),
    retry)));
  retry.focus();
  window.addEventListener("online", boot, { once: true });
}

function signinScreen(note = "") {
  if (socket) socket.stop();
  socket = null;
  reset();
  document.body.classList.remove("is-desk");
  document.title = `Sign in · tapline`;
  showSignin(app, {
    note,
    onSignedIn: async () => {
      const snap = await getState();
      startDesk(snap);
    },
  });
}

function startDesk(snap) {
  if (snap && snap.limits && Number.isFinite(snap.limits.message_bytes)) limits.messageBytes = snap.limits.message_bytes;
  if (!shell) buildShell();
  document.body.classList.add("is-desk");
  if (!shell.every((n) => n.isConnected)) app.replaceChildren(...shell);
  bindBoard(snap && snap.specialist ? snap.specialist.id : "");
  applySnapshot(snap);
  showView(currentRoute());
  if (socket) socket.stop();
  const openedOnWallboard = location.pathname.replace(/\/+$/, "") === "/desk/wallboard";
  socket = new DeskSocket({
    lastSeq: () => state.lastSeq,
    watch: () => openedOnWallboard,
    onEvent,
    onSignal,
    onStatus: (status, attempt) => setConn(status, attempt),
    isSignedIn: async () => {
      try {
        await getState();
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return false;
        throw err;
      }
    },
    onSignedOut: () => signinScreen("Your session ended. Sign in again to continue; unsent replies are kept."),
    onAck: actions.onAck,
    onFrameError: actions.onFrameError,
    storageKey: state.me && state.me.id ? `tapline.desk.outbox.${state.me.id}` : undefined,
  });
  actions.bindSocket(socket);
  actions.restorePending(socket.pending().filter((f) => f.type === "message"));
  socket.start();
}

// ---- socket wiring

function onEvent(ev) {
  if (resyncing) return;
  const result = applyEvent(ev, notify);
  if (result !== "gap") return;
  // An event is missing. Reconnecting with hello(last_seq) makes the server replay it;
  // if the same gap comes back, rebuild from a fresh snapshot instead.
  if (gapAt !== state.lastSeq) {
    gapAt = state.lastSeq;
    socket.ws?.close(4000, "gap");
  } else {
    resync();
  }
}

async function resync() {
  if (resyncing || !socket) return;
  resyncing = true;
  try {
    const snap = await getState();
    // Keep the socket and its outbox (unacked accept/resolve frames survive); reconnect so
    // `hello` carries the snapshot's seq.
    applySnapshot(snap);
    actions.restorePending(socket.pending().filter((f) => f.type === "message"));
    socket.ws?.close(4000, "resync");
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
      if (Number.isFinite(frame.last_seq) && frame.last_seq < state.lastSeq) resync(); // the stream went back
      // Typing hints are passing state; the server resends what still holds.
      for (const r of state.requests.values()) r.typingUntil = 0;
      changed("list", "thread");
      // Signals are not replayed: take the whole wallboard again after a reconnect.
      if (state.me && state.me.is_supervisor && !board.forbidden) loadBoard();
      break;
    case "wallboard":
      applyBoard(frame);
      break;
    case "config": // a supervisor (maybe this one) saved configuration
      state.lastConfig = { what: String(frame.what), id: frame.id == null ? null : String(frame.id), change: String(frame.change) };
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
      break; // pong and anything new
  }
}

function customerName(c) {
  return clip((c && (c.name || c.email)) || "a customer", 60);
}

function notify(kind, data) {
  switch (kind) {
    case "offer": {
      const where = whereText(data.context);
      announce(`New offer from ${customerName(data.customer)}${where ? `, ${where}` : ""}. Alt+A to accept.`);
      break;
    }
    case "offer.withdrawn": {
      const why = { expired: "it expired", declined: "declined", taken: "taken by someone else", cancelled: "the customer cancelled" };
      announce(`Offer from ${customerName(data.offer.customer)} withdrawn: ${why[data.reason] || data.reason || "withdrawn"}.`);
      break;
    }
    case "assigned":
      announce(`Connected with ${customerName(data.request.customer)}.`);
      if (data.mine && (document.activeElement === document.body || !document.activeElement)) focusReply();
      break;
    case "message":
      announce(data.seen
        ? `${customerName(data.request.customer)}: ${clip(data.message.body, 300)}`
        : `New message from ${customerName(data.request.customer)}.`);
      break;
    case "closed":
      announce(`Chat with ${customerName(data.request.customer)}: ${outcomeText(data.request)}.`);
      break;
    case "left":
      toast(data.request.callback
        ? `${customerName(data.request.customer)} didn't take the callback now: the request is back in the queue with its context.`
        : `${customerName(data.request.customer)}'s request went back to the queue with its context.`);
      announce(`${customerName(data.request.customer)}'s request left your list: back in the queue.`);
      break;
    case "ring_ended":
      announce(`${customerName(data.request.customer)}: ${data.text}.`);
      break;
    case "rated":
      announce(`${customerName(data.request.customer)} rated the chat ${data.request.rating.score} of 5.`);
      break;
    default:
      break;
  }
}

// ---- the shell

function buildShell() {
  const nav = h("nav.topnav", { aria: { label: "Desk sections" } });
  conn.text = h("span.conn-text");
  conn.el = h("div.conn", { role: "status", aria: { live: "polite" } }, h("span.conn-dot", { aria: { hidden: "true" } }), conn.text);
  const helpBtn = h("button.icon-button", {
    type: "button", title: "Keyboard shortcuts (?)", aria: { label: "Keyboard shortcuts", keyshortcuts: "?" }, onclick: openHelp,
  }, icon("keyboard", 18));
  const meName = h("span.header-me");
  const signoutBtn = h("button.btn.btn-quiet", { type: "button", onclick: doSignOut }, icon("signout", 14), "Sign out");
  const header = h("header.topbar", null,
    h("div.brand", null, h("span.brand-mark", { aria: { hidden: "true" } }, icon("chat", 16)), "tapline"),
    nav, h("div.topbar-spacer"), conn.el, helpBtn, meName, signoutBtn);

  const left = h("aside.col.col-left", { id: "inbox", aria: { label: "Inbox: my status, offers, requests and queues" } });
  const middle = h("main.col.col-middle", { id: "thread" });
  // tabindex: a column with nothing focusable must still scroll from the keyboard.
  const right = h("aside.col.col-right", { id: "context", tabindex: "0", aria: { label: "Customer context" } });
  const inboxCount = h("span.count");
  layout.inboxCount = inboxCount;
  const tabs = [["inbox", "Inbox", "inbox"], ["thread", "Chat", "chat"], ["context", "Context", "user"]].map(([pane, label, ic]) =>
    h("button.pane-tab", { type: "button", dataset: { pane }, aria: { controls: pane }, onclick: () => setPane(pane) },
      icon(ic, 16), label, pane === "inbox" ? inboxCount : null));
  layout.tabs = tabs;
  const tabbar = h("nav.pane-tabs", { aria: { label: "Panels" } }, tabs);
  layout.el = h("div.layout", null, left, middle, right);
  const skip = h("a.skip-link", { href: "#reply" }, "Skip to the reply box");
  const boardMain = h("main.view.view-wallboard", { id: "wallboard", hidden: true });
  const configMain = h("main.view.view-configure", { id: "configure", hidden: true });
  views.desk = { nodes: [skip, tabbar, layout.el], mounted: true };
  views.wallboard = { nodes: [boardMain], mount: () => import("./wallboard.js").then((m) => m.mountWallboard(boardMain)) };
  views.configure = { nodes: [configMain], mount: () => import("./configure.js").then((m) => m.mountConfigure(configMain)) };
  shell = [skip, header, tabbar, layout.el, boardMain, configMain];
  setPane("inbox");
  onRoute(showView);

  mountSidebar(left);
  mountThread(middle);
  mountContext(right);
  mountShortcuts();
  document.addEventListener("desk:pane", (e) => setPane(e.detail));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") markSeen();
  });
  window.addEventListener("online", () => changed("conn"));
  window.addEventListener("offline", () => changed("conn"));

  navCount = h("span.count");
  on("me", () => {
    const me = state.me || {};
    meName.textContent = clip(me.name || "", 40);
    drawNav(nav);
  });
  on("route", () => drawNav(nav));
  on("conn", drawConn);
  on("offers", drawTitle);
  on("list", drawTitle);
}

function drawNav(nav) {
  const me = state.me || {};
  const { view } = currentRoute();
  const items = NAV.filter((item) => item.built && item.visible(me));
  document.body.classList.toggle("has-nav", items.length >= 2);
  // A lone "Desk" link is no navigation at all.
  render(nav, items.length < 2 ? null : items.map((item) =>
    h("a.topnav-link", {
      href: item.href,
      dataset: { key: `nav-${item.id}` },
      aria: { current: item.id === view ? "page" : undefined },
      onclick: linkHandler,
    }, item.label, item.id === "desk" ? navCount : null)));
}

/** Show one view, mounting it the first time; the others are hidden, not torn down. */
function showView(route) {
  const view = views[route.view] ? route.view : "desk";
  for (const [id, v] of Object.entries(views)) for (const n of v.nodes) n.hidden = id !== view;
  document.body.dataset.view = view;
  const v = views[view];
  if (!v.mounted) {
    v.mounted = true;
    v.mount().catch((err) => {
      v.mounted = false;
      toast(`This view could not load: ${err.message}`, "error");
    });
  }
  if (view === "wallboard" && state.me && state.me.is_supervisor && !board.data) loadBoard();
  state.route = route;
  changed("route");
  drawTitle();
}

function setPane(pane) {
  layout.el.dataset.pane = pane;
  for (const t of layout.tabs) t.setAttribute("aria-pressed", String(t.dataset.pane === pane));
}

function drawConn() {
  const { status, attempt } = state.conn;
  let text = "Connecting…";
  let kind = "pending";
  if (!navigator.onLine && status !== "stopped") {
    text = "Offline";
    kind = "bad";
  } else if (status === "connected") {
    text = "Connected";
    kind = "good";
  } else if (status === "reconnecting") {
    text = `Reconnecting… (attempt ${attempt})`;
  } else if (status === "offline") {
    text = "Offline";
    kind = "bad";
  } else if (status === "stopped") {
    text = "Signed out";
    kind = "bad";
  }
  conn.text.textContent = text;
  conn.el.dataset.kind = kind;
  document.body.dataset.conn = kind;
}

function drawTitle() {
  const n = state.offers.size + totalUnread();
  const base = TITLES[document.body.dataset.view] || TITLES.desk;
  document.title = n ? `(${n}) ${base}` : base;
  const label = n ? `${state.offers.size} offers, ${totalUnread()} unread` : "";
  for (const el of [layout.inboxCount, navCount]) {
    if (!el) continue;
    el.textContent = n ? String(n) : "";
    el.title = label;
  }
}

async function doSignOut() {
  const open = [...state.requests.values()].filter(isLive).length;
  if (open && !window.confirm(`You have ${open} open chat${open > 1 ? "s" : ""}. Sign out anyway?`)) return;
  socket?.clearOutbox();
  socket?.stop();
  try {
    await signOut();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) toast(`Sign-out failed: ${err.message}`, "error");
  }
  signinScreen("You signed out.");
}

boot();
