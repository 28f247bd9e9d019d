import { describe, expect, it } from "vitest";
import {
  checkDay, datesEditor, dayName, endMinutes, minutes, shown, spans, stored, tidy, weekdayKey, weeklyEditor, weeklyText,
} from "./hours";
import { closedNote, specialEditor } from "./hours-special";
import type { Interval } from "./admin";

describe("times", () => {
  it("reads HH:MM as minutes since midnight", () => {
    expect(minutes("00:00")).toBe(0);
    expect(minutes("09:30")).toBe(570);
    expect(minutes("23:59")).toBe(1439);
  });

  it("runs an end before the start past midnight, and 24:00 ends the day", () => {
    expect(endMinutes("09:00", "17:00")).toBe(1020);
    expect(endMinutes("22:00", "02:00")).toBe(1440 + 120);
    expect(endMinutes("08:00", "24:00")).toBe(1440);
    expect(endMinutes("00:00", "00:00")).toBe(1440);
  });

  it("shows 24:00 as 00:00 and stores 00:00 as 24:00", () => {
    expect(shown("24:00")).toBe("00:00");
    expect(shown("17:00")).toBe("17:00");
    expect(stored("00:00")).toBe("24:00");
    expect(stored("09:00")).toBe("09:00");
  });
});

describe("checkDay", () => {
  it("accepts a closed day, one interval, a lunch break, past midnight and 24:00", () => {
    for (const day of [[], [["09:00", "17:00"]], [["08:00", "12:00"], ["13:00", "20:00"]], [["22:00", "02:00"]], [["18:00", "24:00"]], [["00:00", "24:00"]]] as Interval[][]) {
      expect(checkDay(day)).toBe("");
    }
  });

  it("needs a start and an end", () => {
    expect(checkDay([["09:00", ""]])).toBe("Give every interval a start and an end time.");
    expect(checkDay([["", "17:00"]])).toBe("Give every interval a start and an end time.");
    expect(checkDay([["25:00", "26:00"]])).toBe("Give every interval a start and an end time.");
  });

  it("refuses an empty interval, but 00:00–24:00 is the whole day", () => {
    expect(checkDay([["09:00", "09:00"]])).toBe("09:00–09:00 is empty: the end must differ from the start.");
  });

  it("finds overlaps, whatever the order, past midnight too", () => {
    expect(checkDay([["13:00", "20:00"], ["08:00", "14:00"]])).toBe("08:00–14:00 and 13:00–20:00 overlap.");
    expect(checkDay([["08:00", "12:00"], ["12:00", "13:00"]])).toBe("");
    expect(checkDay([["10:00", "09:00"], ["12:00", "13:00"]])).toBe("10:00–09:00 and 12:00–13:00 overlap.");
  });

  it("allows at most 12 intervals a day", () => {
    const day: Interval[] = Array.from({ length: 13 }, (_, i) => [`${String(i).padStart(2, "0")}:00`, `${String(i).padStart(2, "0")}:30`]);
    expect(checkDay(day)).toBe("At most 12 intervals in one day.");
    expect(checkDay(day.slice(0, 12))).toBe("");
  });
});

describe("words", () => {
  it("summarises a week, leaving closed days out", () => {
    expect(weeklyText({ mon: [["08:00", "20:00"]], tue: [["08:00", "12:00"], ["13:00", "20:00"]], wed: [] }))
      .toBe("Mon 08:00–20:00 · Tue 08:00–12:00, 13:00–20:00");
    expect(weeklyText({})).toBe("No hours");
    expect(weeklyText(null)).toBe("No hours");
  });

  it("names days and shows intervals as the inputs do", () => {
    expect(dayName("thu")).toBe("Thursday");
    expect(dayName("xyz")).toBe("xyz");
    expect(spans([["08:00", "13:00"], ["18:00", "24:00"]])).toBe("08:00–13:00, 18:00–00:00");
  });

  it("says what a closed date with special hours does", () => {
    expect(closedNote("2026-12-24", [["08:00", "13:00"]])).toBe("2026-12-24 is also a closed date: the special hours win, so the queue opens 08:00–13:00 that day. To keep it closed, remove it here.");
    expect(closedNote("2026-12-24", [])).toContain("opens not at all that day");
  });
});

