// Channels and callbacks in words: offer chips, the ringing banner and the thread's events.
// Pure functions over the protocol's Offer/Callback shapes; no DOM here.

import { clockTime, serverNow } from "./format.js";

export const CHANNELS = {
  chat: { label: "Chat", icon: "chat", verb: "chat with" },
  voice: { label: "Voice", icon: "mic", verb: "voice call with" },
  video: { label: "Video", icon: "video", verb: "video call with" },
};

export function channelOf(x) {
  return x && CHANNELS[x.channel] ? x.channel : "chat";
}

/** "Callback · promised by 14:32" (the promise window's end), for offer cards and heads. */
export function promiseText(cb) {
  if (!cb) return "";
  const kind = cb.kind === "scheduled" ? "Scheduled callback" : "Callback";
  const by = clockTime(cb.window_end);
  return by ? `${kind} · promised by ${by}` : kind;
}

/** True when the promise window has already closed and the customer has not been rung. */
export function isLate(cb) {
  return Boolean(cb) && Number.isFinite(cb.window_end) && cb.window_end < serverNow() && !cb.attempts;
}

function attemptText(cb) {
  const n = Number(cb.attempts) || 1;
  const max = Number(cb.max_attempts) || 0;
  return max ? `attempt ${n} of ${max}` : `attempt ${n}`;
}

/** The live line while the customer is being rung, or "" when not ringing. */
export function ringingText(cb) {
  return cb && cb.state === "ringing" ? `Ringing the customer… (${attemptText(cb)})` : "";
}

/** A thread event for a `callback` event: [text, tone], or null when nothing worth saying. */
export function callbackEventText(cb) {
  switch (cb && cb.state) {
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
    case "missed":
      return [`Callback missed: no answer after ${Number(cb.attempts) || 0} attempt${cb.attempts === 1 ? "" : "s"}`, "warn"];
    case "cancelled":
      return ["The customer cancelled the callback", "info"];
    default:
      return null;
  }
}

const RING_ENDED = {
  answered: ["The customer answered the ring", "good"],
  timeout: ["No answer", "warn"],
  no_answer: ["No answer", "warn"],
  rescheduled: ["The customer moved the callback to another time", "info"],
  cancelled: ["Ringing stopped: the customer said not now or cancelled", "info"],
  declined: ["The customer said not now", "info"],
};

/** A thread event for `callback.ring_ended`: [text, tone]. */
export function ringEndedText(reason, cb) {
  const [text, tone] = RING_ENDED[reason] || [`Ringing ended: ${String(reason || "unknown").replace(/_/g, " ")}`, "info"];
  return [(reason === "timeout" || reason === "no_answer") && cb ? `${text} (${attemptText(cb)})` : text, tone];
}
