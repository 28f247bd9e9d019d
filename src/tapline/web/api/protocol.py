"""The WebSocket protocol's JSON Schema, published beside the OpenAPI document."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter

from tapline.lib import protocol

router = APIRouter(prefix="/api/v1", tags=["protocol"])


@cache
def _schema() -> dict[str, Any]:
    return protocol.json_schema()


@router.get(
    "/protocol.json",
    summary="The JSON Schema of every WebSocket frame",
    description=(
        "For /ws/customer and /ws/specialist: what the client sends (`client`) and what the "
        "server sends (`server`), each a union discriminated on `type`. The models are in "
        "`tapline.lib.protocol`; docs/protocol.md says what each frame means."
    ),
)
async def protocol_schema() -> dict[str, Any]:
    return _schema()
