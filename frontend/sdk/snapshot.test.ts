import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  KEEP_MINUTES_DEFAULT, KEEP_MINUTES_MAX, SNAPSHOT_BYTES, SNAPSHOTS_MAX, SNAPSHOT_MAX_AGE,
  SnapshotStore, customerKey, fillFields, fitted, keepMinutes, keyFor, readSnapshot, takeFields,
} from "./snapshot";

// Test pages are fixed markup, parsed as the browser would.
function setBody(html: string): void {
  document.body.replaceChildren(document.createRange().createContextualFragment(html));
}

function page(): void {
  setBody(`
    <form data-tapline-capture="passenger">
      <label for="n">Full name</label><input id="n" name="full_name" value="Sam Traveller">
      <select name="pax"><option value="1">1</option><option value="2" selected>2</option></select>
      <input type="checkbox" name="use_credits" value="yes" checked>
      <label><input type="radio" name="seat" value="aisle"> Aisle</label>
      <label><input type="radio" name="seat" value="window" checked> Window</label>
      <textarea name="notes">window please</textarea>
      <input type="password" name="login" value="hunter2">
      <label for="c">Card number</label><input id="c" name="card_number" autocomplete="cc-number" value="4242 4242 4242 4242">
      <input name="cvc_code" value="123">
      <input name="memo" value="pay with 4111 1111 1111 1111">
      <div data-tapline-mask><input name="loyalty" value="SW-99"></div>
      <input name="ignored" data-tapline-ignore value="x">
    </form>`);
}

const input = (name: string) => document.querySelector<HTMLInputElement>(`[name="${name}"]`);

describe("takeFields", () => {
  beforeEach(page);

  it("keeps what capture sends unmasked, as the raw values the form needs back", () => {
    const { fields } = takeFields();
    expect(fields).toEqual([
      { form: "passenger", name: "full_name", value: "Sam Traveller" },
      { form: "passenger", name: "pax", values: ["2"] },
      { form: "passenger", name: "use_credits", values: ["yes"] },
      { form: "passenger", name: "seat", values: ["window"] },
      { form: "passenger", name: "notes", value: "window please" },
    ]);
  });

  it("never keeps a masked field or a value with a card in it, and counts those filled", () => {
    const { fields, askAgain } = takeFields();
    const text = JSON.stringify(fields);
    for (const secret of ["hunter2", "4242", "123", "4111", "SW-99", "login", "card_number", "memo", "loyalty"]) {
      expect(text).not.toContain(secret);
    }
    expect(askAgain).toBe(5);
  });

  it("keeps a field masked once, even after a show-password toggle", () => {
    const pw = input("login");
    takeFields();
    pw?.setAttribute("type", "text");
    expect(JSON.stringify(takeFields().fields)).not.toContain("hunter2");
  });
});

