// What each control of the page *is*, remembered for the page's life: the first type seen
// (from the start, on focus, on input, for added nodes, and from the old value of any `type`
// change), and whether it was ever masked. A "show password" toggle that makes a password
// type=text changes nothing (docs/security.md, "Masking on the device").

import { type FieldFacts, MASK_TYPES, isMasked } from "./mask";

export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const firstTypes = new WeakMap<Element, string>();
const everMasked = new WeakSet<Element>();

function typeOf(el: Element): string {
  return (el.getAttribute("type") ?? "").toLowerCase();
}

export function isControl(el: Element): el is Control {
  return el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA";
}

export function markMasked(el: Element): void {
  everMasked.add(el);
}

/** Remember what an input is now, unless something was remembered before. */
export function rememberType(el: EventTarget | null): void {
  if (!(el instanceof Element) || el.tagName !== "INPUT") return;
  const t = typeOf(el);
  if (!firstTypes.has(el)) firstTypes.set(el, t);
  if (MASK_TYPES.has(t)) markMasked(el);
}

/** Every input under `root` (added to the page, or there from the start). */
export function rememberTypesIn(root: Element): void {
  if (root.tagName === "INPUT") rememberType(root);
  else for (const input of root.querySelectorAll("input")) rememberType(input);
}

/** A type attribute changed: what it was before counts as what the field is. */
export function onTypeChanges(records: readonly MutationRecord[]): void {
  for (const rec of records) {
    const el = rec.target;
    if (!(el instanceof Element) || el.tagName !== "INPUT") continue;
    const old = (rec.oldValue ?? "").toLowerCase();
    if (!firstTypes.has(el)) firstTypes.set(el, old);
    if (MASK_TYPES.has(old)) markMasked(el);
    rememberType(el);
  }
}

export function factsOf(el: Control, label: string | null): FieldFacts {
  rememberType(el);
  return {
    tag: el.tagName,
    type: typeOf(el),
    firstType: firstTypes.get(el) ?? "",
    everMasked: everMasked.has(el),
    autocomplete: el.getAttribute("autocomplete") ?? "",
    markedMask: !!el.closest("[data-tapline-mask]"),
    name: el.getAttribute("name"),
    id: el.id || null,
    ariaLabel: el.getAttribute("aria-label"),
    placeholder: el.getAttribute("placeholder"),
    label,
  };
}

/** Masked now, and so for the rest of the page's life. */
export function maskedControl(el: Control, label: string | null): boolean {
  const masked = isMasked(factsOf(el, label));
  if (masked) markMasked(el);
  return masked;
}
