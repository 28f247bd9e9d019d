// The consent prompt and the banner, in the widget's shadow root (styles in tapline.css).
// Plain words: who asks, what they will see, that what you type stays hidden, how to stop.
// Every text with textContent (the specialist's name is the server's, not markup).

import { h } from "../../shared/dom";

export interface PromptUi {
  el: HTMLElement;
  allow: HTMLButtonElement;
  deny: HTMLButtonElement;
}

let seq = 0;

export function buildPrompt(name: string, answer: (allow: boolean) => void): PromptUi {
  const id = `tl-cb-title-${++seq}`;
  const allow = h("button.tl-btn.tl-cb-allow", { type: "button", onclick: () => answer(true) }, "Allow");
  const deny = h("button.tl-btn.tl-cb-deny", { type: "button", onclick: () => answer(false) }, "Don't allow");
  const el = h(
    "div.tl-cb-prompt",
    {
      role: "alertdialog",
      "aria-modal": "false",
      "aria-labelledby": id,
      "aria-describedby": `${id}-what`,
      tabindex: "-1",
      dir: "auto",
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key === "Escape") {
          e.preventDefault();
          answer(false);
        }
      },
    },
    h("h2.tl-cb-title", { id }, `${name} would like to see this page`),
    h(
      "p.tl-cb-what",
      { id: `${id}-what` },
      `If you allow it, ${name} sees this page and what you do on it, live, until you stop. ` +
        "What you type stays hidden, and so do card and password fields. Nothing is recorded.",
    ),
    h("div.tl-cb-actions", allow, deny),
  );
  return { el, allow, deny };
}

export interface BannerUi {
  el: HTMLElement;
  text: HTMLElement;
  stop: HTMLButtonElement;
}

export function buildBanner(name: string, stop: () => void): BannerUi {
  const text = h("span.tl-cb-text", { dir: "auto" }, `${name} can see this page`);
  const button = h(
    "button.tl-btn.tl-cb-stop",
    { type: "button", onclick: stop, "aria-label": `Stop sharing this page with ${name}` },
    "Stop",
  );
  const el = h("div.tl-cb-banner", { role: "region", "aria-label": "Screen sharing" }, h("span.tl-cb-dot"), text, button);
  return { el, text, stop: button };
}

/** A polite live region: what happened, for screen readers and the eye (stops, declines). */
export function buildStatus(): HTMLElement {
  return h("div.tl-cb-status", { role: "status", "aria-live": "polite" });
}
