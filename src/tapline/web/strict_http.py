"""REST bodies read with `strict_json`: a router made with `route_class=StrictRoute` refuses
NaN, Infinity, overflowing numbers and lone surrogates with a 422 naming the field.

FastAPI reads a JSON body with `request.json()`, which is Python's lenient `json.loads`;
left so, a `NaN` reaches the handlers, and even a refusal of it fails (the 422 that echoes
the input cannot be written as JSON: a 500).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

from tapline import strict_json


class StrictRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = strict_json.loads(await self.body())
            except strict_json.StrictJSONError as error:
                # The 422 shape FastAPI uses for a field, so a form can show it beside one.
                loc: list[str | int] = ["body", *error.path]
                detail = [{"loc": loc, "msg": error.reason, "type": "value_error"}]
                raise HTTPException(422, detail) from error
            except json.JSONDecodeError:
                raise  # FastAPI answers it with its own 422
            except (ValueError, RecursionError) as error:  # not UTF-8, or nested too deeply
                detail = [
                    {
                        "loc": ["body"],
                        "msg": "The body is not JSON text in UTF-8.",
                        "type": "json_invalid",
                    }
                ]
                raise HTTPException(422, detail) from error
        return self._json


class StrictRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictRequest(request.scope, request.receive))

        return strict
