// The middle column: the selected request's thread (one timeline of messages and system
// events), the compose box, "Customer is typing…", and the Resolve dialog.

import { cobrowseButton, cobrowseRegion, drawCobrowse } from "./cobrowse";
import { h, icon, render, kbd, announce } from "./dom";
import { state, on, isClosed, isLive, outcomeText, markSeen, type Pending, type Req, type SysEvent } from "./store";
import { clockTime, fullTime, isoTime, utf8Bytes, clip, DISPOSITIONS, stateLabel } from "./format";
import { verifiedBadge, whereText, channelChip, callbackLine, customerName } from "./offers";
import { ringingText } from "./callbacks";
import * as actions from "./actions";
import type { Disposition, Message } from "./protocol";

export const limits = { messageBytes: 4096 };
const drafts = new Map<string, string>(); // request_id -> text
let shownId: string | null = null;

function timeEl(at: number | null | undefined): HTMLTimeElement | null {
  if (!at) return null;
  return h("time", { datetime: isoTime(at), title: fullTime(at) }, clockTime(at));
}

function messageItem(m: Message, mine: boolean): HTMLLIElement {
  const sender = ["customer", "specialist", "system"].includes(m.sender) ? m.sender : "system";
  if (sender === "system") {
    return h("li.tl-event", null, icon("info", 14), h("span", null, m.body), timeEl(m.at));
  }
  const who = sender === "specialist" && mine ? "You" : m.author || (sender === "customer" ? "Customer" : "Specialist");
  return h(`li.msg.msg-${sender}`, null,
    h("div.msg-head", null, h("span.msg-author", null, who), timeEl(m.at)),
    h("div.msg-body", null, m.body));
}

function pendingItem(r: Req, p: Pending): HTMLLIElement {
  const status =
    p.status === "failed"
      ? h("div.msg-status.is-failed", { role: "alert" },
          icon("alert", 12), `Not sent: ${p.error} `,
          h("button.link", { type: "button", onclick: () => actions.retryMessage(r.id, p.client_id) }, "Retry"),
          " · ",
          h("button.link", { type: "button", onclick: () => actions.discardMessage(r.id, p.client_id) }, "Discard"))
      : h("div.msg-status", null, p.status === "sent" ? "Delivered" : state.conn.status === "connected" ? "Sending…" : "Waiting for connection…");
  return h("li.msg.msg-specialist.is-pending", { class: p.status === "failed" ? "is-failed" : undefined },
    h("div.msg-head", null, h("span.msg-author", null, "You"), timeEl(p.at)),
    h("div.msg-body", null, p.body),
    status);
}

function eventItem(e: SysEvent): HTMLLIElement {
  const ic = e.tone === "good" ? "check" : e.tone === "warn" ? "alert" : "info";
  return h(`li.tl-event.tone-${e.tone}`, null, icon(ic, 14), h("span", null, e.text), timeEl(e.at));
}

/** The timeline in order: the description (unless the first message says it), messages and
 * system events by time, then my pending replies. */
export function timelineItems(r: Req): HTMLLIElement[] {
  const meName = state.me && state.me.name;
  const rows: Array<{ at: number; node: () => HTMLLIElement }> = [];
  for (const m of r.messages) rows.push({ at: m.at || 0, node: () => messageItem(m, m.author === meName) });
  for (const e of r.events) rows.push({ at: e.at || 0, node: () => eventItem(e) });
  rows.sort((a, b) => a.at - b.at);
  const out: HTMLLIElement[] = [];
  // The server may also store the description as the first customer message: show it once.
  const first = r.messages.find((m) => m.sender === "customer");
  if (r.description && !(first && first.body === r.description)) {
    out.push(h("li.tl-description", null,
      h("div.msg-head", null, h("span.msg-author", null, `${customerName(r.customer)} asked for help`), timeEl(r.created_at)),
      h("div.msg-body", null, r.description)));
  }
  for (const row of rows) out.push(row.node());
  for (const p of r.pending.values()) out.push(pendingItem(r, p));
  return out;
}

function stars(score: number): HTMLSpanElement {
  const el = h("span.stars", { role: "img", aria: { label: `Rated ${score} of 5` } });
  for (let i = 1; i <= 5; i += 1) {
    const s = icon("star", 14);
    s.classList.add(i <= score ? "star-on" : "star-off");
    el.append(s);
  }
  return el;
}

