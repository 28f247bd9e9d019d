// The context the specialist sees (docs/protocol.md, "Context"): what the host set (flow,
// step, data, session), the errors and journey it tracked, the captured form fields and the
// page. Card numbers are removed from every string before it is kept.

import { type Json, type JsonObject, isObject, list, num, str } from "../shared/json";
import { redactCards } from "../shared/luhn";
import { byteLength, cap } from "./text";
import { type Field, captureFields, VALUE_MAX } from "./capture";
import { clean, scrubbed } from "./clean";
import { type SourceTag, sourceTag } from "./tag";

export const ERRORS_MAX = 20;
export const JOURNEY_MAX = 50;
export const STEPS_MAX = 50;

export type TrackedError = { code: string; message: string; at: number };
export type JourneyEntry = { event: string; at: number; props?: Json };
export type Session = { held: boolean; expires_at: number | null };

export type Context = {
  flow?: string;
  step?: string;
  /** The app's steps in order: the desk keeps the furthest one reached. */
  steps?: string[];
  data: JsonObject;
  fields: Field[];
  errors: TrackedError[];
  journey: JourneyEntry[];
  session?: Session;
  page: { url: string; title: string };
  /** Which tab and device it comes from (tag.ts). */
  source?: SourceTag;
};

/** What the host passes to setContext (any JS values; read defensively). */
export interface ContextInput {
  flow?: unknown;
  step?: unknown;
  steps?: unknown;
  data?: unknown;
}

/** What the host passes to setSession. */
export interface SessionInput {
  held?: unknown;
  expiresAt?: unknown;
  expires_at?: unknown;
}

export class ContextState {
  flow: string | null = null;
  step: string | null = null;
  steps: string[] | null = null;
  data: JsonObject = {};
  session: Session | null = null;
  errors: TrackedError[] = [];
  journey: JourneyEntry[] = [];

  set(c: ContextInput): void {
    if ("flow" in c) this.flow = c.flow == null ? null : String(c.flow);
    if ("step" in c) this.step = c.step == null ? null : String(c.step);
    if ("steps" in c) this.steps = Array.isArray(c.steps) ? c.steps.slice(0, STEPS_MAX).map((s) => scrubbed(String(s), 200)) : null;
    if (c.data === null) this.data = {};
    else if (c.data && typeof c.data === "object") {
      for (const k of Object.keys(c.data)) {
        const v: unknown = Reflect.get(c.data, k);
        if (v === undefined) Reflect.deleteProperty(this.data, k);
        else this.data[k] = clean(v);
      }
    }
  }

  setSession(s: SessionInput | null | undefined): void {
    if (!s) {
      this.session = null;
      return;
    }
    const exp = s.expiresAt != null ? s.expiresAt : s.expires_at;
    let at: number | null = null;
    if (typeof exp === "number") at = exp;
    else if (exp) at = Date.parse(String(exp)) || null;
    this.session = { held: !!s.held, expires_at: at };
  }

  trackError(code: unknown, message: unknown): void {
    this.errors.push({
      code: scrubbed(String(code == null ? "" : code), 100),
      message: scrubbed(String(message == null ? "" : message), VALUE_MAX),
      at: Date.now(),
    });
    if (this.errors.length > ERRORS_MAX) this.errors.splice(0, this.errors.length - ERRORS_MAX);
  }

  track(event: unknown, props: unknown): void {
    const entry: JourneyEntry = { event: scrubbed(String(event), 100), at: Date.now() };
    if (props && typeof props === "object") entry.props = clean(props);
    this.journey.push(entry);
    if (this.journey.length > JOURNEY_MAX) this.journey.splice(0, this.journey.length - JOURNEY_MAX);
  }

  /** Errors and journey kept by an earlier page (this tab's, or a request's kept for all). */
  restore(saved: Json | null): void {
    if (!isObject(saved)) return;
    if (Array.isArray(saved.errors)) this.errors = list(saved.errors).filter(isObject).map(readError).slice(-ERRORS_MAX);
    if (Array.isArray(saved.journey)) this.journey = list(saved.journey).filter(isObject).map(readEntry).slice(-JOURNEY_MAX);
  }

  /** The context as sent: under `contextBytes`, as JSON. */
  build(contextBytes: number): JsonObject {
    const c: Context = {
      data: cleanData(this.data),
      fields: captureFields(),
      errors: this.errors.slice(),
      journey: this.journey.slice(),
      page: pageInfo(),
      source: sourceTag(),
    };
    if (this.flow) c.flow = scrubbed(this.flow, 200);
    if (this.step) c.step = scrubbed(this.step, 200);
    if (this.steps) c.steps = this.steps.slice();
    if (this.session) c.session = this.session;
    return contextJson(fit(c, contextBytes));
  }
}

// In the order the SDK always sent it.
function contextJson(c: Context): JsonObject {
  const out: JsonObject = {};
  if (c.flow !== undefined) out.flow = c.flow;
  if (c.step !== undefined) out.step = c.step;
  if (c.steps !== undefined) out.steps = c.steps.slice();
  out.data = c.data;
  out.fields = c.fields.map((f) => {
    const j: JsonObject = { form: f.form, name: f.name, label: f.label, filled: f.filled, masked: f.masked };
    if (f.value !== undefined) j.value = f.value;
    return j;
  });
  out.errors = c.errors.map((e) => ({ ...e }));
  out.journey = c.journey.map(entryJson);
  if (c.session) out.session = { ...c.session };
  out.page = { ...c.page };
  if (c.source) out.source = { ...c.source };
  return out;
}

export function entryJson(e: JourneyEntry): JsonObject {
  const j: JsonObject = { event: e.event, at: e.at };
  if (e.props !== undefined) j.props = e.props;
  return j;
}

function cleanData(data: JsonObject): JsonObject {
  const c = clean(data);
  return isObject(c) ? c : {};
}

function readError(e: JsonObject): TrackedError {
  return { code: str(e.code) ?? "", message: str(e.message) ?? "", at: num(e.at) ?? 0 };
}

function readEntry(e: JsonObject): JourneyEntry {
  const entry: JourneyEntry = { event: str(e.event) ?? "", at: num(e.at) ?? 0 };
  if (e.props !== undefined) entry.props = e.props;
  return entry;
}

function pageInfo(): { url: string; title: string } {
  const l = window.location;
  let url = l.origin + l.pathname;
  // Hash routes say where the customer is; query strings often carry secrets.
  if (/^#!?\//.test(l.hash)) url += l.hash.split("?")[0];
  return { url: redactCards(url), title: scrubbed(document.title || "", 200) };
}

/**
 * Keep the context under the server's limit: drop the oldest journey entries first, then the
 * oldest errors, then shorten field values, then drop data, then fields.
 */
export function fit(c: Context, contextBytes: number): Context {
  const max = Math.max(1024, (contextBytes || 65536) - 256);
  const size = () => byteLength(JSON.stringify(c));
  if (size() <= max) return c;
  while (c.journey.length && size() > max) c.journey.splice(0, Math.max(1, Math.ceil(c.journey.length / 10)));
  while (c.errors.length && size() > max) c.errors.shift();
  if (size() > max) {
    for (const f of c.fields) if (f.value && f.value.length > 50) f.value = cap(f.value, 50);
  }
  if (size() > max) {
    const keys = Object.keys(c.data);
    while (keys.length && size() > max) Reflect.deleteProperty(c.data, keys.pop() ?? "");
  }
  while (c.fields.length && size() > max) c.fields.pop();
  return c;
}
