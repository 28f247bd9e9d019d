// The panel's DOM: the header, then four views (describe; the thread with the wait, the
// callbacks piece's screens and the chat; the outcome and rating; thanks). It joins the
// launcher in the widget's shadow root, before it. Text only, never HTML.

import { h, icon } from "../../shared/dom";
import { type LauncherUi } from "../core";
import { type PanelUi, type Star } from "./types";

export const DESCRIPTION_MAX = 1000;
export const COMMENT_MAX = 1000;
export const COMPOSE_HELP = "Enter to send, Shift+Enter for a new line";
const ICON_CLOSE = ["M6 6l12 12M18 6L6 18"];
const ICON_STAR = ["M12 3.6l2.6 5.3 5.8.8-4.2 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.2-4.1 5.8-.8z"];

export interface ViewHandlers {
  close(): void;
  describeInput(): void;
  submitDescribe(): void;
  cancelRequest(): void;
  keepRequest(): void;
  confirmCancel(): void;
  downloadTranscript(): void;
  composeInput(): void;
  sendMessage(): void;
  stopTyping(): void;
  paintFromInputs(): void;
  paintStars(n: number, hover: boolean): void;
  sendRating(): void;
  closeOutcome(): void;
  closeThanks(): void;
  panelKey(e: KeyboardEvent): void;
}

type Header = Pick<PanelUi, "title" | "subtitle" | "conn" | "connText"> & { el: HTMLDivElement };

function header(uid: string, on: ViewHandlers): Header {
  const title = h("h2", { id: `${uid}-title`, class: "tl-title", text: "Get help" });
  const subtitle = h("p", { class: "tl-subtitle", text: "" });
  const connText = h("span", { class: "tl-conn-text", text: "Connected" });
  const conn = h("p", { class: "tl-conn", role: "status" }, [h("span", { class: "tl-conn-dot", "aria-hidden": "true" }), connText]);
  const closeBtn = h("button", { type: "button", class: "tl-icon-btn", "aria-label": "Close help", onclick: () => on.close() }, [
    icon(ICON_CLOSE, { class: "tl-icon" }),
  ]);
  const el = h("div", { class: "tl-header" }, [h("div", { class: "tl-heading" }, [title, subtitle, conn]), closeBtn]);
  return { el, title, subtitle, conn, connText };
}

type Describe = Pick<PanelUi, "describeForm" | "describe" | "describeCount" | "describeError" | "describeNotice" | "requestBtn">;

function describe(uid: string, on: ViewHandlers): Describe {
  const describe = h("textarea", {
    id: `${uid}-describe`, class: "tl-textarea", rows: "4", maxlength: String(DESCRIPTION_MAX),
    required: true, "aria-describedby": `${uid}-privacy ${uid}-count`,
    oninput: () => on.describeInput(),
  });
  describe.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      on.submitDescribe();
    }
  });
  const describeCount = h("p", { id: `${uid}-count`, class: "tl-count", text: `0 / ${DESCRIPTION_MAX}` });
  const describeError = h("p", { id: `${uid}-describe-error`, class: "tl-field-error", hidden: true });
  const describeNotice = h("p", { class: "tl-notice", role: "status", hidden: true });
  const requestBtn = h("button", { type: "submit", class: "tl-btn tl-btn-primary", text: "Request help" });
  const submit = (e: Event) => {
    e.preventDefault();
    on.submitDescribe();
  };
  const describeForm = h("form", { class: "tl-view tl-describe", novalidate: true, onsubmit: submit }, [
    h("label", { class: "tl-label", for: `${uid}-describe`, text: "What's getting in your way?" }),
    describe,
    h("div", { class: "tl-row-between" }, [describeError, describeCount]),
    h("p", { id: `${uid}-privacy`, class: "tl-privacy" }, [
      "The specialist will see where you are in the app and what you've entered, so you don't have to explain it again. ",
      h("strong", { text: "Card numbers and passwords stay on your device." }),
    ]),
    describeNotice,
    h("div", { class: "tl-actions" }, [requestBtn]),
  ]);
  return { describeForm, describe, describeCount, describeError, describeNotice, requestBtn };
}

type Waiting = Pick<PanelUi, "waiting" | "waitingText" | "estimate" | "position" | "choices" | "cancelBtn">;

