// The panel (tapline-panel.js): built when it registers with the core, it returns what the
// core may ask of it.

import { type Core, type PanelApi } from "../core";
import { sendMessage, onComposeInput, sendRating, stopTyping } from "./compose";
import { reconnectNow } from "./connection";
import { registerExt } from "./ext";
import { close, focusView, onPanelKey, open } from "./focus";
import { paintStars, render, renderConn, updateDescribe, checkedStars } from "./render";
import { adopt, closeOutcome, contextChanged, requestActive, resume, submitDescribe } from "./request";
import { renderMessages } from "./thread";
import { type Panel, type PanelUi } from "./types";
import { buildPanel } from "./view";
import { askCancel, askOpen, confirmCancel, downloadTranscript, keepRequest } from "./end";

function newPanel(core: Core, ui: PanelUi): Panel {
  return {
    core, ui, req: null, stream: null, seenAtLoad: 0, replayUntil: 0, messages: [],
    startFired: null, endFired: null, lastEmitted: null, createId: null, creating: false,
    lastContextJson: null, contextDirty: false, contextTimer: undefined,
    typingActive: false, typingSentAt: 0, typingIdleTimer: undefined, peerTypingTimer: undefined,
    draftTimer: undefined, unread: 0, isOpen: false, view: "describe", returnFocus: null,
    clockSkew: 0, shownMode: null, ringHint: "", ext: null, saveQueued: false, kept: [], askFrom: null,
  };
}

export function createPanel(core: Core): PanelApi {
  // The DOM's handlers run only once the panel exists (after buildPanel returns).
  const holder: { p?: Panel } = {};
  const withP =
    <A extends unknown[]>(fn: (p: Panel, ...args: A) => void) =>
    (...args: A) => {
      if (holder.p) fn(holder.p, ...args);
    };
  const ui = buildPanel(core.ui, {
    close: withP(close),
    describeInput: withP(updateDescribe),
    submitDescribe: withP(submitDescribe),
    cancelRequest: withP(askCancel),
    keepRequest: withP(keepRequest),
    confirmCancel: withP(confirmCancel),
    downloadTranscript: withP(downloadTranscript),
    composeInput: withP(onComposeInput),
    sendMessage: withP(sendMessage),
    stopTyping: withP(stopTyping),
    paintFromInputs: withP((p) => paintStars(p, checkedStars(p))),
    paintStars: withP((p, n: number, hover: boolean) => paintStars(p, n, hover)),
    sendRating: withP(sendRating),
    closeOutcome: withP(closeOutcome),
    closeThanks: withP((p) => {
      p.view = "describe";
      render(p);
      close(p);
    }),
    panelKey: withP(onPanelKey),
  });
  const p = newPanel(core, ui);
  holder.p = p;
  ui.launcher.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && p.isOpen && !askOpen(p)) {
      e.preventDefault();
      close(p);
    }
  });
  return {
    open: () => open(p),
    close: () => close(p),
    isOpen: () => p.isOpen,
    render: () => render(p),
    renderConn: () => renderConn(p),
    contextChanged: () => contextChanged(p),
    active: () => requestActive(p),
    state: () => p.req?.state ?? null,
    requestId: () => p.req?.request_id ?? null,
    startedId: () => (p.req && requestActive(p) && p.startFired === p.req.request_id ? p.req.request_id : null),
    resume: (stored) => resume(p, stored),
    adopt: (found) => adopt(p, found),
    registerExt: (name, factory) => registerExt(p, name, factory),
    online: () => {
      renderConn(p);
      if (p.req && !p.stream?.ready) reconnectNow(p);
    },
    offline: () => {
      renderConn(p);
      renderMessages(p);
    },
    revealed: () => {
      if (p.isOpen && !p.ui.panel.contains(p.ui.root.activeElement)) focusView(p);
    },
  };
}
