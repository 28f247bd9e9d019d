"""The database schema (SQLAlchemy 2). Every change here needs an Alembic migration."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

_LONG_DIGITS = re.compile(r"[0-9]{13}")


def new_id(prefix: str) -> str:
    """A short, unguessable, sortable-enough id such as `r_9f2c…`.

    Never with 13 digits in a row: clients put ids in their own write ids, and those are
    refused when they look like a card number."""
    while True:
        made = f"{prefix}_{secrets.token_hex(8)}"
        if not _LONG_DIGITS.search(made):
            return made


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class App(Base):
    """A customer-facing application registered with tapline."""

    __tablename__ = "apps"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(128))
    origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Refuse requests from customers without a valid signed token (docs/security.md).
    verified_only: Mapped[bool] = mapped_column(default=False, server_default=false())


class Specialist(Base):
    __tablename__ = "specialists"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="Specialist")
    password_hash: Mapped[str] = mapped_column(String(256))
    skills: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    capacity: Mapped[int] = mapped_column(default=3)
    is_supervisor: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    authority: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    capacities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    deactivated_at: Mapped[datetime | None]  # left: kept for their history, never routed to


class DeskSession(Base):
    """A signed-in desk. Only the token's hash is stored."""

    __tablename__ = "desk_sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    specialist_id: Mapped[str] = mapped_column(ForeignKey("specialists.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class Queue(Base):
    """Where requests wait for specialists with a skill; with hours and routing settings."""

    __tablename__ = "queues"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    skill: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    priority: Mapped[int] = mapped_column(default=0, server_default="0")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None: always open
    sticky_seconds: Mapped[float] = mapped_column(default=60.0, server_default="60")
    widen_t1: Mapped[float | None]
    widen_t2: Mapped[float | None]
    callback_threshold: Mapped[float] = mapped_column(default=300.0, server_default="300")
    service_target: Mapped[float] = mapped_column(default=60.0, server_default="60")
    fallback_queue_id: Mapped[str | None] = mapped_column(
        ForeignKey("queues.id", name="fk_queues_fallback_queue_id")
    )
    archived_at: Mapped[datetime | None]  # retired: kept for the requests that name it


class Request(Base):
    """One customer's ask for help, from the tap to its outcome."""

    __tablename__ = "requests"
    __table_args__ = (
        # A client id is unique per caller (`caller`), not per app: anyone can send one.
        UniqueConstraint("app_id", "caller", "client_id", name="uq_requests_app_caller_client"),
        Index("ix_requests_state", "state"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id"))
    customer: Mapped[dict[str, Any]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    cause: Mapped[str | None] = mapped_column(String(32))
    specialist_id: Mapped[str | None] = mapped_column(ForeignKey("specialists.id"))
    disposition: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[float]
    connected_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    priority: Mapped[int] = mapped_column(default=0, server_default="0")
    channel: Mapped[str] = mapped_column(String(16), default="chat", server_default="chat")
    requirements: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    customer_key: Mapped[str | None] = mapped_column(String(300), index=True)
    served_at: Mapped[float | None]  # engine clock: when a specialist took it
    caller: Mapped[str | None] = mapped_column(String(64))
    """Who made it, hashed: the verified customer or the SDK's device secret (None: neither,
    and no retry finds it)."""


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("request_id", "sender", "client_id", name="uq_messages_client"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(16))
    specialist_id: Mapped[str | None] = mapped_column(ForeignKey("specialists.id"))
    author: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Stream(Base):
    """The last sequence number handed out in one client stream."""

    __tablename__ = "streams"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class Event(Base):
    """The log a client resumes from: one row per event per stream."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("stream", "seq", name="uq_events_stream_seq"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Offer(Base):
    __tablename__ = "offers"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    specialist_id: Mapped[str] = mapped_column(ForeignKey("specialists.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[float]
    outcome: Mapped[str | None] = mapped_column(String(16))


class RoutingRules(Base):
    """The routing rules as the supervisor wrote them (TOML); one row per saved version."""

    __tablename__ = "routing_rules"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    toml: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("specialists.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Shift(Base):
    """When a specialist works: weekly recurring hours, or one dated interval."""

    __tablename__ = "shifts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    specialist_id: Mapped[str] = mapped_column(ForeignKey("specialists.id", ondelete="CASCADE"))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekly: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    start: Mapped[float | None]
    end: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Callback(Base):
    """A promise to reach the customer later, with the window it was promised in."""

    __tablename__ = "callbacks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id"))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    window_start: Mapped[float]
    window_end: Mapped[float]
    slot_start: Mapped[float | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    first_ring_at: Mapped[float | None]
    kept: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class PushSubscription(Base):
    """A browser's Web Push subscription: rings a customer's device when the page is closed.

    `endpoint`, `p256dh` and `auth` are the browser's secrets: never logged, never shown.
    A verified customer's subscription (`customer_key`) rings for any of their requests; an
    unverified one only for the request it was made for.
    """

    __tablename__ = "push_subscriptions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    request_id: Mapped[str] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    customer_key: Mapped[str | None] = mapped_column(String(300), index=True)
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    open_url: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContextSource(Base):
    """Where a request's context came from: one tab or device, its current context, its
    furthest step's, and its step changes (`lib.sources`; bounded there). Times in ms."""

    __tablename__ = "context_sources"
    __table_args__ = (UniqueConstraint("request_id", "source", name="uq_context_sources"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(130))
    tab: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(64))
    ua: Mapped[str] = mapped_column(String(16))
    step: Mapped[str | None] = mapped_column(String(200))
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    peak_step: Mapped[str | None] = mapped_column(String(200))
    peak: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    peak_at: Mapped[int | None] = mapped_column(BigInteger)
    history: Mapped[list[Any]] = mapped_column(JSON)
    seen: Mapped[list[Any]] = mapped_column(JSON)
    steps: Mapped[list[Any] | None] = mapped_column(JSON)
    updated_at: Mapped[int] = mapped_column(BigInteger)
