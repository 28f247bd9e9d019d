// The right column: who (verified or not), where, app session, data, form, errors, journey.
// Every value is customer-supplied and hostile: it is only ever set as text.

import { h, icon, render } from "./dom.js";
import { state, on } from "./store.js";
import { clockTime, fullTime, isoTime, duration, serverNow, valueText, propsText, clip } from "./format.js";
import { every } from "./ticker.js";

const JOURNEY_SHOWN = 25;
let journeyExpanded = false;
let shownId = null;

function section(id, title, iconName, ...content) {
  return h("section.ctx-section", { aria: { labelledby: `ctx-${id}` } },
    h("h3.ctx-title", { id: `ctx-${id}` }, icon(iconName, 14), title),
    content);
}

function row(label, value, extra) {
  return [h("dt", null, label), h("dd", { title: typeof value === "string" ? value : undefined }, value, extra || null)];
}

function timeEl(at) {
  if (!Number.isFinite(at) || at <= 0) return null;
  return h("time.ctx-time", { datetime: isoTime(at), title: fullTime(at) }, clockTime(at));
}

function who(customer) {
  const c = customer || {};
  const verified = c.verified === true;
  const claimed = verified ? null : h("span.claimed", null, " (claimed)");
  // Beside a valid token the app may send a name or email the token does not sign: shown,
  // but never as verified.
  const unsigned = verified && c.claimed && typeof c.claimed === "object" ? c.claimed : {};
  const value = (key) => {
    if (c[key]) return [clip(String(c[key]), 120), verified ? null : claimed.cloneNode(true)];
    if (typeof unsigned[key] === "string" && unsigned[key]) {
      return [clip(unsigned[key], 120), h("span.claimed", null, " (unverified)")];
    }
    return ["—", null];
  };
  const rows = [];
  rows.push(...row("Name", ...value("name")));
  rows.push(...row("Email", ...value("email")));
  if (c.id) rows.push(...row("User id", clip(String(c.id), 120), claimed && claimed.cloneNode(true)));
  return section("who", "Who", "user",
    verified
      ? h("p.verify.is-verified", null, icon("shield", 16), h("strong", null, "Verified"),
          h("span", null, "The app's backend signed this identity."))
      : h("p.verify.is-unverified", null, icon("alert", 16), h("strong", null, "Unverified"),
          h("span", null, "The app claimed this identity; nothing checked it. Confirm who you're talking to before sharing account details.")),
    h("dl.kv", { class: verified ? "" : "is-unchecked" }, rows));
}

function where(ctx) {
  const page = ctx.page || {};
  return section("where", "Where", "map",
    h("p.where-main", null,
      h("span.where-flow", null, ctx.flow ? clip(valueText(ctx.flow), 60) : "Unknown flow"),
      ctx.step ? [h("span.where-sep", { aria: { hidden: "true" } }, " › "), h("span.where-step", null, clip(valueText(ctx.step), 60))] : null),
    page.title || page.url
      ? h("dl.kv", null,
          page.title ? row("Page", clip(valueText(page.title), 160)) : null,
          // Shown as text, never as a link: the URL is customer-supplied.
          page.url ? row("URL", h("span.mono", null, clip(valueText(page.url), 200))) : null)
      : null);
}

function session(ctx) {
  const s = ctx.session;
  if (!s || typeof s !== "object") {
    return section("session", "App session", "clock", h("p.muted", null, "The app didn't report a session."));
  }
  const status = h("p.session");
  const left = h("span.session-left");
  if (!s.held) {
    status.classList.add("is-warn");
    status.append(icon("unlock", 16), h("strong", null, "Not held"), " ", h("span", null, "The app isn't holding the customer's session."));
  } else {
    status.append(icon("lock", 16), h("strong", null, "Held"), " ", left);
  }
  const out = section("session", "App session", "clock", status,
    Number.isFinite(s.expires_at) && s.expires_at > 0 ? h("p.muted", null, "Expires at ", timeEl(s.expires_at)) : null);
  if (s.held && Number.isFinite(s.expires_at) && s.expires_at > 0) {
    every(status, () => {
      const ms = s.expires_at - serverNow();
      left.textContent = ms > 0 ? `${duration(ms)} left` : "expired";
      status.classList.toggle("is-warn", ms <= 120_000);
      status.classList.toggle("is-danger", ms <= 0);
      return ms > 0;
    });
  }
  return out;
}