function outcomeBanner(r: Req): HTMLDivElement | null {
  if (isLive(r) && r.ringing && r.callback) {
    return h("div.outcome.is-ringing", { role: "status" }, icon("phone", 16),
      h("span.outcome-text", null, ringingText(r.callback)));
  }
  if (r.resolving === "sending" || (r.resolving === "acked" && !isClosed(r))) {
    return h("div.outcome.is-pending", { role: "status" }, "Resolving…");
  }
  if (!isClosed(r)) {
    if (isLive(r)) return null;
    return h("div.outcome.is-warn", { role: "status" }, icon("alert", 16),
      h("span.outcome-text", null, `No longer with you: ${stateLabel(r.state)}. The request was re-routed with its context.`));
  }
  const good = r.state === "resolved" && r.disposition !== "not_resolved";
  const parts: Node[] = [icon(good ? "resolve" : "alert", 16), h("span.outcome-text", null, outcomeText(r))];
  if (r.rating && r.rating.score) {
    parts.push(stars(r.rating.score));
    if (r.rating.comment) parts.push(h("q.rating-comment", null, clip(r.rating.comment, 1000)));
  } else if (r.state === "resolved") {
    parts.push(h("span.muted", null, "Waiting for the customer's rating"));
  }
  if (r.resolveNote) parts.push(h("span.outcome-note", null, `Note: ${clip(r.resolveNote, 300)}`));
  return h(`div.outcome.${good ? "is-good" : "is-warn"}`, { role: "status" }, parts);
}

/** The column's parts, built once by mountThread. */
interface ThreadUi {
  title: HTMLHeadingElement;
  sub: HTMLDivElement;
  resolveBtn: HTMLButtonElement;
  banner: HTMLDivElement;
  log: HTMLOListElement;
  typing: HTMLDivElement;
  textarea: HTMLTextAreaElement;
  label: HTMLLabelElement;
  counter: HTMLSpanElement;
  error: HTMLDivElement;
  sendBtn: HTMLButtonElement;
  form: HTMLFormElement;
  closedNote: HTMLParagraphElement;
  empty: HTMLDivElement;
  body: HTMLDivElement;
}

function buildThread(): ThreadUi {
  const title = h("h2.thread-name", { id: "thread-title" });
  const sub = h("div.thread-sub");
  const resolveBtn = h("button.btn", {
    type: "button",
    aria: { keyshortcuts: "Alt+S" },
    onclick: () => openResolve(),
  }, icon("resolve", 14), "Resolve");
  const head = h("header.thread-head", null, h("div.thread-title", null, title, sub), h("div.thread-actions", null, cobrowseButton(), resolveBtn));
  const banner = h("div.outcome-slot");
  // Not an aria-live region: the whole list is rebuilt on change, so new customer messages
  // are announced through the polite announcer instead (desk.ts).
  const log = h("ol.timeline", { tabindex: "0", aria: { label: "Conversation" } });
  const typing = h("div.typing", { aria: { live: "polite" } });
  const textarea = h("textarea.compose-input", {
    id: "reply",
    rows: "3",
    aria: { keyshortcuts: "Alt+R", describedby: "compose-help compose-error" },
    placeholder: "Write a reply…",
  });
  const label = h("label.visually-hidden", { for: "reply" }, "Reply");
  const counter = h("span.compose-count", { aria: { live: "polite" } });
  const error = h("div.compose-error", { id: "compose-error", role: "alert" });
  const sendBtn = h("button.btn.btn-primary", { type: "submit" }, icon("send", 14), "Send");
  const help = h("span.compose-help", { id: "compose-help" }, kbd("Enter"), " send · ", kbd("Shift", "Enter"), " new line");
  const form = h("form.compose", { aria: { label: "Reply" } }, label, textarea, error,
    h("div.compose-foot", null, help, counter, sendBtn));
  const closedNote = h("p.compose-closed", null);
  const empty = h("div.thread-empty", null,
    icon("chat", 32),
    h("h2", null, "No chat selected"),
    h("p", null, "Accept an offer to start helping, or pick a chat on the left."),
    h("p.muted", null, kbd("Alt", "A"), " accept the oldest offer · ", kbd("Alt", "1…9"), " switch chats · ", kbd("?"), " all shortcuts"));
  const body = h("div.thread-body", null, head, banner, cobrowseRegion(), log, typing, form, closedNote);
  return { title, sub, resolveBtn, banner, log, typing, textarea, label, counter, error, sendBtn, form, closedNote, empty, body };
}

function updateCounter(ui: ThreadUi): void {
  const bytes = utf8Bytes(ui.textarea.value);
  const max = limits.messageBytes;
  const over = bytes > max;
  ui.counter.textContent = bytes > max * 0.8 ? `${bytes.toLocaleString()} / ${max.toLocaleString()} bytes` : "";
  ui.counter.classList.toggle("is-over", over);
  ui.textarea.setAttribute("aria-invalid", over ? "true" : "false");
  ui.error.textContent = over
    ? `Too long to send: ${bytes.toLocaleString()} bytes of ${max.toLocaleString()}. Shorten it or split it into two messages.`
    : "";
}

