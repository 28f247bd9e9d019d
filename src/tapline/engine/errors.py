"""Errors the engine raises. A command that raises has changed nothing."""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error a command of the engine raises."""


class UnknownRequest(EngineError, KeyError):
    """No request with this id is known (never submitted, or forgotten after it ended)."""


class UnknownSpecialist(EngineError, KeyError):
    """No specialist with this id was registered with `set_specialist`."""


class UnknownQueue(EngineError, KeyError):
    """No queue with this id was added with `add_queue`."""


class DuplicateRequest(EngineError):
    """A request with this id is already known."""


class NotOffered(EngineError):
    """An accept or decline by a specialist who does not hold the request's offer."""


class NotAssigned(EngineError):
    """A resolve by a specialist the request is not connected to."""


class InvalidTransition(EngineError):
    """A request cannot move from its state to the one asked for."""


class InvalidArgument(EngineError, ValueError):
    """A value out of its range: a skill level, a capacity, a state to restore."""
