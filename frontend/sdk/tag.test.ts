import { beforeEach, describe, expect, it } from "vitest";
import { sourceTag, uaClass } from "./tag";
import { ContextState } from "./context";

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});

describe("sourceTag", () => {
  it("keeps the tab id in sessionStorage and the device id in localStorage", () => {
    const first = sourceTag();
    expect(first.tab).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(first.device).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(first.tab).not.toBe(first.device);
    expect(sourceTag()).toEqual(first); // a reload: the same tab
    sessionStorage.clear(); // a new tab of the same browser
    const second = sourceTag();
    expect(second.tab).not.toBe(first.tab);
    expect(second.device).toBe(first.device);
  });

  it("never reuses a stored value that is not a plain id", () => {
    localStorage.setItem("tapline:source-device", JSON.stringify("../../etc"));
    expect(sourceTag().device).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe("uaClass", () => {
  it.each([
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148", "phone"],
    ["Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120.0 Mobile Safari/537.36", "phone"],
    ["Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)", "tablet"],
    ["Mozilla/5.0 (Linux; Android 14; SM-X710) Chrome/120.0 Safari/537.36", "tablet"],
    ["Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36", "desktop"],
    ["", "unknown"],
  ])("%s is %s", (ua, expected) => {
    expect(uaClass(ua)).toBe(expected);
  });
});

describe("a built context", () => {
  it("carries this tab's source and the app's steps", () => {
    const c = new ContextState();
    c.set({ flow: "booking", step: "payment", steps: ["search", "payment"] });
    const built = c.build(65536);
    expect(built.source).toEqual(sourceTag());
    expect(built.steps).toEqual(["search", "payment"]);
    c.set({ step: "search" }); // steps stay until the app changes them
    expect(c.build(65536).steps).toEqual(["search", "payment"]);
  });

  it("has no steps unless the app gives them", () => {
    const c = new ContextState();
    c.set({ step: "payment" });
    expect("steps" in c.build(65536)).toBe(false);
  });
});
