"""What the supervisors' HTTP modules share: who may, the runtime, and how refusals look.

Errors: `401` signed out, `403` not a supervisor (or a write without the CSRF token), `404`
an unknown id, `409` not now (a queue still in use, the last supervisor), `422` a value
refused, always as `{"detail": [{"loc": ["body", "<field>", …], "msg": "…", "type": "…"}]}`
like FastAPI's own, so a form can put each message beside its field.
"""

from __future__ import annotations

from fastapi import Depends, HTTPException, Request

from tapline.errors import ActionError
from tapline.lib.desk_sessions import SignedIn
from tapline.lib.runtime import Runtime
from tapline.web.desk_auth import desk_user


async def supervisor(signed_in: SignedIn = Depends(desk_user)) -> SignedIn:
    if not signed_in.specialist.is_supervisor:
        raise HTTPException(403, "Supervisors only.")
    return signed_in


def rt_of(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    return rt


def refused(error: ActionError) -> HTTPException:
    """404, 409, or a 422 in FastAPI's shape with the field's path when there is one."""
    if error.code == "not_found":
        return HTTPException(404, error.message)
    if error.code == "conflict":
        return HTTPException(409, error.message)
    field: str = getattr(error, "field", "")
    loc: list[str | int] = ["body"]
    loc += [int(p) if p.isdigit() else p for p in field.split(".") if p]
    return HTTPException(422, [{"loc": loc, "msg": error.message, "type": "invalid"}])
