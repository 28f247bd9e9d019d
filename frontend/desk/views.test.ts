// The pure parts of the views: words, numbers and small decisions, without a page.
import { describe, expect, it } from "vitest";
import { clock, overallLevel, percent, staffSegments, todayParts, waitLevel } from "./wallboard";
import type { Today, WallboardQueue } from "./protocol";
import { connNote } from "./configure";
import { caretText, lineRange, marksOf } from "./config-rules";
import { changedPart } from "./config-editor";
import { customerName, ringTotal, whereText } from "./offers";
import { lastLine } from "./sidebar";
import { retryAfter } from "./signin";
import { defaults } from "./config-queues";
import type { Pending } from "./store";

describe("wallboard numbers", () => {
  it.each([[0, "0:00"], [42.9, "0:42"], [307, "5:07"], [3729, "1:02:09"], [-5, "0:00"]])("clock(%s) is %s", (s, text) => {
    expect(clock(s)).toBe(text);
  });

  it("percent rounds, and dashes what isn't a number", () => {
    expect(percent(0.925)).toBe("93%");
    expect(percent(1)).toBe("100%");
    expect(percent(null)).toBe("—");
    expect(percent(NaN)).toBe("—");
  });

  it("compares the oldest wait with the target", () => {
    expect(waitLevel(0, 60)).toEqual(["ok", "check", "Within target (1:00)"]);
    expect(waitLevel(60, 60)).toEqual(["ok", "check", "Within target (1:00)"]);
    expect(waitLevel(61, 60)).toEqual(["warn", "alert", "Over target (1:00)"]);
    expect(waitLevel(120, 60)).toEqual(["warn", "alert", "Over target (1:00)"]);
    expect(waitLevel(121, 60)).toEqual(["bad", "alert", "Far over target (1:00)"]);
    expect(waitLevel(500, 0)).toEqual(["ok", "check", "Nobody waiting"]);
  });

  const today = (t: Partial<Today>): Today => ({
    offered: 0, answered: 0, within_target: 0, abandoned: 0, waiting: 0, waiting_over_target: 0,
    ended_unanswered: 0, settled: 0, service_level: null, target_seconds: 60, dead_ends: {}, ...t,
  });
  const withToday = (t: Partial<Today>) => ({ today: today(t) }) as WallboardQueue;

  it("says where today's requests stand, in parts that add up to those offered", () => {
    const t = today({ offered: 13, answered: 8, abandoned: 2, waiting: 2, waiting_over_target: 1, ended_unanswered: 1 });
    expect(todayParts(t)).toBe("8 answered · 2 abandoned (15%) · 2 waiting (1 over target) · 1 ended unanswered");
    expect(todayParts(today({ offered: 3, answered: 3 }))).toBe("3 answered · 0 abandoned (0%)");
    expect(todayParts({})).toBe("0 answered · 0 abandoned");
  });

  it("gives the service level over queues as within target over settled, never over answered", () => {
    const queues = [withToday({ within_target: 3, answered: 3, settled: 4 }), withToday({ within_target: 1, answered: 1, settled: 4 })];
    expect(overallLevel(queues)).toBe(0.5);
    expect(overallLevel([withToday({})])).toBeNull();
    expect(overallLevel([])).toBeNull();
  });

  it("stacks the specialists' states across 100, leaving empty ones out", () => {
    expect(staffSegments({ available: 1, busy: 3, away: 0, offline: 0 })).toEqual([["available", 0, 25], ["busy", 25, 75]]);
    expect(staffSegments({ available: 0, busy: 0, away: 0, offline: 0 })).toEqual([]);
    expect(staffSegments({})).toEqual([]);
  });
});

describe("Configure's connection line", () => {
  it("says honestly whether saving can work now", () => {
    expect(connNote("connected", true, 0)).toEqual(["Connected. Lists as loaded at .", "good"]);
    expect(connNote("connected", false, 0)[1]).toBe("bad");
    expect(connNote("offline", true, 0)[0]).toMatch(/^Offline: nothing can be saved/);
    expect(connNote("stopped", true, 0)[0]).toMatch(/^Signed out:/);
    expect(connNote("reconnecting", true, 0)).toEqual(["Reconnecting… saving may fail until the server answers. Lists as loaded at .", "pending"]);
  });
});

