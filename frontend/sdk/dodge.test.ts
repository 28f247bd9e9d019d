import { describe, expect, it } from "vitest";
import { type Rect, type Scene, choosePlace, insetsOf, placeRect } from "./dodge";

function scene(over: Partial<Scene> = {}): Scene {
  return {
    width: 390, height: 844, full: { w: 130, h: 48 }, compact: { w: 48, h: 48 },
    inset: { top: 16, right: 24, bottom: 24, left: 24 }, preferLeft: false, hard: [], soft: [], ...over,
  };
}

const rect = (left: number, top: number, right: number, bottom: number): Rect => ({ left, top, right, bottom });

describe("choosePlace", () => {
  it("keeps the corner when nothing is there", () => {
    expect(choosePlace(scene())).toEqual({ side: "right", edge: "bottom", compact: false });
  });

  it("moves to the other corner off a focused field", () => {
    const field = rect(200, 760, 380, 800);
    const place = choosePlace(scene({ hard: [field] }));
    expect(place).toEqual({ side: "left", edge: "bottom", compact: false });
  });

  it("shrinks to its icon when the full button covers something on both sides", () => {
    const left = rect(20, 770, 140, 800);
    const right = rect(230, 770, 300, 800);
    const place = choosePlace(scene({ hard: [left, right] }));
    expect(place?.compact).toBe(true);
    if (!place) return;
    const at = placeRect(scene(), place);
    expect([left, right].some((r) => at.left < r.right && r.left < at.right)).toBe(false);
  });

  it("rises along the side, as an icon, above an error across the foot", () => {
    const error = rect(0, 740, 390, 844);
    expect(choosePlace(scene({ hard: [error] }))).toEqual({ side: "right", edge: "bottom", compact: true, lift: 112 });
  });

  it("covers a control rather than an error, and steps away when only errors are left", () => {
    const error = rect(0, 0, 390, 844);
    expect(choosePlace(scene({ hard: [error] }))).toBeNull();
    const everywhere = rect(0, 0, 390, 844);
    expect(choosePlace(scene({ soft: [everywhere] }))).toEqual({ side: "right", edge: "bottom", compact: false });
  });

  it("stays out of the host's safe area", () => {
    const s = scene({ inset: insetsOf({ app: "k", safeArea: { bottom: 80 } }) });
    expect(placeRect(s, { side: "right", edge: "bottom", compact: false }).bottom).toBe(844 - 24 - 80);
  });
});

describe("insetsOf", () => {
  it("adds the offset and the safe area, and ignores what is not a number", () => {
    expect(insetsOf({ app: "k", offset: { x: 10, y: 96 }, safeArea: { left: 5, top: "x", right: -3 } })).toEqual({
      top: 16, right: 10, bottom: 96, left: 15,
    });
  });

  it("caps a safe area at 400 pixels", () => {
    expect(insetsOf({ app: "k", safeArea: { bottom: 10_000 } }).bottom).toBe(424);
  });
});
