import { describe, expect, it } from "vitest";
import { type FieldFacts, isMasked, maskedAutocomplete, sensitiveHint, words } from "./mask";

function field(over: Partial<FieldFacts>): FieldFacts {
  return {
    tag: "INPUT", type: "text", firstType: "text", everMasked: false, autocomplete: "", markedMask: false,
    name: null, id: null, ariaLabel: null, placeholder: null, label: null, ...over,
  };
}

describe("masking by what a field is", () => {
  it("masks passwords and files", () => {
    expect(isMasked(field({ type: "password", firstType: "password" }))).toBe(true);
    expect(isMasked(field({ type: "file", firstType: "file" }))).toBe(true);
  });

  it("keeps a password masked after a show-password toggle made it type=text", () => {
    expect(isMasked(field({ type: "text", firstType: "password" }))).toBe(true);
  });

  it("keeps a field masked once it was", () => {
    expect(isMasked(field({ everMasked: true }))).toBe(true);
  });

  it.each(["cc-number", "cc-csc", "cc-exp", "cc-exp-month", "cc-exp-year", "current-password", "new-password", "one-time-code", "billing CC-Number", "shipping cc-exp-whatever"])(
    "masks autocomplete=%j",
    (autocomplete) => {
      expect(maskedAutocomplete(autocomplete)).toBe(true);
      expect(isMasked(field({ autocomplete }))).toBe(true);
    },
  );

  it.each(["email", "name", "off", "shipping street-address", "tel"])("leaves autocomplete=%j alone", (autocomplete) => {
    expect(isMasked(field({ autocomplete }))).toBe(false);
  });

  it("masks inside data-tapline-mask", () => {
    expect(isMasked(field({ markedMask: true }))).toBe(true);
  });

  it("applies hints to a select or a textarea too, but not the password type", () => {
    expect(isMasked(field({ tag: "SELECT", type: "", firstType: "", name: "card_type" }))).toBe(true);
    expect(isMasked(field({ tag: "TEXTAREA", type: "password", firstType: "password" }))).toBe(false);
  });
});

describe("name hints", () => {
  it.each([
    ["name", "cardNumber"], ["name", "card_number"], ["name", "cc_exp"], ["id", "user-pin"], ["label", "PIN"],
    ["label", "Security code"], ["placeholder", "CVV2"], ["ariaLabel", "IBAN"], ["name", "otp"], ["name", "ssn"],
    ["name", "passwd"], ["id", "loginPwd"], ["name", "SortCode"], ["label", "One-time code"], ["name", "2fa"],
    ["name", "accountNumber"], ["label", "Your secret answer"],
  ] as const)("masks %s=%j", (key, value) => {
    expect(isMasked(field({ [key]: value }))).toBe(true);
  });

  it.each(["email", "first_name", "spinach", "shipping", "passenger", "capacity", "city", "notes", "use_credits"])(
    "leaves %j alone",
    (name) => {
      expect(sensitiveHint(name)).toBe(false);
      expect(isMasked(field({ name, label: name }))).toBe(false);
    },
  );

  it("splits camel case and separators into words", () => {
    expect(words("cardNumber")).toEqual(["card", "number"]);
    expect(words("PINCode")).toEqual(["pin", "code"]);
    expect(words("cc_exp-month")).toEqual(["cc", "exp", "month"]);
  });
});
