// The supervisor configuration API (/api/v1/admin/…) and a small cache of queues and
// specialists that the Configure tabs share (the fallback-queue picker, skill suggestions,
// the shift planner's list of people).

import { call } from "./api";
import type { Channel } from "./protocol";

/** Intervals ["09:00", "17:00"]; an end before the start runs past midnight, "24:00" ends it. */
export type Interval = [string, string];
export type DayKey = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export type Week = Record<DayKey, Interval[]>;

/** A queue's business hours: the week, closed dates and dates with special hours. Keys the
 * server may add later are kept as they are. */
export type Hours = Partial<Week> & {
  closed_on?: string[];
  special?: Record<string, Interval[]>;
  [key: string]: unknown;
};

/** What a queue's form sends (QueueConfig in src/tapline/schemas.py). */
export type QueueValue = {
  name: string;
  skill: string;
  priority: number | null | undefined;
  timezone: string;
  hours: Hours | null;
  sticky_seconds: number | null | undefined;
  widen_after: number[];
  callback_threshold: number | null | undefined;
  fallback_queue_id: string | null;
  service_target_seconds: number | null | undefined;
};

/** A queue as the server has it (views.queue_config, with `archived_at`). */
export type Queue = {
  id: string;
  name: string;
  skill: string;
  priority: number;
  timezone: string;
  hours: Hours | null;
  sticky_seconds: number;
  widen_after: number[];
  callback_threshold: number;
  fallback_queue_id: string | null;
  service_target_seconds: number;
  archived_at?: number | null;
};

export type Authority = Record<string, number | string | boolean>;

/** What a specialist's form sends (SpecialistCreate / SpecialistPatch). */
export type SpecialistValue = {
  name: string;
  role: string;
  is_supervisor: boolean;
  email?: string;
  password?: string;
  skills: Record<string, number>;
  authority: Authority;
  capacity: Partial<Record<Channel, number>>;
};

/** A specialist as the server has it (views.specialist_config, with `deactivated_at`). */
export type SpecialistConfig = {
  id: string;
  name: string;
  email: string;
  role: string;
  skills: Record<string, number>;
  authority: Authority;
  capacity: Partial<Record<Channel, number>>;
  is_supervisor: boolean;
  deactivated_at?: number | null;
};

/** A shift: weekly (per weekday) or one dated interval, in a time zone (views.shift_view). */
export type Shift = {
  id: string;
  specialist_id: string;
  timezone: string;
  weekly: Partial<Week> | null;
  start: number | null;
  end: number | null;
};

export type ShiftBody = Omit<Shift, "id">;

export const admin: { queues: Queue[] | null; specialists: SpecialistConfig[] | null } = {
  queues: null, // once loaded
  specialists: null, // once loaded
};

const listeners = new Set<() => void>();

/** fn() runs whenever the cached queues or specialists change. */
export function onAdmin(fn: () => void): void {
  listeners.add(fn);
}

function emit(): void {
  for (const fn of listeners) fn();
}

const byName = (a: SpecialistConfig, b: SpecialistConfig): number => a.name.localeCompare(b.name);

export async function loadQueues(): Promise<Queue[]> {
  const data = await call<{ queues: Queue[] } | null>("GET", "/admin/queues");
  admin.queues = data && Array.isArray(data.queues) ? data.queues : [];
  emit();
  return admin.queues;
}

export async function createQueue(body: Partial<QueueValue>): Promise<Queue> {
  const q = await call<Queue>("POST", "/admin/queues", body);
  admin.queues = [...(admin.queues || []), q];
  emit();
  return q;
}

export async function patchQueue(id: string, part: Partial<QueueValue>): Promise<Queue> {
  const q = await call<Queue>("PATCH", `/admin/queues/${encodeURIComponent(id)}`, part);
  admin.queues = (admin.queues || []).map((x) => (x.id === id ? q : x));
  emit();
  return q;
}

/** Remove a queue: the server deletes it, or archives it when requests ever used it. */
export async function deleteQueue(id: string): Promise<{ id: string; outcome: "deleted" | "archived" }> {
  const result = await call<{ id: string; outcome: "deleted" | "archived" }>("DELETE", `/admin/queues/${encodeURIComponent(id)}`);
  admin.queues = (admin.queues || []).filter((x) => x.id !== id);
  emit();
  return result;
}

