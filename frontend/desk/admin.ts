// The supervisor configuration API (/api/v1/admin/…) and a small cache of queues and
// specialists that the Configure tabs share (the fallback-queue picker, skill suggestions,
// the shift planner's list of people).

import { call } from "./api.js";

export const admin = {
  queues: null, // [Queue] once loaded
  specialists: null, // [SpecialistConfig] once loaded
};

const listeners = new Set();

/** fn() runs whenever the cached queues or specialists change. */
export function onAdmin(fn) {
  listeners.add(fn);
}

function emit() {
  for (const fn of listeners) fn();
}

export async function loadQueues() {
  const data = await call("GET", "/admin/queues");
  admin.queues = Array.isArray(data && data.queues) ? data.queues : [];
  emit();
  return admin.queues;
}

export async function createQueue(body) {
  const q = await call("POST", "/admin/queues", body);
  admin.queues = [...(admin.queues || []), q];
  emit();
  return q;
}

export async function patchQueue(id, part) {
  const q = await call("PATCH", `/admin/queues/${encodeURIComponent(id)}`, part);
  admin.queues = (admin.queues || []).map((x) => (x.id === id ? q : x));
  emit();
  return q;
}

/** Remove a queue: the server deletes it, or archives it when requests ever used it. */
export async function deleteQueue(id) {
  const result = await call("DELETE", `/admin/queues/${encodeURIComponent(id)}`);
  admin.queues = (admin.queues || []).filter((x) => x.id !== id);
  emit();
  return result; // {id, outcome: "deleted" | "archived"}
}

/** The archived queues (with `archived_at`), newest first; the shared list is left as it is. */
export async function loadArchivedQueues() {
  const data = await call("GET", "/admin/queues?archived=true");
  const all = Array.isArray(data && data.queues) ? data.queues : [];
  return all.filter((q) => q.archived_at).sort((a, b) => b.archived_at - a.archived_at);
}

/** Bring an archived queue back into use: it joins the shared list (the `config` signal
 * that follows reloads that list in the server's order). */
export async function restoreQueue(id) {
  const q = await call("POST", `/admin/queues/${encodeURIComponent(id)}/restore`);
  admin.queues = [...(admin.queues || []).filter((x) => x.id !== q.id), q];
  emit();
  return q;
}

export async function loadSpecialists() {
  const data = await call("GET", "/admin/specialists");
  admin.specialists = Array.isArray(data && data.specialists) ? data.specialists : [];
  emit();
  return admin.specialists;
}

export async function createSpecialist(body) {
  const s = await call("POST", "/admin/specialists", body);
  admin.specialists = [...(admin.specialists || []), s].sort((a, b) => a.name.localeCompare(b.name));
  emit();
  return s;
}

export async function patchSpecialist(id, part) {
  const s = await call("PATCH", `/admin/specialists/${encodeURIComponent(id)}`, part);
  admin.specialists = (admin.specialists || []).map((x) => (x.id === id ? s : x));
  emit();
  return s;
}

/** Deactivate a specialist (they leave): the server signs them out and stops routing to
 * them; they leave the shared list. Resolves to them, with `deactivated_at`. */
export async function deactivateSpecialist(id) {
  const s = await call("POST", `/admin/specialists/${encodeURIComponent(id)}/deactivate`);
  admin.specialists = (admin.specialists || []).filter((x) => x.id !== id);
  emit();
  return s;
}

/** The deactivated specialists (with `deactivated_at`), most recent first; the shared list
 * is left as it is. */
export async function loadDeactivatedSpecialists() {
  const data = await call("GET", "/admin/specialists?deactivated=true");
  const all = Array.isArray(data && data.specialists) ? data.specialists : [];
  return all.filter((s) => s.deactivated_at).sort((a, b) => b.deactivated_at - a.deactivated_at);
}

/** Bring a deactivated specialist back: they join the shared list, by name. */
export async function reactivateSpecialist(id) {
  const s = await call("POST", `/admin/specialists/${encodeURIComponent(id)}/reactivate`);
  admin.specialists = [...(admin.specialists || []).filter((x) => x.id !== s.id), s]
    .sort((a, b) => a.name.localeCompare(b.name));
  emit();
  return s;
}

export function getRules() {
  return call("GET", "/admin/rules");
}

export function putRules(toml) {
  return call("PUT", "/admin/rules", { toml });
}

export async function listShifts(specialistId) {
  const data = await call("GET", `/admin/shifts?specialist_id=${encodeURIComponent(specialistId)}`);
  return Array.isArray(data && data.shifts) ? data.shifts : [];
}

export function createShift(body) {
  return call("POST", "/admin/shifts", body);
}

export function patchShift(id, part) {
  return call("PATCH", `/admin/shifts/${encodeURIComponent(id)}`, part);
}

export function deleteShift(id) {
  return call("DELETE", `/admin/shifts/${encodeURIComponent(id)}`);
}

/** Every skill named by a queue or a specialist, sorted: suggestions for the skill inputs. */
export function knownSkills() {
  const names = new Set();
  for (const q of admin.queues || []) if (q.skill) names.add(String(q.skill));
  for (const s of admin.specialists || []) for (const k of Object.keys(s.skills || {})) names.add(k);
  return [...names].sort();
}
