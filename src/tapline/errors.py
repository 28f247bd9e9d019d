"""Refusals a client can be told about. A leaf module: it imports nothing of tapline."""

from __future__ import annotations


class ActionError(Exception):
    """A write refused for a reason the client can be told (`code` is a protocol code).

    Raised before the engine is changed: the write path rolls back this write's rows and
    keeps the engine as it is.
    """

    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class Unavailable(ActionError):
    """The database cannot be reached (or a write failed): nothing was kept; retry later."""

    def __init__(self, message: str = "The service cannot save this right now.") -> None:
        super().__init__("unavailable", f"{message} Nothing was kept; try again.", 2.0)


class Busy(ActionError):
    """Too many writes are waiting: this one was refused before it was queued."""

    def __init__(self, retry_after: float = 1.0) -> None:
        super().__init__("busy", "The service is busy; nothing was kept. Try again.", retry_after)


class Invalid(ActionError):
    """A value refused: `field` is its path in the body, as `hours.mon` (HTTP 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__("bad_frame", message)
        self.field = field


class Conflict(ActionError):
    """A change the current state does not allow (HTTP 409), such as removing a busy queue."""

    def __init__(self, message: str) -> None:
        super().__init__("conflict", message)
