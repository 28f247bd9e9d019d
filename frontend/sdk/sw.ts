/*! tapline service worker: a callback's ring as a system notification, even with the page
 * closed (Web Push). The host serves it from its own origin (a copy, or `importScripts` from
 * its own worker) and names it in `Tapline.init({serviceWorker: ...})`. See docs/sdk.md.
 *
 * It handles `push`, `notificationclick` and its own `message`s, and nothing else: no fetch
 * handler, no cache, so it never stands between the host's pages and the network. Pushes,
 * notifications and messages that are not tapline's are left to the host's own handlers.
 *
 * A press on **Answer** is remembered for that ring (request, attempt and the ring's end as
 * the server sent them) until the ring ends, at most ANSWER_KEEP_MS, in memory and in
 * IndexedDB ("tapline-sw"), since the browser may stop the worker before the page it opened
 * has loaded. The page's widget, when it starts ringing, asks once whether this very ring was
 * answered on the notification (a `tapline:answered?` message with a port for the reply); the
 * first question for a request takes the answer away, whatever it says, so it is used once. */

// Its own lib (frontend/sdk/tsconfig.sw.json): a worker scope, not a window. Standalone: it
// imports nothing, so a host's copy is one small file.
declare const self: ServiceWorkerGlobalScope;

const TYPE = "tapline.ring";
const TAG = "tapline-ring-";
const DB = "tapline-sw";
const STORE = "answers";
const ANSWER_KEEP_MS = 2 * 60 * 1000; // a ring lasts 30 s by default: never keep one longer

/** A press on Answer, for one ring. */
interface Answer {
  request_id: string;
  attempt: number;
  expires_at: number;
  until: number;
}

/** What the notification carries (set by the push handler below). */
interface RingData {
  tapline: true;
  request_id: string;
  url: string | null;
  attempt: number | null;
  expires_at: number | null;
}

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null;
}

function fields(value: unknown): Fields | null {
  return isFields(value) ? value : null;
}

function text(value: unknown, max: number, fallback: string): string {
  return typeof value === "string" && value ? value.slice(0, max) : fallback;
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

// Only http(s) pages: the payload names the page the customer was on.
function page(url: unknown): string | null {
  try {
    const u = new URL(String(url), self.location.origin);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- remembered answers

const answers = new Map<string, Answer>();
let opened: Promise<IDBDatabase> | null = null;

function database(): Promise<IDBDatabase> {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const open = self.indexedDB.open(DB, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "request_id" });
      open.onsuccess = () => {
        const db = open.result;
        db.onversionchange = () => {
          db.close();
          opened = null;
        };
        resolve(db);
      };
      open.onerror = () => reject(open.error);
      open.onblocked = () => reject(new Error("IndexedDB blocked"));
    });
    opened.catch(() => {
      opened = null;
    });
  }
  return opened;
}

// One transaction on the store; resolves with the result of the request `work` returns.
function stored(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest | undefined): Promise<unknown> {
  return database().then(
    (db) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const got = work(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(got ? got.result : undefined);
        tx.onerror = tx.onabort = () => reject(tx.error);
      }),
  );
}

function remember(data: RingData): Promise<unknown> {
  const now = Date.now();
  const ends = data.expires_at;
  if (data.attempt === null || ends === null || ends <= now) return Promise.resolve();
  const record: Answer = { request_id: data.request_id, attempt: data.attempt, expires_at: ends, until: Math.min(ends, now + ANSWER_KEEP_MS) };
  answers.set(record.request_id, record);
  return stored("readwrite", (store) => {
    // Forget those whose ring has ended, then keep this one.
    const cursor = store.openCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return;
      const until = count(fields(c.value)?.until);
      if (until === null || until <= now) c.delete();
      c.continue();
    };
    store.put(record);
    return undefined;
  }).catch(() => null); // memory only: the page may still ask in time
}

