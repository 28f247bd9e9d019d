// The right column: who (verified or not), where, app session, data, form, errors, journey.
// Every value is customer-supplied and hostile: it is only ever set as text, and read as
// `unknown` until checked.

import { h, icon, render, type Child, type IconName } from "./dom";
import { state, on, isLive, type Req } from "./store";
import { askMoreTime } from "./actions";
import { sessionBody } from "./session";
import { clockTime, fullTime, isoTime, valueText, propsText, clip, isRecord } from "./format";
import type { Customer } from "./protocol";
import { picture, type Picture } from "./sources";

type Obj = Record<string, unknown>;

const JOURNEY_SHOWN = 25;
let journeyExpanded = false;
let shownId: string | null = null;
let root: HTMLElement | null = null;

function section(id: string, title: string, iconName: IconName, ...content: Child[]): HTMLElement {
  return h("section.ctx-section", { aria: { labelledby: `ctx-${id}` } },
    h("h3.ctx-title", { id: `ctx-${id}` }, icon(iconName, 14), title),
    content);
}

function row(label: string, value: Child, extra?: Child): HTMLElement[] {
  return [h("dt", null, label), h("dd", { title: typeof value === "string" ? value : undefined }, value, extra || null)];
}

function timeEl(at: unknown): HTMLTimeElement | null {
  if (typeof at !== "number" || !Number.isFinite(at) || at <= 0) return null;
  return h("time.ctx-time", { datetime: isoTime(at), title: fullTime(at) }, clockTime(at));
}

/** The identity's rows: a claimed value is marked "(claimed)", an unsigned one beside a
 * verified identity "(unverified)". */
function identityRows(c: Partial<Customer>, verified: boolean): HTMLElement[] {
  const claimed = verified ? null : h("span.claimed", null, " (claimed)");
  // Beside a valid token the app may send a name or email the token does not sign: shown,
  // but never as verified.
  const unsigned: Obj = verified && isRecord(c.claimed) ? c.claimed : {};
  const value = (key: "name" | "email"): [Child, Child] => {
    const own = c[key];
    if (own) return [clip(String(own), 120), verified || !claimed ? null : claimed.cloneNode(true)];
    const other = unsigned[key];
    if (typeof other === "string" && other) return [clip(other, 120), h("span.claimed", null, " (unverified)")];
    return ["—", null];
  };
  const rows: HTMLElement[] = [];
  rows.push(...row("Name", ...value("name")));
  rows.push(...row("Email", ...value("email")));
  if (c.id) rows.push(...row("User id", clip(String(c.id), 120), claimed && claimed.cloneNode(true)));
  return rows;
}

function who(customer: Partial<Customer> | null | undefined): HTMLElement {
  const c = customer || {};
  const verified = c.verified === true;
  return section("who", "Who", "user",
    verified
      ? h("p.verify.is-verified", null, icon("shield", 16), h("strong", null, "Verified"),
          h("span", null, "The app's backend signed this identity."))
      : h("p.verify.is-unverified", null, icon("alert", 16), h("strong", null, "Unverified"),
          h("span", null, "The app claimed this identity; nothing checked it. Confirm who you're talking to before sharing account details.")),
    h("dl.kv", { class: verified ? undefined : "is-unchecked" }, identityRows(c, verified)));
}

/** Furthest and current step, each with the tab or device it came from (sources.ts). */
function reachedRows(p: Picture): HTMLElement | null {
  const { furthest, current } = p;
  if (!furthest || !current) return null;
  const step = (s: string | null): string => (s ? clip(s, 60) : "—");
  const same = furthest.source === current.source && furthest.step === current.step;
  return h("dl.kv.where-reached", null,
    row("Furthest", step(furthest.step), h("span.where-from", null, ` · ${furthest.where}`)),
    same ? null : row("Now", step(current.step), h("span.where-from", null, ` · ${current.where}`)),
    p.sources.length > 1
      ? row("Open in", h("ul.where-sources", { aria: { label: "Tabs and devices" } },
          p.sources.map(({ source, where: w }) => h("li", null, `${w}: ${step(source.step)}`))))
      : null);
}

function where(ctx: Obj, p: Picture): HTMLElement {
  const page: Obj = isRecord(ctx.page) ? ctx.page : {};
  return section("where", "Where", "map",
    h("p.where-main", null,
      h("span.where-flow", null, ctx.flow ? clip(valueText(ctx.flow), 60) : "Unknown flow"),
      ctx.step ? [h("span.where-sep", { aria: { hidden: "true" } }, " › "), h("span.where-step", null, clip(valueText(ctx.step), 60))] : null),
    reachedRows(p),
    page.title || page.url
      ? h("dl.kv", null,
          page.title ? row("Page", clip(valueText(page.title), 160)) : null,
          // Shown as text, never as a link: the URL is customer-supplied.
          page.url ? row("URL", h("span.mono", null, clip(valueText(page.url), 200))) : null)
      : null);
}

function session(ctx: Obj, r: Req): HTMLElement {
  return section("session", "App session", "clock",
    sessionBody(ctx.session, r.state, { canAsk: isLive(r), ask: () => askMoreTime(r.id) }));
}

