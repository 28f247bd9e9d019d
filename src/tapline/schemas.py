"""The shapes of the REST API (Pydantic): what OpenAPI publishes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ClientId = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class UserIn(BaseModel):
    """The customer as the app claims it; `token` is the app's signed JWT."""

    id: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    token: str | None = Field(None, max_length=4096)


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = ClientId
    description: str = Field(min_length=1, max_length=1000)
    user: UserIn | None = None
    context: dict[str, Any] = Field(default_factory=dict)


class RequestCreated(BaseModel):
    request_id: str
    customer_token: str
    state: str
    verified: bool
    estimate: dict[str, Any] | None = None
    options: dict[str, Any] | None = None
    queue: dict[str, Any] | None = None


class Limits(BaseModel):
    message_bytes: int
    context_bytes: int


class AppInfo(BaseModel):
    name: str


class SdkConfig(BaseModel):
    app: AppInfo
    limits: Limits


class SignIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class SpecialistOut(BaseModel):
    id: str
    name: str
    email: str
    role: str
    presence: str
    capacity: int
    is_supervisor: bool


class SignedIn(BaseModel):
    specialist: SpecialistOut
    csrf: str


class QueueOut(BaseModel):
    id: str
    name: str
    waiting: int


class DeskState(BaseModel):
    specialist: SpecialistOut
    csrf: str
    seq: int
    requests: list[dict[str, Any]]
    offers: list[dict[str, Any]]
    queues: list[QueueOut]
    limits: Limits


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    version: str


Hours = dict[str, Any]


class QueuePatch(BaseModel):
    """Part of a queue's configuration; see docs/protocol.md (Supervisor configuration)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    skill: str | None = Field(None, min_length=1, max_length=100, pattern=r"^[a-z0-9_]+$")
    priority: int | None = Field(None, ge=-100, le=100)
    timezone: str | None = Field(None, max_length=64)
    hours: Hours | None = None
    sticky_seconds: float | None = Field(None, ge=0, le=3600)
    widen_after: list[float] | None = Field(None, max_length=2)
    callback_threshold: float | None = Field(None, ge=0, le=86400)
    fallback_queue_id: str | None = None
    service_target_seconds: float | None = Field(None, gt=0, le=86400)


class QueueConfig(QueuePatch):
    name: str = Field(min_length=1, max_length=200)
    skill: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_]+$")


class SpecialistPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    role: str | None = Field(None, min_length=1, max_length=200)
    skills: dict[str, int] | None = None
    authority: dict[str, float | bool | str] | None = None
    capacity: dict[str, int] | None = None
    is_supervisor: bool | None = None


class RulesIn(BaseModel):
    toml: str = Field(max_length=200_000)


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    specialist_id: str
    timezone: str = Field("UTC", max_length=64)
    weekly: dict[str, list[list[str]]] | None = None
    start: int | None = Field(None, description="ms since the epoch, for a dated shift")
    end: int | None = None
