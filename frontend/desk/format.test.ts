import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ago, causeLabel, clip, clockTime, dispositionLabel, duration, fullTime, initials, isRecord, isoTime,
  learnServerClock, propsText, serverNow, stateLabel, utf8Bytes, valueText,
} from "./format";

afterEach(() => {
  learnServerClock(new Date().toUTCString()); // back to no skew
  vi.useRealTimers();
});

describe("duration", () => {
  it.each([
    [0, "0 s"],
    [1, "1 s"],
    [999, "1 s"],
    [42_000, "42 s"],
    [59_001, "1 min 00 s"],
    [185_000, "3 min 05 s"],
    [3_599_000, "59 min 59 s"],
    [3_600_000, "1 h 00 min"],
    [3_720_000, "1 h 02 min"],
    [90_000_000, "25 h 00 min"],
  ])("%i ms is %s", (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it("never counts below zero", () => {
    expect(duration(-5000)).toBe("0 s");
  });
});

describe("the server clock", () => {
  it("ignores a skew of 2 s or less", () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    learnServerClock(new Date(1_800_000_001_500).toUTCString());
    expect(serverNow()).toBe(1_800_000_000_000);
  });

  it("follows a larger skew, either way", () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    learnServerClock(new Date(1_800_000_060_000).toUTCString());
    expect(serverNow()).toBe(1_800_000_060_000);
    learnServerClock(new Date(1_799_999_940_000).toUTCString());
    expect(serverNow()).toBe(1_799_999_940_000);
  });

  it("keeps what it knew when the header is missing or bad", () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    learnServerClock(new Date(1_800_000_060_000).toUTCString());
    learnServerClock(null);
    learnServerClock("not a date");
    expect(serverNow()).toBe(1_800_000_060_000);
  });
});

describe("ago", () => {
  const now = 1_800_000_000_000;
  it.each([
    [now - 10_000, "just now"],
    [now - 44_999, "just now"],
    [now - 4 * 60_000, "4 min ago"],
    [now - 2 * 3_600_000, "2 h ago"],
  ])("%i is %s", (at, text) => {
    vi.useFakeTimers({ now });
    expect(ago(at)).toBe(text);
  });

  it("gives the clock time past a day, and nothing for no time", () => {
    vi.useFakeTimers({ now });
    expect(ago(now - 2 * 86_400_000)).toBe(clockTime(now - 2 * 86_400_000));
    expect(ago(NaN)).toBe("");
  });
});

describe("times", () => {
  it("formats real times and nothing else", () => {
    const at = Date.UTC(2026, 11, 24, 14, 32);
    expect(isoTime(at)).toBe("2026-12-24T14:32:00.000Z");
    expect(clockTime(at)).toMatch(/\d{1,2}:32/);
    expect(fullTime(at)).toContain("2026");
    for (const bad of [0, -1, NaN, Infinity, null, undefined, "1800000000000"]) {
      expect(clockTime(bad)).toBe("");
      expect(fullTime(bad)).toBe("");
      expect(isoTime(bad)).toBe("");
    }
  });
});

describe("valueText and propsText", () => {
  it("renders any context value as one line", () => {
    expect(valueText(null)).toBe("—");
    expect(valueText(undefined)).toBe("—");
    expect(valueText("SW 214")).toBe("SW 214");
    expect(valueText(412)).toBe("412");
    expect(valueText(false)).toBe("false");
    expect(valueText({ a: [1, "b"] })).toBe('{"a":[1,"b"]}');
  });

  it("survives values JSON can't write", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(valueText(loop)).toBe("[object Object]");
    expect(valueText(10n)).toBe("10");
  });

  it("joins journey props", () => {
    expect(propsText({ flight: "SW 214", fare: 412 })).toBe("flight: SW 214 · fare: 412");
    expect(propsText({ nested: { a: 1 } })).toBe('nested: {"a":1}');
    expect(propsText(null)).toBe("");
    expect(propsText("")).toBe("");
    expect(propsText(7)).toBe("7");
  });

  it("keeps markup as plain text", () => {
    expect(valueText("<img src=x onerror=alert(1)>")).toBe("<img src=x onerror=alert(1)>");
  });
});

describe("RTL-safe text", () => {
  const arabic = "سارة أحمد";
  const hebrew = "שלום עולם";
  const override = "\u202Egnp.exe"; // RIGHT-TO-LEFT OVERRIDE: reversed on screen, not here

  it("keeps right-to-left text in its logical order", () => {
    expect(valueText(arabic)).toBe(arabic);
    expect(propsText({ name: hebrew })).toBe(`name: ${hebrew}`);
    expect(clip(arabic, 140)).toBe(arabic);
  });

  it("clips right-to-left text at its logical end", () => {
    const long = hebrew.repeat(20);
    const clipped = clip(long, 20);
    expect(clipped).toHaveLength(20);
    expect(clipped.startsWith(hebrew)).toBe(true);
    expect(clipped.endsWith("…")).toBe(true);
  });

  it("leaves bidi controls as characters: nothing is parsed or dropped", () => {
    expect(valueText(override)).toBe(override);
    expect(clip(override, 140)).toBe(override);
  });

  it("takes initials of right-to-left names", () => {
    expect(initials(arabic)).toBe("سأ");
    expect(initials(hebrew)).toBe("שע");
  });
});

describe("clip", () => {
  it("leaves short text alone", () => {
    expect(clip("hello", 5)).toBe("hello");
    expect(clip(null)).toBe("");
    expect(clip(undefined)).toBe("");
    expect(clip(42)).toBe("42");
  });

  it("cuts long text to max characters with an ellipsis", () => {
    expect(clip("abcdefghij", 5)).toBe("abcd…");
    expect(clip("x".repeat(200))).toHaveLength(140);
  });

  it("never cuts an emoji in half", () => {
    const text = `abc${"😀".repeat(10)}`;
    const clipped = clip(text, 5); // the cut falls inside the first emoji's pair
    expect(clipped).toBe("abc…");
    expect(clip(`ab${"😀".repeat(10)}`, 5)).toBe("ab😀…");
  });
});

describe("initials", () => {
  it.each([
    ["Ana Silva", "AS"],
    ["ana maria da silva", "AS"],
    ["Prince", "PR"],
    ["  sam  ", "SA"],
    ["", "?"],
    [null, "?"],
  ])("%s -> %s", (name, text) => {
    expect(initials(name)).toBe(text);
  });
});

describe("labels", () => {
  it("names states, dispositions and causes", () => {
    expect(stateLabel("cancelled")).toBe("Cancelled by customer");
    expect(stateLabel("scheduled")).toBe("scheduled");
    expect(stateLabel(null)).toBe("Unknown");
    expect(stateLabel("constructor")).toBe("constructor");
    expect(dispositionLabel("resolved_with_followup")).toBe("Resolved, follow-up needed");
    expect(dispositionLabel("toString")).toBe("");
    expect(dispositionLabel(null)).toBe("");
    expect(causeLabel("lost_on_disconnect")).toBe("lost on disconnect");
    expect(causeLabel(null)).toBe("");
  });
});

describe("utf8Bytes and isRecord", () => {
  it("counts UTF-8 bytes, not characters", () => {
    expect(utf8Bytes("abc")).toBe(3);
    expect(utf8Bytes("é")).toBe(2);
    expect(utf8Bytes("😀")).toBe(4);
    expect(utf8Bytes("سارة")).toBe(8);
  });

  it("tells plain objects from the rest", () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
    expect(isRecord("x")).toBe(false);
  });
});
