// What the stream client stands on: a socket, the network's state, storage for the outbox.
// Each is injectable, so tests drive the client with fakes.

import { type WriteFrame, isWrite } from "./frames";
import { parseJson } from "./json";

export interface Transport {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export interface TransportHandlers {
  open(): void;
  message(data: string): void;
  close(code: number): void;
}
export type Connector = (url: string, on: TransportHandlers) => Transport;

/** Whether the browser is online, and a way to hear when that changes. */
export interface Network {
  online(): boolean;
  /** Calls back on changes; returns the function that stops listening. */
  watch(online: () => void, offline: () => void): () => void;
}

/** Where unacknowledged writes are kept across a reload (the caller chooses which). */
export interface OutboxStore {
  load(): WriteFrame[];
  save(frames: readonly WriteFrame[]): void;
}

export const webSocketConnector: Connector = (url, on) => {
  const ws = new WebSocket(url);
  ws.onopen = () => on.open();
  ws.onmessage = (e: MessageEvent<unknown>) => {
    if (typeof e.data === "string") on.message(e.data);
  };
  ws.onclose = (e: CloseEvent) => on.close(e.code);
  return {
    send: (data) => ws.send(data),
    close: (code, reason) => {
      ws.onopen = ws.onmessage = ws.onclose = null;
      try {
        ws.close(code, reason);
      } catch {
        /* already closing */
      }
    },
  };
};

export const browserNetwork: Network = {
  online: () => typeof navigator === "undefined" || navigator.onLine !== false,
  watch(online, offline) {
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    return () => {
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
    };
  },
};

/** The desk's way to keep writes across a reload: chosen frames in sessionStorage. */
export function sessionOutbox(key: string, keep: (frame: WriteFrame) => boolean): OutboxStore {
  return {
    load() {
      try {
        const raw = sessionStorage.getItem(key);
        const saved = raw ? parseJson(raw) : null;
        return Array.isArray(saved) ? saved.filter(isWrite).filter(keep) : [];
      } catch {
        return []; // storage off or a damaged entry
      }
    },
    save(frames) {
      try {
        const kept = frames.filter(keep);
        if (kept.length) sessionStorage.setItem(key, JSON.stringify(kept));
        else sessionStorage.removeItem(key);
      } catch {
        /* storage full or off: the outbox in memory still works */
      }
    },
  };
}

