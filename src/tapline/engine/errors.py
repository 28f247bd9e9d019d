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


Path = tuple[str | int, ...]
"""Where in a document: keys, and indexes of lists (shown counting from 1)."""


def show_path(path: Path) -> str:
    """("rule", 2, "skills") -> "rule[3].skills"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else part
    return text


class SpecError(InvalidArgument):
    """A requirement, queue policy or routing rule that does not make sense, and where."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{show_path(path)}: {reason}" if path else reason)
