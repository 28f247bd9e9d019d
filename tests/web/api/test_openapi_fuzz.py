"""schemathesis against the server's own OpenAPI document (`/api/v1/openapi.json`).

Every operation gets cases generated from its schema, valid ones and invalid ones, sent as
its real callers would: the desk and admin routes with a signed-in supervisor's cookie, CSRF
token and same-origin `Origin`; the widget routes with the app's key, an allowed `Origin`, a
device secret and, where they take one, a live customer token. Checked: never a 5xx, only
documented status codes, the documented content type, and bodies that match the documented
schema.

Bounded: a few examples per operation and mode (`TAPLINE_FUZZ=long`, from bench/fuzz.sh,
runs more). The run goes on past a failing operation and reports them all at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from support import ORIGIN, World
from tapline.settings import Settings

LONG = os.environ.get("TAPLINE_FUZZ") == "long"
EXAMPLES = 50 if LONG else 5
DESK_ROUTES = ("/api/v1/desk/", "/api/v1/admin/", "/api/v1/wallboard")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(params=["sqlite"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """The server tests' settings, on SQLite, with the hourly limits on new requests out of
    the way: the fuzzer makes many from one address (the limits have tests of their own)."""
    yield Settings(
        data_dir=tmp_path,
        secret_key="test-secret-" + "x" * 32,
        public_origin="http://testserver",
        offer_timeout=30.0,
        customer_grace=120.0,
        specialist_grace=0.0,
        requests_per_customer=1_000_000,
        requests_per_address=1_000_000,
    )


class Caller:
    """Sends a generated case as the route's real caller would."""

    def __init__(self, world: World) -> None:
        self.world = world
        world.add_specialist("sofia", "Sofia Lind", skills={"support": 5}, supervisor=True)
        self.created = world.ask("fuzz-1")
        self.sofia = world.signin("sofia")

    def ben(self) -> Any:
        """Ben's session, for the routes that end one (signing out, a password change): a
        fresh one after the sign-in limits' window, so earlier failures do not slow it."""
        self.world.advance(self.world.settings.signin_window + 1)
        return self.world.signin("ben")

    def send(self, case: Any, mode: GenerationMode) -> Any:
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        headers = {k: v for k, v in kwargs.get("headers", {}).items() if k != "Connection"}
        params = dict(kwargs.get("params") or {})
        path = case.operation.path
        if path.startswith(DESK_ROUTES):
            desk = (
                self.ben()
                if path in ("/api/v1/desk/signout", "/api/v1/desk/password")
                else self.sofia
            )
            headers.update(desk.cookie)
            headers.update({"X-CSRF-Token": desk.csrf, "Origin": "http://testserver"})
        elif path.startswith("/api/v1/"):
            names = {p.name.lower() for p in case.operation.iter_parameters()}
            params["app"] = self.world.key
            headers.pop("x-tapline-app", None)
            headers["Origin"] = ORIGIN
            if "authorization" in names:
                headers["authorization"] = "Bearer " + self.created["customer_token"]
            if "request_id" in params and mode is GenerationMode.POSITIVE:
                params["request_id"] = self.created["request_id"]
        body: dict[str, Any] = {}
        if "json" in kwargs:
            body["json"] = kwargs["json"]
        elif "data" in kwargs:
            body["content"] = kwargs["data"]
        return self.world.client.request(
            kwargs["method"], kwargs["url"], params=params, headers=headers, **body
        )


def _runner(caller: Caller, operation: Any, mode: GenerationMode) -> Any:
    @fuzz_settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not LONG,
        database=None,
    )
    @given(operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = caller.send(case, mode)
        case.validate_response(response, checks=CHECKS)

    return run


def test_every_operation_answers_as_its_document_says(world: World) -> None:
    caller = Caller(world)
    spec = world.client.get("/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = _runner(caller, operation, mode)
            try:
                run()
            except Unsatisfiable:
                continue  # nothing in this operation can be made invalid
            except (Exception, BaseExceptionGroup) as error:  # collected: reported together below
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}):\n{error}"
                )
            ran += 1
    assert ran >= 40
    assert not failures, "\n\n".join(failures)