// Taken away by the first question for the request, whatever the answer.
function take(requestId: string): Promise<Answer | null> {
  const mine = answers.get(requestId) ?? null;
  answers.delete(requestId);
  return stored("readwrite", (store) => {
    const got = store.get(requestId);
    store.delete(requestId);
    return got;
  })
    .catch(() => null)
    .then((kept) => mine ?? readAnswer(kept));
}

function readAnswer(value: unknown): Answer | null {
  const f = fields(value);
  const attempt = count(f?.attempt);
  const expires = count(f?.expires_at);
  const until = count(f?.until);
  if (!f || typeof f.request_id !== "string" || attempt === null || expires === null || until === null) return null;
  return { request_id: f.request_id, attempt, expires_at: expires, until };
}

function answered(record: Answer | null, q: Fields): boolean {
  return !!record && record.until > Date.now() && record.attempt === q.attempt && record.expires_at === q.expires_at;
}

self.addEventListener("message", (event) => {
  const q = fields(event.data);
  if (!q || typeof q.request_id !== "string") return;
  const requestId = q.request_id;
  const port = event.ports[0];
  if (q.type === "tapline:forget") {
    event.waitUntil(take(requestId));
  } else if (q.type === "tapline:answered?" && port) {
    event.waitUntil(
      take(requestId).then((record) => {
        port.postMessage({ type: "tapline:answered", request_id: requestId, answered: answered(record, q) });
      }),
    );
  }
});

// ---------------------------------------------------------------- push and click

function pushed(event: PushEvent): Fields | null {
  try {
    return fields(event.data ? event.data.json() : null);
  } catch {
    return null; // not JSON: not ours
  }
}

self.addEventListener("push", (event) => {
  const data = pushed(event);
  if (!data || data.type !== TYPE || typeof data.request_id !== "string") return;
  // Plain text only: a notification's title and body are never parsed as markup.
  const title = text(data.title, 120, "A specialist is ready to help you");
  const ring: RingData = {
    tapline: true, request_id: data.request_id, url: page(data.url),
    attempt: count(data.attempt), expires_at: count(data.expires_at),
  };
  const options: NotificationOptions & { renotify: boolean; actions: Array<{ action: string; title: string }> } = {
    body: text(data.body, 240, "It's your turn. Answer to start."),
    tag: TAG + data.request_id, // a repeat (the next attempt) replaces the last one
    renotify: true,
    requireInteraction: true,
    actions: [{ action: "answer", title: "Answer" }],
    data: ring,
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

function readRing(value: unknown): RingData | null {
  const f = fields(value);
  if (!f || f.tapline !== true || typeof f.request_id !== "string") return null;
  return { tapline: true, request_id: f.request_id, url: typeof f.url === "string" ? f.url : null, attempt: count(f.attempt), expires_at: count(f.expires_at) };
}

// An open page of the host: prefer the one the customer was on, then a visible one.
function bestClient(list: readonly WindowClient[], url: string | null): WindowClient | null {
  let best: { client: WindowClient; score: number } | null = null;
  for (const c of list) {
    const score = (url && c.url.split(/[?#]/)[0] === url ? 2 : 0) + (c.visibilityState === "visible" ? 1 : 0);
    if (!best || score > best.score) best = { client: c, score };
  }
  return best ? best.client : null;
}

self.addEventListener("notificationclick", (event) => {
  const n = event.notification;
  const data = readRing(n.data);
  if (!data) return;
  n.close();
  const answer = event.action === "answer";
  const message = { type: "tapline:answer", request_id: data.request_id, answer };
  // Answer is remembered first, before any page can ask: a message to a page that is still
  // loading is lost, and a page opened now asks only once its widget rings.
  const kept = answer ? remember(data) : Promise.resolve();
  event.waitUntil(
    kept
      .then(() => self.clients.matchAll({ type: "window", includeUncontrolled: true }))
      .then((list) => {
        const best = bestClient(list, data.url);
        if (best) {
          best.postMessage(message);
          return best.focus().catch(() => null);
        }
        // No page is open: open the one the customer was on. It resumes the request and
        // rings, and its widget answers at once if this ring is the one answered here.
        return data.url ? self.clients.openWindow(data.url) : null;
      }),
  );
});

export {};
