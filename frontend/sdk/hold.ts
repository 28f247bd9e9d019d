// The keep-alive (docs/sdk.md, "Holding the session"): while a request is open the SDK fires
// `hold` every HOLD_EVERY ms, and once more whenever the desk asks the app for more time; the
// host extends its own session and reports what it really is with Tapline.setSession.

import { type JsonObject } from "../shared/json";

export const HOLD_EVERY = 30_000;

export type HoldReason = "start" | "interval" | "desk";

export class HoldTimer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private requestId: string | null = null;

  constructor(private readonly fire: (detail: JsonObject) => void) {}

  get holding(): string | null {
    return this.requestId;
  }

  /** A request is open: hold now and every HOLD_EVERY ms until stop(). */
  start(requestId: string): void {
    if (this.requestId === requestId) return;
    this.stop();
    this.requestId = requestId;
    this.emit("start");
    this.timer = setInterval(() => this.emit("interval"), HOLD_EVERY);
  }

  /** The desk asked for more time (only while a request is open). */
  ask(): boolean {
    if (!this.requestId) return false;
    this.emit("desk");
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.requestId = null;
  }

  private emit(reason: HoldReason): void {
    if (this.requestId) this.fire({ requestId: this.requestId, reason, every: HOLD_EVERY });
  }
}