function data(ctx) {
  const d = ctx.data && typeof ctx.data === "object" ? Object.entries(ctx.data) : [];
  return section("data", "Data", "list",
    d.length
      ? h("dl.kv", null, d.slice(0, 100).map(([k, v]) => row(clip(k, 60), clip(valueText(v), 300))))
      : h("p.muted", null, "No data."));
}

function form(ctx) {
  const fields = Array.isArray(ctx.fields) ? ctx.fields.slice(0, 200) : [];
  if (!fields.length) return section("form", "Form", "form", h("p.muted", null, "No form fields captured."));
  const groups = new Map();
  for (const f of fields) {
    if (!f || typeof f !== "object") continue;
    const key = valueText(f.form || "");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f);
  }
  const blocks = [];
  for (const [name, list] of groups) {
    if (name && groups.size > 1) blocks.push(h("h4.ctx-sub", null, clip(name, 60)));
    blocks.push(h("ul.fields", null, list.map((f) => {
      const label = clip(valueText(f.label || f.name || "Field"), 80);
      let value;
      if (f.masked) {
        // Never a value for a masked field (the server never sends one anyway).
        value = h("span.masked", { class: f.filled ? "is-filled" : "is-empty" },
          icon("lock", 12), f.filled ? "filled" : "empty", h("span.visually-hidden", null, " (masked)"));
      } else if (f.value !== undefined && f.value !== null && f.value !== "") {
        value = h("span.field-value", null, clip(valueText(f.value), 200));
      } else {
        value = h("span.field-state", { class: f.filled ? "is-filled" : "is-empty" }, f.filled ? "filled" : "empty");
      }
      return h("li.field", null, h("span.field-name", { title: label }, label), value);
    })));
  }
  return section("form", "Form", "form", blocks);
}

function errors(ctx) {
  const list = Array.isArray(ctx.errors) ? [...ctx.errors].filter((e) => e && typeof e === "object") : [];
  list.sort((a, b) => (b.at || 0) - (a.at || 0));
  return section("errors", `Errors${list.length ? ` (${list.length})` : ""}`, "alert",
    list.length
      ? h("ul.errors", null, list.slice(0, 30).map((e) =>
          h("li.error-item", null,
            h("div.error-head", null, e.code ? h("span.error-code.mono", null, clip(valueText(e.code), 40)) : null, timeEl(e.at)),
            h("div.error-msg", null, clip(valueText(e.message || ""), 400)))))
      : h("p.muted", null, "No errors reported."));
}

function journey(ctx) {
  const list = Array.isArray(ctx.journey) ? ctx.journey.filter((j) => j && typeof j === "object") : [];
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

let root = null;

function drawContext() {
  const r = state.requests.get(state.selectedId);
  if (!r) {
    shownId = null;
    render(root, h("div.ctx-empty", null, icon("user", 28), h("p", null, "Select a chat to see who the customer is and where they are.")));
    return;
  }
  if (shownId !== r.id) journeyExpanded = false;
  shownId = r.id;
  const ctx = r.context && typeof r.context === "object" ? r.context : {};
  render(root,
    h("h2.visually-hidden", null, "Customer context"),
    who(r.customer), where(ctx), session(ctx), data(ctx), form(ctx), errors(ctx), journey(ctx));
}

/** Build the right column into `aside`. */
export function mountContext(aside) {
  root = aside;
  on("context", drawContext);
}
