// Snapshots of what the customer entered (docs/sdk.md, "Snapshot and restore"): the values
// of the captured forms and the host's context data, kept in localStorage so that a reload, a
// closed tab or the app's own timeout need not lose them. A masked field is never kept: the
// masking rules are capture.ts's (the same fields the specialist sees as "filled" only), and
// a value that holds a card number is dropped whatever its field is.

import { type Json, type JsonObject, isObject, list, num, parseJson, str } from "../shared/json";
import { hasCard } from "../shared/luhn";
import { captureFields, captureRoots, controlsOf, rootName } from "./capture";
import { scrubbed } from "./clean";
import { type Control } from "./fieldtypes";
import { byteLength } from "./text";

/** One snapshot's JSON, at most. */
export const SNAPSHOT_BYTES = 16_384;
/** Snapshots kept per app in this browser (the oldest goes first). */
export const SNAPSHOTS_MAX = 5;
/** Kept after the request ends: `snapshotMinutes` (init), this by default, at most the max. */
export const KEEP_MINUTES_DEFAULT = 30;
export const KEEP_MINUTES_MAX = 24 * 60;
/** Never kept longer than this, even for a request that stays open. */
export const SNAPSHOT_MAX_AGE = 24 * 3600_000;
const VALUE_MAX = 2000;
const SKIP_TYPES: ReadonlySet<string> = new Set(["hidden", "submit", "button", "reset", "image", "file", "password"]);

export type SnapField = { form: string; name: string; value?: string; values?: string[] };

export type Snapshot = {
  v: 1;
  flow: string;
  step: string | null;
  /** The host's context data (as setContext cleaned it). */
  data: JsonObject;
  fields: SnapField[];
  /** Masked fields that were filled: their values were not kept, the customer types them again. */
  askAgain: number;
  /** When it was taken (ms). */
  at: number;
  /** The request ended at (ms): it is kept `keep` minutes after. null while it is open. */
  endedAt: number | null;
  keep: number;
};

/** The minutes to keep a snapshot after the request ends, from the init option. */
export function keepMinutes(option: unknown): number {
  if (typeof option !== "number" || !Number.isFinite(option) || option < 0) return KEEP_MINUTES_DEFAULT;
  return Math.min(option, KEEP_MINUTES_MAX);
}

/** The customer part of a key: the host's user id, else "anon". */
export function customerKey(userId: unknown): string {
  const id = userId == null ? "" : String(userId);
  return id ? encodeURIComponent(id.slice(0, 200)) : "anon";
}

export function prefixFor(app: string, customer: string): string {
  return `tapline:${app}:snap:${customer}:`;
}

export function keyFor(app: string, customer: string, flow: string): string {
  return prefixFor(app, customer) + encodeURIComponent(flow || "default");
}

/** Still worth offering at `now`. */
export function alive(s: Snapshot, now: number): boolean {
  if (now - s.at > SNAPSHOT_MAX_AGE) return false;
  return s.endedAt === null || now - s.endedAt <= s.keep * 60_000;
}

// ---------------------------------------------------------------- taking one

function rawValues(el: Control): string[] {
  if (el instanceof HTMLInputElement) {
    const type = el.type.toLowerCase();
    if (type === "checkbox" || type === "radio") return el.checked ? [el.value] : [];
    return el.value === "" ? [] : [el.value];
  }
  if (el instanceof HTMLSelectElement) return [...el.selectedOptions].map((o) => o.value);
  return el.value === "" ? [] : [el.value];
}

function controlName(el: Control, i: number): string {
  return scrubbed(el.getAttribute("name") || el.id || `${el.tagName.toLowerCase()}-${i + 1}`, 100);
}

/**
 * The captured forms as they are now. A field is kept only when capture.ts would send it
 * unmasked; a value with a card number in it is never kept.
 */
