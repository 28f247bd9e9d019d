import { describe, expect, it, vi } from "vitest";
import { append, h, icon, render, s, SVG_NS } from "./dom";

const HOSTILE = [
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "\"><svg onload=alert(1)>",
  "</textarea><b>bold</b>",
  "&lt;b&gt;escaped&lt;/b&gt;",
];

describe("h", () => {
  it("never interprets text as HTML, as a child or as `text`", () => {
    for (const payload of HOSTILE) {
      const a = h("p", null, payload);
      const b = h("p", { text: payload });
      for (const el of [a, b]) {
        expect(el.textContent).toBe(payload);
        expect(el.children).toHaveLength(0);
        expect(el.querySelector("img, script, svg, b")).toBeNull();
      }
    }
  });

  it("keeps hostile attribute values as plain values", () => {
    const el = h("div", { title: '"><img src=x onerror=alert(1)>', "aria-label": "<b>x</b>" });
    expect(el.getAttribute("title")).toBe('"><img src=x onerror=alert(1)>');
    expect(el.children).toHaveLength(0);
  });

  it("refuses inline handlers, inline styles and scriptable URLs", () => {
    expect(() => h("button", { onclick: "alert(1)" })).toThrow(/listener/);
    expect(() => h("div", { style: "color: red" })).toThrow(/inline styles/);
    expect(() => h("a", { href: "javascript:alert(1)" })).toThrow(/scriptable/);
    expect(() => h("a", { href: " JavaScript:alert(1)" })).toThrow(/scriptable/);
    expect(h("a", { href: "/help" }).getAttribute("href")).toBe("/help");
  });

  it("takes classes from the tag and from `class`", () => {
    const el = h("button.tl-btn.tl-primary", { class: "extra", type: "button" });
    expect(el.tagName).toBe("BUTTON");
    expect(el.className).toBe("tl-btn tl-primary extra");
    expect(el.type).toBe("button");
  });

  it("writes aria and data groups, booleans and properties", () => {
    const el = h("input", {
      aria: { label: "Notify me", hidden: null },
      dataset: { requestId: "r_1", on: true },
      required: true,
      checked: true,
      disabled: false,
      value: "yes",
    });
    expect(el.getAttribute("aria-label")).toBe("Notify me");
    expect(el.hasAttribute("aria-hidden")).toBe(false);
    expect(el.getAttribute("data-request-id")).toBe("r_1");
    expect(el.dataset.on).toBe("");
    expect(el.getAttribute("required")).toBe("");
    expect(el.checked).toBe(true);
    expect(el.disabled).toBe(false);
    expect(el.value).toBe("yes");
    expect(h("p", { hidden: true }).hidden).toBe(true);
  });

  it("adds listeners and flattens children", () => {
    const click = vi.fn();
    const el = h("div", { onclick: click }, ["a", ["b", 3]], null, false, undefined, h("span"));
    el.click();
    expect(click).toHaveBeenCalledTimes(1);
    expect(el.textContent).toBe("ab3");
    expect(el.lastElementChild?.tagName).toBe("SPAN");
  });

  it("takes a child in place of attributes, as the desk writes it", () => {
    expect(h("p", "hi").textContent).toBe("hi");
    expect(h("ul", [h("li", null, "1"), h("li", null, "2")]).children).toHaveLength(2);
    expect(h("div", h("span")).firstElementChild?.tagName).toBe("SPAN");
  });
});

describe("svg", () => {
  it("makes SVG elements in their namespace", () => {
    const el = s("circle.ring-bar", { cx: 18, r: 15 });
    expect(el.namespaceURI).toBe(SVG_NS);
    expect(el.getAttribute("class")).toBe("ring-bar");
    expect(el.getAttribute("cx")).toBe("18");
  });

  it("draws an icon hidden from assistive tech", () => {
    const el = icon(["M6 6l12 12", "M18 6L6 18"], { class: "tl-icon" });
    expect(el.namespaceURI).toBe(SVG_NS);
    expect(el.getAttribute("viewBox")).toBe("0 0 24 24");
    expect(el.getAttribute("aria-hidden")).toBe("true");
    expect(el.getAttribute("focusable")).toBe("false");
    expect(el.getAttribute("class")).toBe("tl-icon");
    expect([...el.querySelectorAll("path")].map((p) => p.getAttribute("d"))).toEqual(["M6 6l12 12", "M18 6L6 18"]);
  });
});

describe("append and render", () => {
  it("appends text as text", () => {
    const el = append(h("div"), ["<i>x</i>", 1]);
    expect(el.textContent).toBe("<i>x</i>1");
    expect(el.children).toHaveLength(0);
  });

  it("replaces children and keeps focus on the same data-key", () => {
    const box = h("div", null, h("button", { dataset: { key: "a" } }, "A"));
    document.body.append(box);
    box.querySelector("button")?.focus();
    render(box, h("button", { dataset: { key: "b" } }, "B"), h("button", { dataset: { key: "a" } }, "A2"));
    expect(document.activeElement?.textContent).toBe("A2");
    box.remove();
  });
});
