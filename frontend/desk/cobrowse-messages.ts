// What the desk page and the co-browse frame say to each other (postMessage, same origin).

export type FrameMessage =
  | { tapline: "cobrowse"; kind: "ready" }
  | { tapline: "cobrowse"; kind: "reset" }
  | { tapline: "cobrowse"; kind: "events"; events: object[] };

export function isFrameMessage(value: unknown): value is FrameMessage {
  if (typeof value !== "object" || value === null) return false;
  const m = value as { tapline?: unknown; kind?: unknown; events?: unknown };
  if (m.tapline !== "cobrowse") return false;
  if (m.kind === "events") return Array.isArray(m.events);
  return m.kind === "ready" || m.kind === "reset";
}
