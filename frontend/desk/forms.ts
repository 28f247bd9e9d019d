// Form helpers for Configure: labelled fields with hints and inline errors, an error
// summary, and the mapping of server errors (422) onto fields. Nothing here resets what the
// user typed: a failed save leaves every input as it was.

import { h, icon, render } from "./dom.js";
import { ApiError } from "./api.js";

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * A labelled control. `control` is an input/select/textarea (or a group element with its own
 * labels, then pass `group: true`: the label becomes a legend). Returns {el, control, setError}.
 */
export function field(label, control, { hint = "", group = false, suffix = null } = {}) {
  const id = control.id || nextId("f");
  const hintEl = hint ? h("p.field-hint", { id: `${id}-hint` }, hint) : null;
  const error = h("p.field-error", { id: `${id}-error` });
  let el;
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
      (group ? el.querySelector("input, select, textarea, button") : control)?.focus();
    },
  };
}

export function textInput(value = "", attrs = {}) {
  return h("input.input", { type: "text", value: value ?? "", autocomplete: "off", spellcheck: "false", ...attrs });
}

export function numberInput(value, { min, max, step = 1, ...attrs } = {}) {
  return h("input.input.input-number", {
    type: "number", inputmode: "numeric", value: value === null || value === undefined ? "" : String(value),
    min: min ?? undefined, max: max ?? undefined, step, ...attrs,
  });
}

/**
 * Read an integer from an input: {value} or {error}. Empty gives `empty` (null by default)
 * when `optional`, else an error.
 */
export function readInt(input, { min = -Infinity, max = Infinity, optional = false, what = "This" } = {}) {
  const raw = input.value.trim();
  if (!raw) return optional ? { value: null } : { error: `${what} is required.` };
  const n = Number(raw);
  if (!Number.isInteger(n)) return { error: `${what} must be a whole number.` };
  if (n < min) return { error: `${what} must be at least ${min}.` };
  if (n > max) return { error: `${what} must be at most ${max}.` };
  return { value: n };
}

/** "5 min", "1 h 30 min", "45 s": a hint beside a number of seconds. */
export function secondsHint(seconds) {
  const s = Number(seconds);
  if (!Number.isFinite(s) || s < 60) return "";
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `= ${m} min ${rest} s` : `= ${m} min`;
  return `= ${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
}

export function isTimeZone(tz) {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

let tzList = null;
/** A <datalist> of the browser's IANA time zones (one per page). */
export function timeZoneList() {
  if (tzList) return tzList.id;
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];
  tzList = h("datalist", { id: "tz-list" }, ["UTC", ...zones].map((z) => h("option", { value: z })));
  document.body.append(tzList);
  return tzList.id;
}

/**
 * An error summary at the top of a form: role="alert", each error a button that moves focus
 * to its field. show([{message, focus?}]) / clear().
 */
export function errorSummary() {
  const list = h("ul");
  const title = h("p.summary-title", null, icon("alert", 16), "");
  const el = h("div.error-summary", { role: "alert", tabindex: "-1", hidden: true }, title, list);
  return {
    el,
    show(errors, heading) {
      if (!errors.length) {
        this.clear();
        return;
      }
      title.lastChild.textContent = heading || (errors.length === 1 ? "Fix this before saving:" : `Fix these ${errors.length} things before saving:`);
      render(list, errors.map((e) => h("li", null, e.focus
        ? h("button.link", { type: "button", onclick: e.focus }, e.message)
        : e.message)));
      el.hidden = false;
      el.focus();
    },
    clear() {
      el.hidden = true;
      list.replaceChildren();
    },
  };
}

/**
 * The errors in a failed call, as [{path, message}]: FastAPI's 422 `detail` list (with `loc`),
 * the rules' `errors` list (with `line`), or one general message.
 */
export function serverErrors(err) {
  if (!(err instanceof ApiError)) return [{ path: "", message: (err && err.message) || "Something went wrong." }];
  const body = err.body || {};
  if (Array.isArray(body.detail)) {
    return body.detail.map((d) => ({
      path: (Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body") : []).join("."),
      message: typeof d.msg === "string" ? d.msg : "Invalid value",
    }));
  }
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

/** A polite status line for "Saved at 14:32" and the like. */
export function statusLine() {
  const el = h("p.save-status", { role: "status" });
  return {
    el,
    set(text, kind = "") {
      el.textContent = text;
      el.dataset.kind = kind;
    },
  };
}
