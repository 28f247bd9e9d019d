"""The engine: routing, queues and request state machines as pure code, with no I/O.

Time comes from an injected `Clock`; every command returns the `Effect`s it caused, which the
server turns into database writes and events. See docs/subsystems/engine.md and routing.md.
"""

from tapline.engine.channels import Channel
from tapline.engine.clock import Clock, FakeClock, SystemClock
from tapline.engine.core import Engine
from tapline.engine.effects import (
    Effect,
    OfferMade,
    OfferWithdrawn,
    PresenceChanged,
    QueueChanged,
    QueueFallback,
    Routable,
    StateChanged,
    Unroutable,
    UnroutableReason,
    WithdrawReason,
)
from tapline.engine.errors import (
    DuplicateRequest,
    EngineError,
    InvalidArgument,
    InvalidTransition,
    NotAssigned,
    NotOffered,
    SpecError,
    UnknownQueue,
    UnknownRequest,
    UnknownSpecialist,
)
from tapline.engine.load import EligibleLoad
from tapline.engine.policy import QueuePolicy
from tapline.engine.presence import Presence, SpecialistState
from tapline.engine.request import RequestView
from tapline.engine.requirements import Constraint, Requirements
from tapline.engine.routing import LeastLoadedRouter, LongestIdleRouter, Router, WaitingRequest
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
    "Channel",
    "Clock",
    "Constraint",
    "DeadEndCause",
    "DuplicateRequest",
    "Effect",
    "EligibleLoad",
    "Engine",
    "EngineError",
    "FakeClock",
    "InvalidArgument",
    "InvalidTransition",
    "LeastLoadedRouter",
    "LongestIdleRouter",
    "NotAssigned",
    "NotOffered",
    "OfferMade",
    "OfferWithdrawn",
    "Presence",
    "PresenceChanged",
    "QueueChanged",
    "QueueFallback",
    "QueuePolicy",
    "RequestState",
    "RequestView",
    "Requirements",
    "Routable",
    "Router",
    "SpecError",
    "SpecialistState",
    "StateChanged",
    "SystemClock",
    "UnknownQueue",
    "UnknownRequest",
    "UnknownSpecialist",
    "Unroutable",
    "UnroutableReason",
    "WaitingRequest",
    "WithdrawReason",
    "is_final",
    "transition",
]
