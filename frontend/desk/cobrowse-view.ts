// The co-browse view (a chunk of its own): "Live · customer's page", Stop, an honest state,
// and the frame that replays the page. The frame (cobrowse-frame.html) has its own CSP for
// rrweb's styles, so this page's stays strict (docs/security.md, "Co-browse").

import { type CobrowseStatus, type CobrowseView, STATUS_TEXT } from "./cobrowse";
import { type FrameMessage, isFrameMessage } from "./cobrowse-messages";
import { h } from "./dom";

export const FRAME_URL = "/desk/assets/cobrowse-frame.html";
const BACKLOG = 5000; // events held while the frame loads; past it, the oldest go

export function mountCobrowseView(region: HTMLElement, stop: (requestId: string) => void): CobrowseView {
  let requestId: string | null = null;
  let ready = false;
  let held: object[] = [];
  const label = h("span.cobrowse-label", { role: "status", aria: { live: "polite" } });
  const stopBtn = h("button.btn", { type: "button", onclick: () => requestId && stop(requestId) }, "Stop");
  const frame = h("iframe.cobrowse-frame", {
    title: "The customer's page, live",
    src: FRAME_URL,
    // Our own page (same origin, its own CSP): the customer's page is rebuilt in an iframe
    // inside it that rrweb sandboxes without allow-scripts.
    referrerpolicy: "same-origin",
  });
  const box = h("section.cobrowse", { aria: { label: "Customer's page" } },
    h("div.cobrowse-head", null, label, stopBtn), frame);
  region.replaceChildren(box);
  if (!document.querySelector("link[data-cobrowse]")) {
    document.head.append(h("link", { rel: "stylesheet", href: "/desk/assets/cobrowse.css", dataset: { cobrowse: "" } }));
  }

  const post = (message: FrameMessage) => frame.contentWindow?.postMessage(message, location.origin);
  window.addEventListener("message", (event: MessageEvent) => {
    if (event.origin !== location.origin || event.source !== frame.contentWindow) return;
    const m: unknown = event.data;
    if (!isFrameMessage(m) || m.kind !== "ready") return;
    ready = true;
    if (held.length) post({ tapline: "cobrowse", kind: "events", events: held });
    held = [];
  });

  return {
    show(id: string, status: CobrowseStatus) {
      if (requestId !== id) this.reset();
      requestId = id;
      label.textContent = STATUS_TEXT[status];
      box.dataset.state = status;
      stopBtn.hidden = status !== "live" && status !== "asking";
      frame.hidden = status !== "live";
    },
    events(events: object[]) {
      if (ready) post({ tapline: "cobrowse", kind: "events", events });
      else held = held.concat(events).slice(-BACKLOG);
    },
    reset() {
      held = [];
      if (ready) post({ tapline: "cobrowse", kind: "reset" });
    },
  };
}
