// The widget's REST calls (docs/protocol.md, "For the widget"): cross-origin, no cookies, the
// app's key in the query, JSON both ways.

import { type Json, type JsonObject, isObject, parseJson } from "../shared/json";

export type Method = "GET" | "POST" | "DELETE";

export interface ApiResult {
  status: number;
  ok: boolean;
  /** The body when it is a JSON object, else null. */
  data: JsonObject | null;
}

export type Api = (method: Method, path: string, body?: Json, bearer?: string) => Promise<ApiResult>;

export interface ApiTarget {
  server: string;
  app: string;
  /** Sent as X-Tapline-Device with POST /requests (null: none to send). */
  deviceSecret(): string | null;
}

export function makeApi(target: () => ApiTarget): Api {
  return async (method, path, body, bearer) => {
    const t = target();
    const url = `${t.server}/api/v1${path}${path.includes("?") ? "&" : "?"}app=${encodeURIComponent(t.app)}`;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (method === "POST" && path === "/requests") {
      const secret = t.deviceSecret();
      if (secret) headers["X-Tapline-Device"] = secret;
    }
    const init: RequestInit = { method, headers, credentials: "omit", mode: "cors" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(url, init);
    const text = await res.text();
    const data = text ? parseJson(text) : null;
    return { status: res.status, ok: res.ok, data: isObject(data) ? data : null };
  };
}

/** The server's `detail` for people, or "HTTP <status>". */
export function detailOf(r: ApiResult): string {
  const d = r.data?.detail;
  return typeof d === "string" && d ? d : `HTTP ${r.status}`;
}
