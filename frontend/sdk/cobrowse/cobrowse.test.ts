import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const recordMock = vi.hoisted(() => vi.fn((options: unknown) => (options ? vi.fn() : undefined)));
vi.mock("@rrweb/record", () => ({ record: recordMock }));

import { cut } from "./batch";
import { CAPS, CobrowseMachine, stopText } from "./machine";
import { BLOCK_CLASS, MASKED_VALUE, markMaskedFields, privacyOptions } from "./privacy";
import { startRecording } from "./record";
import { buildBanner, buildPrompt } from "./ui";

function el(tag: string, attrs: Record<string, string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

describe("the consent state machine", () => {
  let now = 0;
  const machine = () => new CobrowseMachine(() => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it("records nothing until the customer allows and the server confirms", () => {
    const m = machine();
    expect(m.admit(1, 10, 0)).toBe("failed");
    expect(m.asked("Ana")).toBe(true);
    expect(m.state).toBe("asked");
    expect(m.confirmed()).toBe(false); // a replayed "live" of an old session starts nothing
    expect(m.answer(true)).toBe(true);
    expect(m.state).toBe("starting");
    expect(m.admit(1, 10, 0)).toBe("failed");
    expect(m.confirmed()).toBe(true);
    expect(m.state).toBe("live");
    expect(m.admit(1, 10, 0)).toBeNull();
  });

  it("declining ends it, and a later answer does nothing", () => {
    const m = machine();
    m.asked("Ana");
    expect(m.answer(false)).toBe(false);
    expect([m.state, m.reason, m.active]).toEqual(["idle", "declined", false]);
    expect(m.answer(true)).toBe(false);
    expect(m.confirmed()).toBe(false);
  });

  it("a second ask while live changes nothing; stop ends it at once, once", () => {
    const m = machine();
    m.asked("Ana");
    m.answer(true);
    m.confirmed();
    expect(m.asked("Ben")).toBe(false);
    expect(m.name).toBe("Ana");
    expect(m.end("customer")).toBe(true);
    expect(m.end("customer")).toBe(false);
    expect(m.admit(1, 1, 0)).toBe("failed");
  });

  it("past the events, bytes or snapshot caps it says why it must stop", () => {
    const live = () => {
      const m = machine();
      m.asked("Ana");
      m.answer(true);
      m.confirmed();
      return m;
    };
    const events = live();
    expect(events.admit(CAPS.eventsPerSecond, 100, 0)).toBeNull();
    now += 500;
    expect(events.admit(1, 100, 0)).toBe("too_much_data");
    const bytes = live();
    expect(bytes.admit(1, CAPS.bytesPerSecond, 0)).toBeNull();
    now += 1000; // a second later the window is empty again
    expect(bytes.admit(1, CAPS.bytesPerSecond, 0)).toBeNull();
    expect(bytes.admit(1, 1, 0)).toBe("too_much_data");
    expect(live().admit(1, 10, CAPS.snapshotBytes + 1)).toBe("page_too_large");
  });

  it("says plainly why it stopped", () => {
    expect(stopText("customer", "Ana")).toBe("Ana can no longer see this page.");
    expect(stopText("too_much_data", "Ana")).toMatch(/changes too fast/);
    expect(stopText("declined", "Ana")).toBeNull();
  });
});

describe("cutting events into frames", () => {
  it("keeps each frame within the event and byte caps, in order", () => {
    const caps = { ...CAPS, frameEvents: 2, frameBytes: 60 };
    const events = [1, 2, 3, 4, 5].map((n) => ({ type: 3, data: { n } }));
    const batch = cut(events, caps);
    expect(batch.frames.map((f) => f.length)).toEqual([2, 2, 1]);
    expect(batch.frames.flat()).toEqual(events);
    expect(batch.oversize).toBe(false);
    const big = cut([{ type: 2, data: { html: "x".repeat(100) } }], caps);
    expect(big.oversize).toBe(true);
    expect(big.snapshot).toBeGreaterThan(100);
  });
});

describe("what rrweb is given", () => {
  afterEach(() => {
    document.body.replaceChildren();
    recordMock.mockClear();
  });

  it("masks every input, blocks private parts and the widget, records no canvas or media", () => {
    const o = privacyOptions();
    expect(o.maskAllInputs).toBe(true);
    expect(o.maskInputFn("4111 1111 1111 1111", document.createElement("input"))).toBe(MASKED_VALUE);
    expect(o.maskInputFn("a", document.createElement("input"))).toBe(MASKED_VALUE); // no length
    expect(o.recordCanvas).toBe(false);
    expect(o.inlineImages).toBe(false);
    expect(o.collectFonts).toBe(false);
    expect(o.recordCrossOriginIframes).toBe(false);
    document.body.append(
      el("div", { "data-tapline-private": "", id: "a" }),
      el("div", { class: "tapline-private", id: "b" }),
      el("div", { "data-tapline-widget": "", id: "c" }),
      el("video", { id: "d" }),
      el("canvas", { id: "e" }),
      el("input", { type: "password", id: "f" }),
      el("input", { autocomplete: "cc-number", id: "g" }),
      el("p", { id: "ok" }),
      el("input", { id: "name", name: "fullname" }),
    );
    const blocked = [...document.querySelectorAll(o.blockSelector)].map((el) => el.id);
    expect(blocked).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
  });

  it("takes card numbers out of the page's text and masks the host's masked parts", () => {
    const o = privacyOptions();
    expect(o.maskTextSelector).toBe("*"); // every text goes through maskTextFn
    const p = el("p", {});
    expect(o.maskTextFn("Use the test card (4242 4242 4242 4242).", p)).not.toMatch(/4242/);
    expect(o.maskTextFn("Fare €164.70", p)).toBe("Fare €164.70");
    const secret = el("span", { "data-tapline-mask": "" });
    expect(o.maskTextFn("Anna Smith", secret)).toBe("**** *****");
  });

  it("marks the fields the masking rules mask, so rrweb blocks them whole", () => {
    const label = el("label", { for: "cn" });
    label.textContent = "Card number";
    document.body.append(
      label,
      el("input", { id: "cn" }),
      el("input", { id: "pin", name: "user-pin" }),
      el("input", { id: "city", name: "city" }),
    );
    markMaskedFields(document);
    const marked = [...document.querySelectorAll(`.${BLOCK_CLASS}`)].map((el) => el.id);
    expect(marked).toEqual(["cn", "pin"]);
  });

  it("starts rrweb with those options and marks fields added later before rrweb sees them", async () => {
    const stop = startRecording(() => {});
    expect(recordMock).toHaveBeenCalledTimes(1);
    const options = recordMock.mock.calls[0][0] as Record<string, unknown>;
    expect(options).toMatchObject({ maskAllInputs: true, recordCanvas: false, blockClass: BLOCK_CLASS });
    const added = document.createElement("input");
    added.name = "cvv";
    document.body.append(added);
    await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(added.classList.contains(BLOCK_CLASS)).toBe(true);
    stop();
    const rrwebStop = recordMock.mock.results[0].value as ReturnType<typeof vi.fn>;
    expect(rrwebStop).toHaveBeenCalledTimes(1);
  });
});

describe("the prompt and the banner", () => {
  it("asks in plain words, with a name that stays text, and Escape declines", () => {
    const answers: boolean[] = [];
    const name = '<img src=x onerror="alert(1)">';
    const prompt = buildPrompt(name, (allow) => answers.push(allow));
    expect(prompt.el.getAttribute("role")).toBe("alertdialog");
    expect(prompt.el.querySelector("img")).toBeNull();
    expect(prompt.el.textContent).toContain(`${name} would like to see this page`);
    expect(prompt.el.textContent).toContain("What you type stays hidden");
    const title = prompt.el.getAttribute("aria-labelledby") ?? "";
    expect(prompt.el.querySelector(`#${title}`)?.tagName).toBe("H2");
    prompt.allow.click();
    prompt.el.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    prompt.deny.click();
    expect(answers).toEqual([true, false, false]);
  });

  it("the banner says who sees the page and its Stop is a labelled button", () => {
    let stopped = 0;
    const banner = buildBanner("Ana", () => stopped++);
    expect(banner.text.textContent).toBe("Ana can see this page");
    expect(banner.stop.tagName).toBe("BUTTON");
    expect(banner.stop.getAttribute("aria-label")).toBe("Stop sharing this page with Ana");
    banner.stop.click();
    expect(stopped).toBe(1);
  });
});
