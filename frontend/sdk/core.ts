// The typed seams between the SDK's three files. tapline.js (the core) hands the panel a
// `Core` when tapline-panel.js registers (Tapline.__panel), and the panel hands the callbacks
// piece a `PanelCore` when tapline-callbacks.js registers (Tapline.__ext). Not a public API:
// the three files are versioned together (the URL carries ?v=<version>).

import { type Json, type JsonObject } from "../shared/json";
import { type Api } from "./http";
import { type Keys } from "./storage";
import { type StoredRequest } from "./stored";

export const VERSION = "0.4.0";
export const PANEL_FILE = "tapline-panel.js";
export const CALLBACKS_FILE = "tapline-callbacks.js";

/** What the host passes as `user` (any JS values: read defensively). */
export interface User {
  id?: unknown;
  name?: unknown;
  email?: unknown;
  token?: unknown;
}

/** Tapline.init's options (docs/sdk.md, "Tapline.init"). */
export interface InitOptions {
  app: string;
  user?: User | null;
  server?: string;
  position?: string;
  offset?: { x?: unknown; y?: unknown } | null;
  /** Pixels along each edge the launcher never uses (docs/sdk.md, "Keeping clear of the app"). */
  safeArea?: { top?: unknown; right?: unknown; bottom?: unknown; left?: unknown } | null;
  container?: string | Element | null;
  launcher?: boolean;
  accent?: string;
  stylesheet?: string;
  panelScript?: string;
  callbacksScript?: string;
  serviceWorker?: string;
  serviceWorkerScope?: string;
  /** Minutes a snapshot is kept after the request ends (docs/sdk.md, "Snapshot and restore"). */
  snapshotMinutes?: number;
}

export type ConfigState = "idle" | "loading" | "ok" | "failed" | "refused";

export interface Limits {
  message_bytes: number;
  context_bytes: number;
}

/** The widget's host element, its shadow root and the launcher (the core builds them). */
export interface LauncherUi {
  host: HTMLDivElement;
  root: ShadowRoot;
  /** A prefix for ids inside the shadow root. */
  uid: string;
  launcher: HTMLButtonElement;
  badge: HTMLSpanElement;
  unreadText: HTMLSpanElement;
}

/** What tapline-panel.js may use of the core. */
export interface Core {
  readonly version: string;
  readonly limits: Readonly<Limits>;
  readonly opts: InitOptions;
  readonly keys: Keys;
  readonly server: string;
  readonly appName: string;
  readonly configState: ConfigState;
  readonly ui: LauncherUi;
  /** The errors and journey so far, kept with a request that outlives the tab. */
  history(): { errors: Json; journey: Json };
  /** Card numbers removed (the redaction lives in the core; the chunks share it). */
  scrub(text: string): string;
  emit(name: string, detail: Json): void;
  readonly api: Api;
  /** The URL of a file beside tapline.js. */
  sibling(file: string): string;
  buildContext(): JsonObject;
}

/** What the core may ask of the panel. */
export interface PanelApi {
  open(): void;
  close(): void;
  isOpen(): boolean;
  render(): void;
  renderConn(): void;
  contextChanged(): void;
  /** A request is in progress. */
  active(): boolean;
  state(): string | null;
  requestId(): string | null;
  /** The request for which assist:start fired, while it is active. */
  startedId(): string | null;
  resume(stored: StoredRequest): void;
  adopt(found: StoredRequest): void;
  registerExt(name: string, factory: unknown): void;
  online(): void;
  offline(): void;
  /** The stylesheet has loaded: the widget is visible now. */
  revealed(): void;
}

export type PanelFactory = (core: Core) => PanelApi;
