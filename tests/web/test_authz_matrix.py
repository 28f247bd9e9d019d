"""The authorization matrix (`tapline.web.authz`) holds for every route and every frame type.

Every route of the app's router (a new one without an entry fails here) and every frame
type of both sockets (from their handlers) is called as every role and as anonymous: the
roles the matrix allows are not refused (no 401/403, no 4401, no `hello_required`), the
others are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from support import ORIGIN, Socket, World
from tapline.lib.identity import sign_customer
from tapline.web import authz
from tapline.web.authz import CUSTOMER_SOCKET, SPECIALIST_SOCKET, Role
from tapline.web.desk_auth import COOKIE
from tapline.web.sockets import customer as socket_customer
from tapline.web.sockets import specialist as socket_specialist

REFUSED = {401, 403}
PATH_VALUES = {
    "queue_id": "q_unknown",
    "specialist_id": "s_unknown",
    "shift_id": "sh_unknown",
    "tab": "queues",
    "path": "tapline.js",
}


def app_routes(world: World) -> set[tuple[str, str]]:
    """(method, path template) of every route and static mount the app serves."""
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(world.server.router.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.add(("GET", f"{context.path}/{{path}}"))
            continue
        for method in context.methods or ():  # websockets have none: they are frames
            if method != "HEAD":
                found.add((method, str(context.path)))
    return found


def socket_frames(module: Any) -> set[str]:
    """The frame types a socket module answers: its `handlers` table (built, never run),
    and the two every socket answers (`hello`, `ping`)."""
    arguments = (None, "r_x", "author") if module is socket_customer else (None, None)
    return set(module.handlers(*arguments)) | {"hello", "ping"}


@dataclass
class Caller:
    """One role's credentials: what it sends on REST, as a cookie and in `hello`."""

    role: Role
    world: World
    request_id: str
    customer_token: str = ""
    user_token: str = ""
    who: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def headers(self, path: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.role is Role.CUSTOMER:
            bearer = (
                self.user_token if path == "/api/v1/customers/requests" else self.customer_token
            )
            headers["Authorization"] = f"Bearer {bearer}"
            headers["Cookie"] = f"{COOKIE}={self.customer_token}"  # no key to the desk
        elif self.who is not None:
            desk = self.world.desks.get(self.who) or self.world.signin(self.who)
            headers["Cookie"] = f"{COOKIE}={desk.token}"
            headers["X-CSRF-Token"] = desk.csrf
            headers["Authorization"] = f"Bearer {desk.token}"  # no key to a customer's data
        return headers

    def hello_token(self) -> str | None:
        if self.role is Role.CUSTOMER:
            return self.customer_token
        if self.who is not None:
            return (self.world.desks.get(self.who) or self.world.signin(self.who)).token
        return None


@pytest.fixture
def callers(world: World) -> dict[Role, Caller]:
    world.add_specialist("sofia", "Sofia Lind", skills={"support": 5}, supervisor=True)
    created = world.ask("c1")
    user = sign_customer(world.app.secret, "u-1", "Sam", "sam@example.com", 4_000_000_000)
    rid = created["request_id"]
    return {
        Role.ANONYMOUS: Caller(Role.ANONYMOUS, world, rid),
        Role.CUSTOMER: Caller(Role.CUSTOMER, world, rid, created["customer_token"], user),
        Role.SPECIALIST: Caller(Role.SPECIALIST, world, rid, who="ana"),
        Role.SUPERVISOR: Caller(Role.SUPERVISOR, world, rid, who="sofia"),
    }


def _body(path: str, request_id: str) -> Any:
    """A body good enough to reach the route's authorization (else a 422 would come first)."""
    if path == "/api/v1/push/subscriptions":
        return {
            "request_id": request_id,
            "subscription": {
                "endpoint": "https://fcm.googleapis.com/fcm/send/x",
                "keys": {"p256dh": "p", "auth": "a"},
            },
            "url": f"{ORIGIN}/checkout",
            "endpoint": "https://fcm.googleapis.com/fcm/send/x",
        }
    return {}


def test_every_route_is_in_the_matrix_and_holds_for_every_role(
    world: World, callers: dict[Role, Caller]
) -> None:
    routes = app_routes(world)
    assert routes == set(authz.ROUTES), "every route needs its line in tapline.web.authz.ROUTES"
    wrong = []
    # Signing out ends the session: last, so the other calls still have one.
    for method, template in sorted(routes, key=lambda item: item[1].endswith("/signout")):
        path = template.format(**PATH_VALUES)
        for role, caller in callers.items():
            response = world.client.request(
                method,
                path,
                params={"app": world.key, "request_id": caller.request_id},
                headers=caller.headers(template),
                json=_body(template, caller.request_id) if method != "GET" else None,
            )
            assert response.status_code < 500, (method, path, role, response.text)
            allowed = authz.route_allowed(method, template, role)
            if allowed == (response.status_code in REFUSED):
                wrong.append((method, template, str(role), response.status_code))
    assert wrong == []


def _customer_frames() -> list[dict[str, Any]]:
    return [
        {"type": "message", "id": "f-message", "body": "hello"},
        {"type": "context", "id": "f-context", "context": {"flow": "booking"}},
        {"type": "visibility", "visible": True},
        {"type": "typing", "active": True},
        {"type": "callback", "id": "f-callback"},
        {"type": "schedule", "id": "f-schedule", "slot": 0},
        {"type": "reschedule", "id": "f-reschedule", "slot": 0},
        {"type": "cancel_callback", "id": "f-cancel_callback"},
        {"type": "answer", "id": "f-answer", "accept": True},
        {"type": "rate", "id": "f-rate", "score": 5},
        {"type": "cobrowse_consent", "id": "f-cobrowse_consent", "allow": True},
        {"type": "cobrowse_events", "events": [{"type": 4, "data": {}}]},
        {"type": "cobrowse_stop", "id": "f-cobrowse_stop"},
        {"type": "cancel", "id": "f-cancel"},  # last: it ends the request
    ]


def _specialist_frames() -> list[dict[str, Any]]:
    target = {"request_id": "r_unknown"}
    return [
        {"type": "presence", "id": "f-presence", "status": "available"},
        {"type": "accept", "id": "f-accept", **target},
        {"type": "decline", "id": "f-decline", **target},
        {"type": "message", "id": "f-message", "body": "hello", **target},
        {"type": "resolve", "id": "f-resolve", "disposition": "resolved", **target},
        {"type": "typing", "active": True, **target},
        {"type": "cobrowse_ask", "id": "f-cobrowse_ask", **target},
        {"type": "cobrowse_stop", "id": "f-cobrowse_stop", **target},
        {"type": "session_extend", "id": "f-session_extend", **target},
    ]


FRAMES = {CUSTOMER_SOCKET: _customer_frames, SPECIALIST_SOCKET: _specialist_frames}


def _answered(world: World, socket: Socket, frame: dict[str, Any]) -> bool:
    """Send `frame`, then a ping: True when the frame was taken (the socket answers the ping
    and said no `hello_required` to it), False when it waits for a `hello`."""
    world.clock.advance(0.1)  # (frames per second: stay within the socket's rate)
    socket.send(frame)
    if frame["type"] != "ping":
        socket.send({"type": "ping"})
    socket.until("pong")
    errors = [f for f in socket.seen if f.get("type") == "error"]
    refused = [
        e
        for e in errors
        if e.get("code") == "hello_required" and e.get("ref") in (frame.get("id"), None)
    ]
    socket.seen.clear()
    socket.pending.clear()
    return not refused


def _observe(world: World, path: str, caller: Caller) -> dict[str, bool]:
    """What `caller` may do on this socket: frame type -> allowed."""
    seen: dict[str, bool] = {}
    frames = FRAMES[path]()
    if path == CUSTOMER_SOCKET:
        url, headers = f"{path}?app={world.key}", {"Origin": ORIGIN}
    else:
        url, headers = path, {k: v for k, v in caller.headers(path).items() if k == "Cookie"}
    try:
        with world.socket(url, headers) as socket:
            seen["ping"] = _answered(world, socket, {"type": "ping"})
            before = {frame["type"]: _answered(world, socket, frame) for frame in frames}
            assert not any(before.values()), f"{path} took frames before hello: {before}"
            hello: dict[str, Any] = {"type": "hello", "last_seq": 0}
            token = caller.hello_token()
            if path == CUSTOMER_SOCKET:
                hello |= {"request_id": caller.request_id, "token": token}
            socket.send(hello)
            try:
                socket.until("welcome")
            except WebSocketDisconnect as closed:
                assert closed.code == 4401, closed
                seen |= dict.fromkeys([*before, "hello"], False)
                return seen
            seen["hello"] = True
            for frame in frames:
                seen[frame["type"]] = _answered(world, socket, frame)
    except WebSocketDenialResponse as denial:
        assert denial.status_code == 403
        seen = dict.fromkeys(["ping", "hello", *(frame["type"] for frame in frames)], False)
    return seen


@pytest.mark.parametrize(
    ("path", "module"),
    [(CUSTOMER_SOCKET, socket_customer), (SPECIALIST_SOCKET, socket_specialist)],
)
def test_every_frame_type_is_in_the_matrix_and_holds_for_every_role(
    world: World, callers: dict[Role, Caller], path: str, module: Any
) -> None:
    types = socket_frames(module)
    assert types >= module.WRITES
    matrix = {kind for socket, kind in authz.FRAMES if socket == path}
    assert types == matrix, "every frame type needs its line in tapline.web.authz.FRAMES"
    assert {frame["type"] for frame in FRAMES[path]()} | {"hello", "ping"} == types
    wrong = []
    for role, caller in callers.items():
        for kind, allowed in _observe(world, path, caller).items():
            if allowed != authz.frame_allowed(path, kind, role):
                wrong.append((kind, str(role), allowed))
    assert wrong == []
