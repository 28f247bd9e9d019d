"""The app's session while a specialist helps (docs/sdk.md, "Holding the session").

The specialist may ask the customer's app for more time: a signal to the widget, never stored
(the SDK fires `hold`; the app extends its session and reports it in the context, which is
stored). At most one ask per request every `ASK_EVERY` seconds.
"""

from __future__ import annotations

from typing import Any

from tapline.actions import cobrowse
from tapline.errors import ActionError
from tapline.lib.runtime import Runtime
from tapline.store.streams import customer_stream

ASK_EVERY = 10.0
"""Seconds between two asks for one request: a double click is one ask."""


def _asked(rt: Runtime) -> dict[str, float]:
    """request id -> when its app was last asked, on this runtime."""
    found: dict[str, float] | None = getattr(rt, "_session_asked", None)
    if found is None:
        found = {}
        setattr(rt, "_session_asked", found)  # noqa: B010 (Runtime's fields are others')
    return found


async def ask_more_time(rt: Runtime, specialist_id: str, request_id: str) -> dict[str, Any]:
    """The specialist holding the chat asks the customer's app to extend its session."""
    if cobrowse.holder(rt, request_id) != specialist_id:
        raise ActionError("not_allowed", "That request is not yours.")
    asked = _asked(rt)
    now = rt.clock.now()
    last = asked.get(request_id)
    if last is not None and now - last < ASK_EVERY:
        wait = round(ASK_EVERY - (now - last), 1)
        raise ActionError("rate_limited", f"The app was asked just now; ask again in {wait} s.")
    for old in [r for r, at in asked.items() if now - at >= ASK_EVERY]:
        del asked[old]  # bounded by the chats asked in the last ASK_EVERY seconds
    asked[request_id] = now
    rt.bus.publish(
        customer_stream(request_id), {"type": "session.extend", "request_id": request_id}
    )
    return {}
