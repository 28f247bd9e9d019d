// Form capture (docs/sdk.md, "Form capture and masking"): the fields of every element marked
// data-tapline-capture, read afresh each time the context is built. A masked field keeps only
// whether it is filled; its value is never put in any object the SDK builds.

import { hasCard } from "../shared/luhn";
import { scrubbed } from "./clean";
import { type Control, isControl, maskedControl, rememberType } from "./fieldtypes";
import { cap, squash } from "./text";

export const VALUE_MAX = 500;
const SKIP_TYPES: ReadonlySet<string> = new Set(["hidden", "submit", "button", "reset", "image"]);
const NOT_LABEL_TEXT: ReadonlySet<string> = new Set(["INPUT", "SELECT", "TEXTAREA", "SCRIPT", "STYLE", "BUTTON", "OPTION"]);

export type Field = {
  form: string;
  name: string;
  label: string;
  filled: boolean;
  masked: boolean;
  value?: string;
};

export function captureRoots(): NodeListOf<Element> {
  return document.querySelectorAll("[data-tapline-capture]");
}

export function controlsOf(root: Element): Control[] {
  const els = root instanceof HTMLFormElement ? [...root.elements] : [...root.querySelectorAll("input, select, textarea")];
  return els.filter(isControl);
}

/** The controls of the capture roots as they are now, before anyone toggles them. */
export function rememberTypes(): void {
  for (const root of captureRoots()) for (const el of controlsOf(root)) rememberType(el);
}

/** Inside a capture root (or a control of a captured form). */
export function inCapture(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest("[data-tapline-capture]")) return true;
  const form = "form" in target ? target.form : null;
  return form instanceof HTMLFormElement && form.hasAttribute("data-tapline-capture");
}

export function rootName(root: Element, index: number): string {
  const v = root.getAttribute("data-tapline-capture");
  if (v) return scrubbed(v, 100);
  return scrubbed(root.id || root.getAttribute("name") || `form-${index + 1}`, 100);
}

// Text of a label without the values of controls nested inside it.
function labelText(node: Node): string {
  let out = "";
  for (const k of node.childNodes) {
    if (k.nodeType === Node.TEXT_NODE) out += k.nodeValue ?? "";
    else if (k instanceof Element && !NOT_LABEL_TEXT.has(k.tagName)) out += ` ${labelText(k)} `;
  }
  return out;
}

function tidy(text: string): string {
  return scrubbed(squash(text), 200);
}

function forLabel(el: Control): HTMLLabelElement | null {
  if (!el.id) return null;
  for (const lab of document.querySelectorAll("label[for]")) {
    if (lab instanceof HTMLLabelElement && lab.htmlFor === el.id) return lab;
  }
  return null;
}

function fieldLabel(el: Control, name: string): string {
  const lab = forLabel(el);
  let text = lab ? tidy(labelText(lab)) : "";
  if (!text) {
    const wrap = el.closest("label");
    if (wrap) text = tidy(labelText(wrap));
  }
  const aria = el.getAttribute("aria-label");
  if (!text && aria) text = tidy(aria);
  const by = el.getAttribute("aria-labelledby");
  if (!text && by) {
    const parts = by.split(/\s+/).map((id) => (id ? document.getElementById(id) : null));
    text = tidy(parts.map((n) => (n ? labelText(n) : "")).filter(Boolean).join(" "));
  }
  return text || name;
}

// A radio group takes its label from the group, not one option.
function groupLabel(el: Control, name: string): string {
  const lg = el.closest("fieldset")?.querySelector("legend");
  const t = lg ? tidy(labelText(lg)) : "";
  if (t) return t;
  const l = el.closest('[role="radiogroup"], [role="group"]')?.getAttribute("aria-label");
  if (l) return tidy(l);
  return el instanceof HTMLInputElement && el.type.toLowerCase() === "checkbox" ? fieldLabel(el, name) : name;
}

function isFilled(el: Control): boolean {
  if (el instanceof HTMLInputElement) {
    const type = el.type.toLowerCase();
    if (type === "checkbox" || type === "radio") return el.checked;
    if (type === "file") return !!el.files?.length;
  }
  if (el instanceof HTMLSelectElement) return el.selectedIndex >= 0 && el.value !== "";
  return el.value.length > 0;
}

// Never called for masked fields.
function fieldValue(el: Control, type: string): string | null {
  if (type === "checkbox" || type === "radio") return el instanceof HTMLInputElement && el.checked ? el.value : null;
  if (el instanceof HTMLSelectElement) {
    const parts: string[] = [];
    for (const o of el.options) {
      if (!o.selected) continue;
      const text = tidy(o.text);
      parts.push(text === o.value || !o.value ? text : `${text} (${o.value})`);
    }
    return parts.length ? parts.join(", ") : null;
  }
  return el.value === "" ? null : el.value;
}

/** One field per name; radios and checkboxes sharing a name become one field. */
export function captureFields(): Field[] {
  const fields: Field[] = [];
  [...captureRoots()].forEach((root, r) => {
    if (!root.closest("[data-tapline-ignore]")) captureRoot(root, rootName(root, r), fields);
  });
  return fields;
}

function captureRoot(root: Element, form: string, fields: Field[]): void {
  const byName = new Map<string, Field>();
  controlsOf(root).forEach((el, i) => {
    const type = (el.getAttribute("type") ?? "").toLowerCase();
    if ((el.tagName === "INPUT" && SKIP_TYPES.has(type)) || el.closest("[data-tapline-ignore]")) return;
    const name = scrubbed(el.getAttribute("name") || el.id || `${el.tagName.toLowerCase()}-${i + 1}`, 100);
    const group = type === "radio" || type === "checkbox";
    let f = group ? byName.get(name) : undefined;
    const label = f ? f.label : group ? groupLabel(el, name) : fieldLabel(el, name);
    const masked = maskedControl(el, label);
    if (!f) {
      f = { form, name, label, filled: false, masked: false };
      fields.push(f);
      if (group) byName.set(name, f);
    }
    if (masked) {
      // Only whether it is filled is ever kept for a masked field.
      f.masked = true;
      delete f.value;
    }
    f.filled = f.filled || isFilled(el);
    if (f.masked) return;
    const value = fieldValue(el, type);
    if (value === null) return;
    if (hasCard(value)) {
      f.masked = true;
      delete f.value;
      return;
    }
    f.value = cap(f.value ? `${f.value}, ${value}` : value, VALUE_MAX);
  });
}
