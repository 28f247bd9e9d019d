// What the host gives the SDK (context data, journey props) is copied into plain JSON before
// it is kept or sent: strings without card numbers and capped, numbers finite, cards sent as
// numbers removed, functions and DOM nodes dropped, depth and width bounded.

import { type Json, type JsonObject } from "../shared/json";
import { CARD_REMOVED, isCardNumber, redactCards } from "../shared/luhn";
import { cap } from "./text";

const STRING_MAX = 2000;
const KEY_MAX = 100;
const ITEMS_MAX = 100;
const DEPTH_MAX = 6;

/** Text without card numbers, at most `n` long. */
export function scrubbed(text: string, n: number): string {
  return cap(redactCards(text), n);
}

export function clean(value: unknown, depth = 0): Json {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
      return scrubbed(value, STRING_MAX);
    case "number":
      if (!Number.isFinite(value)) return null;
      return isCardNumber(value) ? CARD_REMOVED : value;
    case "boolean":
      return value;
    case "object":
      return depth > DEPTH_MAX ? null : cleanObject(value, depth);
    default:
      return null; // functions, symbols, bigints
  }
}

function cleanObject(value: object, depth: number): Json {
  if (typeof Node !== "undefined" && value instanceof Node) return null;
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.slice(0, ITEMS_MAX).map((v: unknown) => clean(v, depth + 1));
  const out: JsonObject = {};
  for (const key of Object.keys(value).slice(0, ITEMS_MAX)) {
    const item: unknown = Reflect.get(value, key);
    if (item === undefined || typeof item === "function") continue;
    out[scrubbed(key, KEY_MAX)] = clean(item, depth + 1);
  }
  return out;
}
