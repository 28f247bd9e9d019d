// The desk's entry point: boot (snapshot or sign-in), the shell (header, navigation,
// connection state, the views), the socket wiring, announcements and the title.
// Views: the desk's three columns, the wallboard and Configure (router.ts); the last two
// are chunks loaded the first time a supervisor opens them.

import { h, icon, render, announce, toast } from "./dom";
import { getState, signOut, ApiError, type DeskState } from "./api";
import { DeskSocket } from "./socket";
import {
  state, on, changed, applySnapshot, applyEvent, reset, setConn, markSeen, totalUnread, isLive, outcomeText,
  type Me, type Notice,
} from "./store";
import * as actions from "./actions";
import { bindCobrowse, cobrowseEvent, cobrowseSignal } from "./cobrowse";
import { clip } from "./format";
import { showSignin } from "./signin";
import { mountSidebar } from "./sidebar";
import { mountThread, limits, focusReply } from "./thread";
import { mountContext } from "./context";
import { mountShortcuts, openHelp } from "./shortcuts";
import { whereText } from "./offers";
import { current as currentRoute, onRoute, linkHandler, type Route, type View } from "./router";
import { board, bindBoard, applyBoard, loadBoard } from "./board";
import type { Customer, DeskEvent, DeskSignal } from "./protocol";

const TITLES: Record<View, string> = { desk: "Desk · tapline", wallboard: "Wallboard · tapline", configure: "Configure · tapline" };
const TYPING_SHOWN_FOR = 8000;

/** A section of the top bar: `visible` decides per specialist, `built` hides what isn't served yet. */
export interface NavItem {
  id: View;
  label: string;
  href: string;
  built: boolean;
  visible: (me: Me | null) => boolean;
}

const supervisor = (me: Me | null): boolean => Boolean(me && me.is_supervisor);
export const NAV: NavItem[] = [
  { id: "desk", label: "Desk", href: "/desk", built: true, visible: () => true },
  { id: "wallboard", label: "Wallboard", href: "/desk/wallboard", built: true, visible: supervisor },
  { id: "configure", label: "Configure", href: "/desk/configure", built: true, visible: supervisor },
];

/** A view: its nodes, and how it is built the first time it is shown. */
interface ViewParts {
  nodes: HTMLElement[];
  mount?: () => Promise<void>;
  mounted: boolean;
}

/** What the shell keeps: built once and kept across sign-outs. */
interface Shell {
  nodes: HTMLElement[];
  nav: HTMLElement;
  connEl: HTMLElement;
  connText: HTMLElement;
  layout: HTMLElement;
  tabs: HTMLButtonElement[];
  inboxCount: HTMLElement;
  navCount: HTMLElement;
  meName: HTMLElement;
  views: Record<View, ViewParts>;
}

const app = document.getElementById("app") ?? document.body;
let socket: DeskSocket | null = null;
let shell: Shell | null = null;
let gapAt = -1;
let resyncing = false;

// ---- boot

