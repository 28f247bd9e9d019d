// Co-browse's state on the customer's side, pure (no DOM, no rrweb): asked → the customer
// answers → live once the server says so → stopped. Every limit explicit: past one, it stops
// with a reason the banner and the desk can say (docs/subsystems/cobrowse.md).

export type CobrowseState = "idle" | "asked" | "starting" | "live";
export type StopReason =
  | "customer"
  | "declined"
  | "specialist"
  | "specialist_left"
  | "ended"
  | "closed"
  | "too_much_data"
  | "page_too_large"
  | "card_number"
  | "connection_lost"
  | "failed";

export interface Caps {
  /** rrweb events a second, over the last second. */
  eventsPerSecond: number;
  /** Bytes of events (JSON) a second, over the last second. */
  bytesPerSecond: number;
  /** The page's full snapshot: past it, the page is too large to show. */
  snapshotBytes: number;
  /** Events in one frame to the server (its own cap is 1000). */
  frameEvents: number;
  /** Bytes in one frame to the server (its `frame_bytes` is 131072). */
  frameBytes: number;
}

/** Below the server's caps (docs/protocol.md, "Co-browse"), so the widget stops first. */
export const CAPS: Caps = {
  eventsPerSecond: 200,
  bytesPerSecond: 150_000,
  snapshotBytes: 100_000,
  frameEvents: 500,
  frameBytes: 110_000,
};

const ACTIVE: ReadonlySet<CobrowseState> = new Set(["asked", "starting", "live"]);

export class CobrowseMachine {
  state: CobrowseState = "idle";
  /** The specialist's name, as the server said it. */
  name = "";
  /** Why the last session ended (null while none did). */
  reason: StopReason | null = null;
  private window: Array<{ at: number; events: number; bytes: number }> = [];

  constructor(
    private readonly now: () => number,
    readonly caps: Caps = CAPS,
  ) {}

  get active(): boolean {
    return ACTIVE.has(this.state);
  }

  /** A specialist asks: true when the customer should be asked (not while already live). */
  asked(name: string): boolean {
    if (this.state === "live" || this.state === "starting") return false;
    this.state = "asked";
    this.name = name;
    this.reason = null;
    return true;
  }

  /** The customer's answer: true when it is "Allow" to send. */
  answer(allow: boolean): boolean {
    if (this.state !== "asked") return false;
    if (!allow) {
      this.end("declined");
      return false;
    }
    this.state = "starting";
    return true;
  }

  /** The server recorded the consent: true when recording should start now. */
  confirmed(): boolean {
    if (this.state !== "starting") return false;
    this.state = "live";
    this.window = [];
    return true;
  }

  /**
   * Whether a batch of events may go: null if so, else why co-browse must stop.
   * `snapshot`: the bytes of the largest full snapshot in it (0: none).
   */
  admit(events: number, bytes: number, snapshot: number): StopReason | null {
    if (this.state !== "live") return "failed";
    if (snapshot > this.caps.snapshotBytes) return "page_too_large";
    const at = this.now();
    this.window = this.window.filter((w) => at - w.at < 1000);
    this.window.push({ at, events, bytes });
    const sum = this.window.reduce((a, w) => ({ events: a.events + w.events, bytes: a.bytes + w.bytes }), {
      events: 0,
      bytes: 0,
    });
    if (sum.events > this.caps.eventsPerSecond || sum.bytes > this.caps.bytesPerSecond) return "too_much_data";
    return null;
  }

  /** Stop now: true when something was on (recording, or a prompt shown). */
  end(reason: StopReason): boolean {
    if (!this.active) return false;
    this.state = "idle";
    this.reason = reason;
    this.window = [];
    return true;
  }
}

/** What the banner or the prompt says after a stop, for the customer (null: nothing). */
export function stopText(reason: StopReason, name: string): string | null {
  switch (reason) {
    case "customer":
    case "closed":
      return `${name} can no longer see this page.`;
    case "specialist":
      return `${name} stopped viewing this page.`;
    case "specialist_left":
      return `${name} left: screen sharing stopped.`;
    case "too_much_data":
      return "Screen sharing stopped: this page changes too fast to share.";
    case "page_too_large":
      return "Screen sharing stopped: this page is too large to share.";
    case "card_number":
      return "Screen sharing stopped: a card number was on the page.";
    case "ended":
      return "Screen sharing ended with the conversation.";
    case "connection_lost":
      return "Screen sharing stopped: the connection was lost.";
    case "failed":
      return "Screen sharing could not start.";
    case "declined":
      return null;
  }
}
