import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type JsonObject } from "../shared/json";
import { HOLD_EVERY, HoldTimer } from "./hold";

describe("HoldTimer", () => {
  let fired: JsonObject[];
  let t: HoldTimer;
  beforeEach(() => {
    vi.useFakeTimers();
    fired = [];
    t = new HoldTimer((d) => fired.push(d));
  });
  afterEach(() => {
    t.stop();
    vi.useRealTimers();
  });

  it("holds at once when a request opens, then every HOLD_EVERY ms", () => {
    t.start("r_1");
    expect(fired).toEqual([{ requestId: "r_1", reason: "start", every: HOLD_EVERY }]);
    vi.advanceTimersByTime(HOLD_EVERY - 1);
    expect(fired).toHaveLength(1);
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(HOLD_EVERY);
    expect(fired.map((d) => d.reason)).toEqual(["start", "interval", "interval"]);
  });

  it("stops when the request ends", () => {
    t.start("r_1");
    t.stop();
    vi.advanceTimersByTime(HOLD_EVERY * 3);
    expect(fired).toHaveLength(1);
    expect(t.holding).toBeNull();
  });

  it("does not restart for the same request; a new one starts afresh", () => {
    t.start("r_1");
    vi.advanceTimersByTime(HOLD_EVERY / 2);
    t.start("r_1");
    t.start("r_2");
    vi.advanceTimersByTime(HOLD_EVERY);
    expect(fired.map((d) => `${String(d.requestId)}:${String(d.reason)}`)).toEqual(["r_1:start", "r_2:start", "r_2:interval"]);
  });

  it("passes on the desk's ask only while a request is open", () => {
    expect(t.ask()).toBe(false);
    expect(fired).toEqual([]);
    t.start("r_1");
    expect(t.ask()).toBe(true);
    expect(fired[1]).toEqual({ requestId: "r_1", reason: "desk", every: HOLD_EVERY });
  });
});