async function boot(): Promise<void> {
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

function unreachable(err: unknown): void {
  document.body.classList.remove("is-desk");
  const retry = h("button.btn.btn-primary", { type: "button", onclick: () => void boot() }, "Try again");
  app.replaceChildren(h("main.signin", null, h("div.signin-card", null,
    h("h1", null, "The desk can't reach the server"),
    h("p", null, clip((err instanceof Error && err.message) || "Unknown error", 300)),
    retry)));
  retry.focus();
  window.addEventListener("online", () => void boot(), { once: true });
}

function signinScreen(note = ""): void {
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

async function isSignedIn(): Promise<boolean> {
  try {
    await getState();
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false;
    throw err;
  }
}

function startDesk(snap: DeskState): void {
  if (snap && snap.limits && Number.isFinite(snap.limits.message_bytes)) limits.messageBytes = snap.limits.message_bytes;
  const parts = shell ?? buildShell();
  document.body.classList.add("is-desk");
  if (!parts.nodes.every((n) => n.isConnected)) app.replaceChildren(...parts.nodes);
  bindBoard(snap && snap.specialist ? snap.specialist.id : "");
  applySnapshot(snap);
  showView(currentRoute());
  if (socket) socket.stop();
  const openedOnWallboard = location.pathname.replace(/\/+$/, "") === "/desk/wallboard";
  const s = new DeskSocket({
    lastSeq: () => state.lastSeq,
    watch: () => openedOnWallboard,
    onEvent,
    onSignal,
    onStatus: (status, attempt) => setConn(status, attempt),
    isSignedIn,
    onSignedOut: () => signinScreen("Your session ended. Sign in again to continue; unsent replies are kept."),
    onAck: actions.onAck,
    onFrameError: actions.onFrameError,
    onResync: () => void resync(),
    storageKey: state.me && state.me.id ? `tapline.desk.outbox.${state.me.id}` : undefined,
  });
  socket = s;
  actions.bindSocket(s);
  bindCobrowse(s);
  actions.restorePending(s.pending().filter((f) => f.type === "message"));
  s.start();
}

// ---- socket wiring

function onEvent(ev: DeskEvent): void {
  if (resyncing) return;
  const result = applyEvent(ev, notify);
  if (result === "applied") cobrowseEvent(ev);
  if (result !== "gap") return;
  // An event is missing (the stream hands events on in order, so the store and the stream
  // disagree on where they are): resume from the store's seq; if the same gap comes back,
  // rebuild from a fresh snapshot instead.
  if (gapAt !== state.lastSeq) {
    gapAt = state.lastSeq;
    socket?.seek(state.lastSeq);
  } else {
    void resync();
  }
}

async function resync(): Promise<void> {
  if (resyncing || !socket) return;
  resyncing = true;
  try {
    const snap = await getState();
    // Keep the socket and its outbox (unacked accept/resolve frames survive); resume from
    // the snapshot's seq.
    applySnapshot(snap);
    actions.restorePending(socket.pending().filter((f) => f.type === "message"));
    socket.seek(state.lastSeq);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signinScreen("Your session ended. Sign in again.");
  } finally {
    resyncing = false;
    gapAt = -1;
  }
}

function onSignal(frame: DeskSignal): void {
  if (cobrowseSignal(frame)) return;
  switch (frame.type) {
    case "welcome":
      // Typing hints are passing state; the server resends what still holds.
      for (const r of state.requests.values()) r.typingUntil = 0;
      changed("list", "thread");
      // Signals are not replayed: take the whole wallboard again after a reconnect.
      if (state.me && state.me.is_supervisor && !board.forbidden) void loadBoard();
      break;
    case "wallboard":
      applyBoard(frame);
      break;
    case "config": // a supervisor (maybe this one) saved configuration
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
      break; // pong and anything new
  }
}

function customerName(c: Partial<Customer> | null | undefined): string {
  return clip((c && (c.name || c.email)) || "a customer", 60);
}

const WITHDRAWN: Record<string, string> = {
  expired: "it expired", declined: "declined", taken: "taken by someone else", cancelled: "the customer cancelled",
};

/** Announce what the store applied (and toast a request that left the list). */
function notify(n: Notice): void {
  switch (n.kind) {
    case "offer": {
      const where = whereText(n.offer.context);
      announce(`New offer from ${customerName(n.offer.customer)}${where ? `, ${where}` : ""}. Alt+A to accept.`);
      break;
    }
    case "offer.withdrawn": {
      const why = Object.prototype.hasOwnProperty.call(WITHDRAWN, n.reason) ? WITHDRAWN[n.reason] : n.reason || "withdrawn";
      announce(`Offer from ${customerName(n.offer.customer)} withdrawn: ${why}.`);
      break;
    }
    case "assigned":
      announce(`Connected with ${customerName(n.request.customer)}.`);
      if (n.mine && (document.activeElement === document.body || !document.activeElement)) focusReply();
      break;
    case "message":
      announce(n.seen
        ? `${customerName(n.request.customer)}: ${clip(n.message.body, 300)}`
        : `New message from ${customerName(n.request.customer)}.`);
      break;
    case "closed":
      announce(`Chat with ${customerName(n.request.customer)}: ${outcomeText(n.request)}.`);
      break;
    case "left": {
      const who = customerName(n.request.customer);
      toast(n.request.callback
        ? `${who} didn't take the callback now: the request is back in the queue with its context.`
        : `${who}'s request went back to the queue with its context.`);
      announce(`${who}'s request left your list: back in the queue.`);
      break;
    }
    case "ring_ended":
      announce(`${customerName(n.request.customer)}: ${n.text}.`);
      break;
    case "rated":
      announce(`${customerName(n.request.customer)} rated the chat ${n.request.rating?.score ?? 0} of 5.`);
      break;
    default:
      break;
  }
}

// ---- the shell

function buildHeader(): { header: HTMLElement; nav: HTMLElement; connEl: HTMLElement; connText: HTMLElement; meName: HTMLElement } {
  const nav = h("nav.topnav", { aria: { label: "Desk sections" } });
  const connText = h("span.conn-text");
  const connEl = h("div.conn", { role: "status", aria: { live: "polite" } }, h("span.conn-dot", { aria: { hidden: "true" } }), connText);
  const helpBtn = h("button.icon-button", {
    type: "button", title: "Keyboard shortcuts (?)", aria: { label: "Keyboard shortcuts", keyshortcuts: "?" }, onclick: openHelp,
  }, icon("keyboard", 18));
  const meName = h("span.header-me");
  const signoutBtn = h("button.btn.btn-quiet", { type: "button", onclick: () => void doSignOut() }, icon("signout", 14), "Sign out");
  const header = h("header.topbar", null,
    h("div.brand", null, h("span.brand-mark", { aria: { hidden: "true" } }, icon("chat", 16)), "tapline"),
    nav, h("div.topbar-spacer"), connEl, helpBtn, meName, signoutBtn);
  return { header, nav, connEl, connText, meName };
}

function buildColumns(): { left: HTMLElement; middle: HTMLElement; right: HTMLElement; layout: HTMLElement; tabbar: HTMLElement; tabs: HTMLButtonElement[]; inboxCount: HTMLElement } {
  const left = h("aside.col.col-left", { id: "inbox", aria: { label: "Inbox: my status, offers, requests and queues" } });
  const middle = h("main.col.col-middle", { id: "thread" });
  // tabindex: a column with nothing focusable must still scroll from the keyboard.
  const right = h("aside.col.col-right", { id: "context", tabindex: "0", aria: { label: "Customer context" } });
  const inboxCount = h("span.count");
  const panes = [["inbox", "Inbox", "inbox"], ["thread", "Chat", "chat"], ["context", "Context", "user"]] as const;
  const tabs = panes.map(([pane, label, ic]) =>
    h("button.pane-tab", { type: "button", dataset: { pane }, aria: { controls: pane }, onclick: () => setPane(pane) },
      icon(ic, 16), label, pane === "inbox" ? inboxCount : null));
  const tabbar = h("nav.pane-tabs", { aria: { label: "Panels" } }, tabs);
  const layout = h("div.layout", null, left, middle, right);
  return { left, middle, right, layout, tabbar, tabs, inboxCount };
}

function buildShell(): Shell {
  const top = buildHeader();
  const cols = buildColumns();
  const skip = h("a.skip-link", { href: "#reply" }, "Skip to the reply box");
  const boardMain = h("main.view.view-wallboard", { id: "wallboard", hidden: true });
  const configMain = h("main.view.view-configure", { id: "configure", hidden: true });
  const views: Record<View, ViewParts> = {
    desk: { nodes: [skip, cols.tabbar, cols.layout], mounted: true },
    wallboard: { nodes: [boardMain], mounted: false, mount: () => import("./wallboard").then((m) => m.mountWallboard(boardMain)) },
    configure: { nodes: [configMain], mounted: false, mount: () => import("./configure").then((m) => m.mountConfigure(configMain)) },
  };
  const built: Shell = {
    nodes: [skip, top.header, cols.tabbar, cols.layout, boardMain, configMain],
    nav: top.nav, connEl: top.connEl, connText: top.connText, meName: top.meName,
    layout: cols.layout, tabs: cols.tabs, inboxCount: cols.inboxCount, navCount: h("span.count"), views,
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

function listen(parts: Shell): void {
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

function drawNav(parts: Shell): void {
  const { view } = currentRoute();
  const items = NAV.filter((item) => item.built && item.visible(state.me));
  document.body.classList.toggle("has-nav", items.length >= 2);
  // A lone "Desk" link is no navigation at all.
  render(parts.nav, items.length < 2 ? null : items.map((item) =>
    h("a.topnav-link", {
      href: item.href,
      dataset: { key: `nav-${item.id}` },
      aria: { current: item.id === view ? "page" : undefined },
      onclick: linkHandler,
    }, item.label, item.id === "desk" ? parts.navCount : null)));
}

/** Show one view, mounting it the first time; the others are hidden, not torn down. */
function showView(route: Route): void {
  if (!shell) return;
  const views = shell.views;
  const view: View = route.view in views ? route.view : "desk";
  for (const id of Object.keys(views) as View[]) for (const n of views[id].nodes) n.hidden = id !== view;
  document.body.dataset.view = view;
  const v = views[view];
  if (!v.mounted && v.mount) {
    v.mounted = true;
    v.mount().catch((err: unknown) => {
      v.mounted = false;
      toast(`This view could not load: ${err instanceof Error ? err.message : String(err)}`, "error");
    });
  }
  if (view === "wallboard" && state.me && state.me.is_supervisor && !board.data) void loadBoard();
  state.route = route;
  changed("route");
  drawTitle();
}

function setPane(pane: string): void {
  if (!shell) return;
  shell.layout.dataset.pane = pane;
  for (const t of shell.tabs) t.setAttribute("aria-pressed", String(t.dataset.pane === pane));
}

/** The top bar's connection state in words and a kind (good, pending, bad). */
function connText(status: string, attempt: number, online: boolean): [string, "good" | "pending" | "bad"] {
  if (!online && status !== "stopped") return ["Offline", "bad"];
  if (status === "connected") return ["Connected", "good"];
  if (status === "reconnecting") return [`Reconnecting… (attempt ${attempt})`, "pending"];
  if (status === "offline") return ["Offline", "bad"];
  if (status === "stopped") return ["Signed out", "bad"];
  return ["Connecting…", "pending"];
}

function drawConn(parts: Shell): void {
  const [text, kind] = connText(state.conn.status, state.conn.attempt, navigator.onLine);
  parts.connText.textContent = text;
  parts.connEl.dataset.kind = kind;
  document.body.dataset.conn = kind;
}

function drawTitle(): void {
  const n = state.offers.size + totalUnread();
  const view = document.body.dataset.view;
  const base = view && Object.prototype.hasOwnProperty.call(TITLES, view) ? TITLES[view as View] : TITLES.desk;
  document.title = n ? `(${n}) ${base}` : base;
  const label = n ? `${state.offers.size} offers, ${totalUnread()} unread` : "";
  if (!shell) return;
  for (const el of [shell.inboxCount, shell.navCount]) {
    el.textContent = n ? String(n) : "";
    el.title = label;
  }
}

async function doSignOut(): Promise<void> {
  const open = [...state.requests.values()].filter(isLive).length;
  if (open && !window.confirm(`You have ${open} open chat${open > 1 ? "s" : ""}. Sign out anyway?`)) return;
  socket?.clearOutbox();
  socket?.stop();
  try {
    await signOut();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) toast(`Sign-out failed: ${err instanceof Error ? err.message : String(err)}`, "error");
  }
  signinScreen("You signed out.");
}

void boot();
