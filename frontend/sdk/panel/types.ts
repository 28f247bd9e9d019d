// The panel's state and the seam with the callbacks piece (tapline-callbacks.js).

import { type Json } from "../../shared/json";
import { type NewWrite, type Stream, type WriteFrame } from "../../shared/stream";
import { type Api } from "../http";
import { type Core, type InitOptions, type LauncherUi } from "../core";
import { type Callback, type Estimate, type Offers, type Person, type Queue } from "../shapes";

export type View = "describe" | "thread" | "outcome" | "thanks";
/** The part of the thread view that shows. */
export type ThreadMode = "wait" | "chat" | "ring" | "pick" | "scheduled" | "callback";
export type MessageStatus = "pending" | "slow" | "failed" | "sent";

export interface Ring {
  attempt: number;
  /** When it stops ringing, in this device's clock. */
  until: number;
  specialist: Person | null;
  /** As the server sent it: names this ring exactly (the push carries it too). */
  expires_at: number | null;
  shown: boolean;
}

export interface Req {
  request_id: string;
  customer_token: string;
  last_seq: number;
  state: string;
  cause: string | null;
  specialist: Person | null;
  draft: string;
  estimate: Estimate | null;
  options: Offers | null;
  queue: Queue | null;
  callback: Callback | null;
  ring: Ring | null;
  /** Taken on from another tab or device: its replay is history. */
  adopted: boolean;
  /** A specialist was connected at some point (replays rebuild it). */
  joined: boolean;
}

export interface MessageParts {
  time: HTMLTimeElement;
  status: HTMLSpanElement;
  retry: HTMLButtonElement;
  text: HTMLParagraphElement;
}

/** A message of the thread as drawn. */
export interface ThreadMessage {
  id: string | null;
  client_id: string | null;
  sender: string;
  author: string;
  body: string;
  at: number;
  status: MessageStatus;
  el: HTMLLIElement | null;
  parts: MessageParts | null;
}

export interface Star {
  input: HTMLInputElement;
  label: HTMLLabelElement;
}

/** The launcher's elements and the panel's. */
export interface PanelUi extends LauncherUi {
  panel: HTMLDivElement;
  body: HTMLDivElement;
  title: HTMLHeadingElement;
  subtitle: HTMLParagraphElement;
  conn: HTMLParagraphElement;
  connText: HTMLSpanElement;
  describeForm: HTMLFormElement;
  describe: HTMLTextAreaElement;
  describeCount: HTMLParagraphElement;
  describeError: HTMLParagraphElement;
  describeNotice: HTMLParagraphElement;
  requestBtn: HTMLButtonElement;
  thread: HTMLDivElement;
  waiting: HTMLDivElement;
  waitingText: HTMLParagraphElement;
  estimate: HTMLParagraphElement;
  position: HTMLParagraphElement;
  choices: HTMLDivElement;
  cancelBtn: HTMLButtonElement;
  ext: HTMLDivElement;
  announcer: HTMLParagraphElement;
  log: HTMLOListElement;
  typing: HTMLParagraphElement;
  typingText: HTMLSpanElement;
  threadNotice: HTMLParagraphElement;
  composeForm: HTMLFormElement;
  compose: HTMLTextAreaElement;
  composeHelp: HTMLParagraphElement;
  sendBtn: HTMLButtonElement;
  outcome: HTMLFormElement;
  outcomeTitle: HTMLHeadingElement;
  outcomeText: HTMLParagraphElement;
  ratingBox: HTMLDivElement;
  stars: Star[];
  comment: HTMLTextAreaElement;
  outcomeNotice: HTMLParagraphElement;
  rateBtn: HTMLButtonElement;
  thanks: HTMLDivElement;
  thanksTitle: HTMLHeadingElement;
  transcriptTools: HTMLDivElement;
  downloadBtn: HTMLButtonElement;
  cancelAsk: HTMLDivElement;
  keepBtn: HTMLButtonElement;
  confirmCancelBtn: HTMLButtonElement;
}

/** An event of the request's stream the callbacks piece hears about. */
export type ExtEvent =
  | { type: "callback"; callback: Callback }
  | { type: "callback.ring_ended"; reason: string | null };

/** What the panel may ask of the callbacks piece. */
export interface ExtApi {
  render(mode: ThreadMode | "off"): void;
  event(ev: ExtEvent, live: boolean): void;
  ack(frame: WriteFrame, callback: Callback | null): void;
  /** True when it told the customer itself. */
  error(frame: WriteFrame | undefined, code: string, text: string): boolean;
  reset(): void;
  ring(): void;
  /** The estimate changed: announce it if it changed meaningfully. */
  estimate(): void;
  focusTarget(mode: ThreadMode): HTMLElement;
  picking(): boolean;
}

/** What tapline-callbacks.js may use of the panel. */
export interface PanelCore {
  readonly req: Req | null;
  readonly opts: InitOptions;
  readonly ui: PanelUi;
  readonly isOpen: boolean;
  readonly api: Api;
  say(text: string): void;
  write(frame: NewWrite): void;
  emit(name: string, detail: Json): void;
  render(): void;
  open(): void;
  focusView(soft?: boolean): void;
  cancelRequest(): void;
  contextChanged(): void;
  threadMode(): ThreadMode;
  setRingHint(text: string): void;
}

export type ExtFactory = (core: PanelCore) => ExtApi;

/** Everything the panel's modules share. */
export interface Panel {
  readonly core: Core;
  ui: PanelUi;
  req: Req | null;
  stream: Stream | null;
  /** last_seq stored before this page load: older events are history. */
  seenAtLoad: number;
  /** welcome.last_seq: events up to here are a replay. */
  replayUntil: number;
  messages: ThreadMessage[];
  startFired: string | null;
  endFired: string | null;
  lastEmitted: string | null;
  createId: string | null;
  creating: boolean;
  lastContextJson: string | null;
  contextDirty: boolean;
  contextTimer: ReturnType<typeof setTimeout> | undefined;
  typingActive: boolean;
  typingSentAt: number;
  typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
  peerTypingTimer: ReturnType<typeof setTimeout> | undefined;
  draftTimer: ReturnType<typeof setTimeout> | undefined;
  unread: number;
  isOpen: boolean;
  view: View;
  returnFocus: HTMLElement | null;
  /** Local minus server clock, from live events. */
  clockSkew: number;
  shownMode: ThreadMode | null;
  ringHint: string;
  ext: ExtApi | null;
  /** A save is queued for the end of this task. */
  saveQueued: boolean;
  /** The ended conversation, kept to re-read and download after the rating. */
  kept: ThreadMessage[];
  /** Where focus goes back when the cancel question is answered "keep". */
  askFrom: HTMLElement | null;
}
