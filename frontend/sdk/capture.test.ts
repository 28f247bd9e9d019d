// Form capture on a real DOM (jsdom): what a page's fields become in the context.
import { afterEach, describe, expect, it } from "vitest";
import { captureFields, rememberTypes } from "./capture";
import { onTypeChanges } from "./fieldtypes";

const VISA = "4111 1111 1111 1111";

function page(html: string): void {
  // Test fixtures only: the SDK itself never writes HTML.
  document.body.replaceChildren(document.createRange().createContextualFragment(html));
}

function input(selector: string): HTMLInputElement {
  const el = document.querySelector(selector);
  if (!(el instanceof HTMLInputElement)) throw new Error(`no input ${selector}`);
  return el;
}

function type(selector: string, value: string): void {
  input(selector).value = value;
}

afterEach(() => document.body.replaceChildren());

describe("a show-password toggle", () => {
  it("keeps the field masked when the SDK saw it first", () => {
    page('<form data-tapline-capture="login"><input name="pw" type="password"></form>');
    rememberTypes();
    type("[name=pw]", "hunter2-secret");
    input("[name=pw]").setAttribute("type", "text"); // "show password"
    expect(captureFields()).toEqual([{ form: "login", name: "pw", label: "pw", filled: true, masked: true }]);
  });

  it("keeps it masked when only the type change was seen (the old value counts)", async () => {
    page('<form data-tapline-capture="login"><input name="pw" type="password"></form>');
    const seen = new MutationObserver(onTypeChanges);
    seen.observe(document.body, { attributes: true, attributeFilter: ["type"], attributeOldValue: true, subtree: true });
    input("[name=pw]").setAttribute("type", "text");
    await Promise.resolve();
    seen.disconnect();
    type("[name=pw]", "shown-now");
    const [pw] = captureFields();
    expect(pw).toMatchObject({ masked: true, filled: true });
    expect(pw).not.toHaveProperty("value");
  });

  it("never captures a value typed before the toggle, nor after", () => {
    page('<form data-tapline-capture="s"><label for="p">Password</label><input id="p" name="p" type="password"></form>');
    rememberTypes();
    type("#p", "abc");
    expect(JSON.stringify(captureFields())).not.toContain("abc");
    input("#p").type = "text";
    type("#p", "abcdef");
    expect(JSON.stringify(captureFields())).not.toContain("abc");
  });
});

describe("the payment form of docs/sdk.md", () => {
  it("masks card fields, hinted names and marked containers; captures the rest", () => {
    page(`<form id="payment" data-tapline-capture="payment">
      <label for="card">Card number</label>
      <input id="card" name="card_number" autocomplete="cc-number">
      <label>Expiry <input name="exp" autocomplete="cc-exp"></label>
      <input name="cvc" aria-label="Security code" autocomplete="cc-csc">
      <label><input type="checkbox" name="use_credits" value="yes"> Use refund credits</label>
      <div data-tapline-mask><label for="pin">Loyalty PIN</label><input id="pin" name="pin"></div>
      <input name="internal_note" data-tapline-ignore>
      <input type="hidden" name="csrf" value="tok">
      <button>Pay</button>
    </form>`);
    type("[name=card_number]", VISA);
    type("[name=exp]", "12/29");
    type("[name=cvc]", "123");
    input("[name=use_credits]").checked = true;
    type("[name=internal_note]", "keep out");
    expect(captureFields()).toEqual([
      { form: "payment", name: "card_number", label: "Card number", filled: true, masked: true },
      { form: "payment", name: "exp", label: "Expiry", filled: true, masked: true },
      { form: "payment", name: "cvc", label: "Security code", filled: true, masked: true },
      { form: "payment", name: "use_credits", label: "Use refund credits", filled: true, masked: false, value: "yes" },
      { form: "payment", name: "pin", label: "Loyalty PIN", filled: false, masked: true },
    ]);
  });
});

describe("values", () => {
  it("masks a field whose value holds a card, whatever it is marked as", () => {
    page('<div data-tapline-capture="notes"><textarea name="note"></textarea></div>');
    const note = document.querySelector("textarea");
    if (note) note.value = `my card 4111.1111.1111.1111 thanks`;
    expect(captureFields()).toEqual([{ form: "notes", name: "note", label: "note", filled: true, masked: true }]);
  });

  it("joins checked checkboxes, takes a radio group's legend, and words a select", () => {
    page(`<form data-tapline-capture="prefs">
      <fieldset><legend>Seat</legend>
        <input type="radio" name="seat" value="aisle"><input type="radio" name="seat" value="window" checked>
      </fieldset>
      <input type="checkbox" name="extras" value="bag" checked><input type="checkbox" name="extras" value="meal" checked>
      <label for="fare">Fare</label><select id="fare" name="fare"><option value="">Choose</option><option value="flex" selected>Flexible</option></select>
    </form>`);
    expect(captureFields()).toEqual([
      { form: "prefs", name: "seat", label: "Seat", filled: true, masked: false, value: "window" },
      { form: "prefs", name: "extras", label: "extras", filled: true, masked: false, value: "bag, meal" },
      { form: "prefs", name: "fare", label: "Fare", filled: true, masked: false, value: "Flexible (flex)" },
    ]);
  });

  it("labels by a wrapping label's text only, never the values inside it", () => {
    page('<div data-tapline-capture="x"><label>Name <input name="n"> <select name="s"><option>Secret option</option></select></label></div>');
    type("[name=n]", "Sam");
    const [n] = captureFields();
    expect(n).toMatchObject({ label: "Name", value: "Sam" });
  });

  it("caps values at 500 characters", () => {
    page('<div data-tapline-capture="x"><input name="long"></div>');
    type("[name=long]", "a".repeat(900));
    expect(captureFields()[0]?.value).toHaveLength(500);
  });

  it("skips everything under data-tapline-ignore", () => {
    page('<div data-tapline-capture="x" data-tapline-ignore><input name="a" value="1"></div>');
    expect(captureFields()).toEqual([]);
  });
});
