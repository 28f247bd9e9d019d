// The core's state: the options, the config from the server, the context, the launcher, and
// the panel once it has loaded (or the stored request it will resume when it does).

import { backoffDelay } from "../shared/backoff";
import { type Json, type JsonObject, isObject, list } from "../shared/json";
import { redactCards } from "../shared/luhn";
import { randomToken } from "../shared/ids";
import { Chunk } from "./chunk";
import { ContextState, entryJson } from "./context";
import {
  type ConfigState,
  type Core,
  type InitOptions,
  type LauncherUi,
  type Limits,
  type PanelApi,
  type PanelFactory,
  PANEL_FILE,
  VERSION,
} from "./core";
import { Emitter } from "./events";
import { type Api, detailOf, makeApi } from "./http";
import { applyPosition, buildLauncher, mount } from "./launcher";
import { logError, warn } from "./log";
import { ACTIVE_STATES } from "./shapes";
import { type Keys, keysFor, storageGet, storageSet } from "./storage";
import { type StoredRequest, isActive, readStored } from "./stored";
import { watchPage } from "./watch";

const LOOKUP_EVERY = 30_000;
const DEVICE_SECRET = /^[A-Za-z0-9_-]{22,128}$/;

export class Widget {
  opts: InitOptions | null = null;
  keys: Keys = keysFor("");
  server = "";
  readonly limits: Limits = { message_bytes: 4096, context_bytes: 65536 };
  appName = "";
  configState: ConfigState = "idle";
  readyFired = false;
  readonly events = new Emitter();
  readonly context = new ContextState();
  ui: LauncherUi | null = null;
  /** A stored request, resumed as soon as the panel is here. */
  resumeFrom: StoredRequest | null = null;
  readonly panel: Chunk<PanelApi>;
  readonly api: Api;
  private lookedUpAt = 0;
  private configRetry = 0;
  private device: string | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private core: Core | null = null;

  constructor(private readonly scriptSrc: string) {
    this.api = makeApi(() => ({
      server: this.server,
      app: this.opts?.app ?? "",
      deviceSecret: () => this.deviceSecret(),
    }));
    this.panel = new Chunk<PanelApi>({
      file: PANEL_FILE,
      src: () => `${this.opts?.panelScript || this.sibling(PANEL_FILE)}?v=${VERSION}`,
      canStart: () => !!this.ui, // start() loads it once the launcher exists
      stillWanted: () => this.panel.awaited || !!this.resumeFrom,
    });
  }

  get P(): PanelApi | null {
    return this.panel.value;
  }

  sibling(file: string): string {
    return this.scriptSrc ? new URL(file, this.scriptSrc).href : `${this.server}/sdk/${file}`;
  }

  hasRequest(): boolean {
    return this.P ? !!this.P.requestId() : !!this.resumeFrom;
  }

  /** Something in the context changed: the panel sends it while a request is active. */
  changed(): void {
    this.P?.contextChanged();
  }

  buildContext(): JsonObject {
    return this.context.build(this.limits.context_bytes);
  }

  // ---------------------------------------------------------------- init

  init(options: InitOptions): void {
    const first = !this.opts;
    if (this.opts && this.opts.app !== options.app) warn(`init called again with another app; keeping ${this.opts.app}`);
    const app = this.opts ? this.opts.app : String(options.app);
    this.opts = { ...this.opts, ...options, app };
    this.server = originOf(this.opts.server) || originOf(this.scriptSrc) || window.location.origin;
    if (!first) {
      if (this.ui) {
        applyPosition(this.ui, this.opts);
        mount(this.ui, this.opts);
      }
      return;
    }
    this.keys = keysFor(app);
    this.context.restore(storageGet(this.keys.journey));
    this.resumeFrom = this.storedRequest();
    if (document.body) this.start();
    else document.addEventListener("DOMContentLoaded", () => this.start());
  }

  // This tab's request, else one with a callback kept for every tab of this browser.
  private storedRequest(): StoredRequest | null {
    const mine = storageGet(this.keys.store);
    if (mine) return readStored(mine);
    const live = storageGet(this.keys.live, true);
    const stored = readStored(live);
    if (stored && !isActive(stored)) {
      storageSet(this.keys.live, null, true);
      return null;
    }
    if (stored && !this.context.errors.length && !this.context.journey.length) this.context.restore(live);
    return stored;
  }

  private start(): void {
    const opts = this.opts;
    if (!opts) return;
    this.ui = buildLauncher(opts, {
      stylesheet: opts.stylesheet || this.sibling("tapline.css"),
      revealed: () => this.P?.revealed(),
      click: () => (this.P?.isOpen() ? this.P.close() : this.openPanel()),
      approach: () => this.panel.load(),
    });
    this.ui.host.style.display = "none";
    mount(this.ui, opts);
    watchPage(this);
    if (this.resumeFrom || this.panel.awaited) this.panel.load();
    this.loadConfig();
  }

  // ---------------------------------------------------------------- config

  loadConfig(): void {
    this.configState = "loading";
    this.P?.renderConn();
    this.api("GET", "/sdk/config").then(
      (r) => {
        if (r.ok && r.data) this.configLoaded(r.data);
        else if (r.status === 403 || r.status === 404) {
          this.configState = "refused";
          warn(`help is not available here: ${detailOf(r)}`);
          if (this.hasRequest()) this.showWidget(); // an active request can still finish
          else if (this.ui) this.ui.host.style.display = "none";
          this.fireReady();
        } else this.retryConfig();
        this.P?.renderConn();
      },
      () => {
        this.retryConfig();
        this.P?.renderConn();
      },
    );
  }