function send(ui: ThreadUi): void {
  const r = state.selectedId ? state.requests.get(state.selectedId) : undefined;
  if (!r || !isLive(r)) return;
  const text = ui.textarea.value;
  if (!text.trim()) return;
  if (utf8Bytes(text) > limits.messageBytes) {
    updateCounter(ui);
    ui.textarea.focus();
    return;
  }
  if (actions.sendMessage(r.id, text)) {
    ui.textarea.value = "";
    drafts.delete(r.id);
    updateCounter(ui);
  }
}

function wireCompose(ui: ThreadUi): void {
  const { form, textarea, log } = ui;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    send(ui);
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      send(ui);
    }
  });
  textarea.addEventListener("input", () => {
    if (state.selectedId) drafts.set(state.selectedId, textarea.value);
    updateCounter(ui);
    if (state.selectedId && textarea.value) actions.typing(state.selectedId, true);
    if (state.selectedId && !textarea.value) actions.typing(state.selectedId, false);
  });
  textarea.addEventListener("blur", () => {
    if (state.selectedId) actions.typing(state.selectedId, false);
  });
  textarea.addEventListener("focus", markSeen);
  log.addEventListener("focus", markSeen);
}

function drawTyping(ui: ThreadUi): void {
  const r = state.selectedId ? state.requests.get(state.selectedId) : undefined;
  const shown = Boolean(r && r.typingUntil > Date.now() && isLive(r));
  const text = shown && r ? `${customerName(r.customer)} is typing…` : "";
  if (ui.typing.textContent !== text) ui.typing.textContent = text;
}

function drawHead(ui: ThreadUi, r: Req): void {
  const name = customerName(r.customer);
  ui.title.replaceChildren(clip(name, 80), " ", verifiedBadge(r.customer));
  ui.title.title = name;
  const where = whereText(r.context);
  render(ui.sub,
    r.channel || r.callback ? channelChip(r) : null,
    r.callback ? callbackLine(r.callback) : null,
    r.queue && r.queue.name ? h("span.chip", null, icon("queue", 12), r.queue.name) : null,
    where ? h("span.chip", null, icon("map", 12), clip(where, 60)) : null,
    stateChip(r));
}

/** While connected, whether the customer is really there (here, away, gone since), not
 * just "Connected": the server's `customer.presence` (docs/protocol.md). */
export function presenceText(r: Pick<Req, "state" | "presence">): string {
  const p = r.presence;
  if (r.state !== "connected" || !p) return stateLabel(r.state);
  if (p.state === "here") return "Customer here";
  if (p.state === "away") return "Customer away (page hidden)";
  return p.since ? `Customer gone since ${clockTime(p.since)}` : "Customer gone";
}

function stateChip(r: Req): HTMLElement {
  const tone = r.state === "connected" && r.presence ? `.presence-${r.presence.state}` : "";
  const since = r.state === "connected" && r.presence?.since ? fullTime(r.presence.since) : undefined;
  return h(`span.state.state-${r.state}${tone}`, { title: since }, presenceText(r));
}

function drawThread(ui: ThreadUi): void {
  const r = state.selectedId ? state.requests.get(state.selectedId) : undefined;
  ui.empty.hidden = Boolean(r);
  ui.body.hidden = !r;
  if (!r) {
    shownId = null;
    return;
  }
  const switched = shownId !== r.id;
  const { log, textarea } = ui;
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  if (switched) {
    if (shownId) actions.typing(shownId, false);
    textarea.value = drafts.get(r.id) || "";
    updateCounter(ui);
  }
  shownId = r.id;
  drawHead(ui, r);
  const closed = !isLive(r);
  ui.resolveBtn.disabled = closed || Boolean(r.resolving);
  ui.resolveBtn.hidden = closed;
  drawCobrowse(r.id, !closed);
  render(ui.banner, outcomeBanner(r));
  log.replaceChildren(...timelineItems(r));
  if (switched || nearBottom) log.scrollTop = log.scrollHeight;

  ui.form.hidden = closed;
  textarea.disabled = closed;
  ui.sendBtn.disabled = closed;
  ui.label.textContent = `Reply to ${clip(customerName(r.customer), 60)}`;
  ui.closedNote.hidden = !closed;
  ui.closedNote.textContent = !closed ? "" : isClosed(r)
    ? "This request is closed; the thread is read-only."
    : "This request is no longer connected to you; the thread is read-only.";
  drawTyping(ui);
}

