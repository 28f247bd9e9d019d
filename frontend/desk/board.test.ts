import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addSample, applyBoard, bindBoard, board, series } from "./board";
import type { Point } from "./sparkline";
import type { Wallboard } from "./api";
import type { WallboardQueue } from "./protocol";

const T0 = 1_800_000_000_000;
const MIN = 60_000;

function queue(id: string, waiting: number): WallboardQueue {
  return {
    id, name: id, open: true, waiting, oldest_wait: waiting ? 30 : null,
    specialists: { available: 1, busy: 0, away: 0, offline: 0 },
    callbacks_due: 0, callbacks_kept: { kept: 0, total: 0 },
    today: {
      offered: 0, answered: 0, within_target: 0, abandoned: 0, waiting: 0, waiting_over_target: 0,
      ended_unanswered: 0, settled: 0, service_level: null, target_seconds: 60, dead_ends: {},
    },
  };
}
const wallboard = (at: number, ...queues: WallboardQueue[]): Wallboard => ({ at, queues });

beforeEach(() => {
  sessionStorage.clear();
  bindBoard("fresh"); // a change of specialist empties the board
  bindBoard("");
});
afterEach(() => vi.restoreAllMocks());

describe("addSample", () => {
  it("adds a point per change", () => {
    const points: Point[] = [];
    addSample(points, T0, 2);
    addSample(points, T0 + 1000, 3);
    addSample(points, T0 + 2000, 3);
    expect(points).toEqual([{ t: T0, n: 2 }, { t: T0 + 1000, n: 3 }]);
  });

  it("refreshes an unchanged count every 15 s", () => {
    const points = addSample([], T0, 1);
    addSample(points, T0 + 14_999, 1);
    addSample(points, T0 + 15_000, 1);
    expect(points.map((p) => p.t)).toEqual([T0, T0 + 15_000]);
  });

  it("keeps 30 minutes", () => {
    const points = addSample([], T0, 1);
    addSample(points, T0 + 31 * MIN, 2);
    expect(points).toEqual([{ t: T0 + 31 * MIN, n: 2 }]);
  });

  it("counts nonsense as zero", () => {
    expect(addSample([], T0, "many")).toEqual([{ t: T0, n: 0 }]);
    expect(addSample([], T0, -3)).toEqual([{ t: T0, n: 0 }]);
  });
});

describe("applyBoard", () => {
  it("keeps the latest board and its history per queue", () => {
    applyBoard(wallboard(T0, queue("q1", 2), queue("q2", 0)));
    applyBoard(wallboard(T0 + 1000, queue("q1", 3), queue("q2", 0)));
    expect(board.at).toBe(T0 + 1000);
    expect(board.history.get("q1")).toEqual([{ t: T0, n: 2 }, { t: T0 + 1000, n: 3 }]);
    expect(board.history.get("q2")).toEqual([{ t: T0, n: 0 }]);
  });

  it("ignores a board older than the one it has", () => {
    applyBoard(wallboard(T0 + 5000, queue("q1", 1)));
    applyBoard(wallboard(T0, queue("q1", 9)));
    expect(board.data?.queues[0].waiting).toBe(1);
  });

  it("ignores something that isn't a board", () => {
    applyBoard(null);
    applyBoard({ at: T0 } as unknown as Wallboard);
    expect(board.data).toBeNull();
  });

  it("clears an earlier error or refusal", () => {
    board.error = "down";
    board.forbidden = true;
    applyBoard(wallboard(T0, queue("q1", 1)));
    expect(board.error).toBe("");
    expect(board.forbidden).toBe(false);
  });
});

describe("bindBoard", () => {
  it("keeps the history per specialist across a reload of the tab", () => {
    bindBoard("s1");
    applyBoard(wallboard(T0, queue("q1", 4)));
    bindBoard("s2");
    expect(board.history.size).toBe(0);
    expect(board.data).toBeNull();
    bindBoard("s1");
    expect(board.history.get("q1")).toEqual([{ t: T0, n: 4 }]);
  });

  it("drops damaged points and entries", () => {
    sessionStorage.setItem("tapline.wallboard.history.s9", JSON.stringify({ q1: [{ t: T0, n: 1 }, { t: "x", n: 2 }, null], q2: "nope" }));
    bindBoard("s9");
    expect(board.history.get("q1")).toEqual([{ t: T0, n: 1 }]);
    expect(board.history.has("q2")).toBe(false);
    sessionStorage.setItem("tapline.wallboard.history.s8", "{broken");
    bindBoard("s8");
    expect(board.history.size).toBe(0);
  });
});

describe("series", () => {
  it("spans at least a minute, and starts at the first sample when younger than the span", () => {
    applyBoard(wallboard(T0, queue("q1", 2)));
    const { from, points } = series("q1", T0 + 5 * MIN);
    expect(from).toBe(T0);
    expect(points).toEqual([{ t: T0, n: 2 }, { t: T0 + 5 * MIN, n: 2 }]);
    expect(series("q1", T0 + 10_000).from).toBe(T0 + 10_000 - MIN);
  });

  it("carries the count from before the window to its start", () => {
    applyBoard(wallboard(T0, queue("q1", 5)));
    applyBoard(wallboard(T0 + 20 * MIN, queue("q1", 1)));
    const now = T0 + 25 * MIN;
    const { from, points } = series("q1", now);
    expect(from).toBe(now - 15 * MIN);
    expect(points).toEqual([{ t: from, n: 5 }, { t: T0 + 20 * MIN, n: 1 }, { t: now, n: 1 }]);
  });

  it("is empty for a queue with no samples", () => {
    expect(series("none", T0).points).toEqual([]);
  });
});