  private configLoaded(data: JsonObject): void {
    this.configState = "ok";
    this.configRetry = 0;
    const app = isObject(data.app) ? data.app : null;
    if (app && app.name) this.appName = String(app.name);
    const limits = isObject(data.limits) ? data.limits : null;
    if (limits) {
      if (typeof limits.message_bytes === "number" && limits.message_bytes > 0) this.limits.message_bytes = limits.message_bytes;
      if (typeof limits.context_bytes === "number" && limits.context_bytes > 0) this.limits.context_bytes = limits.context_bytes;
    }
    this.showWidget();
    this.lookUpElsewhere();
  }

  private retryConfig(): void {
    this.configState = "failed";
    this.showWidget();
    this.configRetry = Math.min(this.configRetry + 1, 6);
    setTimeout(() => this.loadConfig(), backoffDelay(this.configRetry));
  }

  private showWidget(): void {
    if (!this.ui) return;
    const wasHidden = this.ui.host.style.display === "none";
    this.ui.host.style.display = "";
    if (this.P) {
      this.P.renderConn();
      this.P.render();
      // A panel that opened while the widget was hidden (a resumed request rang before the
      // config came) could not take focus then: it takes it now, as when the styles load.
      if (wasHidden) this.P.revealed();
    }
    this.fireReady();
  }

  fireReady(): void {
    if (this.readyFired || !this.opts) return;
    this.readyFired = true;
    this.events.emit("ready", { app: this.opts.app, name: this.appName });
  }

  // Another device of a verified customer may hold a live request (say, a callback that is
  // about to ring): find it, at most every 30 s, when no request is active here.
  lookUpElsewhere(): void {
    const token = this.opts?.user?.token;
    if (!token || this.hasRequest() || this.configState !== "ok" || Date.now() - this.lookedUpAt < LOOKUP_EVERY) return;
    this.lookedUpAt = Date.now();
    this.api("GET", "/customers/requests", undefined, String(token)).then(
      (r) => {
        const best = bestElsewhere(r.ok && r.data ? list(r.data.requests) : []);
        if (best) this.panel.load((P) => P.adopt(best));
      },
      () => undefined, // offline: try again on the next visit
    );
  }

  // ---------------------------------------------------------------- the panel, on demand

  registerPanel(factory: unknown): void {
    if (this.P || !isPanelFactory(factory) || !this.ui) return;
    let P: PanelApi;
    try {
      P = factory(this.coreFor());
    } catch (e) {
      logError(e);
      return;
    }
    const from = this.resumeFrom;
    this.resumeFrom = null;
    this.panel.value = P;
    if (from) P.resume(from);
    if (this.ui.host.style.display !== "none") {
      P.renderConn();
      P.render();
    }
    this.panel.arrived(P);
  }

  openPanel(): void {
    const ui = this.ui;
    if (!this.P && ui) ui.launcher.setAttribute("aria-busy", "true");
    this.panel.load((P) => {
      ui?.launcher.removeAttribute("aria-busy");
      P.open();
    });
  }

  // ---------------------------------------------------------------- storage

  saveJourneySoon(): void {
    if (!this.opts) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => storageSet(this.keys.journey, this.history()), 200);
  }

  history(): { errors: Json; journey: Json } {
    return { errors: this.context.errors.map((e) => ({ ...e })), journey: this.context.journey.map(entryJson) };
  }

  // The device secret: made once per app and browser, kept in localStorage. A request's
  // client id finds the same request again only with it (or the same verified customer),
  // so an id someone else learns or guesses is no key to this customer's request.
  private deviceSecret(): string | null {
    if (this.device) return this.device;
    const kept = storageGet(this.keys.device, true);
    if (typeof kept === "string" && DEVICE_SECRET.test(kept)) return (this.device = kept);
    this.device = randomToken(32); // never a guessable one: without crypto, no secret at all
    if (this.device) storageSet(this.keys.device, this.device, true); // storage off: this page's life
    return this.device;
  }

  // ---------------------------------------------------------------- for the panel

  // Built once, when the panel registers: the panel reads the live values through it.
  private coreFor(): Core {
    if (!this.core) this.core = makeCore(this);
    return this.core;
  }
}

function makeCore(w: Widget): Core {
  const ui = w.ui;
  const opts = w.opts;
  if (!ui || !opts) throw new Error("the panel came before init");
  return {
    version: VERSION,
    limits: w.limits,
    get opts() {
      return w.opts ?? opts;
    },
    get keys() {
      return w.keys;
    },
    get server() {
      return w.server;
    },
    get appName() {
      return w.appName;
    },
    get configState() {
      return w.configState;
    },
    ui,
    history: () => w.history(),
    scrub: redactCards,
    emit: (name, detail) => w.events.emit(name, detail),
    api: w.api,
    sibling: (file) => w.sibling(file),
    buildContext: () => w.buildContext(),
  };
}

function isPanelFactory(f: unknown): f is PanelFactory {
  return typeof f === "function";
}

function originOf(u: string | undefined): string {
  if (!u) return "";
  try {
    return new URL(u, window.location.href).origin;
  } catch {
    return "";
  }
}

// A request left `new` (no one was there, nothing booked) is not worth resuming; one with a
// callback is preferred.
function bestElsewhere(found: Json[]): StoredRequest | null {
  let best: StoredRequest | null = null;
  for (const item of found) {
    const x = readStored(item);
    if (!x || !ACTIVE_STATES.has(x.state) || (x.state === "new" && !x.callback)) continue;
    if (!best || (x.callback && !best.callback)) best = x;
  }
  return best;
}
