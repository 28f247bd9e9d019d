import { describe, expect, it } from "vitest";
import { clean } from "./clean";

describe("clean", () => {
  it("removes card numbers from strings and keys, and cards sent as numbers", () => {
    expect(clean({ "4111 1111 1111 1111": "card 4111-1111-1111-1111", pan: 4111111111111111, fare: 412 })).toEqual({
      "[card number removed]": "card [card number removed]",
      pan: "[card number removed]",
      fare: 412,
    });
  });

  it("keeps only JSON: no functions, nodes or non-finite numbers; dates as ms", () => {
    const at = new Date(1_700_000_000_000);
    expect(clean({ f: () => 1, n: NaN, i: Infinity, u: undefined, d: at, el: document.createElement("p"), ok: true })).toEqual({
      n: null, i: null, d: 1_700_000_000_000, el: null, ok: true,
    });
  });

  it("bounds depth, width and length", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 12; i++) deep = { deep };
    expect(JSON.stringify(clean(deep))).not.toContain("bottom");
    const wide = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]));
    const cleaned = clean(wide);
    expect(cleaned && typeof cleaned === "object" ? Object.keys(cleaned) : []).toHaveLength(100);
    expect(clean(Array.from({ length: 150 }, (_, i) => i))).toHaveLength(100);
    expect(clean("x".repeat(3000))).toHaveLength(2000);
  });
});
