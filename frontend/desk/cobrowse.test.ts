import { describe, expect, it } from "vitest";

import {
  STATUS_TEXT,
  cobrowseButton,
  cobrowseConnection,
  cobrowseEvent,
  cobrowseRegion,
  cobrowseSignal,
  drawCobrowse,
  statusOf,
} from "./cobrowse";
import { type DeskEvent, type DeskSignal } from "./protocol";

let seq = 0;
function event(requestId: string, state: string, reason: string | null = null, by = "customer"): DeskEvent {
  return { type: "cobrowse", seq: ++seq, at: 0, request_id: requestId, state, by, reason } as unknown as DeskEvent;
}

describe("the desk's co-browse state", () => {
  it("says honestly what holds for every state", () => {
    expect(STATUS_TEXT.asking).toBe("Waiting for the customer to allow it…");
    expect(STATUS_TEXT.live).toBe("Live · customer's page");
    expect(STATUS_TEXT.stopped_by_customer).toBe("Stopped by the customer.");
    expect(STATUS_TEXT.too_much_data).toMatch(/too much data/);
    expect(STATUS_TEXT.lost).toMatch(/Connection lost/);
  });

  it("follows the server's events: live, then stopped by the customer", () => {
    drawCobrowse("r_1", true);
    expect(cobrowseButton().hidden).toBe(false);
    expect(cobrowseRegion().hidden).toBe(true);
    cobrowseEvent(event("r_1", "asked", null, "specialist"));
    expect(statusOf("r_1")).toBe("idle"); // the ack says asking; the record changes nothing
    cobrowseEvent(event("r_1", "live"));
    expect(statusOf("r_1")).toBe("live");
    expect(cobrowseButton().hidden).toBe(true);
    expect(cobrowseRegion().hidden).toBe(false);
    cobrowseEvent(event("r_1", "stopped", "customer"));
    expect(statusOf("r_1")).toBe("stopped_by_customer");
    expect(cobrowseButton().hidden).toBe(false);
  });

  it("maps each stop reason, a decline, the chat ending and a lost connection", () => {
    const reasons: Array<[string | null, string]> = [
      ["too_much_data", "too_much_data"],
      ["card_number", "card_number"],
      ["connection_lost", "lost"],
      ["specialist", "stopped"],
      ["ended", "ended"],
    ];
    for (const [reason, status] of reasons) {
      cobrowseEvent(event("r_2", "live"));
      cobrowseEvent(event("r_2", "stopped", reason, "tapline"));
      expect(statusOf("r_2")).toBe(status);
    }
    cobrowseEvent(event("r_2", "declined"));
    expect(statusOf("r_2")).toBe("declined");
    cobrowseEvent(event("r_2", "live"));
    cobrowseEvent({ type: "request.state", seq: ++seq, at: 0, request_id: "r_2", state: "resolved" } as unknown as DeskEvent);
    expect(statusOf("r_2")).toBe("ended");
    cobrowseEvent(event("r_3", "live"));
    cobrowseConnection(false);
    expect(statusOf("r_3")).toBe("lost");
  });

  it("takes relayed events only for the chat shown while live; other signals are not its", () => {
    const frame = { type: "cobrowse.events", request_id: "r_9", events: [{ type: 4 }] } as unknown as DeskSignal;
    expect(cobrowseSignal(frame)).toBe(true);
    expect(cobrowseSignal({ type: "pong" } as DeskSignal)).toBe(false);
  });
});
