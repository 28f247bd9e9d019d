import { afterEach, describe, expect, it } from "vitest";
import { type Context, ContextState, fit } from "./context";
import { byteLength } from "./text";

afterEach(() => document.body.replaceChildren());

describe("ContextState", () => {
  it("keeps what the host sets, merging data key by key, cards removed", () => {
    const c = new ContextState();
    c.set({ flow: "booking", step: "payment", data: { fare: 412, note: "card 4111 1111 1111 1111" } });
    c.set({ data: { fare: undefined, currency: "EUR" } });
    const built = c.build(65536);
    expect(built.flow).toBe("booking");
    expect(built.data).toEqual({ note: "card [card number removed]", currency: "EUR" });
    c.set({ data: null, flow: null });
    expect(c.build(65536).data).toEqual({});
    expect(c.build(65536)).not.toHaveProperty("flow");
  });

  it("keeps the last 20 errors and 50 journey entries, scrubbed", () => {
    const c = new ContextState();
    for (let i = 0; i < 30; i++) c.trackError(`E${i}`, "declined 4111111111111111");
    for (let i = 0; i < 60; i++) c.track(`step${i}`, { i });
    expect(c.errors).toHaveLength(20);
    expect(c.errors[0]?.code).toBe("E10");
    expect(c.errors[0]?.message).toBe("declined [card number removed]");
    expect(c.journey).toHaveLength(50);
    expect(c.journey[0]).toMatchObject({ event: "step10", props: { i: 10 } });
  });

  it("reads a session's end as ms, from either spelling", () => {
    const c = new ContextState();
    c.setSession({ held: true, expiresAt: 5000 });
    expect(c.session).toEqual({ held: true, expires_at: 5000 });
    c.setSession({ expires_at: "1970-01-01T00:00:10Z" });
    expect(c.session).toEqual({ held: false, expires_at: 10000 });
    c.setSession(null);
    expect(c.session).toBeNull();
  });
});

describe("fit", () => {
  function big(): Context {
    return {
      data: { a: "x".repeat(500), b: "y".repeat(500) },
      fields: [{ form: "f", name: "n", label: "l", filled: true, masked: false, value: "v".repeat(400) }],
      errors: Array.from({ length: 20 }, (_, i) => ({ code: `E${i}`, message: "m".repeat(100), at: i })),
      journey: Array.from({ length: 50 }, (_, i) => ({ event: `e${i}`, at: i, props: "p".repeat(100) })),
      page: { url: "https://x", title: "t" },
    };
  }

  it("drops the oldest journey first, then errors, then shortens fields, then data", () => {
    const c = fit(big(), 4096);
    expect(byteLength(JSON.stringify(c))).toBeLessThanOrEqual(4096 - 256);
    expect(c.journey).toEqual([]);
    const mild = fit(big(), 9000);
    expect(mild.journey.length).toBeGreaterThan(0);
    expect(mild.journey[mild.journey.length - 1]?.event).toBe("e49");
    expect(mild.errors).toHaveLength(20);
  });

  it("leaves a context that fits alone", () => {
    const c = big();
    expect(fit(c, 65536)).toEqual(big());
  });
});
