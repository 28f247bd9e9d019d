// window.Tapline, the public API (docs/sdk.md, "API"), over the core's Widget.

import { type Json } from "../shared/json";
import { type ContextInput, type SessionInput } from "./context";
import { type InitOptions, VERSION } from "./core";
import { call, type Listener } from "./events";
import { warn } from "./log";
import { type Keeper, installKeeper } from "./restore";
import { Widget } from "./widget";

/** window.Tapline (docs/sdk.md, "API"). */
export interface TaplineApi {
  readonly __tapline: true;
  __panel(factory: unknown): void;
  __ext(name: string, factory: unknown): void;
  readonly version: string;
  init(options: InitOptions): TaplineApi;
  setContext(context?: ContextInput | null): void;
  setSession(session?: SessionInput | null): void;
  trackError(error?: { code?: unknown; message?: unknown } | null): void;
  track(event: unknown, props?: unknown): void;
  open(): void;
  close(): void;
  on(name: string, fn: Listener): void;
  off(name: string, fn?: Listener): void;
  snapshot(flow?: string | null): Json;
  restore(flow?: string | null): boolean;
  clearSnapshot(flow?: string | null): void;
  readonly state: string | null;
  readonly requestId: string | null;
  readonly context: Json | null;
}

declare global {
  interface Window {
    Tapline?: TaplineApi;
  }
}

function scriptSrc(): string {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current.src;
  const all = document.getElementsByTagName("script");
  for (let i = all.length - 1; i >= 0; i--) {
    const src = all[i]?.src ?? "";
    if (/\/sdk\/tapline(\.min)?\.js(\?|#|$)/.test(src)) return src;
  }
  return "";
}

function makeApi(w: Widget): TaplineApi {
  const requireInit = (name: string) => {
    if (!w.opts) warn(`${name} called before Tapline.init`);
    return !!w.opts;
  };
  let keeper: Keeper | null = null;
  const api: TaplineApi = {
    __tapline: true,
    __panel: (factory) => w.registerPanel(factory),
    __ext: (name, factory) => w.P?.registerExt(name, factory),
    version: VERSION,
    init(options) {
      if (!options || !options.app) throw new Error("Tapline.init needs {app: '<public key>'}");
      w.init(options);
      keeper ??= installKeeper(w);
      return api;
    },
    setContext(c) {
      w.context.set(c ?? {});
      w.changed();
      keeper?.changed();
    },
    setSession(s) {
      w.context.setSession(s);
      w.changed();
      keeper?.changed();
    },
    trackError(e) {
      w.context.trackError(e?.code, e?.message);
      w.saveJourneySoon();
      w.changed();
    },
    track(event, props) {
      w.context.track(event, props);
      w.saveJourneySoon();
      w.changed();
    },
    open: () => requireInit("open") && w.openPanel(),
    close: () => w.P?.close(),
    on(name, fn) {
      if (typeof fn !== "function") return;
      w.events.on(name, fn);
      // `ready` and an active `assist:start` are sticky: a listener added after they fired
      // (say, right after init resumed a request) still hears them, once.
      if (name === "ready" && w.readyFired && w.opts) call(fn, { app: w.opts.app, name: w.appName });
      const started = name === "assist:start" ? w.P?.startedId() : null;
      if (started) call(fn, { requestId: started });
    },
    off: (name, fn) => w.events.off(name, fn),
    snapshot: (flow) => keeper?.snapshot(flow) ?? null,
    restore: (flow) => !!keeper?.restore(flow),
    clearSnapshot: (flow) => keeper?.clear(flow),
    // Read-only views for the host and for tests.
    get state() {
      return w.P ? w.P.state() : (w.resumeFrom?.state ?? null);
    },
    get requestId() {
      return w.P ? w.P.requestId() : (w.resumeFrom?.request_id ?? null);
    },
    get context() {
      return w.opts ? w.buildContext() : null;
    },
  };
  return api;
}

/** Define window.Tapline, once: a second copy of the script leaves the first in place. */
export function install(): void {
  if (!window.Tapline?.__tapline) window.Tapline = makeApi(new Widget(scriptSrc()));
}
