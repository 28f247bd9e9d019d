// DOM helpers for the desk. Everything is built with createElement and textContent:
// no HTML strings ever reach the page, so customer text can never become markup.

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * h("button.primary", {type: "button", onclick: fn, aria: {label: "Send"}}, "Send")
 * Attributes: `class`, `dataset`, `aria` (object), `on*` handlers, booleans, strings.
 * Children: strings (set as text nodes), nodes, arrays, null/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  // Forgiving: h("div", child, child) works like h("div", null, child, child).
  if (attrs instanceof Node || typeof attrs === "string" || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = null;
  }
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

function applyAttrs(el, attrs) {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") {
      el.className = [el.className, value].filter(Boolean).join(" ");
    } else if (key === "dataset") {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    } else if (key === "aria") {
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined && v !== null && v !== false) el.setAttribute(`aria-${k}`, String(v));
      }
    } else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "style") {
      throw new Error("inline styles are not allowed under the desk's CSP");
    } else if (key === "value" || key === "checked" || key === "disabled" || key === "hidden") {
      el[key] = value;
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace all children of `el`, keeping keyboard focus on the element with the same data-key. */
export function render(el, ...children) {
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset.key : undefined;
  el.replaceChildren();
  append(el, children);
  if (key) {
    const again = el.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

// ---- Icons: small inline SVGs built with createElementNS (no external assets).

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
};

/** An icon, hidden from assistive tech (buttons carrying it get an aria-label). */
export function icon(name, size = 16) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", `icon icon-${name}`);
  for (const d of ICONS[name] || ICONS.info) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** A countdown ring: returns {el, set(fraction)} where fraction is time left in [0, 1]. */
export function ring(size = 36) {
  const r = 15;
  const circumference = 2 * Math.PI * r;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 36 36");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "ring");
  const track = document.createElementNS(SVG_NS, "circle");
  const bar = document.createElementNS(SVG_NS, "circle");
  for (const c of [track, bar]) {
    c.setAttribute("cx", "18");
    c.setAttribute("cy", "18");
    c.setAttribute("r", String(r));
  }
  track.setAttribute("class", "ring-track");
  bar.setAttribute("class", "ring-bar");
  bar.setAttribute("stroke-dasharray", circumference.toFixed(2));
  bar.setAttribute("transform", "rotate(-90 18 18)");
  svg.append(track, bar);
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

export function announce(text, politeness = "polite") {
  const region = document.getElementById(politeness === "assertive" ? "announce-assertive" : "announce-polite");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes screen readers read repeated messages too.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

// ---- Toasts: short notes for errors and outcomes that aren't tied to a field.

export function toast(text, kind = "info", ms = 6000) {
  const stack = document.getElementById("toasts");
  if (!stack) return;
  const close = h("button.icon-button", { type: "button", aria: { label: "Dismiss" } }, icon("x", 14));
  const note = h(`div.toast.toast-${kind}`, { role: kind === "error" ? "alert" : "status" },
    icon(kind === "error" ? "alert" : "info"), h("span", null, text), close);
  const remove = () => note.remove();
  close.addEventListener("click", remove);
  stack.append(note);
  if (ms) setTimeout(remove, ms);
}

/** A label for a keyboard shortcut, e.g. kbd("Alt", "A"). */
export function kbd(...keys) {
  return h("span.kbd-group", null, keys.map((k) => h("kbd", null, k)));
}
