// The widget's host: one <div data-tapline-widget> with an open shadow root (the host's CSS
// can't reach in, ours can't leak out), the stylesheet, and the "Get help" launcher. The panel
// joins it later, before the launcher.

import { h, icon } from "../shared/dom";
import { type InitOptions, type LauncherUi } from "./core";
import { startDodge } from "./dodge";
import { warn } from "./log";

const ICON_CHAT = [
  "M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6A.5.5 0 0 1 5 19.2V16h0a1 1 0 0 1-1-1V5.5z",
  "M8 8.5h8M8 11.5h5",
];
const REVEAL_AFTER = 3000;
// The options as last applied, for the launcher's placement on each page change.
const current = new WeakMap<LauncherUi, InitOptions>();

export interface LauncherHooks {
  stylesheet: string;
  /** The stylesheet loaded (or never will): the widget is visible now. */
  revealed(): void;
  click(): void;
  /** The pointer or focus reached the launcher: time to fetch the panel. */
  approach(): void;
}

export function buildLauncher(opts: InitOptions, hooks: LauncherHooks): LauncherUi {
  const host = h("div.tapline-host", { "data-tapline-widget": true });
  const root = host.attachShadow({ mode: "open" });
  // Hidden until the stylesheet has loaded so nothing flashes unstyled (CSSOM, not an
  // inline style attribute: the CSP allows it).
  host.style.visibility = "hidden";
  const reveal = () => {
    if (!host.style.visibility) return;
    host.style.visibility = "";
    hooks.revealed();
  };
  const link = h("link", { rel: "stylesheet", href: hooks.stylesheet, onload: reveal, onerror: reveal });
  setTimeout(reveal, REVEAL_AFTER);
  root.append(link);

  const uid = `tl${Math.random().toString(36).slice(2, 8)}`;
  const unreadText = h("span.tl-sr", { id: `${uid}-unread`, text: "" });
  const badge = h("span.tl-badge", { hidden: true, "aria-hidden": "true" });
  const launcher = h(
    "button.tl-launcher",
    {
      type: "button",
      "aria-expanded": "false",
      "aria-controls": `${uid}-panel`,
      "aria-describedby": `${uid}-unread`,
      onclick: () => hooks.click(),
      onpointerenter: () => hooks.approach(),
      onfocus: () => hooks.approach(),
    },
    icon(ICON_CHAT, { class: "tl-icon" }),
    h("span.tl-launcher-text", { text: "Get help" }),
    badge,
  );
  root.append(launcher, unreadText);
  const ui: LauncherUi = { host, root, uid, launcher, badge, unreadText };
  applyPosition(ui, opts);
  startDodge(ui, () => current.get(ui) ?? opts);
  return ui;
}

export function applyPosition(ui: LauncherUi, opts: InitOptions): void {
  const host = ui.host;
  current.set(ui, opts);
  const left = opts.position === "bottom-left";
  host.classList.toggle("tl-left", left);
  host.classList.toggle("tl-right", !left);
  const off = opts.offset ?? {};
  if (typeof off.x === "number") host.style.setProperty("--tapline-offset-x", `${off.x}px`);
  if (typeof off.y === "number") host.style.setProperty("--tapline-offset-y", `${off.y}px`);
  if (opts.accent) host.style.setProperty("--tapline-accent", String(opts.accent));
  host.classList.toggle("tl-inline", !!opts.container);
  ui.launcher.hidden = opts.launcher === false;
}

/** In the host's container when it named one, else floating at the end of <body>. */
export function mount(ui: LauncherUi, opts: InitOptions): void {
  let parent: Element | null = null;
  if (opts.container) {
    parent = typeof opts.container === "string" ? document.querySelector(opts.container) : opts.container;
    if (!parent) warn(`container ${String(opts.container)} not found; using the page corner`);
  }
  if (!parent) {
    ui.host.classList.remove("tl-inline");
    parent = document.body;
  }
  if (ui.host.parentNode !== parent) parent.appendChild(ui.host);
}
