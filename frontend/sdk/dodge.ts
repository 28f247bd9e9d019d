// Keeping the floating launcher off the app: it never covers a form field (nor the hint and
// error under the one being typed in) or an error the page shows, and it covers as few of the
// page's other controls as it can: it moves to the other corner, shrinks to its icon, rises
// along the side, or steps away (as it does while the on-screen keyboard is open). The host's
// safe area (init's `safeArea`) is never used.

import { type InitOptions, type LauncherUi } from "./core";

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Place {
  side: "right" | "left";
  edge: "bottom" | "top";
  compact: boolean;
  /** Raised this far above its bottom corner (the icon only, along the side). */
  lift?: number;
}

export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** What a placement is chosen from; sizes in CSS pixels. */
export interface Scene {
  width: number;
  height: number;
  full: { w: number; h: number };
  compact: { w: number; h: number };
  /** The offset from the corner plus the host's safe area, per edge. */
  inset: Insets;
  preferLeft: boolean;
  /** Never covered: the page's fields, what describes the focused one, the page's errors. */
  hard: Rect[];
  /** Covered as little as can be: the page's other controls. */
  soft: Rect[];
}

// Limits: how many of the page's controls are measured, and the gap kept around obstacles.
const MAX_SOFT = 400;
const MAX_HARD = 300;
const GAP = 8;
// The icon may rise along the side in steps, up to this many.
const LIFT_STEP = 56;
const LIFTS = 8;
// The visual viewport this much shorter than the layout one: an on-screen keyboard is open.
const KEYBOARD_PX = 120;

export function intersects(a: Rect, b: Rect, gap = 0): boolean {
  return a.left < b.right + gap && b.left < a.right + gap && a.top < b.bottom + gap && b.top < a.bottom + gap;
}

export function placeRect(s: Scene, p: Place): Rect {
  const size = p.compact ? s.compact : s.full;
  const left = p.side === "left" ? s.inset.left : s.width - s.inset.right - size.w;
  const top = p.edge === "top" ? s.inset.top : s.height - s.inset.bottom - size.h - (p.lift ?? 0);
  return { left, top, right: left + size.w, bottom: top + size.h };
}

/** Of the places that cover no hard obstacle, the one covering fewest soft ones (the first in
 * order of preference among equals); null when every place covers a hard one. */
export function choosePlace(s: Scene): Place | null {
  const near: Place["side"] = s.preferLeft ? "left" : "right";
  const far: Place["side"] = s.preferLeft ? "right" : "left";
  const order: Place[] = [];
  for (const compact of [false, true]) {
    for (const side of [near, far]) order.push({ side, edge: "bottom", compact });
  }
  for (const side of [near, far]) {
    for (let k = 1; k <= LIFTS; k++) order.push({ side, edge: "bottom", compact: true, lift: k * LIFT_STEP });
  }
  order.push({ side: near, edge: "top", compact: true }, { side: far, edge: "top", compact: true });
  const covered = (p: Place, rects: Rect[]) => rects.filter((r) => intersects(placeRect(s, p), r, GAP)).length;
  let best: Place | null = null;
  let least = Infinity;
  for (const p of order) {
    if (covered(p, s.hard)) continue;
    const n = covered(p, s.soft);
    if (n < least) {
      best = p;
      least = n;
    }
  }
  return best;
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.min(v, 400) : 0;
}