/** Build the middle column into `main`. */
export function mountThread(main: HTMLElement): void {
  const ui = buildThread();
  main.append(ui.empty, ui.body);
  main.setAttribute("aria-labelledby", "thread-title");
  wireCompose(ui);
  on("thread", () => drawThread(ui));
  on("conn", () => {
    // "Sending…" vs "Waiting for connection…" on pending messages.
    const r = state.selectedId ? state.requests.get(state.selectedId) : undefined;
    if (r && r.pending.size) ui.log.replaceChildren(...timelineItems(r));
  });
  document.addEventListener("desk:typing", () => drawTyping(ui));
  mountResolveDialog();
}

export function focusReply(): boolean {
  const t = document.getElementById("reply");
  if (t instanceof HTMLTextAreaElement && !t.disabled && !t.closest("[hidden]")) {
    document.dispatchEvent(new CustomEvent("desk:pane", { detail: "thread" }));
    t.focus();
    return true;
  }
  return false;
}

// ---- Resolve dialog

interface ResolveUi {
  dialog: HTMLDialogElement;
  who: HTMLParagraphElement;
  note: HTMLTextAreaElement;
  error: HTMLParagraphElement;
  form: HTMLFormElement;
  submit: HTMLButtonElement;
}

let resolveUi: ResolveUi | null = null;

function isDisposition(value: string): value is Disposition {
  return Object.prototype.hasOwnProperty.call(DISPOSITIONS, value);
}

function submitResolve(ui: ResolveUi): void {
  const id = ui.dialog.dataset.requestId || "";
  const picked = ui.form.querySelector<HTMLInputElement>("input[name=disposition]:checked")?.value || "resolved";
  const disposition = isDisposition(picked) ? picked : "resolved";
  ui.error.textContent = "";
  ui.submit.disabled = true;
  ui.submit.textContent = "Resolving…";
  actions
    .resolve(id, disposition, ui.note.value.trim())
    .then(() => {
      ui.dialog.close();
      announce(`Resolved: ${DISPOSITIONS[disposition]}`);
    })
    .catch((err: unknown) => {
      ui.error.textContent = `Couldn't resolve: ${err instanceof Error ? err.message : String(err)}`;
    })
    .finally(() => {
      ui.submit.disabled = false;
      ui.submit.textContent = "Resolve";
    });
}

function mountResolveDialog(): void {
  const heading = h("h2", { id: "resolve-title" }, "Resolve");
  const who = h("p.muted");
  const options = Object.entries(DISPOSITIONS).map(([value, label], i) =>
    h("label.radio", null,
      h("input", { type: "radio", name: "disposition", value, checked: i === 0 }),
      h("span", null, label)));
  const note = h("textarea", { id: "resolve-note", name: "note", rows: "3", maxlength: "1000" });
  const error = h("p.form-error", { role: "alert" });
  const submit = h("button.btn.btn-primary", { type: "submit", value: "resolve" }, "Resolve");
  const cancel = h("button.btn", { type: "button", onclick: () => dialog.close() }, "Cancel");
  const form = h("form", { method: "dialog" },
    heading, who,
    h("fieldset", null, h("legend", null, "Disposition"), options),
    h("label.field-label", { for: "resolve-note" }, "Note ", h("span.muted", null, "(optional, for the record)")),
    note, error,
    h("div.dialog-actions", null, cancel, submit));
  const dialog = h("dialog.dialog", { aria: { labelledby: "resolve-title" } }, form);
  document.body.append(dialog);
  const ui: ResolveUi = { dialog, who, note, error, form, submit };
  resolveUi = ui;

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submitResolve(ui);
  });
  dialog.addEventListener("close", () => {
    const reply = document.getElementById("reply");
    if (reply instanceof HTMLTextAreaElement && !reply.disabled) reply.focus();
  });
}

export function openResolve(): boolean {
  const r = state.selectedId ? state.requests.get(state.selectedId) : undefined;
  const ui = resolveUi;
  if (!r || !isLive(r) || !ui || ui.dialog.open) return false;
  ui.dialog.dataset.requestId = r.id;
  ui.who.textContent = `Close the chat with ${clip(customerName(r.customer), 80)} and record the outcome.`;
  ui.note.value = "";
  ui.error.textContent = "";
  const firstChoice = ui.form.querySelector<HTMLInputElement>("input[name=disposition]");
  if (firstChoice) firstChoice.checked = true;
  ui.dialog.showModal();
  ui.form.querySelector<HTMLInputElement>("input[name=disposition]:checked")?.focus();
  return true;
}
