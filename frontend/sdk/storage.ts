// sessionStorage (this tab) and localStorage (every tab of this browser), as JSON. Storage
// may be off or full: the widget then keeps going in memory.

import { type Json, parseJson } from "../shared/json";

function area(local: boolean): Storage | null {
  try {
    return local ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // access refused (storage off for this site)
  }
}

export function storageGet(key: string, local = false): Json | null {
  try {
    const raw = area(local)?.getItem(key);
    return raw ? parseJson(raw) : null;
  } catch {
    return null;
  }
}

/** null removes the key. */
export function storageSet(key: string, value: Json | null, local = false): void {
  try {
    const st = area(local);
    if (!st) return;
    if (value === null) st.removeItem(key);
    else st.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: keep going in memory */
  }
}

/** A raw string in localStorage (the "Notify me" choice). */
export function localText(key: string): string | null {
  try {
    return area(true)?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function setLocalText(key: string, value: string): void {
  try {
    area(true)?.setItem(key, value);
  } catch {
    /* memory only */
  }
}

/** The keys of one app: this tab's request, the one kept for every tab, the journey, the device. */
export interface Keys {
  store: string;
  live: string;
  journey: string;
  device: string;
}

export function keysFor(app: string): Keys {
  const base = `tapline:${app}`;
  return { store: base, live: `${base}:live`, journey: `${base}:journey`, device: `${base}:device` };
}
