"""The shapes of the REST API (Pydantic): what OpenAPI publishes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from tapline.lib import sanitize


class Incoming(BaseModel):
    """A body from outside. Its text is made valid Unicode before anything checks it: a
    lone surrogate would be refused by Pydantic with an error echoing it, and that error
    cannot be written out as UTF-8 (a 500). The routes' strict parser refuses one first;
    this stands behind it."""

    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: Any) -> Any:
        return _replace_surrogates(data, 0)


_TYPED_DEPTH = 6
"""How deep bodies have typed text (keys of a context, hours of a day); below it is free
JSON that `sanitize` cleans."""


def _replace_surrogates(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return sanitize.valid_unicode(value)
    if depth >= _TYPED_DEPTH:
        return value
    if isinstance(value, dict):
        return {
            _replace_surrogates(key, depth): _replace_surrogates(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_replace_surrogates(item, depth + 1) for item in value]
    return value


def _no_card(value: str) -> str:
    # A client id is stored and echoed as is: a card number in one would be kept in clear.
    if sanitize.has_card(value):
        raise ValueError("The id must not hold a card number; use a random id.")
    return value


ClientId = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"),
    AfterValidator(_no_card),
]


class UserIn(Incoming):
    """The customer as the app claims it; `token` is the app's signed JWT."""

    id: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    token: str | None = Field(None, max_length=4096)


class RequestCreate(Incoming):
    model_config = ConfigDict(extra="forbid")
    id: ClientId
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


class SignIn(Incoming):
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
    role: Literal["owner", "follower"] | None = None
    """Among several nodes: whether this one owns the engine."""


# -- Supervisor configuration (docs/protocol.md, Supervisor configuration) ------------------
# Shapes and sizes are checked here (a 422 whose `loc` names the field); meanings (levels,
# time zones, overlapping hours, clashes) in actions/config.py, in the same 422 shape.

MAX_INTERVALS = 12
"""Intervals in one day of business hours or of a weekly shift."""
MAX_DATES = 400
"""Closed dates, or dates with special hours, of one queue."""
MAX_SKILLS = 30
MAX_ATTRIBUTES = 30

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
SkillName = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")]
AttributeName = Annotated[
    str, StringConstraints(min_length=1, max_length=60, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
]
TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Interval = Annotated[
    list[Annotated[str, StringConstraints(max_length=5)]], Field(min_length=2, max_length=2)
]
Day = Annotated[list[Interval], Field(max_length=MAX_INTERVALS)]
DateText = Annotated[str, StringConstraints(max_length=10)]
Seconds = Annotated[float, Field(ge=0, le=86400)]


class WeekIn(Incoming):
    """Seven days of `[["09:00", "17:00"], …]`; a day left out (or empty) is closed."""

    model_config = ConfigDict(extra="forbid")
    mon: Day = Field(default_factory=list)
    tue: Day = Field(default_factory=list)
    wed: Day = Field(default_factory=list)
    thu: Day = Field(default_factory=list)
    fri: Day = Field(default_factory=list)
    sat: Day = Field(default_factory=list)
    sun: Day = Field(default_factory=list)


class HoursIn(WeekIn):
    """A queue's business hours: the week, closed dates, and dates with special hours."""

    closed_on: Annotated[list[DateText], Field(max_length=MAX_DATES)] = Field(default_factory=list)
    special: Annotated[dict[DateText, Day], Field(max_length=MAX_DATES)] = Field(
        default_factory=dict
    )


class QueuePatch(Incoming):
    """Part of a queue's configuration; see docs/protocol.md (Supervisor configuration)."""

    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    skill: SkillName | None = None
    priority: int | None = Field(None, ge=-100, le=100)
    timezone: TimeZone | None = None
    hours: HoursIn | None = None
    sticky_seconds: float | None = Field(None, ge=0, le=3600)
    widen_after: Annotated[list[Seconds], Field(max_length=2)] | None = None
    callback_threshold: float | None = Field(None, ge=0, le=86400)
    fallback_queue_id: Id | None = None
    service_target_seconds: float | None = Field(None, gt=0, le=86400)


class QueueConfig(QueuePatch):
    name: Name
    skill: SkillName


Skills = Annotated[dict[SkillName, int], Field(max_length=MAX_SKILLS)]
Authority = Annotated[
    dict[
        AttributeName,
        Annotated[float, Field(allow_inf_nan=False)]
        | bool
        | Annotated[str, StringConstraints(max_length=200)],
    ],
    Field(max_length=MAX_ATTRIBUTES),
]
Capacity = Annotated[dict[str, int], Field(max_length=3)]


class SpecialistPatch(Incoming):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    role: Name | None = None
    skills: Skills | None = None
    authority: Authority | None = None
    capacity: Capacity | None = None
    is_supervisor: bool | None = None
    password: str | None = Field(None, min_length=1, max_length=1024)
    """A new password (at least 10 characters); their open desks are signed out."""


class SpecialistCreate(SpecialistPatch):
    email: str = Field(min_length=3, max_length=320)
    name: Name
    role: Name = "Specialist"
    password: str = Field(min_length=1, max_length=1024)
    skills: Skills = Field(default_factory=dict)
    authority: Authority = Field(default_factory=dict)
    capacity: Capacity = Field(default_factory=lambda: {"chat": 3})
    is_supervisor: bool = False


class RulesIn(Incoming):
    toml: str = Field(max_length=200_000)


Epoch = Annotated[int, Field(ge=0, le=4_102_444_800_000)]  # up to 2100, in ms


class ShiftPatch(Incoming):
    """A weekly shift (`weekly`) or one dated interval (`start`, `end` in ms)."""

    model_config = ConfigDict(extra="forbid")
    timezone: TimeZone | None = None
    weekly: WeekIn | None = None
    start: Epoch | None = Field(None, description="ms since the epoch, for a dated shift")
    end: Epoch | None = None


class ShiftIn(ShiftPatch):
    specialist_id: Id
    timezone: TimeZone = "UTC"


# -- Refusals (every status but 422) -----------------------------------------------------


class Problem(BaseModel):
    """Every refusal but 422: `detail` says what went wrong, in words for a person."""

    detail: str


def problems(codes: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for refusals, with the body they really have (`Problem`)."""
    return {code: {"model": Problem, "description": text} for code, text in codes.items()}
