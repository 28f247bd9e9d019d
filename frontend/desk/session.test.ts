import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionBody, sessionText, sessionView } from "./session";

const NOW = 1_765_000_000_000;

describe("sessionView", () => {
  it("shows only what the app reported", () => {
    expect(sessionView(undefined, "connected", NOW)).toEqual({ kind: "none" });
    expect(sessionView("held", "connected", NOW)).toEqual({ kind: "none" });
    expect(sessionView({ held: true, expires_at: NOW + 1000 }, "connected", NOW)).toEqual({ kind: "held" });
    expect(sessionView({ held: false, expires_at: NOW + 1000 }, "connected", NOW)).toEqual({ kind: "running", expiresAt: NOW + 1000 });
    expect(sessionView({ held: false, expires_at: "soon" }, "waiting", NOW)).toEqual({ kind: "running", expiresAt: null });
    expect(sessionView({ held: "yes", expires_at: NOW - 1 }, "connected", NOW)).toEqual({ kind: "expired", expiresAt: NOW - 1 });
  });

  it("says released once the request ends, whatever the last report said", () => {
    for (const state of ["resolved", "cancelled", "dead_end"] as const) {
      expect(sessionView({ held: true, expires_at: null }, state, NOW).kind).toBe("released");
      expect(sessionView({ held: false, expires_at: NOW - 1 }, state, NOW).kind).toBe("released");
    }
  });
});

describe("sessionText", () => {
  it("counts down only a session that is not held, and warns near the end", () => {
    expect(sessionText({ kind: "held" }, NOW)).toMatchObject({ title: "Held", tone: "" });
    expect(sessionText({ kind: "held" }, NOW).detail).not.toMatch(/left/);
    expect(sessionText({ kind: "running", expiresAt: NOW + 164_000 }, NOW)).toMatchObject({ detail: "2 min 44 s left", tone: "is-warn" });
    expect(sessionText({ kind: "running", expiresAt: NOW + 60_000 }, NOW).tone).toBe("is-danger");
    expect(sessionText({ kind: "expired", expiresAt: NOW - 1 }, NOW)).toMatchObject({ title: "Expired", tone: "is-danger" });
    expect(sessionText({ kind: "released", expiresAt: null }, NOW).title).toBe("Released");
  });
});

describe("sessionBody", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  const mount = (el: HTMLElement) => document.body.replaceChildren(el);
  const line = (el: HTMLElement) => el.querySelector("[data-session]");

  it("never counts a held session down", () => {
    const el = sessionBody({ held: true, expires_at: NOW + 5000 }, "connected", { canAsk: true, ask: () => Promise.resolve() });
    mount(el);
    vi.advanceTimersByTime(10_000);
    expect(line(el)?.getAttribute("data-session")).toBe("held");
    expect(el.textContent).not.toMatch(/left|expired/i);
  });

  it("counts a running one down to Expired, and stops there", () => {
    const el = sessionBody({ held: false, expires_at: NOW + 2000 }, "connected", { canAsk: false, ask: () => Promise.resolve() });
    mount(el);
    expect(el.textContent).toContain("2 s left");
    vi.advanceTimersByTime(2500);
    expect(line(el)?.getAttribute("data-session")).toBe("expired");
    expect(el.querySelector("button")).toBeNull();
  });

  it("asks the app for more time, once, while connected; not after the request ends", async () => {
    const ask = vi.fn(() => Promise.resolve());
    const el = sessionBody({ held: false, expires_at: NOW + 60_000 }, "connected", { canAsk: true, ask });
    mount(el);
    const button = el.querySelector("button");
    button?.click();
    button?.click();
    expect(ask).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(el.textContent).toContain("The app reports back here."));
    const done = sessionBody({ held: true, expires_at: null }, "resolved", { canAsk: false, ask });
    expect(done.querySelector("button")).toBeNull();
    expect(done.textContent).toContain("Released");
  });
});
