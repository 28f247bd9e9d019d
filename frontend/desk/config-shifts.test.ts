import { describe, expect, it } from "vitest";
import { shiftWhen, wallClock, zonedEpoch } from "./config-shifts";

describe("zonedEpoch", () => {
  it("reads a wall-clock time in its zone", () => {
    expect(zonedEpoch("2026-07-01", "09:00", "UTC")).toBe(Date.UTC(2026, 6, 1, 9, 0));
    expect(zonedEpoch("2026-07-01", "09:00", "Europe/Lisbon")).toBe(Date.UTC(2026, 6, 1, 8, 0)); // WEST, UTC+1
    expect(zonedEpoch("2026-12-01", "09:00", "Europe/Lisbon")).toBe(Date.UTC(2026, 11, 1, 9, 0)); // WET, UTC+0
    expect(zonedEpoch("2026-12-01", "09:00", "America/New_York")).toBe(Date.UTC(2026, 11, 1, 14, 0));
    expect(zonedEpoch("2026-12-01", "09:00", "Asia/Kolkata")).toBe(Date.UTC(2026, 11, 1, 3, 30));
  });

  it("is right on both sides of a daylight-saving change", () => {
    // Europe/Berlin moves to summer time on 2026-03-29 at 02:00 local.
    expect(zonedEpoch("2026-03-29", "01:30", "Europe/Berlin")).toBe(Date.UTC(2026, 2, 29, 0, 30));
    expect(zonedEpoch("2026-03-29", "03:30", "Europe/Berlin")).toBe(Date.UTC(2026, 2, 29, 1, 30));
  });
});

describe("wallClock", () => {
  it("is zonedEpoch the other way round", () => {
    for (const tz of ["UTC", "Europe/Lisbon", "America/Los_Angeles", "Australia/Adelaide"]) {
      const ms = zonedEpoch("2026-10-04", "17:45", tz);
      expect(wallClock(ms, tz)).toEqual({ date: "2026-10-04", time: "17:45" });
    }
  });

  it("says midnight as 00:00", () => {
    expect(wallClock(Date.UTC(2026, 0, 2), "UTC")).toEqual({ date: "2026-01-02", time: "00:00" });
  });
});

describe("shiftWhen", () => {
  it("words a weekly shift by its days", () => {
    expect(shiftWhen({ weekly: { mon: [["09:00", "17:00"]] }, start: null, end: null, timezone: "UTC" })).toBe("Mon 09:00–17:00");
  });

  it("words a dated shift in its own time zone", () => {
    const when = shiftWhen({ weekly: null, start: Date.UTC(2026, 11, 24, 8), end: Date.UTC(2026, 11, 24, 13), timezone: "UTC" });
    expect(when).toContain("2026");
    expect(when).toContain(" – ");
  });
});
