// Form helpers for Configure: labelled fields with hints and inline errors, an error
// summary, and the mapping of server errors (422) onto fields. Nothing here resets what the
// user typed: a failed save leaves every input as it was.

import { h, icon, render, type Attrs, type Child } from "./dom";
import { ApiError } from "./api";
import { isRecord } from "./format";

let uid = 0;
export function nextId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A problem to fix before saving: its words, and where focus goes to fix it. */
export interface Problem {
  message: string;
  focus?: () => void;
  key?: string;
  path?: string;
}

/** An error from the server, at a dotted path ("hours.mon") or "" for the whole form. */
export interface ServerError {
  path: string;
  message: string;
}

export interface Field<C extends HTMLElement = HTMLElement> {
  el: HTMLElement;
  control: C;
  setError(message: string): void;
  focus(): void;
}

export interface FieldOptions {
  hint?: string;
  /** A group element with its own labels: the label becomes a legend. */
  group?: boolean;
  /** A unit beside the control ("s", "at once"). */
  suffix?: Child;
}

/** A labelled control: an input/select/textarea, or a group of them (`group: true`). */
export function field<C extends HTMLElement>(label: string, control: C, { hint = "", group = false, suffix = null }: FieldOptions = {}): Field<C> {
  const id = control.id || nextId("f");
  const hintEl = hint ? h("p.field-hint", { id: `${id}-hint` }, hint) : null;
  const error = h("p.field-error", { id: `${id}-error` });
  let el: HTMLElement;
  if (group) {
    el = h("fieldset.field.field-group", null, h("legend.field-label", null, label), hintEl, control, error);
  } else {
    control.id = id;
    control.setAttribute("aria-describedby", [hintEl ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" "));
    el = h("div.field", null, h("label.field-label", { for: id }, label), hintEl,
      suffix ? h("div.field-row", null, control, h("span.field-suffix", null, suffix)) : control, error);
  }
  return {
    el,
    control,
    setError(message) {
      error.textContent = message || "";
      el.classList.toggle("has-error", Boolean(message));
      if (!group) {
        if (message) control.setAttribute("aria-invalid", "true");
        else control.removeAttribute("aria-invalid");
      }
    },
    focus() {
      const target = group ? el.querySelector<HTMLElement>("input, select, textarea, button") : control;
      target?.focus();
    },
  };
}

export function textInput(value: string | null | undefined = "", attrs: Attrs = {}): HTMLInputElement {
  return h("input.input", { type: "text", value: value ?? "", autocomplete: "off", spellcheck: "false", ...attrs });
}

export interface NumberOptions extends Attrs {
  min?: number;
  max?: number;
  step?: number | string;
}

export function numberInput(value: unknown, { min, max, step = 1, ...attrs }: NumberOptions = {}): HTMLInputElement {
  return h("input.input.input-number", {
    type: "number", inputmode: "numeric", value: value === null || value === undefined ? "" : String(value),
    min: min ?? undefined, max: max ?? undefined, step, ...attrs,
  });
}

/** An integer read from an input, or why it isn't one. */
export type IntRead = { value: number | null; error?: undefined } | { value?: undefined; error: string };

export interface IntOptions {
  min?: number;
  max?: number;
  /** Empty is allowed, and reads as null. */
  optional?: boolean;
  /** The field's name in messages ("Priority must be…"). */
  what?: string;
}

/** Read an integer from an input. Empty is null when `optional`, else an error. */
export function readInt(input: { value: string }, { min = -Infinity, max = Infinity, optional = false, what = "This" }: IntOptions = {}): IntRead {
  const raw = input.value.trim();
  if (!raw) return optional ? { value: null } : { error: `${what} is required.` };
  const n = Number(raw);
  if (!Number.isInteger(n)) return { error: `${what} must be a whole number.` };
  if (n < min) return { error: `${what} must be at least ${min}.` };
  if (n > max) return { error: `${what} must be at most ${max}.` };
  return { value: n };
}

