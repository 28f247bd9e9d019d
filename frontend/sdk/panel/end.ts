// The end of a request, as the customer sees it: the question before cancelling, and the
// conversation kept to re-read (and to download as a copy) under or above the rating.

import { fmtTime } from "../controls";
import { focusView } from "./focus";
import { say } from "./render";
import { renderMessages } from "./thread";
import { cancelRequest, requestActive } from "./request";
import { type Panel, type ThreadMessage } from "./types";

// ---------------------------------------------------------------- cancelling

/** Ask before cancelling: the customer's place in line is lost. */
export function askCancel(p: Panel): void {
  const ui = p.ui;
  if (!requestActive(p)) return;
  const active = ui.root.activeElement;
  p.askFrom = active instanceof HTMLElement ? active : null;
  ui.cancelAsk.hidden = false;
  ui.keepBtn.focus();
}

export function askOpen(p: Panel): boolean {
  return !p.ui.cancelAsk.hidden;
}

function hideAsk(p: Panel): HTMLElement | null {
  const back = p.askFrom;
  p.askFrom = null;
  p.ui.cancelAsk.hidden = true;
  return back;
}

/** "Keep my request" (or Escape): focus goes back where the question was asked from. */
export function keepRequest(p: Panel): void {
  if (!askOpen(p)) return;
  const back = hideAsk(p);
  if (back && back.isConnected && !back.closest("[hidden]") && !(back as HTMLButtonElement).disabled) back.focus();
  else focusView(p);
}

export function confirmCancel(p: Panel): void {
  if (!askOpen(p)) return;
  hideAsk(p);
  cancelRequest(p);
  focusView(p);
}

/** The question goes away with the view it was asked on. */
export function dropAsk(p: Panel): void {
  if (askOpen(p)) hideAsk(p);
}

// ---------------------------------------------------------------- the transcript

/** The conversation that ended, while its outcome or the thanks shows. */
export function endedMessages(p: Panel): ThreadMessage[] {
  if (p.view === "outcome") return p.messages;
  if (p.view === "thanks") return p.kept;
  return [];
}

function dateText(ms: number): string {
  try {
    return new Date(ms).toLocaleString([], { dateStyle: "long", timeStyle: "short" });
  } catch {
    return new Date(ms).toString();
  }
}

/** Plain text from what the widget holds (message bodies were cleaned before they were sent). */
export function transcriptText(messages: ThreadMessage[], appName: string, now = Date.now()): string {
  const who = appName ? `${appName} support` : "support";
  const lines = [
    `Your conversation with ${who}.`,
    `A copy made on your device on ${dateText(now)}; it is not an official record.`,
    "",
  ];
  for (const m of messages) {
    const author = m.sender === "customer" ? "You" : m.sender === "specialist" ? m.author || "Specialist" : "";
    const unsent = m.sender === "customer" && m.status !== "sent" ? " (not sent)" : "";
    lines.push(`[${fmtTime(m.at)}] ${author ? `${author}: ` : ""}${m.body}${unsent}`);
  }
  return lines.join("\n") + "\n";
}

export function transcriptName(now = Date.now()): string {
  const d = new Date(now);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `conversation-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.txt`;
}

/** Made in the browser: nothing is sent anywhere. */
export function downloadTranscript(p: Panel): void {
  const messages = endedMessages(p);
  if (!messages.length) return;
  const name = transcriptName();
  const blob = new Blob([transcriptText(messages, p.core.appName)], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  p.ui.panel.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
  say(p, `A copy of the conversation was saved as ${name}.`);
}

/** Outcome and thanks: the log stays readable above the card, the wait and compose box go. */
export function renderEnded(p: Panel): void {
  const ui = p.ui;
  const shown = endedMessages(p).length > 0;
  ui.thread.hidden = !shown;
  ui.transcriptTools.hidden = !shown;
  if (!shown) return;
  ui.waiting.hidden = true;
  ui.ext.hidden = true;
  ui.composeForm.hidden = true;
  ui.typing.hidden = true;
  ui.threadNotice.hidden = true;
  ui.log.hidden = false;
  renderMessages(p);
}