describe("tidy", () => {
  it("drops blank rows and orders by start", () => {
    expect(tidy([["13:00", "17:00"], ["", ""], ["09:00", "12:00"]])).toEqual([["09:00", "12:00"], ["13:00", "17:00"]]);
    expect(tidy([["09:00", ""]])).toEqual([["09:00", ""]]);
  });
});

describe("weekdayKey", () => {
  it.each([
    ["2026-12-24", "thu"],
    ["2026-12-27", "sun"],
    ["2026-12-28", "mon"],
    ["2024-02-29", "thu"],
  ])("%s is %s", (date, key) => {
    expect(weekdayKey(date)).toBe(key);
  });

  it("is empty for what is not a real date", () => {
    for (const bad of ["", null, undefined, "2026-02-30", "2026-13-01", "24/12/2026", "2026-12-24T00:00"]) expect(weekdayKey(bad)).toBe("");
  });
});

describe("weeklyEditor", () => {
  const inputs = (el: HTMLElement): HTMLInputElement[] => [...el.querySelectorAll("input")];

  it("shows the week it was given and reads it back, 24:00 included", () => {
    const week = weeklyEditor({ mon: [["09:00", "24:00"]], sat: [["10:00", "14:00"]] }, { idPrefix: "t" });
    const mon = inputs(week.el).slice(0, 2);
    expect(mon.map((i) => i.value)).toEqual(["09:00", "00:00"]);
    expect(mon[0].getAttribute("aria-label")).toBe("Monday, interval 1, from");
    expect(week.value()).toEqual({ mon: [["09:00", "24:00"]], tue: [], wed: [], thu: [], fri: [], sat: [["10:00", "14:00"]], sun: [] });
  });

  it("copies Monday to Tuesday–Friday", () => {
    const week = weeklyEditor({ mon: [["08:00", "16:00"]] });
    const copy = [...week.el.querySelectorAll("button")].find((b) => b.textContent === "Copy Monday to Tuesday–Friday");
    copy?.click();
    const v = week.value();
    expect([v.tue, v.wed, v.thu, v.fri, v.sat]).toEqual([[["08:00", "16:00"]], [["08:00", "16:00"]], [["08:00", "16:00"]], [["08:00", "16:00"]], []]);
  });

  it("adds an interval after the last one, from its end", () => {
    const week = weeklyEditor({ tue: [["08:00", "12:00"]] });
    const add = week.el.querySelector<HTMLButtonElement>('[aria-label="Add hours on Tuesday"]');
    add?.click();
    expect(week.value().tue).toEqual([["08:00", "12:00"], ["12:00", ""]]);
    week.el.querySelector<HTMLButtonElement>('[aria-label="Add hours on Wednesday"]')?.click();
    expect(week.value().wed).toEqual([["09:00", "17:00"]]);
  });

  it("removes an interval, keeping what was typed in the others", () => {
    const week = weeklyEditor({ mon: [["08:00", "10:00"], ["11:00", "12:00"]] });
    const typed = inputs(week.el)[2];
    typed.value = "10:30";
    week.el.querySelector<HTMLButtonElement>('[aria-label="Remove Monday interval 1"]')?.click();
    expect(week.value().mon).toEqual([["10:30", "12:00"]]);
  });

  it("validates each day and marks the bad one", () => {
    const week = weeklyEditor({ wed: [["09:00", "12:00"], ["11:00", "13:00"]] }, { idPrefix: "v" });
    const problems = week.validate();
    expect(problems.map((p) => [p.key, p.message])).toEqual([["wed", "Wednesday: 09:00–12:00 and 11:00–13:00 overlap."]]);
    const error = week.el.querySelector("#v-wed-error");
    expect(error?.textContent).toBe("09:00–12:00 and 11:00–13:00 overlap.");
    expect(inputs(week.el).every((i) => i.getAttribute("aria-invalid") === "true")).toBe(true);
    week.setError("wed", "");
    expect(error?.textContent).toBe("");
    expect(inputs(week.el).some((i) => i.hasAttribute("aria-invalid"))).toBe(false);
  });

  it("says Closed on a day with no hours", () => {
    const week = weeklyEditor({});
    const closed = [...week.el.querySelectorAll<HTMLElement>(".day-closed")];
    expect(closed).toHaveLength(7);
    expect(closed.every((c) => !c.hidden && c.textContent === "Closed")).toBe(true);
  });
});

