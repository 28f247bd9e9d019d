// The frames of the resume protocol (docs/protocol.md), as the stream client reads them.

import { type Json, type JsonObject, num, str } from "./json";

/** A frame from the server: an event (with `seq`) or a signal. */
export interface ServerFrame extends JsonObject {
  type: string;
}
export interface StreamEvent extends ServerFrame {
  seq: number;
}
/** A frame to the server. Writes carry a client-made `id`. */
export interface ClientFrame extends JsonObject {
  type: string;
}
export interface WriteFrame extends ClientFrame {
  id: string;
}
/** A write as the caller gives it: the id is made here unless it is a resend. */
export type NewWrite = ClientFrame & { id?: string };

/** An `error` signal, read. */
export interface FrameError {
  code: string;
  message: string;
  ref: string | null;
  retryAfter: number | null;
}

/** Rejects a write's `done` when the server refused it. */
export class WriteRefused extends Error {
  readonly code: string;
  constructor(error: FrameError) {
    super(error.message || error.code);
    this.code = error.code;
  }
}

export function readError(frame: JsonObject): FrameError {
  return {
    code: str(frame.code) ?? "",
    message: str(frame.message) ?? "",
    ref: str(frame.ref),
    retryAfter: num(frame.retry_after),
  };
}

export function isWrite(value: Json): value is WriteFrame {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    typeof value.type === "string" && typeof value.id === "string";
}
