// The panel over the shared stream client, on jsdom with a fake WebSocket: a stored request
// resumes, its unsent message goes again with the same id, and what the customer sees follows.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type JsonObject, parseObject } from "../../shared/json";
import { redactCards } from "../../shared/luhn";
import { type Core, type PanelApi } from "../core";
import { buildLauncher } from "../launcher";
import { keysFor, storageGet, storageSet } from "../storage";
import { readStored } from "../stored";
import { createPanel } from "./index";

class FakeWebSocket {
  static all: FakeWebSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  readonly sent: JsonObject[] = [];
  closed = false;
  constructor(readonly url: string) {
    FakeWebSocket.all.push(this);
  }
  send(data: string): void {
    const f = parseObject(data);
    if (f) this.sent.push(f);
  }
  close(): void {
    this.closed = true;
  }
  serverSends(frame: JsonObject): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  static last(): FakeWebSocket {
    const s = FakeWebSocket.all[FakeWebSocket.all.length - 1];
    if (!s) throw new Error("no socket");
    return s;
  }
}

const keys = keysFor("pk_test");
const emitted: Array<[string, unknown]> = [];

function core(): Core {
  return {
    version: "test",
    limits: { message_bytes: 4096, context_bytes: 65536 },
    opts: { app: "pk_test" },
    keys,
    server: "https://tapline.test",
    appName: "SkyWay",
    configState: "ok",
    ui: buildLauncher({ app: "pk_test" }, { stylesheet: "/x.css", revealed: () => undefined, click: () => undefined, approach: () => undefined }),
    history: () => ({ errors: [], journey: [] }),
    scrub: redactCards,
    emit: (name, detail) => emitted.push([name, detail]),
    api: () => Promise.reject(new Error("no HTTP in this test")),
    sibling: (file) => `/sdk/${file}`,
    buildContext: () => ({ flow: "booking" }),
  };
}

function storedRequest(): void {
  storageSet(keys.store, {
    request_id: "r_1", customer_token: "tlc_x", last_seq: 2, state: "connected", cause: null,
    outbox: [{ type: "message", id: "m-unsent", body: "Are my credits used?" }], draft: "half a thought",
    estimate: null, options: null, queue: null, callback: null,
  });
}

function statusTexts(c: Core): string[] {
  return [...c.ui.root.querySelectorAll(".tl-msg .tl-status")].map((el) => el.textContent ?? "");
}

let panel: PanelApi;
let c: Core;

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeWebSocket);
  FakeWebSocket.all = [];
  emitted.length = 0;
  sessionStorage.clear();
  localStorage.clear();
  c = core();
  document.body.append(c.ui.host);
  panel = createPanel(c);
});

afterEach(() => {
  c.ui.host.remove();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("resuming a stored request", () => {
  it("says hello from 0, resends the unsent message with its id, and shows it sent on the ack", () => {
    storedRequest();
    const stored = readStored(storageGet(keys.store));
    if (!stored) throw new Error("not stored");
    panel.resume(stored);
    const ws = FakeWebSocket.last();
    expect(ws.url).toBe("wss://tapline.test/ws/customer?app=pk_test");
    expect(c.ui.root.querySelector("textarea.tl-compose-input")).toHaveProperty("value", "half a thought");
    expect(statusTexts(c)).toEqual(["Will send when connected"]);

    ws.onopen?.();
    expect(ws.sent[0]).toEqual({ type: "hello", request_id: "r_1", token: "tlc_x", last_seq: 0, visible: true });
    ws.serverSends({ type: "welcome", request_id: "r_1", state: "connected", last_seq: 2 });
    expect(ws.sent.filter((f) => f.type === "message")).toEqual([{ type: "message", id: "m-unsent", body: "Are my credits used?" }]);
    expect(statusTexts(c)).toEqual(["Sending…"]);
    expect(c.ui.root.querySelector(".tl-conn-text")?.textContent).toBe("Connected");

    ws.serverSends({ type: "ack", id: "m-unsent", result: { message_id: "msg_9" } });
    expect(statusTexts(c)).toEqual(["Sent"]);
    vi.runOnlyPendingTimers();
    expect(readStored(storageGet(keys.store))?.outbox).toEqual([]);
  });

  it("replays history quietly and announces only what is new", () => {
    storedRequest();
    const stored = readStored(storageGet(keys.store));
    if (!stored) throw new Error("not stored");
    panel.resume(stored);
    const ws = FakeWebSocket.last();
    ws.onopen?.();
    ws.serverSends({ type: "welcome", request_id: "r_1", state: "connected", last_seq: 3 });
    const message = (seq: number, body: string) => ({
      seq, type: "message", at: 1000 * seq, request_id: "r_1",
      message: { id: `msg_${seq}`, client_id: null, sender: "specialist", author: "Ana", body, at: 1000 * seq },
    });
    ws.serverSends(message(1, "<b>old</b>"));
    ws.serverSends(message(2, "seen before"));
    ws.serverSends(message(3, "new one"));
    const texts = [...c.ui.root.querySelectorAll(".tl-msg .tl-text")].map((el) => el.textContent);
    expect(texts).toEqual(["<b>old</b>", "seen before", "new one", "Are my credits used?"]);
    expect(c.ui.root.querySelector(".tl-msg b")).toBeNull();
    expect(emitted.filter(([name]) => name === "message")).toHaveLength(1);
    expect(c.ui.unreadText.textContent).toBe("1 new message");
  });

  it("reconnects after a drop and resumes from the last seq it applied", () => {
    storedRequest();
    const stored = readStored(storageGet(keys.store));
    if (!stored) throw new Error("not stored");
    panel.resume(stored);
    const first = FakeWebSocket.last();
    first.onopen?.();
    first.serverSends({ type: "welcome", request_id: "r_1", state: "connected", last_seq: 1 });
    first.serverSends({ seq: 1, type: "request.state", at: 1, request_id: "r_1", state: "connected", cause: null, specialist: { name: "Ana", role: "Payments" } });
    first.onclose?.({ code: 1006 });
    expect(c.ui.root.querySelector(".tl-conn-text")?.textContent).toBe("Reconnecting…");
    vi.advanceTimersByTime(10_000);
    const second = FakeWebSocket.last();
    expect(second).not.toBe(first);
    second.onopen?.();
    expect(second.sent[0]).toMatchObject({ type: "hello", last_seq: 1 });
  });

  it("gives up on a request the server refuses (4401) and says so", () => {
    storedRequest();
    const stored = readStored(storageGet(keys.store));
    if (!stored) throw new Error("not stored");
    panel.resume(stored);
    FakeWebSocket.last().onclose?.({ code: 4401 });
    expect(panel.requestId()).toBeNull();
    expect(storageGet(keys.store)).toBeNull();
    expect(emitted).toContainEqual(["assist:end", { requestId: "r_1", state: "connected", cause: "resume_refused" }]);
    expect(c.ui.root.querySelector(".tl-describe .tl-notice")?.textContent).toMatch(/couldn't reopen/);
  });
});
