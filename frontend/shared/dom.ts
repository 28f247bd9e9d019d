// DOM helpers for the widget and the desk. Every node is made with createElement(NS) and
// every text with textContent or createTextNode: no HTML string ever reaches the page, so
// customer text can never become markup (docs/security.md, "An XSS corpus").

export const SVG_NS = "http://www.w3.org/2000/svg";

/** A child: text (set as a text node), a node, a nested list; null, undefined, false skipped. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

type Listener = (event: Event) => void;
type Scalar = string | number | boolean | null | undefined;

/**
 * Attributes, as the widget and the desk both write them:
 * - `text`: the element's textContent;
 * - `class`: added to the classes of the tag ("button.primary");
 * - `dataset`, `aria`: objects, written as data-* and aria-* attributes;
 * - `on<event>`: a listener (a string here would be an inline handler: refused);
 * - `value`, `checked`, `disabled`, `hidden`, `selected`: set as properties (HTML only);
 * - `true` is an empty attribute; null, undefined and false leave it out.
 * `style` is refused: the CSP forbids inline styles.
 */
export interface Attrs {
  text?: Scalar;
  class?: Scalar;
  dataset?: Record<string, Scalar>;
  aria?: Record<string, Scalar>;
  [name: string]: Scalar | Listener | Record<string, Scalar>;
}

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected"]);
// Attributes that load or navigate: a javascript: URL there would run script.
const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href"]);

type Tag<K extends string> = K | `${K}.${string}`;

/**
 * h("button.tl-btn", {type: "button", onclick: send}, "Send"): an HTML element.
 * The tag may carry classes after dots. As in the desk, `attrs` may be left out: a node, a
 * string or a list in its place is the first child.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: Tag<K>,
  attrs?: Attrs | Child,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs | Child, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs?: Attrs | Child, ...children: Child[]): HTMLElement {
  // (no destructuring: esbuild can't lower it for Safari 13, which the widget still serves)
  const classes = tag.split(".");
  const name = classes.shift();
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  build(el, attrs, children);
  return el;
}

/** The same for SVG: s("circle", {cx: 18, cy: 18, r: 15}). Attributes only, no properties. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: Tag<K>,
  attrs?: Attrs | Child,
  ...children: Child[]
): SVGElementTagNameMap[K];
export function s(tag: string, attrs?: Attrs | Child, ...children: Child[]): SVGElement;
export function s(tag: string, attrs?: Attrs | Child, ...children: Child[]): SVGElement {
  const classes = tag.split(".");
  const name = classes.shift();
  const el = document.createElementNS(SVG_NS, name || "g");
  if (classes.length) el.setAttribute("class", classes.join(" "));
  build(el, attrs, children);
  return el;
}

/**
 * An icon drawn with paths in a 24×24 box, hidden from assistive tech (the control carrying
 * it has the name). icon(["M6 6l12 12"], {class: "tl-icon"}); the desk adds width and height.
 */
export function icon(paths: readonly string[], attrs: Attrs = {}): SVGSVGElement {
  return s(
    "svg",
    { viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false", ...attrs },
    paths.map((d) => s("path", { d })),
  );
}

function isChild(value: Attrs | Child): value is Child {
  return (
    value === null ||
    value === undefined ||
    value === false ||
    typeof value === "string" ||
    typeof value === "number" ||
    Array.isArray(value) ||
    value instanceof Node
  );
}

function build(el: Element, attrs: Attrs | Child, children: Child[]): void {
  if (isChild(attrs)) {
    append(el, [attrs, children]);
    return;
  }
  for (const key of Object.keys(attrs)) setAttr(el, key, attrs[key]);
  append(el, children);
}

function setAttr(el: Element, key: string, value: Attrs[string]): void {
  if (key.startsWith("on")) {
    if (typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value != null && value !== false) throw new Error(`${key}: a listener must be a function`);
    return;
  }
  if (value === undefined || value === null || value === false) return;
  if (key === "style") throw new Error("inline styles are not allowed under the CSP");
  if (typeof value === "function") throw new Error(`${key}: a function is not an attribute`);
  if (typeof value === "object") {
    if (key === "dataset" || key === "aria") setGroup(el, key === "aria" ? "aria-" : "data-", value);
    else throw new Error(`${key}: an object is not an attribute`);
    return;
  }
  if (key === "text") el.textContent = String(value);
  else if (key === "class") addClasses(el, String(value));
  else if (PROPERTIES.has(key) && el instanceof HTMLElement) setProperty(el, key, value);
  else if (URL_ATTRS.has(key) && /^\s*(javascript|vbscript|data):/i.test(String(value))) {
    throw new Error(`${key}: scriptable URLs are refused`);
  } else el.setAttribute(key, value === true ? "" : String(value));
}

function setGroup(el: Element, prefix: string, group: Record<string, Scalar>): void {
  for (const name of Object.keys(group)) {
    const v = group[name];
    if (v === undefined || v === null || v === false) continue;
    // dataset keys are camelCase ("requestId" -> data-request-id), as el.dataset does
    const attr = prefix === "data-" ? name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase()) : name;
    el.setAttribute(prefix + attr, v === true && prefix === "data-" ? "" : String(v));
  }
}

function addClasses(el: Element, value: string): void {
  const now = el.getAttribute("class");
  el.setAttribute("class", now ? `${now} ${value}` : value);
}

function setProperty(el: HTMLElement, key: string, value: string | number | true): void {
  if (key === "hidden") el.hidden = true;
  else if ((key === "disabled" || key === "checked" || key === "selected") && key in el) {
    // the DOM types these as booleans; any value given (not false) means on
    Reflect.set(el, key, true);
  } else if (key === "value" && "value" in el) Reflect.set(el, key, String(value));
  else el.setAttribute(key, value === true ? "" : String(value));
}

/** Append children: strings and numbers as text nodes, never parsed. */
export function append<E extends Element>(el: E, children: readonly Child[]): E {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace the children of `el`, keeping focus on the element with the same data-key. */
export function render(el: Element, ...children: Child[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && el.contains(active) ? active.dataset.key : undefined;
  el.replaceChildren();
  append(el, children);
  if (key) {
    // compared, not put in a selector: a key is data and needs no escaping this way
    for (const again of el.querySelectorAll<HTMLElement>("[data-key]")) {
      if (again.dataset.key !== key) continue;
      again.focus({ preventScroll: true });
      break;
    }
  }
}
