// DOM helpers for the desk: the shared h() and render() (createElement and textContent only,
// so customer text can never become markup), plus what only the desk draws: its icons, the
// countdown ring, screen-reader announcements, toasts and key labels.

import { h, s, icon as svgIcon } from "../shared/dom";

export { h, append, render } from "../shared/dom";
export type { Attrs, Child } from "../shared/dom";

// ---- Icons: small inline SVGs (no external assets).

const ICONS = {
  check: ["M4 12.5l5 5L20 6.5"],
  shield: ["M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z", "M8.5 12l2.5 2.5 4.5-5"],
  alert: ["M12 3l9.5 17h-19z", "M12 10v4.5", "M12 17.5v.01"],
  lock: ["M6 11h12v10H6z", "M8.5 11V8a3.5 3.5 0 0 1 7 0v3"],
  unlock: ["M6 11h12v10H6z", "M8.5 11V8a3.5 3.5 0 0 1 6.8-1.2"],
  clock: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M12 7.5V12l3 2"],
  send: ["M4 12l16-8-6 16-2.5-6.5z", "M11.5 13.5L20 4"],
  x: ["M6 6l12 12", "M18 6L6 18"],
  user: ["M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z", "M4 21c.8-4 4-6 8-6s7.2 2 8 6"],
  map: ["M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z", "M12 7.5a2 2 0 1 0 0 4 2 2 0 0 0 0-4z"],
  list: ["M8 6h12", "M8 12h12", "M8 18h12", "M4 6h.01", "M4 12h.01", "M4 18h.01"],
  form: ["M5 3h14v18H5z", "M8 8h8", "M8 12h8", "M8 16h5"],
  route: ["M6 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z", "M18 9a2 2 0 1 0 0-4 2 2 0 0 0 0 4z", "M8 17h7a3 3 0 0 0 0-6H9a3 3 0 0 1 0-6h7"],
  help: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6", "M12 17v.01"],
  signout: ["M15 4h4v16h-4", "M10 8l-4 4 4 4", "M6 12h10"],
  inbox: ["M4 13l2.5-8h11l2.5 8v6H4z", "M4 13h5l1 2h4l1-2h5"],
  chat: ["M4 5h16v11H9l-5 4z"],
  info: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M12 11v6", "M12 7.5v.01"],
  star: ["M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z"],
  queue: ["M4 7h16", "M4 12h16", "M4 17h10"],
  keyboard: ["M3 7h18v11H3z", "M7 11h.01", "M11 11h.01", "M15 11h.01", "M8 15h8"],
  wifi_off: ["M3 3l18 18", "M8.5 16.5a5 5 0 0 1 7 0", "M5 13a10 10 0 0 1 5.5-2.8", "M19 13a10 10 0 0 0-2.2-1.6", "M12 20h.01"],
  resolve: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M8 12.5l2.5 2.5 5.5-5.5"],
  phone: ["M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z"],
  mic: ["M9 5a3 3 0 0 1 6 0v6a3 3 0 0 1-6 0z", "M5.5 11a6.5 6.5 0 0 0 13 0", "M12 17.5V21"],
  video: ["M3 7h12v10H3z", "M15 10.5l6-3.5v10l-6-3.5"],
  users: ["M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z", "M2.5 20c.6-3.5 3.2-5.5 6.5-5.5s5.9 2 6.5 5.5", "M16 4.5a3.5 3.5 0 0 1 0 6.5", "M18 14.8c2 .7 3.2 2.5 3.5 5.2"],
  power: ["M12 3v8", "M7 6.5a7.5 7.5 0 1 0 10 0"],
  pause: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M10 9v6", "M14 9v6"],
  expand: ["M4 9V4h5", "M20 9V4h-5", "M4 15v5h5", "M20 15v5h-5"],
  settings: ["M4 6h10", "M18 6h2", "M4 12h4", "M12 12h8", "M4 18h12", "M20 18h0", "M14 4v4", "M8 10v4", "M16 16v4"],
  plus: ["M12 5v14", "M5 12h14"],
  trash: ["M4 7h16", "M9 7V4h6v3", "M6 7l1 13h10l1-13"],
  calendar: ["M4 6h16v14H4z", "M4 10h16", "M8 3v5", "M16 3v5"],
  hourglass: ["M7 3h10", "M7 21h10", "M8 3c0 5 8 5 8 9s-8 4-8 9", "M16 3c0 5-8 5-8 9s8 4 8 9"],
  chart: ["M4 20V4", "M4 20h16", "M7 15l4-5 3 3 5-7"],
} as const;

export type IconName = keyof typeof ICONS;

/** An icon, hidden from assistive tech (buttons carrying it get an aria-label). */
export function icon(name: IconName, size = 16): SVGSVGElement {
  return svgIcon(ICONS[name], { width: size, height: size, class: `icon icon-${name}` });
}

/** A countdown ring: set(fraction) with fraction the time left in [0, 1]. */
export interface Ring {
  el: SVGSVGElement;
  set(fraction: number): void;
}

export function ring(size = 36): Ring {
  const r = 15;
  const circumference = 2 * Math.PI * r;
  const track = s("circle.ring-track", { cx: 18, cy: 18, r });
  const bar = s("circle.ring-bar", {
    cx: 18,
    cy: 18,
    r,
    "stroke-dasharray": circumference.toFixed(2),
    transform: "rotate(-90 18 18)",
  });
  const svg = s("svg.ring", { viewBox: "0 0 36 36", width: size, height: size, "aria-hidden": "true" }, track, bar);
  return {
    el: svg,
    set(fraction) {
      const f = Math.max(0, Math.min(1, fraction));
      bar.setAttribute("stroke-dashoffset", (circumference * (1 - f)).toFixed(2));
      svg.classList.toggle("ring-low", f <= 0.25);
    },
  };
}

// ---- Announcements for screen readers (two live regions in index.html).

export type Politeness = "polite" | "assertive";

export function announce(text: string, politeness: Politeness = "polite"): void {
  const region = document.getElementById(politeness === "assertive" ? "announce-assertive" : "announce-polite");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes screen readers read repeated messages too.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

// ---- Toasts: short notes for errors and outcomes that aren't tied to a field.

export function toast(text: string, kind: "info" | "error" = "info", ms = 6000): void {
  const stack = document.getElementById("toasts");
  if (!stack) return;
  const close = h("button.icon-button", { type: "button", aria: { label: "Dismiss" } }, icon("x", 14));
  const note = h(`div.toast.toast-${kind}`, { role: kind === "error" ? "alert" : "status" },
    icon(kind === "error" ? "alert" : "info"), h("span", null, text), close);
  const remove = (): void => note.remove();
  close.addEventListener("click", remove);
  stack.append(note);
  if (ms) setTimeout(remove, ms);
}

/** A label for a keyboard shortcut, e.g. kbd("Alt", "A"). */
export function kbd(...keys: string[]): HTMLSpanElement {
  return h("span.kbd-group", null, keys.map((k) => h("kbd", null, k)));
}
