// Co-browse in the panel: the prompt when a specialist asks, the recorder chunk
// (tapline-cobrowse.js) once they do, the banner while the page is shared, and stopping at
// once from any side (docs/subsystems/cobrowse.md). Hooks: connection.ts (frames), ext.ts
// (the chunk arrives), focus.ts (the panel closes).

import { h } from "../../shared/dom";
import { Chunk } from "../chunk";
import { type JsonObject } from "../../shared/json";
import { type Panel } from "../panel/types";
import { cut } from "./batch";
import { CobrowseMachine, type StopReason, stopText } from "./machine";
import type { Recorder } from "./record";
import { type BannerUi, type PromptUi, buildBanner, buildPrompt, buildStatus } from "./ui";

export const COBROWSE_FILE = "tapline-cobrowse.js";
const COBROWSE_CSS = "tapline-cobrowse.css";
const FLUSH_MS = 200;
const STATUS_MS = 8000;
const SERVER_REASONS: ReadonlySet<string> = new Set([
  "customer", "specialist", "specialist_left", "too_much_data", "card_number", "ended", "connection_lost",
]);

interface Session {
  machine: CobrowseMachine;
  chunk: Chunk<Recorder>;
  prompt: PromptUi | null;
  banner: BannerUi | null;
  status: HTMLElement | null;
  stopRecording: (() => void) | null;
  buffer: object[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

const sessions = new WeakMap<Panel, Session>();

function sessionOf(p: Panel): Session {
  let s = sessions.get(p);
  if (!s) {
    const created: Session = {
      machine: new CobrowseMachine(() => Date.now()),
      chunk: new Chunk<Recorder>({
        file: COBROWSE_FILE,
        src: () => `${p.core.sibling(COBROWSE_FILE)}?v=${p.core.version}`,
        stillWanted: () => created.machine.active,
      }),
      prompt: null,
      banner: null,
      status: null,
      stopRecording: null,
      buffer: [],
      timer: undefined,
    };
    sessions.set(p, created);
    s = created;
  }
  return s;
}

/** A signal from the customer's socket: a specialist asks to see the page. */
export function cobrowseSignal(p: Panel, f: JsonObject): void {
  if (f.type !== "cobrowse.asked") return;
  const s = sessionOf(p);
  const name = typeof f.name === "string" && f.name ? f.name : "The specialist";
  if (!s.machine.asked(name)) return;
  s.chunk.load(); // ready by the time they answer; it records nothing until then
  addSheet(p);
  showPrompt(p, s, name);
}

/** An event of the request's stream: the consent recorded, a stop, or the request moving on. */
export function cobrowseEvent(p: Panel, ev: JsonObject): void {
  const s = sessions.get(p);
  if (!s || !s.machine.active) return; // a replayed event of an old session: nothing to do
  if (ev.type === "request.state" && ev.state !== "connected") {
    stop(p, s, "ended", false);
  } else if (ev.type === "cobrowse" && ev.state === "live") {
    if (s.machine.confirmed()) s.chunk.load((recorder) => startRecorder(p, s, recorder));
  } else if (ev.type === "cobrowse" && (ev.state === "stopped" || ev.state === "declined")) {
    const reason = typeof ev.reason === "string" && SERVER_REASONS.has(ev.reason) ? ev.reason : "ended";
    stop(p, s, reason as StopReason, false);
  }
}

/** The chunk registered itself (Tapline.__ext("cobrowse", …)). */
export function cobrowseArrived(p: Panel, recorder: unknown): void {
  if (typeof recorder !== "function") return;
  sessionOf(p).chunk.arrived(recorder as Recorder);
}

/** The panel closed: closing the widget stops sharing at once. */
export function cobrowseClosed(p: Panel): void {
  const s = sessions.get(p);
  if (s?.machine.active) stop(p, s, "closed", true);
}

function addSheet(p: Panel): void {
  if (p.ui.root.querySelector("link.tl-cb-sheet")) return;
  const href = `${p.core.sibling(COBROWSE_CSS)}?v=${p.core.version}`;
  p.ui.root.append(h("link.tl-cb-sheet", { rel: "stylesheet", href }));
}

function showPrompt(p: Panel, s: Session, name: string): void {
  s.prompt?.el.remove();
  s.prompt = buildPrompt(name, (allow) => answer(p, s, allow));
  p.ui.root.append(s.prompt.el);
  s.prompt.el.focus();
}

function answer(p: Panel, s: Session, allow: boolean): void {
  const yes = s.machine.answer(allow);
  s.prompt?.el.remove();
  s.prompt = null;
  p.stream?.write({ type: "cobrowse_consent", allow: yes });
  if (!yes) return;
  s.banner = buildBanner(s.machine.name, () => stop(p, s, "customer", true));
  p.ui.root.append(s.banner.el);
  s.banner.stop.focus();
}

function startRecorder(p: Panel, s: Session, recorder: Recorder): void {
  if (s.machine.state !== "live" || s.stopRecording) return;
  try {
    s.stopRecording = recorder((event) => {
      s.buffer.push(event);
      if (s.timer === undefined) s.timer = setTimeout(() => flush(p, s), FLUSH_MS);
    });
  } catch {
    stop(p, s, "failed", true);
  }
}

export function flush(p: Panel, s: Session): void {
  s.timer = undefined;
  const events = s.buffer;
  s.buffer = [];
  if (!events.length || s.machine.state !== "live") return;
  if (!p.stream?.ready) {
    stop(p, s, "connection_lost", false); // the server stops it too when the socket goes
    return;
  }
  const batch = cut(events, s.machine.caps);
  const over = batch.oversize ? "page_too_large" : s.machine.admit(batch.events, batch.bytes, batch.snapshot);
  if (over) {
    stop(p, s, over, true);
    return;
  }
  for (const frame of batch.frames) p.stream.signal({ type: "cobrowse_events", events: frame as JsonObject[] });
}

/** Stop at once: the recorder first, then what shows; `tell`: the server does not know yet. */
function stop(p: Panel, s: Session, reason: StopReason, tell: boolean): void {
  if (!s.machine.end(reason)) return;
  s.stopRecording?.();
  s.stopRecording = null;
  clearTimeout(s.timer);
  s.timer = undefined;
  s.buffer = [];
  const hadFocus = !!(s.banner && p.ui.root.activeElement === s.banner.stop);
  s.prompt?.el.remove();
  s.prompt = null;
  s.banner?.el.remove();
  s.banner = null;
  if (tell) p.stream?.write({ type: "cobrowse_stop" });
  const text = stopText(reason, s.machine.name);
  if (text) {
    if (!s.status) {
      s.status = buildStatus();
      p.ui.root.append(s.status);
    }
    const status = s.status;
    status.textContent = text;
    setTimeout(() => {
      if (status.textContent === text) status.textContent = "";
    }, STATUS_MS);
  }
  if (hadFocus) p.ui.launcher.focus();
}
