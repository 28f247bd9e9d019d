// Where the customer's context came from: one record per tab or device (docs/protocol.md,
// "Context sources"). The desk keeps each source's furthest context and merges them into
// what the Where and Data sections show: the furthest step reached, the current one, which
// tab or device each came from, and what changed since the furthest step. Pure: no DOM.

import type { Context, ContextSource } from "./protocol";

type Data = Record<string, unknown>;

/** A source as the desk keeps it: its current context too, once an event brought it. */
export interface DeskSource extends ContextSource {
  context?: Context;
}

export type Where = "this tab" | "another tab" | "phone" | "tablet" | "another device";

export interface Reached {
  step: string | null;
  where: Where;
  source: DeskSource;
}

export interface Change {
  key: string;
  before: unknown;
  after: unknown;
}

export interface Picture {
  furthest: Reached | null;
  current: Reached | null;
  /** The data as of the furthest step (the current context's when there are no sources). */
  data: Data;
  /** What the current context's data changed since the furthest step. */
  changes: Change[];
  sources: { source: DeskSource; where: Where }[];
}

export const SOURCES_SHOWN = 8;

/** Apply one source from an event; the others stay as they were. */
export function mergeSource(list: readonly DeskSource[], incoming: ContextSource, context: Context): DeskSource[] {
  const before = list.find((s) => s.id === incoming.id);
  const furthest = { ...incoming.furthest };
  if (!furthest.context) {
    if (furthest.at !== null && furthest.at === incoming.updated_at) furthest.context = context; // it moved now
    else if (before && before.furthest.at === furthest.at) furthest.context = before.furthest.context;
  }
  const next: DeskSource = { ...incoming, furthest, context };
  const rest = list.filter((s) => s.id !== incoming.id);
  return [...rest, next].slice(-SOURCES_SHOWN);
}

/** How a source is named beside the current one (the tab the customer is in now). */
export function whereOf(source: ContextSource, current: ContextSource | null): Where {
  if (!current || source.id === current.id) return "this tab";
  if (source.device && source.device === current.device) return "another tab";
  if (source.ua === "phone") return "phone";
  if (source.ua === "tablet") return "tablet";
  return "another device";
}

const rankOf = (s: ContextSource): number => (typeof s.furthest.rank === "number" ? s.furthest.rank : -1);

/** The merged picture of a request's sources and its current context. */
export function picture(sources: readonly DeskSource[] | undefined, context: Context | null | undefined): Picture {
  const list = sources ? [...sources] : [];
  const data = isObject(context?.data) ? context.data : {};
  if (!list.length) return { furthest: null, current: null, data, changes: [], sources: [] };
  const current = list.reduce((a, b) => (b.updated_at > a.updated_at ? b : a));
  const top = list.reduce((a, b) => {
    const diff = rankOf(b) - rankOf(a);
    return diff > 0 || (diff === 0 && (b.furthest.at || 0) > (a.furthest.at || 0)) ? b : a;
  });
  const reached = (source: DeskSource, step: string | null): Reached => ({ step, where: whereOf(source, current), source });
  const furthestData = isObject(top.furthest.context?.data) ? top.furthest.context.data : data;
  return {
    furthest: reached(top, top.furthest.step),
    current: reached(current, current.step),
    data: furthestData,
    changes: dataChanges(furthestData, data),
    sources: list.map((source) => ({ source, where: whereOf(source, current) })),
  };
}

/** Keys whose value differs between two data objects (added, removed or changed). */
export function dataChanges(before: Data, after: Data): Change[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const out: Change[] = [];
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ key, before: a, after: b });
  }
  return out.slice(0, 100);
}

function isObject(v: unknown): v is Data {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