function offsetOf(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** The offset from the corner (default 24) plus the host's safe area, per edge. */
export function insetsOf(opts: InitOptions): Insets {
  const off = opts.offset ?? {};
  const x = offsetOf(off.x) ?? 24;
  const y = offsetOf(off.y) ?? 24;
  const safe = opts.safeArea ?? {};
  return {
    top: 16 + num(safe.top), right: x + num(safe.right), bottom: y + num(safe.bottom), left: x + num(safe.left),
  };
}

function visible(el: Element): Rect | null {
  const r = el.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return null;
  if (el instanceof HTMLElement && el.closest("[hidden], [aria-hidden=true]")) return null;
  const style = getComputedStyle(el);
  if (style.visibility === "hidden" || style.display === "none") return null;
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
}

function editable(el: Element | null): el is HTMLElement {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  return el instanceof HTMLInputElement && !["button", "submit", "reset", "checkbox", "radio", "hidden", "image"].includes(el.type);
}

/** The focused field with its hint and error (aria-describedby, aria-errormessage). */
function focusedRects(): Rect[] {
  const el = document.activeElement;
  if (!editable(el)) return [];
  const out: Rect[] = [];
  const own = visible(el);
  if (own) out.push(own);
  const ids = `${el.getAttribute("aria-describedby") ?? ""} ${el.getAttribute("aria-errormessage") ?? ""}`;
  for (const id of ids.split(/\s+/).filter(Boolean).slice(0, 10)) {
    const ref = document.getElementById(id);
    const r = ref && visible(ref);
    if (r) out.push(r);
  }
  return out;
}

const HARD = "input:not([type=hidden]), select, textarea, [contenteditable=true], [role=alert], [aria-live=assertive], [data-tapline-avoid]";
const CONTROLS = "a[href], button, [role=button], [role=link]";

function rects(selector: string, host: HTMLElement, max: number): Rect[] {
  const out: Rect[] = [];
  for (const el of document.querySelectorAll(selector)) {
    if (out.length >= max) break;
    if (el === host || host.contains(el)) continue;
    const r = visible(el);
    if (r) out.push(r);
  }
  return out;
}

function keyboardOpen(): boolean {
  const vv = window.visualViewport;
  return !!vv && editable(document.activeElement) && window.innerHeight - vv.height > KEYBOARD_PX;
}

function apply(ui: LauncherUi, place: Place | null, inset: Insets): void {
  const host = ui.host;
  if (host.classList.contains("tl-away") !== !place) host.classList.toggle("tl-away", !place);
  if (!place) return;
  if (host.classList.contains("tl-compact") !== place.compact) host.classList.toggle("tl-compact", place.compact);
  const st = host.style;
  // Inline styles on the host outrank the shadow stylesheet's :host rules.
  st.setProperty("left", place.side === "left" ? `calc(${inset.left}px + env(safe-area-inset-left, 0px))` : "auto");
  st.setProperty("right", place.side === "right" ? `calc(${inset.right}px + env(safe-area-inset-right, 0px))` : "auto");
  st.setProperty("top", place.edge === "top" ? `calc(${inset.top}px + env(safe-area-inset-top, 0px))` : "auto");
  const bottom = inset.bottom + (place.lift ?? 0);
  st.setProperty("bottom", place.edge === "bottom" ? `calc(${bottom}px + env(safe-area-inset-bottom, 0px))` : "auto");
}

function reset(ui: LauncherUi): void {
  ui.host.classList.remove("tl-away", "tl-compact");
  for (const prop of ["left", "right", "top", "bottom"]) ui.host.style.removeProperty(prop);
}

/** Watch the page and keep the launcher placed; `opts()` is read afresh (init may update it). */
export function startDodge(ui: LauncherUi, opts: () => InitOptions): void {
  let queued = false;
  let fullW = 0;
  const place = () => {
    queued = false;
    const o = opts();
    const host = ui.host;
    const floating = !o.container && o.launcher !== false && !host.classList.contains("tl-open") && host.isConnected;
    if (!floating) {
      reset(ui);
      return;
    }
    if (!host.classList.contains("tl-compact") && ui.launcher.offsetWidth) fullW = ui.launcher.offsetWidth;
    const inset = insetsOf(o);
    if (keyboardOpen()) {
      apply(ui, null, inset);
      return;
    }
    const scene: Scene = {
      width: document.documentElement.clientWidth || window.innerWidth,
      height: window.innerHeight,
      full: { w: fullW || 130, h: 48 },
      compact: { w: 48, h: 48 },
      inset,
      preferLeft: o.position === "bottom-left",
      hard: [...focusedRects(), ...rects(HARD, host, MAX_HARD)],
      soft: rects(CONTROLS, host, MAX_SOFT),
    };
    apply(ui, choosePlace(scene), inset);
  };
  let wasOpen = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    wasOpen = ui.host.classList.contains("tl-open");
    if (typeof requestAnimationFrame === "function") requestAnimationFrame(place);
    else setTimeout(place, 16);
  };
  for (const type of ["scroll", "resize", "focusin", "focusout", "input", "click"]) {
    window.addEventListener(type, soon, { passive: true, capture: true });
  }
  window.visualViewport?.addEventListener("resize", soon);
  // Errors appear and pages change without a scroll; the host's own opening and closing too.
  // Our own moves of the host are skipped; its opening and closing are not.
  const changed = (records: MutationRecord[]) =>
    records.some((r) => r.target !== ui.host) || ui.host.classList.contains("tl-open") !== wasOpen;
  new MutationObserver((records) => changed(records) && soon()).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["hidden", "class", "style", "aria-invalid"],
  });
  soon();
}
