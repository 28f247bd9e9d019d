import { afterEach, describe, expect, it, vi } from "vitest";
import { callbackEventText, channelOf, isLate, promiseText, ringEndedText, ringingText } from "./callbacks";
import { clockTime } from "./format";
import type { Callback } from "./protocol";

const T0 = 1_800_000_000_000;
const cb = (over: Partial<Callback> = {}): Callback => ({
  id: "r1", kind: "in_queue", state: "promised", window_start: T0, window_end: T0 + 600_000,
  slot_start: null, attempts: 0, kept: null, ...over,
});

afterEach(() => vi.useRealTimers());

describe("channels", () => {
  it("knows chat, voice and video, and falls back on chat", () => {
    expect(channelOf({ channel: "voice" })).toBe("voice");
    expect(channelOf({ channel: "fax" })).toBe("chat");
    expect(channelOf({})).toBe("chat");
    expect(channelOf(null)).toBe("chat");
  });
});

describe("promises", () => {
  it("says when the callback is promised by", () => {
    expect(promiseText(cb())).toBe(`Callback · promised by ${clockTime(T0 + 600_000)}`);
    expect(promiseText(cb({ kind: "scheduled" }))).toMatch(/^Scheduled callback · promised by /);
    expect(promiseText(cb({ window_end: 0 }))).toBe("Callback");
    expect(promiseText(null)).toBe("");
  });

  it("is late once the window closed with no ring", () => {
    vi.useFakeTimers({ now: T0 + 700_000 });
    expect(isLate(cb())).toBe(true);
    expect(isLate(cb({ attempts: 1 }))).toBe(false);
    expect(isLate(cb({ window_end: T0 + 800_000 }))).toBe(false);
    expect(isLate(null)).toBe(false);
  });
});

describe("ringing", () => {
  it("counts attempts, with the maximum when known", () => {
    expect(ringingText(cb({ state: "ringing", attempts: 2 }))).toBe("Ringing the customer… (attempt 2)");
    expect(ringingText(cb({ state: "ringing", attempts: 1, max_attempts: 3 }))).toBe("Ringing the customer… (attempt 1 of 3)");
    expect(ringingText(cb({ state: "ringing", attempts: 0 }))).toBe("Ringing the customer… (attempt 1)");
    expect(ringingText(cb({ state: "promised" }))).toBe("");
    expect(ringingText(undefined)).toBe("");
  });
});

describe("callbackEventText", () => {
  it.each<[Partial<Callback>, string, string]>([
    [{ state: "promised", attempts: 1 }, "Not reached yet: the customer keeps their place and will be rung again", "info"],
    [{ state: "retrying" }, "No answer yet: the customer will be rung again", "warn"],
    [{ state: "requeued" }, "Not reached: the request went back into the queue at its place", "warn"],
    [{ state: "answered", kept: true }, "The customer answered", "good"],
    [{ state: "answered", kept: false }, "The customer answered (after the promised window)", "good"],
    [{ state: "missed", attempts: 3 }, "Callback missed: no answer after 3 attempts", "warn"],
    [{ state: "missed", attempts: 1 }, "Callback missed: no answer after 1 attempt", "warn"],
    [{ state: "cancelled" }, "The customer cancelled the callback", "info"],
  ])("%o", (over, text, tone) => {
    expect(callbackEventText(cb(over))).toEqual([text, tone]);
  });

  it("states a fresh promise, and nothing for others", () => {
    expect(callbackEventText(cb())?.[0]).toMatch(/^Callback · promised by/);
    expect(callbackEventText(cb({ state: "rescheduled" }))).toBeNull();
    expect(callbackEventText(null)).toBeNull();
  });
});

describe("ringEndedText", () => {
  it("words each reason", () => {
    expect(ringEndedText("answered", null)).toEqual(["The customer answered the ring", "good"]);
    expect(ringEndedText("no_answer", cb({ attempts: 1, max_attempts: 3 }))).toEqual(["No answer (attempt 1 of 3)", "warn"]);
    expect(ringEndedText("no_answer", null)).toEqual(["No answer", "warn"]);
    expect(ringEndedText("rescheduled", null)[1]).toBe("info");
    expect(ringEndedText("specialist_left", null)).toEqual(["Ringing ended: specialist left", "info"]);
    expect(ringEndedText(null, null)).toEqual(["Ringing ended: unknown", "info"]);
    expect(ringEndedText("toString", null)).toEqual(["Ringing ended: toString", "info"]);
  });
});
