// The honest waits of docs/sdk.md ("Waiting"), word for word.
import { describe, expect, it } from "vitest";
import { type Estimate } from "../shapes";
import {
  chatLine, choicesTitle, hasEstimate, leadWithChoices, positionText, unknownEstimate, waitText, within, worthSaying,
} from "./waits";

const min = 60;
function est(mean: number | null, low: number | null = null, high: number | null = null, position: number | null = 3): Estimate {
  return { position, mean, low, high, at: 0 };
}

describe("waitText", () => {
  it.each([
    [est(6 * min, 4 * min, 8 * min), "about 6 min (4–8)"],
    [est(2 * min, 20, 4 * min), "about 2 min (up to 4)"],
    [est(45, 10, 80), "less than a minute"],
    [est(45, 10, 3 * min), "less than a minute (up to 3 min)"],
    [est(2 * 3600, 1.5 * 3600, 3 * 3600), "about 2 h (1½–3)"],
    [est(50 * min, 30 * min, 2 * 3600), "about 50 min (30 min–2 h)"],
    [est(5 * min, 5 * min, 5 * min), "about 5 min"],
  ])("writes %j as %s", (e, text) => {
    expect(waitText(e)).toBe(text);
  });

  it("says the range in words for screen readers", () => {
    expect(waitText(est(6 * min, 4 * min, 8 * min), true)).toBe("about 6 minutes, between 4 and 8 minutes");
    expect(waitText(est(2 * min, 20, 4 * min), true)).toBe("about 2 minutes, up to 4 minutes");
    expect(waitText(est(45, 10, 80), true)).toBe("less than a minute");
    expect(waitText(est(1 * min, 1 * min, 1 * min), true)).toBe("about 1 minute");
  });
});

describe("the rest of the wait's wording", () => {
  it("places the customer in line", () => {
    expect(positionText(est(60, null, null, 3))).toBe("You're number 3 in line.");
    expect(positionText(est(60, null, null, 1))).toBe("You're next in line.");
    expect(positionText(est(60, null, null, null))).toBe("");
    expect(positionText(null)).toBe("");
  });

  it("tells an honest unknown from no estimate", () => {
    expect(unknownEstimate(est(null))).toBe(true);
    expect(hasEstimate(est(null))).toBe(false);
    expect(unknownEstimate(null)).toBe(false);
    expect(hasEstimate(est(30))).toBe(true);
  });

  it("gives the callback's window", () => {
    expect(within(est(6 * min, 4 * min, 8 * min))).toBe("within 4–8 min");
    expect(within(est(30, 10, 50))).toBe("within a minute");
    expect(within(est(2 * min, 10, 3 * min))).toBe("within 3 min");
    expect(within(est(2 * 3600, 1.5 * 3600, 3 * 3600))).toBe("in about 2 h (1½–3)");
    expect(within(est(60))).toBe("");
  });
});

describe("worthSaying", () => {
  const at = 1_000_000;
  it("says the first estimate", () => {
    expect(worthSaying({ ...est(6 * min), mean: 6 * min }, null, 0, at)).toEqual({ b: 6, next: false });
  });

  it("stays quiet for small moves and within 20 s", () => {
    const e = (m: number, position = 3) => ({ ...est(m * min, null, null, position), mean: m * min });
    expect(worthSaying(e(7), { b: 6, next: false }, at - 60_000, at)).toBeNull();
    expect(worthSaying(e(8), { b: 6, next: false }, at - 60_000, at)).toEqual({ b: 8, next: false });
    expect(worthSaying(e(8), { b: 6, next: false }, at - 5_000, at)).toBeNull();
    expect(worthSaying(e(40), { b: 30, next: false }, at - 60_000, at)).toEqual({ b: 40, next: false });
    expect(worthSaying(e(36), { b: 30, next: false }, at - 60_000, at)).toBeNull();
  });

  it("always says \"you're next\" and dropping under a minute", () => {
    expect(worthSaying({ ...est(6 * min, null, null, 1), mean: 6 * min }, { b: 6, next: false }, at - 1_000, at)).toEqual({ b: 6, next: true });
    expect(worthSaying({ ...est(30), mean: 30 }, { b: 2, next: false }, at - 60_000, at)).toEqual({ b: 0, next: false });
  });
});

describe("with no one free (an estimate without a mean)", () => {
  const nobody = est(null);
  const six = est(6 * min, 4 * min, 8 * min);

  it("never says \"Chat now\"", () => {
    expect(chatLine(nobody, true)).toBe("Or wait here: we'll connect you as soon as someone is free.");
    expect(chatLine(nobody, false)).toBe("No one is free to chat right now. Wait here: we'll connect you as soon as someone is free.");
    expect(chatLine(six, true)).toBe("Chat now · about 6 min (4–8)");
    expect(chatLine(null, true)).toBe("");
  });

  it("says why the other choices are there", () => {
    expect(choicesTitle(nobody, true)).toBe("No one is free to chat right now.");
    expect(choicesTitle(nobody, false)).toBe("No one is free to chat right now.");
    expect(choicesTitle(six, true)).toBe("Rather not wait here?");
    expect(choicesTitle(six, false)).toBe("Prefer another time?");
  });

  it("leads with the callback and the slots, when there are any", () => {
    expect(leadWithChoices(nobody, true)).toBe(true);
    expect(leadWithChoices(nobody, false)).toBe(false);
    expect(leadWithChoices(six, true)).toBe(false);
    expect(leadWithChoices(null, true)).toBe(false);
  });
});
