// What rrweb may record of the host's page: private by default (docs/sdk.md, "Co-browse").
// Every input's value is masked (and its length too); the fields the SDK's masking rules mask,
// the widget itself and the host's opt-outs are blocked whole (a grey box of the same size);
// no canvas, media, fonts, images or cross-origin frames.

import { redactCards } from "../../shared/luhn";
import { type Control, isControl, maskedControl } from "../fieldtypes";

/** The host's opt-outs: an element with any of these is never shown to the specialist. */
export const PRIVATE_SELECTOR = "[data-tapline-private], .tapline-private";
/** Text inside these is replaced by asterisks (the element itself is shown). */
export const MASK_TEXT_SELECTOR = "[data-tapline-mask], .tapline-mask";
/** The widget's own host (its conversation is not the page the specialist asked to see). */
export const WIDGET_SELECTOR = "[data-tapline-widget]";
/** Blocked as what they are: the SDK's masked kinds (mask.ts), and media. */
const MASKED_KINDS =
  'input[type="password"], input[type="file"], input[autocomplete^="cc-"], input[autocomplete*="password"], input[autocomplete="one-time-code"], [data-tapline-mask] input, video, audio, canvas, iframe, object, embed';
export const BLOCK_SELECTOR = [PRIVATE_SELECTOR, WIDGET_SELECTOR, MASKED_KINDS].join(", ");

/** What an input shows the specialist instead of its value: the same for every value. */
export const MASKED_VALUE = "••••";

/** The fields the masking rules mask, by what they are (name, label…): marked to be blocked. */
export const BLOCK_CLASS = "tapline-cb-blocked";

export interface PrivacyOptions {
  blockClass: string;
  blockSelector: string;
  maskTextSelector: string;
  maskTextFn: (text: string, element: HTMLElement | null) => string;
  maskAllInputs: true;
  maskInputFn: (text: string, element: HTMLElement) => string;
  recordCanvas: false;
  recordCrossOriginIframes: false;
  collectFonts: false;
  inlineImages: false;
  inlineStylesheet: true;
  sampling: { mousemove: number; scroll: number; input: "last"; media: number };
  slimDOMOptions: "all";
}

/** The options given to rrweb's record(): tests read them as they are. */
export function privacyOptions(): PrivacyOptions {
  return {
    blockClass: BLOCK_CLASS,
    blockSelector: BLOCK_SELECTOR,
    // Every text passes maskTextFn: card numbers shown in the page are taken out (the server
    // stops co-browse if one still comes), the host's masked parts become asterisks.
    maskTextSelector: "*",
    maskTextFn: maskText,
    maskAllInputs: true,
    maskInputFn: () => MASKED_VALUE,
    recordCanvas: false,
    recordCrossOriginIframes: false,
    collectFonts: false,
    inlineImages: false,
    inlineStylesheet: true,
    sampling: { mousemove: 100, scroll: 150, input: "last", media: 1_000_000 },
    slimDOMOptions: "all",
  };
}

/** A text of the page as the specialist may see it. */
export function maskText(text: string, element: HTMLElement | null): string {
  if (element?.closest(MASK_TEXT_SELECTOR)) return text.replace(/\S/g, "*");
  return redactCards(text);
}

/** Mark the controls the SDK's rules mask (by name, id, label…) so rrweb blocks them whole. */
export function markMaskedFields(root: ParentNode): void {
  for (const el of root.querySelectorAll("input, select, textarea")) {
    if (isControl(el) && maskedControl(el as Control, labelOf(el as Control))) el.classList.add(BLOCK_CLASS);
  }
}

function labelOf(el: Control): string | null {
  const label = el.labels?.[0]?.textContent ?? null;
  return label ? label.trim() : null;
}