// Waiting is the choice screen: chat (chosen already, with its honest wait), and the other
// channels the callbacks piece adds into `choices`.
function waiting(on: ViewHandlers): Waiting {
  const estimate = h("p", { class: "tl-estimate", "data-tapline-estimate": "", hidden: true });
  const position = h("p", { class: "tl-position", hidden: true });
  const choices = h("div", { class: "tl-choices", hidden: true });
  const cancelBtn = h("button", { type: "button", class: "tl-btn tl-btn-secondary", text: "Cancel request", onclick: () => on.cancelRequest() });
  const waitingText = h("p", { class: "tl-waiting-title", text: "Finding a specialist…" });
  const el = h("div", { class: "tl-waiting" }, [
    h("div", { class: "tl-progress", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]),
    waitingText,
    estimate,
    position,
    choices,
    h("p", { class: "tl-hint", text: "You can keep using the app while you wait. Your place is kept, even if you reload the page." }),
    h("div", { class: "tl-actions" }, [cancelBtn]),
  ]);
  return { waiting: el, waitingText, estimate, position, choices, cancelBtn };
}

type Chat = Pick<PanelUi, "log" | "typing" | "typingText" | "threadNotice" | "composeForm" | "compose" | "composeHelp" | "sendBtn">;

function chat(uid: string, on: ViewHandlers): Chat {
  const log = h("ol", { class: "tl-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const typingText = h("span", { text: "" });
  const dots = h("span", { class: "tl-typing-dots", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]);
  const typing = h("p", { class: "tl-typing", hidden: true }, [dots, typingText]);
  const threadNotice = h("p", { class: "tl-notice", role: "status", hidden: true });
  const compose = h("textarea", {
    id: `${uid}-compose`, class: "tl-textarea tl-compose-input", rows: "2",
    "aria-describedby": `${uid}-compose-help`, placeholder: "Write a message",
    oninput: () => on.composeInput(),
  });
  compose.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      on.sendMessage();
    }
  });
  compose.addEventListener("blur", () => on.stopTyping());
  const composeHelp = h("p", { id: `${uid}-compose-help`, class: "tl-count", text: COMPOSE_HELP });
  const sendBtn = h("button", { type: "submit", class: "tl-btn tl-btn-primary tl-send", text: "Send" });
  const submit = (e: Event) => {
    e.preventDefault();
    on.sendMessage();
  };
  const composeForm = h("form", { class: "tl-compose", novalidate: true, onsubmit: submit }, [
    h("label", { class: "tl-sr", for: `${uid}-compose`, text: "Message" }),
    h("div", { class: "tl-compose-row" }, [compose, sendBtn]),
    composeHelp,
  ]);
  return { log, typing, typingText, threadNotice, composeForm, compose, composeHelp, sendBtn };
}

function stars(uid: string, on: ViewHandlers): { wrap: HTMLDivElement; stars: Star[] } {
  const list: Star[] = [];
  const wrap = h("div", { class: "tl-stars", onmouseleave: () => on.paintFromInputs() });
  for (let i = 1; i <= 5; i++) {
    const input = h("input", { type: "radio", name: `${uid}-score`, id: `${uid}-star${i}`, value: String(i), class: "tl-star-input", onchange: () => on.paintFromInputs() });
    const label = h("label", { class: "tl-star", onmouseenter: () => on.paintStars(i, true) }, [
      input, icon(ICON_STAR, { class: "tl-star-icon" }), h("span", { class: "tl-sr", text: i === 1 ? "1 star" : `${i} stars` }),
    ]);
    wrap.appendChild(label);
    list.push({ input, label });
  }
  return { wrap, stars: list };
}

type Outcome = Pick<PanelUi, "outcome" | "outcomeTitle" | "outcomeText" | "ratingBox" | "stars" | "comment" | "outcomeNotice" | "rateBtn">;

function outcome(uid: string, on: ViewHandlers): Outcome {
  const outcomeTitle = h("h3", { class: "tl-outcome-title", tabindex: "-1", text: "" });
  const outcomeText = h("p", { class: "tl-outcome-text", text: "" });
  const rating = stars(uid, on);
  const comment = h("textarea", { id: `${uid}-comment`, class: "tl-textarea", rows: "2", maxlength: String(COMMENT_MAX) });
  const outcomeNotice = h("p", { class: "tl-notice", role: "status", hidden: true });
  const rateBtn = h("button", { type: "submit", class: "tl-btn tl-btn-primary", text: "Send rating" });
  const closeBtn = h("button", { type: "button", class: "tl-btn tl-btn-secondary", text: "Close", onclick: () => on.closeOutcome() });
  const submit = (e: Event) => {
    e.preventDefault();
    on.sendRating();
  };
  // Asked only when a specialist joined: there is no help to rate otherwise.
  const ratingBox = h("div", { class: "tl-rating-box" }, [
    h("fieldset", { class: "tl-rating" }, [h("legend", { class: "tl-label", text: "How was the help you got?" }), rating.wrap]),
    h("label", { class: "tl-label", for: `${uid}-comment`, text: "Anything you'd like to add? (optional)" }),
    comment,
  ]);
  const form = h("form", { class: "tl-view tl-outcome", novalidate: true, onsubmit: submit }, [
    outcomeTitle, outcomeText, ratingBox, outcomeNotice,
    h("div", { class: "tl-actions" }, [closeBtn, rateBtn]),
  ]);
  return { outcome: form, outcomeTitle, outcomeText, ratingBox, stars: rating.stars, comment, outcomeNotice, rateBtn };
}

