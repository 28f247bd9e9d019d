// HTTP for the desk: same origin, cookie session, CSRF header on every write.

import { learnServerClock } from "./format.js";

const BASE = "/api/v1/desk";
let csrf = "";

export function setCsrf(token) {
  csrf = typeof token === "string" ? token : "";
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let res;
  try {
    res = await fetch(BASE + path, {
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
  if (!res.ok) {
    const detail = data && typeof data.detail === "string" ? data.detail : "";
    throw new ApiError(res.status, detail);
  }
  return data;
}

/** The snapshot the desk starts from. Throws ApiError(401) when not signed in. */
export async function getState() {
  const data = await call("GET", "/state");
  if (data && data.csrf) setCsrf(data.csrf);
  return data;
}

export async function signIn(email, password) {
  const data = await call("POST", "/signin", { email, password });
  if (data && data.csrf) setCsrf(data.csrf);
  return data;
}

export async function signOut() {
  try {
    await call("POST", "/signout");
  } finally {
    setCsrf("");
  }
}
