// Mirrors tests/test_sanitize.py: the device removes what the server would.
import { describe, expect, it } from "vitest";
import { CARD_REMOVED, cardSpans, hasCard, isCardNumber, luhn, redactCards, shadowOf } from "./luhn";

const VISA = "4111111111111111";
const AMEX = "378282246310005";
const SPACED = ["4111", "1111", "1111", "1111"];
const R = CARD_REMOVED;

describe("luhn", () => {
  it.each([
    [VISA, true],
    [AMEX, true],
    ["5500000000000004", true],
    ["4111111111111112", false],
    ["", false],
    ["41x1", false],
  ])("%s passes: %s", (digits, ok) => {
    expect(luhn(digits)).toBe(ok);
  });
});

describe("redactCards", () => {
  it.each([
    [`my card is ${VISA}`, `my card is ${R}`],
    ["4111 1111 1111 1111", R],
    ["4111-1111-1111-1111.", `${R}.`],
    [`amex ${AMEX}!`, `amex ${R}!`],
    [`card ${VISA} 12/25 declined`, `card ${R} 12/25 declined`],
    ["order 12 4111 1111 1111 1111", `order 12 ${R}`],
    [`${VISA} ${VISA}`, `${R} ${R}`],
  ])("removes the card in %j", (text, expected) => {
    expect(redactCards(text)).toBe(expected);
  });

  it.each([
    ["double space", "  "],
    ["dot", "."],
    ["slash", "/"],
    ["underscore", "_"],
    ["newline", "\n"],
    ["CRLF", "\r\n"],
    ["tab", "\t"],
    ["spaced dash", " - "],
    ["no-break space", "\u00a0"],
    ["narrow no-break space", "\u202f"],
    ["ideographic space", "\u3000"],
    ["en dash", "\u2013"],
    ["fullwidth hyphen", "\uff0d"],
    ["fullwidth full stop", "\uff0e"],
    ["fullwidth solidus", "\uff0f"],
    ["fullwidth low line", "\uff3f"],
  ])("finds a card split by %s", (_name, separator) => {
    expect(redactCards(`card: ${SPACED.join(separator)} ok`)).toBe(`card: ${R} ok`);
  });

  it.each([
    ["zero-width space", "\u200b"],
    ["zero-width non-joiner", "\u200c"],
    ["zero-width joiner", "\u200d"],
    ["word joiner", "\u2060"],
    ["byte order mark", "\ufeff"],
    ["soft hyphen", "\u00ad"],
  ])("is not hidden by a %s inside it", (_name, mark) => {
    expect(redactCards(VISA.split("").join(mark))).toBe(R);
    expect(redactCards(SPACED.join(`${mark} `))).toBe(R);
  });

  it.each([
    [`card${VISA}`, `card${R}`],
    ["x4111-1111-1111-1111", `x${R}`],
    [`${VISA}exp1225`, `${R}exp1225`],
    [`pan=${AMEX};`, `pan=${R};`],
  ])("removes a card glued to letters: %j", (text, expected) => {
    expect(redactCards(text)).toBe(expected);
  });

  const scripts: Array<[string, string[]]> = [
    ["fullwidth", [..."\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"]],
    ["Arabic-Indic", [..."\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"]],
    ["Devanagari", [..."\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f"]],
    ["mathematical bold", [..."\u{1d7ce}\u{1d7cf}\u{1d7d0}\u{1d7d1}\u{1d7d2}\u{1d7d3}\u{1d7d4}\u{1d7d5}\u{1d7d6}\u{1d7d7}"]],
    ["circled (NFKC)", [..."\u24ea\u2460\u2461\u2462\u2463\u2464\u2465\u2466\u2467\u2468"]],
    ["superscript (NFKC)", [..."\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"]],
  ];
  it.each(scripts)("finds a card in %s digits", (_name, digits) => {
    const card = [...VISA].map((d) => digits[Number(d)]).join("");
    expect(redactCards(`n ${card} n`)).toBe(`n ${R} n`);
    const chars = [...card];
    const grouped = [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join("")).join(" ");
    expect(redactCards(grouped)).toBe(R);
  });

  it.each([
    "4111111111111112",
    "booking SW 214 on 2026-11-22, seat 12",
    "123456789012",
    "41111111111111111234",
    "fare 412 EUR, credits 150",
    "4111    1111 1111 1111",
    "call +44 20 7946 0958",
    "call +1 (555) 123-4567",
    "2026-11-22 12:30:45",
    "on 22.11.2026 at 12.30",
    "order SW-2026-000123-77",
    "booking ref 1234567890",
    "12/25 and 1225",
    "1\u200b2\u200b3",
  ])("leaves %j alone", (text) => {
    expect(redactCards(text)).toBe(text);
    expect(hasCard(text)).toBe(false);
  });

  it("handles a long run of one-digit groups", () => {
    const text = "1 ".repeat(50_000);
    expect(redactCards(text)).toBe(text);
    expect(redactCards("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1")).toBe(R);
  });

  it("keeps the text around the card, and the shadow as long as the text", () => {
    const text = `\u{1f600} paid with ${SPACED.join("\u00a0")} \u{1f600}`;
    expect(shadowOf(text)).toHaveLength(text.length);
    expect(redactCards(text)).toBe(`\u{1f600} paid with ${R} \u{1f600}`);
    expect(cardSpans(text)).toEqual([[13, 32]]);
  });
});

describe("cards as numbers", () => {
  it("tells a card sent as a number", () => {
    expect(isCardNumber(4111111111111111)).toBe(true);
    expect(isCardNumber(-4111111111111111)).toBe(true);
    expect(isCardNumber(412)).toBe(false);
    expect(isCardNumber(4111111111111112)).toBe(false);
    expect(isCardNumber(4.5)).toBe(false);
  });
});
