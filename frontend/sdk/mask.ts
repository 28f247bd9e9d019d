// Which form fields are masked (docs/sdk.md, "Form capture and masking"; docs/security.md,
// "Masking on the device"). A field is masked by what it *is*, not by what it shows: its first
// type (a password that a "show password" toggle made type=text is still a password), its
// autocomplete purpose, hints in its name, id, label or placeholder, and an ancestor's
// data-tapline-mask. Pure rules over facts read from the DOM (fieldtypes.ts reads them).

export const MASK_TYPES: ReadonlySet<string> = new Set(["password", "file"]);

export const MASK_AUTOCOMPLETE: ReadonlySet<string> = new Set([
  "cc-number", "cc-csc", "cc-exp", "cc-exp-month", "cc-exp-year",
  "current-password", "new-password", "one-time-code",
]);

// Whole words in a name, id or label: "cardNumber", "cc_exp", "user-pin", "PIN".
const MASK_WORDS: ReadonlySet<string> = new Set([
  "pin", "pins", "cc", "csc", "cvv", "cvv2", "cvc", "cvc2", "cid", "ssn", "pan", "otp", "totp",
  "tan", "pwd", "pass", "iban", "bic", "pincode", "passcode", "secret", "sin", "nin", "mfa", "2fa",
]);

// Anywhere in a name, id or label with its separators taken out.
const MASK_PARTS =
  /passw|passwd|passcode|passphrase|pwd|cvv|cvc|iban|card|ccnum|ccexp|cccsc|securitycode|socialsecurity|sortcode|accountnumber|routingnumber|pincode|onetimecode|secret/;

/** What is known of a control, as read from the page. */
export interface FieldFacts {
  /** "INPUT", "SELECT" or "TEXTAREA". */
  tag: string;
  /** Its type attribute now, lower case ("" when none). */
  type: string;
  /** The first type seen for it (before any toggle). */
  firstType: string;
  /** Masked once already on this page: it stays masked. */
  everMasked: boolean;
  autocomplete: string;
  /** It or an ancestor has data-tapline-mask. */
  markedMask: boolean;
  name: string | null;
  id: string | null;
  ariaLabel: string | null;
  placeholder: string | null;
  label: string | null;
}

/** "cardNumber" -> ["card", "number"]; "PINCode" -> ["pin", "code"]. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
}

export function sensitiveHint(text: string | null): boolean {
  if (!text) return false;
  const w = words(text);
  return w.some((word) => MASK_WORDS.has(word)) || MASK_PARTS.test(w.join(""));
}

export function maskedAutocomplete(autocomplete: string): boolean {
  return autocomplete
    .toLowerCase()
    .split(/\s+/)
    .some((token) => MASK_AUTOCOMPLETE.has(token) || token.startsWith("cc-exp"));
}

export function isMasked(f: FieldFacts): boolean {
  if (f.everMasked) return true;
  if (f.tag === "INPUT" && (MASK_TYPES.has(f.type) || MASK_TYPES.has(f.firstType))) return true;
  if (maskedAutocomplete(f.autocomplete)) return true;
  if (f.markedMask) return true;
  return [f.name, f.id, f.ariaLabel, f.placeholder, f.label].some(sensitiveHint);
}
