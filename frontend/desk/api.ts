// HTTP for the desk: same origin, cookie session, CSRF header on every write.

import { learnServerClock, isRecord } from "./format";
import type { Offer, Presence, QueueCount, RequestDetail, WallboardSignal } from "./protocol";

const ROOT = "/api/v1";
let csrf = "";

/** The signed-in specialist (SpecialistOut in src/tapline/schemas.py). */
export interface Specialist {
  id: string;
  name: string;
  email: string;
  role: string;
  presence: Presence;
  capacity: number;
  is_supervisor: boolean;
}

/** The snapshot the desk starts from (`GET /desk/state`). */
export interface DeskState {
  specialist: Specialist;
  csrf: string;
  /** The last seq of this specialist's stream the snapshot includes. */
  seq: number;
  requests: RequestDetail[];
  offers: Offer[];
  queues: QueueCount[];
  limits: { message_bytes: number; context_bytes: number };
}

export interface SignedIn {
  specialist: Specialist;
  csrf: string;
}

/** `GET /wallboard`: the same figures as the `wallboard` signal, without its type. */
export type Wallboard = Omit<WallboardSignal, "type">;

export function setCsrf(token: unknown): void {
  csrf = typeof token === "string" ? token : "";
}

/**
 * A failed call. `status` is the HTTP status (0: the server can't be reached), `detail` the
 * server's words for people, `body` the whole JSON answer (422s carry field or line errors).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly body: unknown;

  constructor(status: number, detail: string, body: unknown = null) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.body = body;
  }
}

/** The first readable sentence in a FastAPI-style answer ("detail" string or list). */
export function detailText(data: unknown): string {
  if (!isRecord(data)) return "";
  const { detail, errors } = data;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length) {
    const first: unknown = detail[0];
    if (isRecord(first) && typeof first.msg === "string") return first.msg;
  }
  if (Array.isArray(errors) && errors.length) {
    const first: unknown = errors[0];
    if (isRecord(first) && typeof first.message === "string") return first.message;
  }
  return "";
}

/**
 * One call under /api/v1: `path` starts with "/". Resolves to the JSON answer, or null for a
 * 204. `T` is the shape the server documents for it (OpenAPI): the JSON is trusted as that.
 */
export async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let res: Response;
  try {
    res = await fetch(ROOT + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "The server can't be reached. Check your connection.");
  }
  learnServerClock(res.headers.get("Date"));
  if (res.status === 204) return null as T;
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, detailText(data), data);
  return data as T;
}

/** The snapshot the desk starts from. Throws ApiError(401) when not signed in. */
export async function getState(): Promise<DeskState> {
  const data = await call<DeskState>("GET", "/desk/state");
  if (isRecord(data) && data.csrf) setCsrf(data.csrf);
  return data;
}

export async function signIn(email: string, password: string): Promise<SignedIn> {
  const data = await call<SignedIn>("POST", "/desk/signin", { email, password });
  if (isRecord(data) && data.csrf) setCsrf(data.csrf);
  return data;
}

export async function signOut(): Promise<void> {
  try {
    await call("POST", "/desk/signout");
  } finally {
    setCsrf("");
  }
}

/** The supervisor's wallboard (403 for everyone else). */
export function getWallboard(): Promise<Wallboard> {
  return call<Wallboard>("GET", "/wallboard");
}
