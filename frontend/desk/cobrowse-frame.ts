/*! tapline desk co-browse frame: replays the customer's page (rrweb, live mode) inside
 * /desk/assets/cobrowse-frame.html, a document with its own CSP (docs/security.md,
 * "Co-browse"), so the desk page's CSP stays strict. The page is rebuilt in rrweb's sandboxed
 * iframe (allow-same-origin only): no script of the recording ever runs. Events come from the
 * desk page by postMessage, same origin only. */
import { Replayer } from "@rrweb/replay";

import { type FrameMessage, isFrameMessage } from "./cobrowse-messages";

let replayer: Replayer | null = null;
const root = document.getElementById("replay");

function reset(): void {
  replayer?.destroy();
  replayer = null;
  root?.replaceChildren();
}

function add(events: object[]): void {
  if (!root) return;
  for (const event of events) {
    const e = event as { type?: unknown; timestamp?: unknown };
    if (!replayer) {
      if (e.type !== 2 && e.type !== 4) continue; // wait for the page's meta and full snapshot
      replayer = new Replayer([], {
        root,
        liveMode: true,
        mouseTail: false,
        showWarning: false,
        triggerFocus: false,
        insertStyleRules: ["html, body { cursor: default; }"],
      });
      replayer.startLive(typeof e.timestamp === "number" ? e.timestamp : Date.now());
    }
    replayer.addEvent(event as Parameters<Replayer["addEvent"]>[0]);
  }
  fit();
}

/** Scale the replayed page to the frame's width (the customer's window may be wider). */
function fit(): void {
  const wrapper = root?.querySelector<HTMLElement>(".replayer-wrapper");
  const iframe = wrapper?.querySelector("iframe");
  if (!wrapper || !iframe) return;
  const width = Number(iframe.getAttribute("width")) || iframe.offsetWidth;
  const scale = width > 0 ? Math.min(1, document.documentElement.clientWidth / width) : 1;
  wrapper.style.transform = `scale(${scale})`;
}

function post(message: FrameMessage): void {
  window.parent.postMessage(message, location.origin);
}

window.addEventListener("message", (event: MessageEvent) => {
  if (event.origin !== location.origin || event.source !== window.parent) return;
  const message: unknown = event.data;
  if (!isFrameMessage(message)) return;
  if (message.kind === "events") add(message.events);
  else if (message.kind === "reset") reset();
});
window.addEventListener("resize", fit);
post({ tapline: "cobrowse", kind: "ready" });
