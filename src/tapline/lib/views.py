"""How rows look on the wire (see docs/protocol.md, Shapes)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from tapline.engine.callback_states import Callback as CallbackView
from tapline.store.models import Message, Queue, Request, Shift, Specialist

audit_log = logging.getLogger("tapline.audit")
"""Every staff access to a customer's context (docs/security.md, "Audit")."""


def ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    return int(value.replace(tzinfo=UTC).timestamp() * 1000)


def _seconds_ms(value: float | None) -> int | None:
    return int(value * 1000) if value is not None else None


def callback(cb: CallbackView) -> dict[str, Any]:
    """A callback as the widget and desk see it (docs/protocol.md, Callbacks)."""
    return {
        "id": cb.request_id,
        "kind": str(cb.kind),
        "state": str(cb.state),
        "window_start": _seconds_ms(cb.window_start),
        "window_end": _seconds_ms(cb.window_end),
        "slot_start": _seconds_ms(cb.window_start) if str(cb.kind) == "scheduled" else None,
        "attempts": cb.attempt,
        "kept": None if cb.promise is None else cb.kept,
    }


def message(row: Message) -> dict[str, Any]:
    return {
        "id": row.id,
        "client_id": row.client_id,
        "sender": row.sender,
        "author": row.author,
        "body": row.body,
        "at": ms(row.created_at),
    }


def audit_context(
    specialist_id: str,
    request_id: str,
    what: str,
    *,
    session_id: str | None = None,
    address: str | None = None,
) -> None:
    """Log that a staff member was shown a request's context: who (their id, and the desk
    session and client address when known), which request, when, and what showed it (e.g.
    `desk.state`, `desk.state.offer`, `desk.accept`). Ids and names only: never the context
    itself, the customer's identity, a token or a cookie."""
    record = {
        "event": "context_access",
        "what": what,
        "specialist_id": specialist_id,
        "request_id": request_id,
        "session_id": session_id,
        "address": address,
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
    audit_log.info(
        "context_access what=%s specialist=%s request=%s session=%s address=%s",
        what,
        specialist_id,
        request_id,
        session_id,
        address,
        extra={"audit": record},
    )


def customer(value: dict[str, Any]) -> dict[str, Any]:
    """Who the customer is, on the wire: `verified` holds for `id`, `name` and `email` only;
    `claimed` (when there) is what the app sent unsigned beside a valid token."""
    shown = {key: value.get(key) for key in ("id", "name", "email")}
    shown["verified"] = value.get("verified") is True
    claimed = value.get("claimed")
    if shown["verified"] and isinstance(claimed, dict) and claimed:
        shown["claimed"] = {key: claimed[key] for key in ("name", "email") if claimed.get(key)}
    return shown


def queue_ref(queue: Queue | None) -> dict[str, Any] | None:
    return {"id": queue.id, "name": queue.name} if queue is not None else None


def request_detail(
    row: Request,
    queue: Queue | None,
    messages: list[Message],
    callback: dict[str, Any] | None = None,
    sources: list[dict[str, Any]] | None = None,
    presence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`sources`: where its context came from (`lib.sources`); `presence`: the customer's
    (`actions.presence`), both as the desk sees them."""
    return {
        "id": row.id,
        "channel": row.channel,
        "callback": callback,
        "state": row.state,
        "cause": row.cause,
        "queue": queue_ref(queue),
        "customer": customer(row.customer),
        "description": row.description,
        "context": row.context,
        "messages": [message(item) for item in messages],
        "created_at": ms(row.created_at),
        "connected_at": ms(row.connected_at),
        "disposition": row.disposition,
        "note": row.note,
        "rating": row.rating,
        "ended_at": ms(row.ended_at),
        "sources": sources or [],
        "presence": presence,
    }


def offer(
    row: Request,
    queue: Queue | None,
    expires_at: float,
    timeout: float,
    callback: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "request_id": row.id,
        "channel": row.channel,
        "priority": row.priority,
        "callback": callback,
        "offered_at": int((expires_at - timeout) * 1000),
        "expires_at": int(expires_at * 1000),
        "queue": queue_ref(queue),
        "customer": customer(row.customer),
        "description": row.description,
        "context": row.context,
        "at": ms(row.created_at),
    }


def specialist_ref(row: Specialist | None) -> dict[str, Any] | None:
    return {"name": row.name, "role": row.role} if row is not None else None


def queue_config(row: Queue) -> dict[str, Any]:
    widen = [value for value in (row.widen_t1, row.widen_t2) if value is not None]
    return {
        "id": row.id,
        "name": row.name,
        "skill": row.skill,
        "priority": row.priority,
        "timezone": row.timezone,
        "hours": row.hours,
        "sticky_seconds": row.sticky_seconds,
        "widen_after": widen,
        "callback_threshold": row.callback_threshold,
        "fallback_queue_id": row.fallback_queue_id,
        "service_target_seconds": row.service_target,
    }


def specialist_config(row: Specialist) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "email": row.email,
        "role": row.role,
        "skills": row.skills,
        "authority": row.authority,
        "capacity": {"chat": row.capacity, **row.capacities},
        "is_supervisor": row.is_supervisor,
    }


def shift_view(row: Shift) -> dict[str, Any]:
    return {
        "id": row.id,
        "specialist_id": row.specialist_id,
        "timezone": row.timezone,
        "weekly": row.weekly,
        "start": int(row.start * 1000) if row.start is not None else None,
        "end": int(row.end * 1000) if row.end is not None else None,
    }
