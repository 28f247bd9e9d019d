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