/** "= 5 min", "= 1 h 30 min", "= 2 min 5 s": a hint beside a number of seconds. */
export function secondsHint(seconds: unknown): string {
  const s = Number(seconds);
  if (!Number.isFinite(s) || s < 60) return "";
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `= ${m} min ${rest} s` : `= ${m} min`;
  return `= ${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
}

export function isTimeZone(tz: string | null | undefined): boolean {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

let tzList: HTMLDataListElement | null = null;
/** A <datalist> of the browser's IANA time zones (one per page); returns its id. */
export function timeZoneList(): string {
  if (tzList) return tzList.id;
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];
  tzList = h("datalist", { id: "tz-list" }, ["UTC", ...zones].map((z) => h("option", { value: z })));
  document.body.append(tzList);
  return tzList.id;
}

export interface ErrorSummary {
  el: HTMLElement;
  show(errors: readonly Problem[], heading?: string): void;
  clear(): void;
}

/** An error summary at the top of a form: role="alert", each error a button that moves
 * focus to its field. */
export function errorSummary(): ErrorSummary {
  const list = h("ul");
  const titleText = document.createTextNode("");
  const title = h("p.summary-title", null, icon("alert", 16), titleText);
  const el = h("div.error-summary", { role: "alert", tabindex: "-1", hidden: true }, title, list);
  const clear = (): void => {
    el.hidden = true;
    list.replaceChildren();
  };
  return {
    el,
    show(errors, heading) {
      if (!errors.length) {
        clear();
        return;
      }
      titleText.textContent = heading || (errors.length === 1 ? "Fix this before saving:" : `Fix these ${errors.length} things before saving:`);
      render(list, errors.map((e) => h("li", null, e.focus
        ? h("button.link", { type: "button", onclick: e.focus }, e.message)
        : e.message)));
      el.hidden = false;
      el.focus();
    },
    clear,
  };
}

/** FastAPI's 422 `detail` list: each with `loc` (the path, after "body") and `msg`. */
function detailErrors(detail: unknown[]): ServerError[] {
  return detail.map((d) => {
    const loc = isRecord(d) && Array.isArray(d.loc) ? (d.loc as unknown[]) : [];
    return {
      path: loc.filter((p) => p !== "body").join("."),
      message: isRecord(d) && typeof d.msg === "string" ? d.msg : "Invalid value",
    };
  });
}

/**
 * The errors in a failed call: FastAPI's 422 `detail` list (with `loc`), one message at a
 * field's path ("hours.mon: …"), or one general message.
 */
export function serverErrors(err: unknown): ServerError[] {
  if (!(err instanceof ApiError)) return [{ path: "", message: (err instanceof Error && err.message) || "Something went wrong." }];
  const body = isRecord(err.body) ? err.body : {};
  if (Array.isArray(body.detail)) return detailErrors(body.detail);
  if (err.status === 422 && typeof body.detail === "string") {
    // One message; when it starts with a field's path ("hours.mon: …") it goes beside it.
    const m = /^([a-z_]+(?:\.[a-z0-9_]+)*): (.+)$/s.exec(body.detail);
    return [m ? { path: m[1], message: m[2] } : { path: "", message: body.detail }];
  }
  if (err.status === 0) return [{ path: "", message: "The server can't be reached. Nothing was saved; your changes are still here." }];
  if (err.status === 403) return [{ path: "", message: err.detail || "Only supervisors may change this." }];
  if (err.status === 401) return [{ path: "", message: "Your session ended. Sign in again in another tab, then save; your changes are still here." }];
  return [{ path: "", message: err.detail || `The server refused the change (HTTP ${err.status}).` }];
}

export interface StatusLine {
  el: HTMLElement;
  set(text: string, kind?: string): void;
}

/** A polite status line for "Saved at 14:32" and the like. */
export function statusLine(): StatusLine {
  const el = h("p.save-status", { role: "status" });
  return {
    el,
    set(text, kind = "") {
      el.textContent = text;
      el.dataset.kind = kind;
    },
  };
}
