import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Json, isObject } from "../shared/json";
import { HOLD_EVERY } from "./hold";
import { buildLauncher } from "./launcher";
import { CARD_REASON, installKeeper } from "./restore";
import { Widget } from "./widget";

// Test pages are fixed markup, parsed as the browser would.
function setBody(html: string): void {
  document.body.replaceChildren(document.createRange().createContextualFragment(html));
}

const FORM = `<form data-tapline-capture="payment">
  <input name="traveller" value="Sam">
  <input type="checkbox" name="use_credits" value="yes" checked>
  <label for="c">Card number</label><input id="c" name="card_number" autocomplete="cc-number" value="4242424242424242">
</form>`;

// Each test its own app: the keepers of earlier tests still listen to the document.
function widget(app: string): Widget {
  const w = new Widget("");
  w.opts = { app, user: { id: "u_1" } };
  return w;
}

function heard(w: Widget, name: string): Json[] {
  const out: Json[] = [];
  w.events.on(name, (d) => out.push(d));
  return out;
}

describe("the keeper", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    window.localStorage.clear();
    setBody(FORM);
  });
  afterEach(() => {
    vi.useRealTimers();
    window.localStorage.clear();
  });

  it("snapshots only while a request is open, and Tapline.snapshot returns it", () => {
    const w = widget("pk_1");
    const k = installKeeper(w);
    w.context.set({ flow: "booking", step: "payment", data: { flight: "SW214" } });
    k.changed();
    vi.advanceTimersByTime(1000);
    expect(k.snapshot("booking")).toBeNull();
    w.events.emit("assist:start", { requestId: "r_1" });
    vi.advanceTimersByTime(1000);
    const snap = k.snapshot("booking");
    expect(snap).toMatchObject({ flow: "booking", step: "payment", data: { flight: "SW214" }, askAgain: 1 });
    expect(JSON.stringify(snap)).not.toContain("4242");
    expect(k.snapshot()).toEqual(snap);
  });

  it("fires hold while the request is open and on the desk's ask, and stops at the end", () => {
    const w = widget("pk_2");
    const holds = heard(w, "hold");
    const k = installKeeper(w);
    w.context.setSession({ held: true, expiresAt: null });
    w.events.emit("assist:start", { requestId: "r_1" });
    vi.advanceTimersByTime(HOLD_EVERY);
    w.events.emit("hold:asked", { requestId: "r_1" }); // as the panel does on session.extend
    expect(holds).toEqual([
      { requestId: "r_1", reason: "start", every: HOLD_EVERY, session: { held: true, expires_at: null } },
      { requestId: "r_1", reason: "interval", every: HOLD_EVERY, session: { held: true, expires_at: null } },
      { requestId: "r_1", reason: "desk", every: HOLD_EVERY, session: { held: true, expires_at: null } },
    ]);
    w.events.emit("assist:end", { requestId: "r_1" });
    vi.advanceTimersByTime(HOLD_EVERY * 2);
    expect(holds.filter((d) => isObject(d) && d.requestId === "r_1")).toHaveLength(3);
    expect(k.ask()).toBe(false);
  });

  it("keeps the last full snapshot when the app's own session expired and emptied the form", () => {
    const w = widget("pk_3");
    const k = installKeeper(w);
    w.context.set({ flow: "booking" });
    w.events.emit("assist:start", { requestId: "r_1" });
    vi.advanceTimersByTime(1000);
    w.context.setSession({ held: false, expiresAt: Date.now() - 1 });
    k.changed();
    const traveller = document.querySelector<HTMLInputElement>('[name="traveller"]');
    if (!traveller) throw new Error("no field");
    traveller.value = "";
    traveller.dispatchEvent(new Event("input", { bubbles: true }));
    vi.advanceTimersByTime(1000);
    const snap = k.snapshot("booking");
    expect(isObject(snap) && JSON.stringify(snap.fields)).toContain("Sam");
  });

  it("offers 'Restore what you entered' on the next page; one tap fills the form and tells the host", () => {
    const first = widget("pk_4");
    const k1 = installKeeper(first);
    first.context.set({ flow: "booking", step: "payment" });
    first.events.emit("assist:start", { requestId: "r_1" });
    vi.advanceTimersByTime(1000);
    expect(k1.snapshot("booking")).not.toBeNull(); // then the page goes away (a reload)
    setBody(FORM.replace('value="Sam"', "").replace(" checked", "").replace('value="4242424242424242"', ""));

    const w = widget("pk_4");
    w.ui = buildLauncher({ app: "pk_4" }, { stylesheet: "x.css", revealed: () => undefined, click: () => undefined, approach: () => undefined });
    document.body.append(w.ui.host);
    const restored = heard(w, "restore");
    installKeeper(w);
    w.events.emit("ready", {});
    const root = w.ui.root;
    const card = root.querySelector("[data-tapline-restore]");
    expect(card?.getAttribute("role")).toBe("region");
    const button = [...root.querySelectorAll("button")].find((b) => b.textContent === "Restore what you entered");
    if (!button) throw new Error("no restore button");
    button.click();
    expect(document.querySelector<HTMLInputElement>('[name="traveller"]')?.value).toBe("Sam");
    expect(document.querySelector<HTMLInputElement>('[name="use_credits"]')?.checked).toBe(true);
    expect(document.querySelector<HTMLInputElement>('[name="card_number"]')?.value).toBe("");
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ flow: "booking", step: "payment", askAgain: 1 });
    expect(root.querySelector("[data-tapline-restore]")?.textContent).toContain(CARD_REASON);
  });

  it("offers to restore when the app's session expires with the page open", () => {
    const w = widget("pk_5");
    w.ui = buildLauncher({ app: "pk_5" }, { stylesheet: "x.css", revealed: () => undefined, click: () => undefined, approach: () => undefined });
    document.body.append(w.ui.host);
    const k = installKeeper(w);
    w.context.set({ flow: "booking" });
    w.events.emit("assist:start", { requestId: "r_5" });
    vi.advanceTimersByTime(1000);
    expect(w.ui.root.querySelector("[data-tapline-restore]")).toBeNull();
    w.context.setSession({ held: false, expiresAt: Date.now() - 1 });
    k.changed();
    expect(w.ui.root.querySelector("[data-tapline-restore]")?.textContent).toContain("Restore what you entered");
  });
});