describe("datesEditor", () => {
  it("adds dates in order, once each, and removes them", () => {
    let changes = 0;
    const dates = datesEditor(["2026-12-25"], { onChange: () => (changes += 1) });
    const input = dates.el.querySelector("input");
    const add = [...dates.el.querySelectorAll("button")].find((b) => b.textContent === "Add date");
    if (!input || !add) throw new Error("no editor");
    input.value = "2026-01-01";
    add.click();
    expect(dates.value()).toEqual(["2026-01-01", "2026-12-25"]);
    input.value = "2026-12-25";
    add.click();
    expect(dates.el.querySelector(".field-error")?.textContent).toBe("2026-12-25 is already on the list.");
    expect(dates.pending()).toBe("2026-12-25");
    dates.el.querySelector<HTMLButtonElement>('[aria-label="Remove 2026-01-01"]')?.click();
    expect(dates.value()).toEqual(["2026-12-25"]);
    expect(changes).toBe(2);
    expect(dates.validate()).toEqual([]);
  });

  it("asks for a date before adding", () => {
    const dates = datesEditor([]);
    [...dates.el.querySelectorAll("button")].find((b) => b.textContent === "Add date")?.click();
    expect(dates.el.querySelector(".field-error")?.textContent).toBe("Pick a date first.");
    expect(dates.el.querySelector("li")?.textContent).toBe("None");
  });
});

describe("specialEditor", () => {
  const usual = (): Interval[] => [["09:00", "17:00"]];

  it("shows each date with its weekday's usual hours", () => {
    const special = specialEditor({ "2026-12-24": [["08:00", "13:00"]] }, { usual });
    expect(special.el.querySelector(".special-when")?.textContent).toBe("Thursday, usually 09:00–17:00");
    expect(special.value()).toEqual({ "2026-12-24": [["08:00", "13:00"]] });
  });

  it("a new date starts from its weekday's hours", () => {
    const special = specialEditor({}, { usual });
    const input = special.el.querySelector<HTMLInputElement>('[aria-label="Add a date with special hours"]');
    if (!input) throw new Error("no input");
    input.value = "2026-12-31";
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(special.value()).toEqual({ "2026-12-31": [["09:00", "17:00"]] });
    expect(special.pending()).toBe("");
  });

  it("says when a special date is also closed", () => {
    const special = specialEditor({ "2026-12-24": [] }, { closedDates: () => ["2026-12-24"] });
    expect(special.el.querySelector(".field-note")?.textContent).toContain("opens not at all that day");
  });

  it("finds a date listed twice and bad intervals", () => {
    const special = specialEditor({ "2026-12-24": [["08:00", "13:00"]], "2026-12-31": [["10:00", "10:00"]] });
    const dates = special.el.querySelectorAll<HTMLInputElement>('[aria-label="Special date"]');
    dates[1].value = "2026-12-24";
    const problems = special.validate().map((p) => p.message);
    expect(problems).toEqual(["Special hours on 2026-12-24: 2026-12-24 is listed twice: keep one row and put all its intervals there."]);
    expect(special.setError("2026-12-24", "From the server")).toBe(true);
    expect(special.setError("2027-01-01", "x")).toBe(false);
  });

  it("orders dates in the value whatever the order of the rows", () => {
    const special = specialEditor({ "2026-12-31": [], "2026-12-24": [["08:00", "13:00"]] });
    expect(Object.keys(special.value())).toEqual(["2026-12-24", "2026-12-31"]);
  });
});