/** The archived queues (with `archived_at`), newest first; the shared list is left as it is. */
export async function loadArchivedQueues(): Promise<Queue[]> {
  const data = await call<{ queues: Queue[] } | null>("GET", "/admin/queues?archived=true");
  const all = data && Array.isArray(data.queues) ? data.queues : [];
  return all.filter((q) => q.archived_at).sort((a, b) => (b.archived_at || 0) - (a.archived_at || 0));
}

/** Bring an archived queue back into use: it joins the shared list (the `config` signal
 * that follows reloads that list in the server's order). */
export async function restoreQueue(id: string): Promise<Queue> {
  const q = await call<Queue>("POST", `/admin/queues/${encodeURIComponent(id)}/restore`);
  admin.queues = [...(admin.queues || []).filter((x) => x.id !== q.id), q];
  emit();
  return q;
}

export async function loadSpecialists(): Promise<SpecialistConfig[]> {
  const data = await call<{ specialists: SpecialistConfig[] } | null>("GET", "/admin/specialists");
  admin.specialists = data && Array.isArray(data.specialists) ? data.specialists : [];
  emit();
  return admin.specialists;
}

export async function createSpecialist(body: Partial<SpecialistValue>): Promise<SpecialistConfig> {
  const s = await call<SpecialistConfig>("POST", "/admin/specialists", body);
  admin.specialists = [...(admin.specialists || []), s].sort(byName);
  emit();
  return s;
}

export async function patchSpecialist(id: string, part: Partial<SpecialistValue>): Promise<SpecialistConfig> {
  const s = await call<SpecialistConfig>("PATCH", `/admin/specialists/${encodeURIComponent(id)}`, part);
  admin.specialists = (admin.specialists || []).map((x) => (x.id === id ? s : x));
  emit();
  return s;
}

/** Deactivate a specialist (they leave): the server signs them out and stops routing to
 * them; they leave the shared list. Resolves to them, with `deactivated_at`. */
export async function deactivateSpecialist(id: string): Promise<SpecialistConfig> {
  const s = await call<SpecialistConfig>("POST", `/admin/specialists/${encodeURIComponent(id)}/deactivate`);
  admin.specialists = (admin.specialists || []).filter((x) => x.id !== id);
  emit();
  return s;
}

/** The deactivated specialists (with `deactivated_at`), most recent first; the shared list
 * is left as it is. */
export async function loadDeactivatedSpecialists(): Promise<SpecialistConfig[]> {
  const data = await call<{ specialists: SpecialistConfig[] } | null>("GET", "/admin/specialists?deactivated=true");
  const all = data && Array.isArray(data.specialists) ? data.specialists : [];
  return all.filter((s) => s.deactivated_at).sort((a, b) => (b.deactivated_at || 0) - (a.deactivated_at || 0));
}

/** Bring a deactivated specialist back: they join the shared list, by name. */
export async function reactivateSpecialist(id: string): Promise<SpecialistConfig> {
  const s = await call<SpecialistConfig>("POST", `/admin/specialists/${encodeURIComponent(id)}/reactivate`);
  admin.specialists = [...(admin.specialists || []).filter((x) => x.id !== s.id), s]
    .sort(byName);
  emit();
  return s;
}

/** The rules as TOML, and when they came into use (null: never saved). */
export interface Rules {
  toml: string;
  updated_at?: number | null;
}

export function getRules(): Promise<Rules> {
  return call<Rules>("GET", "/admin/rules");
}

export function putRules(toml: string): Promise<Rules> {
  return call<Rules>("PUT", "/admin/rules", { toml });
}

export async function listShifts(specialistId: string): Promise<Shift[]> {
  const data = await call<{ shifts: Shift[] } | null>("GET", `/admin/shifts?specialist_id=${encodeURIComponent(specialistId)}`);
  return data && Array.isArray(data.shifts) ? data.shifts : [];
}

export function createShift(body: ShiftBody): Promise<Shift> {
  return call<Shift>("POST", "/admin/shifts", body);
}

export function patchShift(id: string, part: Partial<ShiftBody>): Promise<Shift> {
  return call<Shift>("PATCH", `/admin/shifts/${encodeURIComponent(id)}`, part);
}

export function deleteShift(id: string): Promise<unknown> {
  return call("DELETE", `/admin/shifts/${encodeURIComponent(id)}`);
}

/** Every skill named by a queue or a specialist, sorted: suggestions for the skill inputs. */
export function knownSkills(): string[] {
  const names = new Set<string>();
  for (const q of admin.queues || []) if (q.skill) names.add(String(q.skill));
  for (const s of admin.specialists || []) for (const k of Object.keys(s.skills || {})) names.add(k);
  return [...names].sort();
}
