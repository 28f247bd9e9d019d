// HTTP for the desk: same origin, cookie session, CSRF header on every write.

import { learnServerClock } from "./format.js";

const ROOT = "/api/v1";
let csrf = "";

export function setCsrf(token) {
  csrf = typeof token === "string" ? token : "";
}

/**
 * A failed call. `status` is the HTTP status (0: the server can't be reached), `detail` the
 * server's words for people, `body` the whole JSON answer (422s carry field or line errors).
 */
export class ApiError extends Error {
  constructor(status, detail, body = null) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.body = body;
  }
}

/** The first readable sentence in a FastAPI-style answer ("detail" string or list). */
function detailText(data) {
  if (!data) return "";
  if (typeof data.detail === "string") return data.detail;
  if (Array.isArray(data.detail) && data.detail.length) {
    const first = data.detail[0];
    if (first && typeof first.msg === "string") return first.msg;
  }
  if (Array.isArray(data.errors) && data.errors.length && typeof data.errors[0].message === "string") {
    return data.errors[0].message;
  }
  return "";
}

/** One call under /api/v1: `path` starts with "/". Returns the JSON answer, or null for 204. */
export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let res;
  try {
    res = await fetch(ROOT + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (err) {
    throw new ApiError(0, "The server can't be reached. Check your connection.");
  }
  learnServerClock(res.headers.get("Date"));
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, detailText(data), data);
  return data;
}

/** The snapshot the desk starts from. Throws ApiError(401) when not signed in. */
export async function getState() {
  const data = await call("GET", "/desk/state");
  if (data && data.csrf) setCsrf(data.csrf);
  return data;
}

export async function signIn(email, password) {
  const data = await call("POST", "/desk/signin", { email, password });
  if (data && data.csrf) setCsrf(data.csrf);
  return data;
}

export async function signOut() {
  try {
    await call("POST", "/desk/signout");
  } finally {
    setCsrf("");
  }
}

/** The supervisor's wallboard (403 for everyone else). */
export function getWallboard() {
  return call("GET", "/wallboard");
}
