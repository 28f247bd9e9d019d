// The conversation: the messages as drawn, merged from the server's events and the customer's
// own writes (Sending…, Will send when connected, Sent, Not sent yet, Not sent with Retry).

import { h } from "../../shared/dom";
import { type JsonObject } from "../../shared/json";
import { fmtTime } from "../controls";
import { type ServerMessage } from "../shapes";
import { renderUnread, threadMode } from "./render";
import { setPeerTyping, write } from "./connection";
import { type Panel, type ThreadMessage } from "./types";

export function findMessage(p: Panel, clientId: string): ThreadMessage | null {
  return p.messages.find((m) => m.client_id === clientId) ?? null;
}

export function mergeMessage(m: ThreadMessage, s: ServerMessage): void {
  if (s.id) m.id = s.id;
  if (s.at) m.at = s.at;
  if (s.author) m.author = s.author;
  if (s.body !== null) m.body = s.body;
}

export function ownMessage(clientId: string, body: string, at = Date.now()): ThreadMessage {
  return { id: null, client_id: clientId, sender: "customer", author: "You", body, at, status: "pending", el: null, parts: null };
}

/** A message event from the stream; `fresh`: not seen on an earlier page. */
export function addServerMessage(p: Panel, s: ServerMessage, fresh: boolean): void {
  let m = p.messages.find((x) => (s.id && x.id === s.id) || (s.client_id && x.client_id === s.client_id)) ?? null;
  if (m) {
    mergeMessage(m, s);
    if (m.status !== "sent") {
      m.status = "sent";
      if (m.client_id) p.stream?.forget(m.client_id);
      placeSent(p, m);
    }
  } else {
    m = {
      id: s.id, client_id: s.client_id, sender: s.sender || "system", author: s.author || "",
      body: s.body ?? "", at: s.at || Date.now(), status: "sent", el: null, parts: null,
    };
    placeSent(p, m);
    // An own message from an earlier page whose ack we missed.
    if (m.client_id) p.stream?.forget(m.client_id);
    if (fresh && m.sender !== "customer") {
      if (m.sender === "specialist") setPeerTyping(p, false);
      if (!p.isOpen) {
        p.unread++;
        renderUnread(p);
      }
    }
  }
  if (m.sender === "specialist" && p.req) p.req.joined = true;
  if (fresh) p.core.emit("message", messageJson(m));
  renderMessages(p);
}

/** Stored messages come in stream order; messages not yet sent stay below them. */
export function placeSent(p: Panel, m: ThreadMessage): void {
  const i = p.messages.indexOf(m);
  if (i >= 0) p.messages.splice(i, 1);
  const at = p.messages.findIndex((x) => x.status !== "sent");
  p.messages.splice(at < 0 ? p.messages.length : at, 0, m);
}

export function messageJson(m: ThreadMessage): JsonObject {
  return { id: m.id, client_id: m.client_id, sender: m.sender, author: m.author, body: m.body, at: m.at };
}

/** "Not sent" or "Not sent yet": the same message again, with the same id. */
export function retryMessage(p: Panel, m: ThreadMessage): void {
  if (!p.req || !m.client_id) return;
  m.status = "pending";
  write(p, { type: "message", id: m.client_id, body: m.body });
  renderMessages(p);
}

export function renderMessages(p: Panel): void {
  const ui = p.ui;
  const log = ui.log;
  const atBottom = ui.body.scrollHeight - ui.body.scrollTop - ui.body.clientHeight < 40;
  let added = false;
  // After a rating the ended conversation stays on the thanks view.
  const shown = p.view === "thanks" && !p.req ? p.kept : p.messages;
  shown.forEach((m, i) => {
    if (!m.el) {
      m.el = buildMessage(p, m);
      added = true;
    }
    if (log.children[i] !== m.el) log.insertBefore(m.el, log.children[i] ?? null);
    updateMessage(p, m);
  });
  while (log.children.length > shown.length && log.lastChild) log.removeChild(log.lastChild);
  const mode = p.req && p.view === "thread" ? threadMode(p) : null;
  if (mode) ui.log.hidden = mode === "ring" || (!p.messages.length && p.req?.state !== "connected");
  // Before the chat, the top of the screen (the wait, the choices) matters more than the log.
  const last = p.messages[p.messages.length - 1];
  if (added && mode === "chat" && (atBottom || last?.sender === "customer")) ui.body.scrollTop = ui.body.scrollHeight;
}

function buildMessage(p: Panel, m: ThreadMessage): HTMLLIElement {
  const system = m.sender !== "customer" && m.sender !== "specialist";
  const who = m.sender === "customer" ? "You" : system ? null : m.author || "Specialist";
  const li = h("li", { class: `tl-msg tl-from-${system ? "system" : m.sender}` });
  const time = h("time", { class: "tl-time" });
  const status = h("span", { class: "tl-status" });
  const retry = h("button", { type: "button", class: "tl-link", text: "Retry", hidden: true, onclick: () => retryMessage(p, m) });
  const text = h("p", { class: "tl-text", text: m.body });
  li.append(h("p", { class: "tl-meta" }, [who ? h("span", { class: "tl-author", text: who }) : null, " ", time, " ", status, " ", retry]), text);
  m.parts = { time, status, retry, text };
  return li;
}

function isoTime(ms: number): string {
  try {
    return new Date(ms).toISOString();
  } catch {
    return ""; // an invalid time
  }
}

const STATUS_TEXT: Record<string, string> = { slow: "Not sent yet", failed: "Not sent", sent: "Sent" };

function updateMessage(p: Panel, m: ThreadMessage): void {
  const parts = m.parts;
  if (!parts || !m.el) return;
  const iso = isoTime(m.at);
  if (parts.time.getAttribute("datetime") !== iso) {
    parts.time.setAttribute("datetime", iso);
    parts.time.textContent = fmtTime(m.at);
  }
  if (parts.text.textContent !== m.body) parts.text.textContent = m.body;
  let s = "";
  if (m.sender === "customer") {
    s = m.status === "pending" ? (p.stream?.ready ? "Sending…" : "Will send when connected") : (STATUS_TEXT[m.status] ?? "Sent");
  }
  if (parts.status.textContent !== s) parts.status.textContent = s;
  m.el.setAttribute("data-status", m.status);
  parts.retry.hidden = !(m.status === "failed" || m.status === "slow");
}
