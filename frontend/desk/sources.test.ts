import { describe, expect, it } from "vitest";
import { dataChanges, mergeSource, picture, whereOf, type DeskSource } from "./sources";
import type { Context, ContextSource } from "./protocol";

const T0 = 1_800_000_000_000;
const paying: Context = { fields: [], step: "payment", data: { fare: 412, credits_applied: true, total_due: 12.7 } };
const searching: Context = { fields: [], step: "search", data: { fare: 412, credits_applied: false, total_due: 164.7 } };

function source(id: string, over: Partial<ContextSource> = {}): ContextSource {
  const [device, tab] = id.split("/");
  return {
    id, tab: tab || null, device: device || null, ua: "desktop", step: "payment", step_rank: 3,
    furthest: { step: "payment", rank: 3, at: T0, context: null }, history: [], updated_at: T0, ...over,
  };
}

describe("mergeSource", () => {
  it("takes the event's context as the furthest when the furthest step moved with it", () => {
    const [s] = mergeSource([], source("d1/t1"), paying);
    expect(s.furthest.context).toEqual(paying);
    expect(s.context).toEqual(paying);
  });

  it("keeps the furthest context it had when an update went back to search", () => {
    const first = mergeSource([], source("d1/t1"), paying);
    const back = source("d1/t1", { step: "search", step_rank: 0, updated_at: T0 + 5 });
    const [s] = mergeSource(first, back, searching);
    expect(s.step).toBe("search");
    expect(s.furthest.context?.data).toEqual(paying.data);
  });

  it("adds a second tab beside the first and never touches the first", () => {
    const first = mergeSource([], source("d1/t1"), paying);
    const tab2 = source("d1/t2", { step: "search", step_rank: 0, furthest: { step: "search", rank: 0, at: T0 + 9, context: null }, updated_at: T0 + 9 });
    const both = mergeSource(first, tab2, searching);
    expect(both.map((s) => s.id)).toEqual(["d1/t1", "d1/t2"]);
    expect(both[0]).toEqual(first[0]);
  });
});

describe("picture", () => {
  it("shows the furthest step from the first tab and the current one from the second", () => {
    let list: DeskSource[] = mergeSource([], source("d1/t1"), paying);
    const tab2 = source("d1/t2", { step: "search", step_rank: 0, furthest: { step: "search", rank: 0, at: T0 + 9, context: null }, updated_at: T0 + 9 });
    list = mergeSource(list, tab2, searching);
    const p = picture(list, searching);
    expect([p.furthest?.step, p.furthest?.where]).toEqual(["payment", "another tab"]);
    expect([p.current?.step, p.current?.where]).toEqual(["search", "this tab"]);
    expect(p.data).toEqual(paying.data);
    expect(p.changes).toEqual([
      { key: "credits_applied", before: true, after: false },
      { key: "total_due", before: 12.7, after: 164.7 },
    ]);
    expect(p.sources.map((s) => s.where)).toEqual(["another tab", "this tab"]);
  });

  it("prefers the later of two sources at the same rank", () => {
    const a = { ...source("d1/t1"), furthest: { step: "payment", rank: 3, at: T0, context: paying } };
    const b = { ...source("d2/t9", { updated_at: T0 + 1 }), furthest: { step: "payment", rank: 3, at: T0 + 1, context: searching } };
    expect(picture([a, b], searching).furthest?.source.id).toBe("d2/t9");
  });

  it("without sources (an older server) is the current context alone", () => {
    const p = picture(undefined, paying);
    expect(p.furthest).toBeNull();
    expect(p.data).toEqual(paying.data);
    expect(p.changes).toEqual([]);
  });

  it("a context without tab ids is one anonymous source: this tab", () => {
    const p = picture(mergeSource([], source("", { tab: null, device: null, ua: "unknown" }), paying), paying);
    expect(p.furthest?.where).toBe("this tab");
    expect(p.changes).toEqual([]);
  });
});

describe("whereOf", () => {
  const current = source("d1/t1");
  it.each([
    ["d1/t1", "desktop", "this tab"],
    ["d1/t2", "desktop", "another tab"],
    ["d2/t3", "phone", "phone"],
    ["d2/t3", "tablet", "tablet"],
    ["d2/t3", "desktop", "another device"],
  ] as const)("%s (%s) is %s", (id, ua, expected) => {
    expect(whereOf(source(id, { ua }), current)).toBe(expected);
  });
});

describe("dataChanges", () => {
  it("lists added, removed and changed keys", () => {
    expect(dataChanges({ a: 1, b: 2 }, { b: 3, c: 4 })).toEqual([
      { key: "a", before: 1, after: undefined },
      { key: "b", before: 2, after: 3 },
      { key: "c", before: undefined, after: 4 },
    ]);
  });
});