export function takeFields(): { fields: SnapField[]; askAgain: number } {
  // A name any masked control shares is masked for all of them.
  const unmasked = new Set<string>();
  const masked = new Set<string>();
  let askAgain = 0;
  for (const f of captureFields()) {
    (f.masked ? masked : unmasked).add(`${f.form}\u0000${f.name}`);
    if (f.masked && f.filled) askAgain++;
  }
  for (const key of masked) unmasked.delete(key);
  const byKey = new Map<string, SnapField>();
  [...captureRoots()].forEach((root, r) => {
    if (root.closest("[data-tapline-ignore]")) return;
    const form = rootName(root, r);
    controlsOf(root).forEach((el, i) => {
      const type = (el.getAttribute("type") ?? "").toLowerCase();
      if ((el.tagName === "INPUT" && SKIP_TYPES.has(type)) || el.closest("[data-tapline-ignore]")) return;
      const name = controlName(el, i);
      const key = `${form}\u0000${name}`;
      if (!unmasked.has(key)) return;
      const group = type === "checkbox" || type === "radio" || el instanceof HTMLSelectElement;
      const values = rawValues(el).map((v) => v.slice(0, VALUE_MAX));
      if (values.some(hasCard)) {
        unmasked.delete(key);
        byKey.delete(key);
        askAgain++;
        return;
      }
      const f = byKey.get(key) ?? { form, name };
      if (group) f.values = [...(f.values ?? []), ...values];
      else if (values[0] !== undefined) f.value = values[0];
      byKey.set(key, f);
    });
  });
  const fields = [...byKey.values()].filter((f) => f.value !== undefined || f.values !== undefined);
  return { fields, askAgain };
}

/** The snapshot as JSON, under SNAPSHOT_BYTES: data goes first, then the last fields; null if even empty it is too big. */
export function fitted(s: Snapshot): JsonObject | null {
  const out = snapshotJson(s);
  const size = () => byteLength(JSON.stringify(out));
  if (size() <= SNAPSHOT_BYTES) return out;
  out.data = {};
  const fields = list(out.fields).slice();
  while (fields.length && size() > SNAPSHOT_BYTES) {
    fields.pop();
    out.fields = fields.slice();
  }
  return size() <= SNAPSHOT_BYTES ? out : null;
}

export function snapshotJson(s: Snapshot): JsonObject {
  return {
    v: 1, flow: s.flow, step: s.step, data: s.data,
    fields: s.fields.map((f) => {
      const j: JsonObject = { form: f.form, name: f.name };
      if (f.value !== undefined) j.value = f.value;
      if (f.values !== undefined) j.values = f.values;
      return j;
    }),
    askAgain: s.askAgain, at: s.at, endedAt: s.endedAt, keep: s.keep,
  };
}

/** A snapshot read back from storage (anything else is null). */
export function readSnapshot(j: Json | null): Snapshot | null {
  if (!isObject(j) || j.v !== 1) return null;
  const flow = str(j.flow);
  const at = num(j.at);
  if (flow === null || at === null) return null;
  const fields: SnapField[] = [];
  for (const f of list(j.fields)) {
    if (!isObject(f)) continue;
    const form = str(f.form);
    const name = str(f.name);
    if (form === null || name === null) continue;
    const field: SnapField = { form, name };
    if (typeof f.value === "string") field.value = f.value;
    if (Array.isArray(f.values)) field.values = f.values.filter((v): v is string => typeof v === "string");
    fields.push(field);
  }
  return {
    v: 1, flow, step: str(j.step), data: isObject(j.data) ? j.data : {}, fields,
    askAgain: num(j.askAgain) ?? 0, at, endedAt: num(j.endedAt), keep: keepMinutes(num(j.keep)),
  };
}

// ---------------------------------------------------------------- the store

/** Snapshots of one app and customer in a Storage (localStorage; any Storage in tests). */
export class SnapshotStore {
  constructor(
    private readonly st: Storage | null,
    private readonly app: string,
    private readonly customer: string,
    private readonly keep: number,
  ) {}

  private key(flow: string): string {
    return keyFor(this.app, this.customer, flow);
  }

