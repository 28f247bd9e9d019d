// The callbacks piece (tapline-callbacks.js: the other channels, slots, ringing), loaded only
// when a request may need it. It registers itself with Tapline.__ext and gets a PanelCore.

import { Chunk } from "../chunk";
import { cobrowseArrived } from "../cobrowse/controller";
import { CALLBACKS_FILE } from "../core";
import { logError } from "../log";
import { ACTIVE_STATES } from "../shapes";
import { write } from "./connection";
import { focusView, open } from "./focus";
import { contextChanged } from "./request";
import { askCancel } from "./end";
import { render, say, setRingHint, threadMode } from "./render";
import { type ExtApi, type ExtFactory, type Panel, type PanelCore } from "./types";
import { ringNow } from "./connection";

const chunks = new WeakMap<Panel, Chunk<ExtApi>>();

function chunkOf(p: Panel): Chunk<ExtApi> {
  let chunk = chunks.get(p);
  if (!chunk) {
    const c = new Chunk<ExtApi>({
      file: CALLBACKS_FILE,
      src: () => `${p.core.opts.callbacksScript || p.core.sibling(CALLBACKS_FILE)}?v=${p.core.version}`,
      stillWanted: () => needsExt(p),
    });
    chunks.set(p, c);
    chunk = c;
  }
  return chunk;
}

/** The request offers or holds a callback or a slot, or rings. */
export function needsExt(p: Panel): boolean {
  const req = p.req;
  if (!req || !ACTIVE_STATES.has(req.state)) return false;
  const o = req.options;
  return !!(o?.callback || o?.schedule || req.callback || req.ring || req.state === "new" || req.state === "scheduled");
}

export function loadExt(p: Panel): void {
  chunkOf(p).load();
}

export function withExt(p: Panel, fn: (ext: ExtApi) => void): void {
  if (p.ext) fn(p.ext);
  else chunkOf(p).load(fn);
}

function isExtFactory(f: unknown): f is ExtFactory {
  return typeof f === "function";
}

export function registerExt(p: Panel, name: string, factory: unknown): void {
  if (name === "cobrowse") return cobrowseArrived(p, factory);
  if (name !== "callbacks" || p.ext || !isExtFactory(factory)) return;
  let ext: ExtApi;
  try {
    ext = factory(panelCore(p));
  } catch (e) {
    logError(e);
    return;
  }
  p.ext = ext;
  render(p);
  if (p.req?.ring) ringNow(p);
  ext.estimate();
  chunkOf(p).arrived(ext);
}

function panelCore(p: Panel): PanelCore {
  return {
    get req() {
      return p.req;
    },
    get opts() {
      return p.core.opts;
    },
    ui: p.ui,
    get isOpen() {
      return p.isOpen;
    },
    api: p.core.api,
    say: (text) => say(p, text),
    write: (frame) => write(p, frame),
    emit: (name, detail) => p.core.emit(name, detail),
    render: () => render(p),
    open: () => open(p),
    focusView: (soft) => focusView(p, soft),
    cancelRequest: () => askCancel(p),
    contextChanged: () => contextChanged(p),
    threadMode: () => threadMode(p),
    setRingHint: (text) => setRingHint(p, text),
  };
}
