"""The engine: routing, queues and request state machines as pure code, with no I/O.

Time comes from an injected `Clock`; every command returns the `Effect`s it caused, which the
server turns into database writes and events. See docs/subsystems/engine.md.
"""

from tapline.engine.clock import Clock, FakeClock, SystemClock
from tapline.engine.core import Engine
from tapline.engine.effects import (
    Effect,
    OfferMade,
    OfferWithdrawn,
    PresenceChanged,
    QueueChanged,
    StateChanged,
    WithdrawReason,
)
from tapline.engine.errors import (
    DuplicateRequest,
    EngineError,
    InvalidArgument,
    InvalidTransition,
    NotAssigned,
    NotOffered,
    UnknownQueue,
    UnknownRequest,
    UnknownSpecialist,
)
from tapline.engine.presence import Presence, SpecialistState
from tapline.engine.request import RequestView
from tapline.engine.routing import LongestIdleRouter, Router, WaitingRequest
from tapline.engine.states import (
    FINAL_STATES,
    TRANSITIONS,
    DeadEndCause,
    RequestState,
    is_final,
    transition,
)

__all__ = [
    "FINAL_STATES",
    "TRANSITIONS",
    "Clock",
    "DeadEndCause",
    "DuplicateRequest",
    "Effect",
    "Engine",
    "EngineError",
    "FakeClock",
    "InvalidArgument",
    "InvalidTransition",
    "LongestIdleRouter",
    "NotAssigned",
    "NotOffered",
    "OfferMade",
    "OfferWithdrawn",
    "Presence",
    "PresenceChanged",
    "QueueChanged",
    "RequestState",
    "RequestView",
    "Router",
    "SpecialistState",
    "StateChanged",
    "SystemClock",
    "UnknownQueue",
    "UnknownRequest",
    "UnknownSpecialist",
    "WaitingRequest",
    "WithdrawReason",
    "is_final",
    "transition",
]
