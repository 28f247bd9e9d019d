"""How rows look on the wire (see docs/protocol.md, Shapes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tapline.models import Message, Queue, Request, Specialist


def ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    return int(value.replace(tzinfo=UTC).timestamp() * 1000)


def message(row: Message) -> dict[str, Any]:
    return {
        "id": row.id,
        "client_id": row.client_id,
        "sender": row.sender,
        "author": row.author,
        "body": row.body,
        "at": ms(row.created_at),
    }


def queue_ref(queue: Queue | None) -> dict[str, Any] | None:
    return {"id": queue.id, "name": queue.name} if queue is not None else None


def request_detail(row: Request, queue: Queue | None, messages: list[Message]) -> dict[str, Any]:
    return {
        "id": row.id,
        "state": row.state,
        "cause": row.cause,
        "queue": queue_ref(queue),
        "customer": row.customer,
        "description": row.description,
        "context": row.context,
        "messages": [message(item) for item in messages],
        "created_at": ms(row.created_at),
        "connected_at": ms(row.connected_at),
        "disposition": row.disposition,
        "note": row.note,
        "rating": row.rating,
        "ended_at": ms(row.ended_at),
    }


def offer(row: Request, queue: Queue | None, expires_at: float, timeout: float) -> dict[str, Any]:
    return {
        "request_id": row.id,
        "offered_at": int((expires_at - timeout) * 1000),
        "expires_at": int(expires_at * 1000),
        "queue": queue_ref(queue),
        "customer": row.customer,
        "description": row.description,
        "context": row.context,
        "at": ms(row.created_at),
    }


def specialist_ref(row: Specialist | None) -> dict[str, Any] | None:
    return {"name": row.name, "role": row.role} if row is not None else None
