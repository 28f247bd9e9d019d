// The recorded events, cut into frames the server takes (docs/protocol.md, "Co-browse").

import { type Caps } from "./machine";

export interface Batch {
  /** Each a frame's `events`, in order. */
  frames: object[][];
  events: number;
  bytes: number;
  /** Bytes of the largest full snapshot (rrweb type 2) in it; 0 when none. */
  snapshot: number;
  /** One event alone is larger than a frame may be: nothing of it can go. */
  oversize: boolean;
}

const FULL_SNAPSHOT = 2;

export function cut(events: readonly object[], caps: Caps): Batch {
  const out: Batch = { frames: [], events: events.length, bytes: 0, snapshot: 0, oversize: false };
  let frame: object[] = [];
  let size = 0;
  for (const event of events) {
    const bytes = new TextEncoder().encode(JSON.stringify(event)).length;
    out.bytes += bytes;
    if ((event as { type?: unknown }).type === FULL_SNAPSHOT) out.snapshot = Math.max(out.snapshot, bytes);
    if (bytes > caps.frameBytes) out.oversize = true;
    if (frame.length && (frame.length >= caps.frameEvents || size + bytes > caps.frameBytes)) {
      out.frames.push(frame);
      frame = [];
      size = 0;
    }
    frame.push(event);
    size += bytes;
  }
  if (frame.length) out.frames.push(frame);
  return out;
}
