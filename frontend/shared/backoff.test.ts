import { describe, expect, it } from "vitest";
import { BACKOFF_FIRST, BACKOFF_MAX, backoffDelay } from "./backoff";

const low = () => 0;
const mid = () => 0.5;
const high = () => 0.999999;

describe("backoffDelay", () => {
  it("starts at 500 ms and doubles", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, mid))).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(backoffDelay(0, mid)).toBe(BACKOFF_FIRST);
  });

  it("stops doubling at 10 s", () => {
    for (const n of [6, 7, 20, 1000, Infinity, NaN]) expect(backoffDelay(n, mid)).toBeLessThanOrEqual(BACKOFF_MAX);
    expect(backoffDelay(6, mid)).toBe(BACKOFF_MAX);
  });

  it("jitters by ±25 % and never passes the cap", () => {
    expect(backoffDelay(1, low)).toBe(375);
    expect(backoffDelay(1, high)).toBe(625);
    expect(backoffDelay(3, low)).toBe(1500);
    expect(backoffDelay(3, high)).toBe(2500);
    expect(backoffDelay(10, low)).toBe(7500);
    expect(backoffDelay(10, high)).toBe(BACKOFF_MAX);
    for (let n = 0; n < 50; n++) {
      const d = backoffDelay(n);
      expect(d).toBeGreaterThanOrEqual(375);
      expect(d).toBeLessThanOrEqual(BACKOFF_MAX);
    }
  });
});