// Under the conversation once it ended: a copy the customer keeps, made on this device.
function transcriptTools(uid: string, on: ViewHandlers): Pick<PanelUi, "transcriptTools" | "downloadBtn"> {
  const note = h("p", {
    id: `${uid}-copy-note`, class: "tl-hint",
    text: "The conversation stays here to re-read. Download saves a copy as a text file on this device.",
  });
  const downloadBtn = h("button", {
    type: "button", class: "tl-btn tl-btn-secondary", text: "Download a copy",
    "aria-describedby": note.id, onclick: () => on.downloadTranscript(),
  });
  const el = h("div", { class: "tl-transcript-tools", hidden: true }, [note, downloadBtn]);
  return { transcriptTools: el, downloadBtn };
}

// Cancelling loses the customer's place, so it is asked first; "Keep" is focused.
function cancelAsk(uid: string, on: ViewHandlers): Pick<PanelUi, "cancelAsk" | "keepBtn" | "confirmCancelBtn"> {
  const q = h("p", { id: `${uid}-cancel-q`, class: "tl-ask-title", text: "Cancel your request?" });
  const d = h("p", { id: `${uid}-cancel-d`, class: "tl-ask-text", text: "You'll lose your place, and no specialist will see it." });
  const keepBtn = h("button", { type: "button", class: "tl-btn tl-btn-secondary", text: "Keep my request", onclick: () => on.keepRequest() });
  const confirmCancelBtn = h("button", { type: "button", class: "tl-btn tl-btn-danger", text: "Yes, cancel", onclick: () => on.confirmCancel() });
  const el = h("div", {
    class: "tl-ask", role: "alertdialog", "aria-modal": "false", "aria-labelledby": q.id, "aria-describedby": d.id, hidden: true,
  }, [q, d, h("div", { class: "tl-actions" }, [keepBtn, confirmCancelBtn])]);
  return { cancelAsk: el, keepBtn, confirmCancelBtn };
}

function thanks(on: ViewHandlers): Pick<PanelUi, "thanks" | "thanksTitle"> {
  const thanksTitle = h("h3", { class: "tl-outcome-title", tabindex: "-1", text: "Thank you for your feedback." });
  const closeBtn = h("button", { type: "button", class: "tl-btn tl-btn-primary", text: "Close", onclick: () => on.closeThanks() });
  const el = h("div", { class: "tl-view tl-thanks" }, [
    thanksTitle,
    h("p", { class: "tl-outcome-text", text: "If anything else gets in your way, help is one tap away." }),
    h("div", { class: "tl-actions" }, [closeBtn]),
  ]);
  return { thanks: el, thanksTitle };
}

/** Build the panel into the launcher's shadow root. */
export function buildPanel(launcher: LauncherUi, on: ViewHandlers): PanelUi {
  const uid = launcher.uid;
  const head = header(uid, on);
  const d = describe(uid, on);
  const w = waiting(on);
  const c = chat(uid, on);
  const o = outcome(uid, on);
  const t = thanks(on);
  const tt = transcriptTools(uid, on);
  const ask = cancelAsk(uid, on);
  const ext = h("div", { class: "tl-ext", hidden: true });
  const announcer = h("p", { class: "tl-sr", role: "status", "aria-live": "polite" });
  const thread = h("div", { class: "tl-view tl-thread" }, [w.waiting, ext, c.log, c.typing, c.threadNotice, c.composeForm, tt.transcriptTools]);
  const body = h("div", { class: "tl-body" }, [d.describeForm, thread, o.outcome, t.thanks]);
  const panel = h("div", {
    id: `${uid}-panel`, class: "tl-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": `${uid}-title`, hidden: true, onkeydown: (e: Event) => e instanceof KeyboardEvent && on.panelKey(e),
  }, [head.el, body, ask.cancelAsk, announcer]);
  launcher.root.insertBefore(panel, launcher.launcher);
  const heading = { title: head.title, subtitle: head.subtitle, conn: head.conn, connText: head.connText };
  return { ...launcher, ...heading, ...d, ...w, ...c, ...o, ...t, ...tt, ...ask, ext, announcer, thread, body, panel };
}
