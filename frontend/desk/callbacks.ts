// Channels and callbacks in words: offer chips, the ringing banner and the thread's events.
// Pure functions over the protocol's Offer/Callback shapes; no DOM here.

import { clockTime, serverNow } from "./format";
import type { IconName } from "./dom";
import type { Callback, Channel } from "./protocol";

/** How a line of the thread looks: neutral, good news, or a warning. */
export type Tone = "info" | "good" | "warn";
/** A line for the thread: its text and tone. */
export type Said = [text: string, tone: Tone];

export const CHANNELS: Record<Channel, { label: string; icon: IconName; verb: string }> = {
  chat: { label: "Chat", icon: "chat", verb: "chat with" },
  voice: { label: "Voice", icon: "mic", verb: "voice call with" },
  video: { label: "Video", icon: "video", verb: "video call with" },
};

function isChannel(value: unknown): value is Channel {
  return value === "chat" || value === "voice" || value === "video";
}

/** The channel of an offer or request; chat when it says none this desk knows. */
export function channelOf(x: { channel?: unknown } | null | undefined): Channel {
  return x && isChannel(x.channel) ? x.channel : "chat";
}

/** "Callback · promised by 14:32" (the promise window's end), for offer cards and heads. */
export function promiseText(cb: Callback | null | undefined): string {
  if (!cb) return "";
  const kind = cb.kind === "scheduled" ? "Scheduled callback" : "Callback";
  const by = clockTime(cb.window_end);
  return by ? `${kind} · promised by ${by}` : kind;
}

/** True when the promise window has already closed and the customer has not been rung. */
export function isLate(cb: Callback | null | undefined): boolean {
  if (!cb) return false;
  return Number.isFinite(cb.window_end) && cb.window_end < serverNow() && !cb.attempts;
}

function attemptText(cb: Callback): string {
  const n = Number(cb.attempts) || 1;
  const max = Number(cb.max_attempts) || 0;
  return max ? `attempt ${n} of ${max}` : `attempt ${n}`;
}

/** The live line while the customer is being rung, or "" when not ringing. */
export function ringingText(cb: Callback | null | undefined): string {
  return cb && cb.state === "ringing" ? `Ringing the customer… (${attemptText(cb)})` : "";
}

/** A thread event for a `callback` event, or null when nothing is worth saying. */
export function callbackEventText(cb: Callback | null | undefined): Said | null {
  if (!cb) return null;
  switch (cb.state) {
    case "promised":
      return Number(cb.attempts) > 0
        ? ["Not reached yet: the customer keeps their place and will be rung again", "info"]
        : [promiseText(cb), "info"];
    case "retrying":
      return ["No answer yet: the customer will be rung again", "warn"];
    case "requeued":
      return ["Not reached: the request went back into the queue at its place", "warn"];
    case "ringing":
      return [ringingText(cb), "info"];
    case "answered":
      return [`The customer answered${cb.kept === false ? " (after the promised window)" : ""}`, "good"];
    case "missed": {
      const n = Number(cb.attempts) || 0;
      return [`Callback missed: no answer after ${n} attempt${cb.attempts === 1 ? "" : "s"}`, "warn"];
    }
    case "cancelled":
      return ["The customer cancelled the callback", "info"];
    default:
      return null;
  }
}

const RING_ENDED: Record<string, Said> = {
  answered: ["The customer answered the ring", "good"],
  timeout: ["No answer", "warn"],
  no_answer: ["No answer", "warn"],
  rescheduled: ["The customer moved the callback to another time", "info"],
  cancelled: ["Ringing stopped: the customer said not now or cancelled", "info"],
  declined: ["The customer said not now", "info"],
};

/** A thread event for `callback.ring_ended`. */
export function ringEndedText(reason: string | null | undefined, cb: Callback | null | undefined): Said {
  const known = reason && Object.prototype.hasOwnProperty.call(RING_ENDED, reason) ? RING_ENDED[reason] : undefined;
  const [text, tone]: Said = known || [`Ringing ended: ${String(reason || "unknown").replace(/_/g, " ")}`, "info"];
  return [(reason === "timeout" || reason === "no_answer") && cb ? `${text} (${attemptText(cb)})` : text, tone];
}