describe("SnapshotStore", () => {
  let now = 1_000_000;
  const store = (keep = 30, app = "pk_1", who = "anon") => new SnapshotStore(window.localStorage, app, who, keep);
  beforeEach(() => {
    page();
    window.localStorage.clear();
    now = 1_000_000;
  });
  afterEach(() => window.localStorage.clear());

  it("keys by app, customer and flow", () => {
    expect(store().put("booking", "payment", { flight: "SW214" }, now)).toBe(true);
    expect(window.localStorage.getItem(keyFor("pk_1", "anon", "booking"))).toContain("SW214");
    expect(store(30, "pk_2").get("booking", now)).toBeNull();
    expect(store(30, "pk_1", customerKey("u_7")).get("booking", now)).toBeNull();
    expect(store().get("refund", now)).toBeNull();
    expect(store().get("booking", now)?.data).toEqual({ flight: "SW214" });
    expect(customerKey(null)).toBe("anon");
    expect(customerKey("a:b")).toBe("a%3Ab");
  });

  it("stores no masked value anywhere in localStorage", () => {
    store().put("booking", "payment", {}, now);
    const all = Object.keys(window.localStorage).map((k) => window.localStorage.getItem(k)).join("\n");
    expect(all).toContain("Sam Traveller");
    for (const secret of ["hunter2", "4242", "4111", "SW-99"]) expect(all).not.toContain(secret);
  });

  it("lives while the request is open, and `keep` minutes after it ends", () => {
    const s = store(10);
    s.put("booking", null, { a: 1 }, now);
    expect(s.get("booking", now + SNAPSHOT_MAX_AGE - 1)).not.toBeNull();
    s.ended(now + 1000);
    expect(s.get("booking", now + 1000 + 10 * 60_000)).not.toBeNull();
    expect(s.get("booking", now + 1001 + 10 * 60_000)).toBeNull();
    expect(window.localStorage.length).toBe(0); // the dead one is removed, not just hidden
  });

  it("never outlives the maximum age, even for a request still open", () => {
    const s = store();
    s.put("booking", null, { a: 1 }, now);
    expect(s.get("booking", now + SNAPSHOT_MAX_AGE + 1)).toBeNull();
  });

  it("reads the keep option with a default and a maximum", () => {
    expect(keepMinutes(undefined)).toBe(KEEP_MINUTES_DEFAULT);
    expect(keepMinutes("5")).toBe(KEEP_MINUTES_DEFAULT);
    expect(keepMinutes(-1)).toBe(KEEP_MINUTES_DEFAULT);
    expect(keepMinutes(5)).toBe(5);
    expect(keepMinutes(1e9)).toBe(KEEP_MINUTES_MAX);
  });

  it("keeps at most SNAPSHOTS_MAX flows, dropping the oldest", () => {
    const s = store();
    for (let i = 0; i <= SNAPSHOTS_MAX; i++) s.put(`flow${i}`, null, { i }, now + i);
    const kept = s.all(now + 10).map((x) => x.flow);
    expect(kept).toHaveLength(SNAPSHOTS_MAX);
    expect(kept).not.toContain("flow0");
    expect(kept[0]).toBe(`flow${SNAPSHOTS_MAX}`);
  });

  it("fits under SNAPSHOT_BYTES: data goes first, then fields; nothing when even that is too big", () => {
    const s = store();
    s.put("booking", null, { big: "x".repeat(SNAPSHOT_BYTES) }, now);
    const got = s.get("booking", now);
    expect(got?.data).toEqual({});
    expect(got?.fields.length).toBeGreaterThan(0);
    const huge = { v: 1 as const, flow: "f".repeat(SNAPSHOT_BYTES), step: null, data: {}, fields: [], askAgain: 0, at: 1, endedAt: null, keep: 1 };
    expect(fitted(huge)).toBeNull();
  });

  it("keeps nothing when there is nothing to keep", () => {
    setBody("<form data-tapline-capture><input name='x'></form>");
    expect(store().put("booking", null, {}, now)).toBe(false);
    expect(window.localStorage.length).toBe(0);
  });

  it("ignores what is not a snapshot", () => {
    expect(readSnapshot(null)).toBeNull();
    expect(readSnapshot({ v: 2, flow: "x", at: 1 })).toBeNull();
    expect(readSnapshot({ v: 1, flow: "x", at: 1, fields: [{ form: "a" }, 3, { form: "a", name: "b", values: ["c", 4] }] })?.fields)
      .toEqual([{ form: "a", name: "b", values: ["c"] }]);
  });
});

describe("fillFields", () => {
  beforeEach(page);

  it("puts the kept values back, fires input and change, and leaves masked fields alone", () => {
    window.localStorage.clear();
    const s = new SnapshotStore(window.localStorage, "pk", "anon", 30);
    s.put("booking", null, {}, 5);
    const snap = s.get("booking", 5);
    page();
    for (const el of document.querySelectorAll<HTMLInputElement>("input, textarea")) {
      if (el.type === "checkbox" || el.type === "radio") el.checked = false;
      else el.value = "";
    }
    const pax = document.querySelector("select");
    if (pax) pax.selectedIndex = 0;
    const seen: string[] = [];
    document.addEventListener("change", (e) => seen.push((e.target as HTMLInputElement).name));
    expect(snap && fillFields(snap)).toBe(5);
    expect(input("full_name")?.value).toBe("Sam Traveller");
    expect(document.querySelector("select")?.value).toBe("2");
    expect(input("use_credits")?.checked).toBe(true);
    expect(document.querySelector<HTMLInputElement>('[value="window"]')?.checked).toBe(true);
    expect(document.querySelector("textarea")?.value).toBe("window please");
    expect(input("card_number")?.value).toBe("");
    expect(input("login")?.value).toBe("");
    expect(seen).toContain("full_name");
  });
});
