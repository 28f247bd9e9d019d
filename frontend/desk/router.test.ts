import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CONFIG_TABS, beforeUnload, current, hasUnsaved, isConfigTab, linkHandler, navigate, onRoute, parse, pathFor, type Route } from "./router";

describe("parse", () => {
  it.each<[string, Route]>([
    ["/desk", { view: "desk", tab: null }],
    ["/desk/", { view: "desk", tab: null }],
    ["/desk/wallboard", { view: "wallboard", tab: null }],
    ["/desk/wallboard///", { view: "wallboard", tab: null }],
    ["/desk/configure", { view: "configure", tab: "queues" }],
    ["/desk/configure/rules", { view: "configure", tab: "rules" }],
    ["/desk/configure/shifts/", { view: "configure", tab: "shifts" }],
    ["/desk/configure/nope", { view: "configure", tab: "queues" }],
    ["/desk/somewhere/else", { view: "desk", tab: null }],
    ["/elsewhere/wallboard", { view: "desk", tab: null }],
    ["", { view: "desk", tab: null }],
  ])("%s", (path, route) => {
    expect(parse(path)).toEqual(route);
  });

  it("takes null and undefined as the desk", () => {
    expect(parse(null)).toEqual({ view: "desk", tab: null });
    expect(parse(undefined)).toEqual({ view: "desk", tab: null });
  });
});

describe("pathFor", () => {
  it("builds each view's path", () => {
    expect(pathFor("desk")).toBe("/desk");
    expect(pathFor("wallboard")).toBe("/desk/wallboard");
    expect(pathFor("configure", "specialists")).toBe("/desk/configure/specialists");
    expect(pathFor("configure", "bogus")).toBe("/desk/configure/queues");
    expect(pathFor("configure")).toBe("/desk/configure/queues");
  });

  it("round-trips with parse for every tab", () => {
    for (const tab of CONFIG_TABS) expect(parse(pathFor("configure", tab))).toEqual({ view: "configure", tab });
    expect(isConfigTab("rules")).toBe(true);
    expect(isConfigTab("constructor")).toBe(false);
  });
});

describe("navigate", () => {
  beforeEach(() => history.replaceState(null, "", "/desk"));

  it("pushes the path and tells the listeners", () => {
    const seen: Route[] = [];
    onRoute((r) => seen.push(r));
    const before = history.length;
    navigate("/desk/wallboard");
    expect(location.pathname).toBe("/desk/wallboard");
    expect(history.length).toBe(before + 1);
    expect(seen.at(-1)).toEqual({ view: "wallboard", tab: null });
    expect(current()).toEqual({ view: "wallboard", tab: null });
  });

  it("replaces the entry when asked", () => {
    const before = history.length;
    navigate("/desk/configure/rules", { replace: true });
    expect(location.pathname).toBe("/desk/configure/rules");
    expect(history.length).toBe(before);
  });

  it("does nothing for the page it is on", () => {
    const fn = vi.fn();
    onRoute(fn);
    navigate("/desk");
    expect(fn).not.toHaveBeenCalled();
  });

  it("follows the back button", () => {
    const fn = vi.fn();
    onRoute(fn);
    window.dispatchEvent(new PopStateEvent("popstate"));
    expect(fn).toHaveBeenCalledWith({ view: "desk", tab: null });
  });
});

describe("linkHandler", () => {
  let link: HTMLAnchorElement;
  let leftToBrowser: boolean[];
  beforeEach(() => {
    history.replaceState(null, "", "/desk");
    leftToBrowser = [];
    link = document.createElement("a");
    link.href = "/desk/configure/shifts";
    link.addEventListener("click", linkHandler);
    // What the browser would do next; jsdom can't load another document, so stop it here.
    link.addEventListener("click", (e) => {
      leftToBrowser.push(!e.defaultPrevented);
      e.preventDefault();
    });
    document.body.append(link);
  });
  afterEach(() => link.remove());

  it("moves inside the page on a plain click", () => {
    link.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, button: 0 }));
    expect(leftToBrowser).toEqual([false]);
    expect(location.pathname).toBe("/desk/configure/shifts");
  });

  it.each(["ctrlKey", "metaKey", "shiftKey", "altKey"])("leaves a click with %s to the browser", (key) => {
    link.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, button: 0, [key]: true }));
    expect(leftToBrowser).toEqual([true]);
    expect(location.pathname).toBe("/desk");
  });

  it("leaves a middle click to the browser", () => {
    link.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, button: 1 }));
    expect(leftToBrowser).toEqual([true]);
  });
});

describe("unsaved work", () => {
  it("asks before the page closes while a view holds unsaved work", () => {
    let dirty = true;
    const off = beforeUnload(() => dirty);
    expect(hasUnsaved()).toBe(true);
    const event = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    dirty = false;
    expect(hasUnsaved()).toBe(false);
    const quiet = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(quiet);
    expect(quiet.defaultPrevented).toBe(false);
    dirty = true;
    off();
    expect(hasUnsaved()).toBe(false);
  });
});
