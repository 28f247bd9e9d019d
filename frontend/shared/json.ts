// The JSON boundary: what comes off the wire or out of storage is parsed here into `Json`,
// and read field by field with the narrowing helpers below. Nothing past this point is `any`.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON.parse yields only JSON values; null for text that isn't JSON. */
export function parseJson(text: string): Json | null {
  try {
    const value: unknown = JSON.parse(text);
    return isJson(value) ? value : null;
  } catch {
    return null;
  }
}

// What JSON.parse returns always passes; the guard is what lets the type follow.
function isJson(value: unknown): value is Json {
  const t = typeof value;
  return value === null || t === "string" || t === "number" || t === "boolean" || t === "object";
}

/** A JSON object, or null for anything else (text, array, broken JSON). */
export function parseObject(text: string): JsonObject | null {
  const value = parseJson(text);
  return isObject(value) ? value : null;
}

export function str(value: Json | undefined): string | null {
  return typeof value === "string" ? value : null;
}

export function num(value: Json | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function obj(value: Json | undefined): JsonObject | null {
  return isObject(value) ? value : null;
}

export function list(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

/** A deep copy of plain data (for handing to the host's listeners). */
export function copy(value: Json): Json {
  return parseJson(JSON.stringify(value));
}