  /** Every live snapshot of this app and customer, newest first; dead ones are removed. */
  all(now = Date.now()): Snapshot[] {
    const out: Snapshot[] = [];
    for (const key of this.keys(prefixFor(this.app, this.customer))) {
      const s = readSnapshot(this.raw(key));
      if (s && alive(s, now)) out.push(s);
      else this.remove(key);
    }
    return out.sort((a, b) => b.at - a.at);
  }

  get(flow: string, now = Date.now()): Snapshot | null {
    const s = readSnapshot(this.raw(this.key(flow)));
    if (s && alive(s, now)) return s;
    if (s) this.remove(this.key(flow));
    return null;
  }

  /** Keep what is entered now for `flow`. False when nothing was worth keeping or it did not fit. */
  put(flow: string, step: string | null, data: JsonObject, now = Date.now()): boolean {
    const taken = takeFields(); // (no destructuring: esbuild can't lower it for Safari 13)
    if (!taken.fields.length && !Object.keys(data).length) return false;
    const s: Snapshot = {
      v: 1, flow: flow || "default", step, data, fields: taken.fields, askAgain: taken.askAgain,
      at: now, endedAt: null, keep: this.keep,
    };
    const j = fitted(s);
    if (!j) return false;
    this.write(this.key(flow), j);
    this.trim(now);
    return true;
  }

  /** The request ended: every open snapshot is kept `keep` minutes more. */
  ended(now = Date.now()): void {
    for (const s of this.all(now)) {
      if (s.endedAt !== null) continue;
      this.write(this.key(s.flow), snapshotJson({ ...s, endedAt: now }));
    }
  }

  clear(flow?: string): void {
    if (flow !== undefined) this.remove(this.key(flow));
    else for (const key of this.keys(prefixFor(this.app, this.customer))) this.remove(key);
  }

  private trim(now: number): void {
    const live = this.all(now);
    for (const s of live.slice(SNAPSHOTS_MAX)) this.remove(this.key(s.flow));
  }

  private keys(prefix: string): string[] {
    const out: string[] = [];
    try {
      for (let i = 0; this.st && i < this.st.length; i++) {
        const k = this.st.key(i);
        if (k && k.startsWith(prefix)) out.push(k);
      }
    } catch {
      /* storage refused */
    }
    return out;
  }

  private raw(key: string): Json | null {
    try {
      const text = this.st?.getItem(key);
      return text ? parseJson(text) : null;
    } catch {
      return null;
    }
  }

  private write(key: string, j: JsonObject): void {
    try {
      this.st?.setItem(key, JSON.stringify(j));
    } catch {
      /* storage full or off: nothing kept, the page works as before */
    }
  }

  private remove(key: string): void {
    try {
      this.st?.removeItem(key);
    } catch {
      /* storage off */
    }
  }
}

// ---------------------------------------------------------------- putting it back

function setControl(el: Control, f: SnapField): boolean {
  if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio")) {
    const on = (f.values ?? []).includes(el.value);
    if (el.checked === on) return false;
    el.checked = on;
    return true;
  }
  if (el instanceof HTMLSelectElement) {
    const want = new Set(f.values ?? (f.value !== undefined ? [f.value] : []));
    let changed = false;
    for (const o of el.options) {
      if (o.selected !== want.has(o.value)) {
        o.selected = want.has(o.value);
        changed = true;
      }
    }
    return changed;
  }
  const v = f.value ?? "";
  if (el.value === v) return false;
  el.value = v;
  return true;
}

/**
 * Put kept values back in the captured forms that are on the page now, firing input and
 * change as typing would. Masked fields are never touched (nothing of theirs was kept).
 * Returns how many controls changed.
 */
export function fillFields(s: Snapshot): number {
  const byKey = new Map(s.fields.map((f) => [`${f.form}\u0000${f.name}`, f]));
  let n = 0;
  [...captureRoots()].forEach((root, r) => {
    const form = rootName(root, r);
    controlsOf(root).forEach((el, i) => {
      const f = byKey.get(`${form}\u0000${controlName(el, i)}`);
      if (!f || !setControl(el, f)) return;
      n++;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
  return n;
}
