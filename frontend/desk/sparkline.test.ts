import { describe, expect, it } from "vitest";
import { describe as words, sparkPaths, sparkline } from "./sparkline";

const MIN = 60_000;

describe("sparkPaths", () => {
  it("draws nothing with fewer than two points", () => {
    expect(sparkPaths([], 0, 10, 100, 50)).toBeNull();
    expect(sparkPaths([{ t: 0, n: 3 }], 0, 10, 100, 50)).toBeNull();
  });

  it("maps time to x across the width and the tallest count to the top", () => {
    const paths = sparkPaths([{ t: 0, n: 0 }, { t: 5, n: 4 }, { t: 10, n: 2 }], 0, 10, 100, 50);
    // y: 50 - 2 (pad) for 0; 2 (pad) for the top count 4; 25 for half of it
    expect(paths?.line).toBe("M0.0 48.0 H50.0 V2.0 H100.0 V25.0");
    expect(paths?.area).toBe("M0.0 48.0 H50.0 V2.0 H100.0 V25.0 V48 H0.0 Z");
  });

  it("draws steps: flat to the next time, then up or down", () => {
    const line = sparkPaths([{ t: 0, n: 1 }, { t: 10, n: 1 }], 0, 10, 10, 10)?.line;
    expect(line).toBe("M0.0 2.0 H10.0 V2.0");
  });

  it("scales to at least one, so a run of zeros stays on the base line", () => {
    const line = sparkPaths([{ t: 0, n: 0 }, { t: 10, n: 0 }], 0, 10, 10, 10)?.line;
    expect(line).toBe("M0.0 8.0 H10.0 V8.0");
  });

  it("survives an empty span", () => {
    const line = sparkPaths([{ t: 5, n: 1 }, { t: 5, n: 2 }], 5, 5, 100, 20)?.line;
    expect(line).toBe("M0.0 10.0 H0.0 V2.0");
  });
});

describe("the sparkline in words", () => {
  it("says the range and the latest count", () => {
    expect(words([{ t: 0, n: 2 }, { t: 1, n: 7 }, { t: 2, n: 4 }], 15 * MIN)).toBe("Waiting over the last 15 minutes: between 2 and 7, now 4");
  });

  it("says when there isn't enough to draw", () => {
    expect(words([{ t: 0, n: 2 }], 5 * MIN)).toBe("Waiting over the last 5 minutes: not enough data yet");
  });
});

describe("sparkline", () => {
  it("is an image labelled in words, drawn with attributes only", () => {
    const svg = sparkline([{ t: 0, n: 1 }, { t: 15 * MIN, n: 3 }], 0, 15 * MIN);
    expect(svg.getAttribute("role")).toBe("img");
    expect(svg.getAttribute("class")).toBe("spark");
    expect(svg.getAttribute("viewBox")).toBe("0 0 240 56");
    expect(svg.getAttribute("aria-label")).toBe("Waiting over the last 15 minutes: between 1 and 3, now 3");
    expect([...svg.children].map((c) => c.getAttribute("class"))).toEqual(["spark-base", "spark-area", "spark-line"]);
    expect(svg.querySelector("[style]")).toBeNull();
  });

  it("keeps only the base line without data, and takes a given label", () => {
    const svg = sparkline([], 0, MIN, { label: "Payments", width: 100, height: 20 });
    expect(svg.getAttribute("aria-label")).toBe("Payments");
    expect(svg.children).toHaveLength(1);
    expect(svg.firstElementChild?.getAttribute("y1")).toBe("18");
  });
});