/** The data as of the furthest step, then what the current page changed since. */
function data(p: Picture): HTMLElement {
  const d = Object.entries(p.data);
  const asOf = p.furthest && p.furthest.step && p.changes.length ? ` as of ${clip(p.furthest.step, 40)}` : "";
  const text = (v: unknown): string => (v === undefined ? "—" : clip(valueText(v), 140));
  return section("data", `Data${asOf}`, "list",
    d.length
      ? h("dl.kv", null, d.slice(0, 100).map(([k, v]) => row(clip(k, 60), clip(valueText(v), 300))))
      : h("p.muted", null, "No data."),
    p.changes.length
      ? [h("h4.ctx-sub", null, `Changed since${p.current ? ` (${p.current.where})` : ""}`),
          h("dl.kv.data-changes", null, p.changes.map((c) => row(clip(c.key, 60), `${text(c.before)} → ${text(c.after)}`)))]
      : null);
}

function fieldValue(f: Obj): HTMLElement {
  if (f.masked) {
    // Never a value for a masked field (the server never sends one anyway).
    return h("span.masked", { class: f.filled ? "is-filled" : "is-empty" },
      icon("lock", 12), f.filled ? "filled" : "empty", h("span.visually-hidden", null, " (masked)"));
  }
  if (f.value !== undefined && f.value !== null && f.value !== "") {
    return h("span.field-value", null, clip(valueText(f.value), 200));
  }
  return h("span.field-state", { class: f.filled ? "is-filled" : "is-empty" }, f.filled ? "filled" : "empty");
}

function form(ctx: Obj): HTMLElement {
  const fields: unknown[] = Array.isArray(ctx.fields) ? ctx.fields.slice(0, 200) : [];
  if (!fields.length) return section("form", "Form", "form", h("p.muted", null, "No form fields captured."));
  const groups = new Map<string, Obj[]>();
  for (const f of fields) {
    if (!f || typeof f !== "object") continue;
    const field = f as Obj;
    const key = valueText(field.form || "");
    const list = groups.get(key) ?? [];
    list.push(field);
    groups.set(key, list);
  }
  const blocks: HTMLElement[] = [];
  for (const [name, list] of groups) {
    if (name && groups.size > 1) blocks.push(h("h4.ctx-sub", null, clip(name, 60)));
    blocks.push(h("ul.fields", null, list.map((f) => {
      const label = clip(valueText(f.label || f.name || "Field"), 80);
      return h("li.field", null, h("span.field-name", { title: label }, label), fieldValue(f));
    })));
  }
  return section("form", "Form", "form", blocks);
}

/** The objects of a context list (errors, journey); anything else in it is skipped. */
function objects(list: unknown): Obj[] {
  return Array.isArray(list) ? list.filter((e): e is Obj => Boolean(e) && typeof e === "object") : [];
}

function errors(ctx: Obj): HTMLElement {
  const list = objects(ctx.errors);
  list.sort((a, b) => Number(b.at || 0) - Number(a.at || 0));
  return section("errors", `Errors${list.length ? ` (${list.length})` : ""}`, "alert",
    list.length
      ? h("ul.errors", null, list.slice(0, 30).map((e) =>
          h("li.error-item", null,
            h("div.error-head", null, e.code ? h("span.error-code.mono", null, clip(valueText(e.code), 40)) : null, timeEl(e.at)),
            h("div.error-msg", null, clip(valueText(e.message || ""), 400)))))
      : h("p.muted", null, "No errors reported."));
}

function journey(ctx: Obj): HTMLElement {
  const list = objects(ctx.journey);
  const hidden = journeyExpanded ? 0 : Math.max(0, list.length - JOURNEY_SHOWN);
  const shown = list.slice(hidden);
  const more = hidden
    ? h("button.link", { type: "button", onclick: () => {
        journeyExpanded = true;
        drawContext();
      } }, `Show ${hidden} earlier event${hidden > 1 ? "s" : ""}`)
    : null;
  return section("journey", "Journey", "route",
    list.length
      ? [more, h("ol.journey", null, shown.map((j) =>
          h("li.journey-item", null,
            h("span.journey-dot", { aria: { hidden: "true" } }),
            h("div.journey-body", null,
              h("div.journey-head", null, h("span.journey-event", null, clip(valueText(j.event || "event"), 80)), timeEl(j.at)),
              j.props ? h("div.journey-props", null, clip(propsText(j.props), 300)) : null))))]
      : h("p.muted", null, "No journey events."));
}

function drawContext(): void {
  if (!root) return;
  const r = state.selectedId ? state.requests.get(state.selectedId) : undefined;
  if (!r) {
    shownId = null;
    render(root, h("div.ctx-empty", null, icon("user", 28), h("p", null, "Select a chat to see who the customer is and where they are.")));
    return;
  }
  if (shownId !== r.id) journeyExpanded = false;
  shownId = r.id;
  const ctx: Obj = isRecord(r.context) ? r.context : {};
  const p = picture(r.sources, r.context);
  render(root,
    h("h2.visually-hidden", null, "Customer context"),
    who(r.customer), where(ctx, p), session(ctx, r), data(p), form(ctx), errors(ctx), journey(ctx));
}

/** Build the right column into `aside`. */
export function mountContext(aside: HTMLElement): void {
  root = aside;
  on("context", drawContext);
}