describe("the rules editor's lines", () => {
  it("finds the caret's line and column", () => {
    expect(caretText("a = 1\nbb = 2", 0)).toEqual({ line: 1, col: 1 });
    expect(caretText("a = 1\nbb = 2", 8)).toEqual({ line: 2, col: 3 });
  });

  it("finds a line's range", () => {
    expect(lineRange("a = 1\nbb = 2\nc", 2)).toEqual([6, 12]);
    expect(lineRange("a", 5)).toEqual([2, 2]);
  });

  it("joins the messages of one line and skips those with none", () => {
    const marks = marksOf([{ line: 2, message: "one" }, { line: 2, message: "two" }, { message: "general" }, { line: 0, message: "no" }, { line: 1.5, message: "no" }]);
    expect([...marks]).toEqual([[2, "one; two"]]);
  });
});

describe("the editor's PATCH", () => {
  it("sends only the fields that changed, compared as JSON", () => {
    const stored: Record<string, unknown> = { name: "A", hours: { mon: [["09:00", "17:00"]] }, widen_after: [120] };
    const part = changedPart({ name: "A", hours: { mon: [["09:00", "17:00"]] }, widen_after: [120, 300] }, (k) => stored[k]);
    expect(part).toEqual({ widen_after: [120, 300] });
  });

  it("a new queue starts open on weekdays, 09:00–17:00", () => {
    const q = defaults();
    expect(q.hours).toMatchObject({ mon: [["09:00", "17:00"]], fri: [["09:00", "17:00"]], sat: [], sun: [], closed_on: [] });
    expect(q.widen_after).toEqual([120, 300]);
  });
});

describe("offer cards and the list", () => {
  it("says where the customer is", () => {
    expect(whereText({ flow: "booking", step: "payment" })).toBe("booking › payment");
    expect(whereText({ flow: "booking", step: 3 })).toBe("booking");
    expect(whereText(null)).toBe("");
    expect(whereText("booking")).toBe("");
  });

  it("names the customer, or not", () => {
    expect(customerName({ name: "Sam", email: "s@x" })).toBe("Sam");
    expect(customerName({ name: null, email: "s@x" })).toBe("s@x");
    expect(customerName(null)).toBe("Anonymous customer");
  });

  it("spans the ring over the offer window, else the time left", () => {
    const now = 1_000_000;
    expect(ringTotal({ at: now - 5000, expires_at: now + 25_000 }, now)).toBe(30_000);
    // `at` long before: the request waited, so the ring spans what is left
    expect(ringTotal({ at: now - 600_000, expires_at: now + 20_000 }, now)).toBe(20_000);
    expect(ringTotal({ at: now, expires_at: now - 5000 }, now)).toBe(1000);
  });

  it("shows the last line of a chat, mine first when newer", () => {
    const pending = new Map<string, Pending>();
    const base = { pending, messages: [], description: "Card declined" };
    expect(lastLine(base)).toBe("Card declined");
    const m = { id: 1, client_id: "c", sender: "customer" as const, author: "Sam", body: "Hello", at: 100 };
    expect(lastLine({ ...base, messages: [m] })).toBe("Hello");
    expect(lastLine({ ...base, messages: [{ ...m, sender: "specialist" as const }] })).toBe("You: Hello");
    pending.set("p", { client_id: "p", body: "On it", at: 200, status: "sending", error: "" });
    expect(lastLine({ ...base, messages: [m] })).toBe("You: On it");
  });
});

describe("sign-in", () => {
  it("reads the wait from a 429", () => {
    expect(retryAfter("Too many attempts. Try again in 30 s.")).toBe(30);
    expect(retryAfter("Try again in 5s")).toBe(5);
    expect(retryAfter("Try again later.")).toBeNull();
  });
});
