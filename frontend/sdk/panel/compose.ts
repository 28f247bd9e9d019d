// The customer's side of the chat: sending (with card numbers removed, within the size
// limit), typing signals, the draft kept across a reload, and the rating.

import { newId } from "../../shared/ids";
import { setBusy, showNotice } from "../controls";
import { byteLength, cap } from "../text";
import { write } from "./connection";
import { CARD_NOTICE, saveReq } from "./request";
import { checkedStars, updateCompose } from "./render";
import { ownMessage, renderMessages } from "./thread";
import { type Panel } from "./types";
import { COMMENT_MAX } from "./view";

const TYPING_RESEND = 3000;
const TYPING_IDLE = 4000;
const DRAFT_SAVE = 500;

export function sendMessage(p: Panel): void {
  const ui = p.ui;
  if (!p.req || p.req.state !== "connected") return;
  const raw = ui.compose.value.replace(/\s+$/, "");
  const body = p.core.scrub(raw);
  if (!body.trim()) return;
  if (byteLength(body) > p.core.limits.message_bytes) {
    updateCompose(p);
    return;
  }
  const id = newId();
  p.messages.push(ownMessage(id, body));
  ui.compose.value = "";
  updateCompose(p);
  if (body !== raw) showNotice(ui.threadNotice, CARD_NOTICE);
  stopTyping(p);
  write(p, { type: "message", id, body });
  saveReq(p);
  renderMessages(p);
}

export function onComposeInput(p: Panel): void {
  updateCompose(p);
  saveDraftSoon(p);
  if (!p.req || p.req.state !== "connected") return;
  if (!p.ui.compose.value) {
    stopTyping(p);
    return;
  }
  const t = Date.now();
  if (!p.typingActive || t - p.typingSentAt > TYPING_RESEND) {
    p.typingActive = true;
    p.typingSentAt = t;
    p.stream?.signal({ type: "typing", active: true });
  }
  clearTimeout(p.typingIdleTimer);
  p.typingIdleTimer = setTimeout(() => stopTyping(p), TYPING_IDLE);
}

export function stopTyping(p: Panel): void {
  clearTimeout(p.typingIdleTimer);
  if (!p.typingActive) return;
  p.typingActive = false;
  p.stream?.signal({ type: "typing", active: false });
}

function saveDraftSoon(p: Panel): void {
  clearTimeout(p.draftTimer);
  p.draftTimer = setTimeout(() => {
    if (p.req) saveReq(p);
  }, DRAFT_SAVE);
}

export function sendRating(p: Panel): void {
  const ui = p.ui;
  if (!p.req) return;
  const score = checkedStars(p);
  if (!score) {
    showNotice(ui.outcomeNotice, "Choose from 1 to 5 stars, or close if you'd rather not rate.");
    ui.stars[0]?.input.focus();
    return;
  }
  showNotice(ui.outcomeNotice, "");
  const comment = p.core.scrub(ui.comment.value.trim());
  setBusy(ui.rateBtn, true, "Sending…");
  write(p, comment ? { type: "rate", id: newId(), score, comment: cap(comment, COMMENT_MAX) } : { type: "rate", id: newId(), score });
}
