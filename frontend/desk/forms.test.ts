import { describe, expect, it } from "vitest";
import { errorSummary, field, isTimeZone, numberInput, readInt, secondsHint, serverErrors, statusLine, textInput } from "./forms";
import { ApiError } from "./api";

const input = (value: string): { value: string } => ({ value });

describe("readInt", () => {
  it("reads whole numbers within bounds", () => {
    expect(readInt(input(" 42 "))).toEqual({ value: 42 });
    expect(readInt(input("-100"), { min: -100, max: 100 })).toEqual({ value: -100 });
  });

  it("says what is wrong, naming the field", () => {
    expect(readInt(input(""), { what: "Priority" })).toEqual({ error: "Priority is required." });
    expect(readInt(input("1.5"), { what: "T1" })).toEqual({ error: "T1 must be a whole number." });
    expect(readInt(input("abc"))).toEqual({ error: "This must be a whole number." });
    expect(readInt(input("-1"), { min: 0 })).toEqual({ error: "This must be at least 0." });
    expect(readInt(input("3601"), { max: 3600, what: "Sticky routing" })).toEqual({ error: "Sticky routing must be at most 3600." });
  });

  it("reads an empty optional field as null", () => {
    expect(readInt(input("  "), { optional: true })).toEqual({ value: null });
  });
});

describe("secondsHint", () => {
  it.each([
    [0, ""], [59, ""], ["", ""], ["x", ""],
    [60, "= 1 min"], [90, "= 1 min 30 s"], [300, "= 5 min"],
    [3600, "= 1 h"], [5400, "= 1 h 30 min"], ["7200", "= 2 h"],
  ])("%s s -> %s", (s, text) => {
    expect(secondsHint(s)).toBe(text);
  });
});

describe("isTimeZone", () => {
  it("knows IANA zones", () => {
    expect(isTimeZone("Europe/Lisbon")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("")).toBe(false);
    expect(isTimeZone(null)).toBe(false);
  });
});

describe("serverErrors", () => {
  it("places FastAPI's 422 details by their path after body", () => {
    const err = new ApiError(422, "", { detail: [
      { loc: ["body", "hours", "mon", 0], msg: "bad interval" },
      { loc: ["body", "name"], msg: 42 },
      "nonsense",
    ] });
    expect(serverErrors(err)).toEqual([
      { path: "hours.mon.0", message: "bad interval" },
      { path: "name", message: "Invalid value" },
      { path: "", message: "Invalid value" },
    ]);
  });

  it("puts one 422 message beside the field it starts with", () => {
    expect(serverErrors(new ApiError(422, "x", { detail: "hours.mon: overlaps" })))
      .toEqual([{ path: "hours.mon", message: "overlaps" }]);
    expect(serverErrors(new ApiError(422, "x", { detail: "Something general" }))).toEqual([{ path: "", message: "Something general" }]);
  });

  it("words the other failures for people", () => {
    expect(serverErrors(new ApiError(0, "gone"))[0].message).toBe("The server can't be reached. Nothing was saved; your changes are still here.");
    expect(serverErrors(new ApiError(403, ""))[0].message).toBe("Only supervisors may change this.");
    expect(serverErrors(new ApiError(403, "Not yours"))[0].message).toBe("Not yours");
    expect(serverErrors(new ApiError(401, "x"))[0].message).toMatch(/^Your session ended/);
    expect(serverErrors(new ApiError(409, "2 requests in 'Payments' are not finished"))[0].message).toBe("2 requests in 'Payments' are not finished");
    expect(serverErrors(new ApiError(500, ""))[0].message).toBe("The server refused the change (HTTP 500).");
    expect(serverErrors(new Error("boom"))).toEqual([{ path: "", message: "boom" }]);
    expect(serverErrors("??")).toEqual([{ path: "", message: "Something went wrong." }]);
  });
});

describe("field", () => {
  it("labels a control and ties its hint and error to it", () => {
    const f = field("Name", textInput("Ana"), { hint: "As customers see it." });
    const control = f.control;
    expect(f.el.querySelector("label")?.getAttribute("for")).toBe(control.id);
    expect(control.getAttribute("aria-describedby")).toBe(`${control.id}-hint ${control.id}-error`);
    f.setError("Give a name.");
    expect(control.getAttribute("aria-invalid")).toBe("true");
    expect(f.el.classList.contains("has-error")).toBe(true);
    expect(f.el.querySelector(".field-error")?.textContent).toBe("Give a name.");
    f.setError("");
    expect(control.hasAttribute("aria-invalid")).toBe(false);
  });

  it("makes a group a fieldset with a legend", () => {
    const f = field("Skills", document.createElement("div"), { group: true });
    expect(f.el.tagName).toBe("FIELDSET");
    expect(f.el.querySelector("legend")?.textContent).toBe("Skills");
  });

  it("shows a number's value, or nothing for none", () => {
    expect(numberInput(5).value).toBe("5");
    expect(numberInput(null).value).toBe("");
    expect(numberInput(undefined, { min: 0, max: 9 }).getAttribute("max")).toBe("9");
  });
});

describe("errorSummary and statusLine", () => {
  it("lists problems, each a button to its field, and clears", () => {
    const s = errorSummary();
    let focused = 0;
    s.show([{ message: "A", focus: () => (focused += 1) }, { message: "B" }]);
    expect(s.el.hidden).toBe(false);
    expect(s.el.querySelector(".summary-title")?.textContent).toBe("Fix these 2 things before saving:");
    s.el.querySelector("button")?.click();
    expect(focused).toBe(1);
    expect(s.el.querySelectorAll("li")[1].textContent).toBe("B");
    s.show([{ message: "only" }], "The server said:");
    expect(s.el.querySelector(".summary-title")?.textContent).toBe("The server said:");
    s.show([]);
    expect(s.el.hidden).toBe(true);
  });

  it("says a status with its kind", () => {
    const line = statusLine();
    line.set("Saved.", "good");
    expect(line.el.textContent).toBe("Saved.");
    expect(line.el.dataset.kind).toBe("good");
    expect(line.el.getAttribute("role")).toBe("status");
  });
});
