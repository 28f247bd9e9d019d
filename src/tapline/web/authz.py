"""Who may call what: every REST route and every socket frame, by role.

The matrix is data: the code that enforces it stays where it is (`api.widget.calling_app`
and `require_customer_token`, `desk_auth.desk_user`, `api.supervisors.supervisor`, each
socket's handshake and `hello`). `tests/web/test_authz_matrix.py` walks every route of the
app and every frame type of both sockets, calls each as every role, and checks the answer
against this table; a route or frame type missing here fails it. docs/security.md, "Roles",
has the same table for people.

Roles:

- `anonymous`: no credential. The app's public key is public (it is in every page that
  embeds the widget), so an anonymous caller has it and may use an allowed origin.
- `customer`: a request's `customer_token` (REST `Authorization: Bearer`, the customer
  socket's `hello`); for `GET /api/v1/customers/requests`, a user token the app signed.
- `specialist`: a desk session (the `tapline_desk` cookie; writes also need the CSRF token
  and a same-origin `Origin`).
- `supervisor`: a desk session of a specialist with `is_supervisor`.

There is no `admin` distinct from `supervisor` yet: a supervisor holds both (see
docs/security.md, "Roles", for what an admin role takes).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    CUSTOMER = "customer"
    SPECIALIST = "specialist"
    SUPERVISOR = "supervisor"


Roles = frozenset[Role]

ANYONE: Roles = frozenset(Role)
CUSTOMER: Roles = frozenset({Role.CUSTOMER})
STAFF: Roles = frozenset({Role.SPECIALIST, Role.SUPERVISOR})
SUPERVISORS: Roles = frozenset({Role.SUPERVISOR})

NODES: Roles = frozenset()
"""No client: the other nodes of a cluster, by a signature with the shared secret key."""

ROUTES: dict[tuple[str, str], Roles] = {
    # Between nodes (docs/subsystems/nodes.md): signed calls, never a client's.
    ("POST", "/internal/v1/frame"): NODES,
    ("POST", "/internal/v1/hello"): NODES,
    ("POST", "/internal/v1/attendance"): NODES,
    # Operations and documents.
    ("GET", "/api/v1/openapi.json"): ANYONE,
    ("GET", "/api/v1/protocol.json"): ANYONE,
    ("GET", "/healthz"): ANYONE,
    # The widget: the app's public key (and an allowed origin, or none) is enough...
    ("GET", "/api/v1/sdk/config"): ANYONE,
    ("POST", "/api/v1/requests"): ANYONE,
    ("GET", "/api/v1/push/key"): ANYONE,
    # ...but a request's own data takes its customer token (or the app's signed user token).
    ("GET", "/api/v1/slots"): CUSTOMER,
    ("GET", "/api/v1/customers/requests"): CUSTOMER,
    ("POST", "/api/v1/push/subscriptions"): CUSTOMER,
    ("DELETE", "/api/v1/push/subscriptions"): CUSTOMER,
    # The desk.
    ("POST", "/api/v1/desk/signin"): ANYONE,
    ("POST", "/api/v1/desk/signout"): STAFF,
    ("POST", "/api/v1/desk/password"): STAFF,
    ("GET", "/api/v1/desk/state"): STAFF,
    # Supervisors: the wallboard and configuration.
    ("GET", "/api/v1/wallboard"): SUPERVISORS,
    ("GET", "/api/v1/admin/queues"): SUPERVISORS,
    ("POST", "/api/v1/admin/queues"): SUPERVISORS,
    ("PATCH", "/api/v1/admin/queues/{queue_id}"): SUPERVISORS,
    ("DELETE", "/api/v1/admin/queues/{queue_id}"): SUPERVISORS,
    ("POST", "/api/v1/admin/queues/{queue_id}/restore"): SUPERVISORS,
    ("GET", "/api/v1/admin/rules"): SUPERVISORS,
    ("PUT", "/api/v1/admin/rules"): SUPERVISORS,
    ("GET", "/api/v1/admin/specialists"): SUPERVISORS,
    ("POST", "/api/v1/admin/specialists"): SUPERVISORS,
    ("PATCH", "/api/v1/admin/specialists/{specialist_id}"): SUPERVISORS,
    ("POST", "/api/v1/admin/specialists/{specialist_id}/deactivate"): SUPERVISORS,
    ("POST", "/api/v1/admin/specialists/{specialist_id}/reactivate"): SUPERVISORS,
    ("GET", "/api/v1/admin/shifts"): SUPERVISORS,
    ("POST", "/api/v1/admin/shifts"): SUPERVISORS,
    ("PATCH", "/api/v1/admin/shifts/{shift_id}"): SUPERVISORS,
    ("DELETE", "/api/v1/admin/shifts/{shift_id}"): SUPERVISORS,
    # Pages and files: public (what they show is fetched through the routes above).
    ("GET", "/"): ANYONE,
    ("GET", "/desk"): ANYONE,
    ("GET", "/desk/wallboard"): ANYONE,
    ("GET", "/desk/configure"): ANYONE,
    ("GET", "/desk/configure/{tab}"): ANYONE,
    ("GET", "/demo"): ANYONE,
    ("GET", "/demo/api/session"): ANYONE,  # only with `demo` on: the demo's own "backend"
    ("GET", "/sdk/{path}"): ANYONE,
    ("GET", "/desk/assets/{path}"): ANYONE,
    ("GET", "/demo/assets/{path}"): ANYONE,
}
"""(method, path template) -> the roles that may call it. Paths as the app's router has
them; a static mount is `<mount>/{path}`."""

CUSTOMER_SOCKET = "/ws/customer"
SPECIALIST_SOCKET = "/ws/specialist"

FRAMES: dict[tuple[str, str], Roles] = {
    # The customer socket: anyone with the app's key may open it and ping; `hello` takes the
    # request's customer token (a desk token closes it, 4401); every other frame waits for
    # a good `hello` (`hello_required`).
    (CUSTOMER_SOCKET, "ping"): ANYONE,
    (CUSTOMER_SOCKET, "hello"): CUSTOMER,
    (CUSTOMER_SOCKET, "message"): CUSTOMER,
    (CUSTOMER_SOCKET, "context"): CUSTOMER,
    (CUSTOMER_SOCKET, "typing"): CUSTOMER,
    (CUSTOMER_SOCKET, "visibility"): CUSTOMER,
    (CUSTOMER_SOCKET, "callback"): CUSTOMER,
    (CUSTOMER_SOCKET, "schedule"): CUSTOMER,
    (CUSTOMER_SOCKET, "reschedule"): CUSTOMER,
    (CUSTOMER_SOCKET, "cancel_callback"): CUSTOMER,
    (CUSTOMER_SOCKET, "answer"): CUSTOMER,
    (CUSTOMER_SOCKET, "rate"): CUSTOMER,
    (CUSTOMER_SOCKET, "cancel"): CUSTOMER,
    # Co-browse (docs/subsystems/cobrowse.md): events pass only while the customer allows.
    (CUSTOMER_SOCKET, "cobrowse_consent"): CUSTOMER,
    (CUSTOMER_SOCKET, "cobrowse_events"): CUSTOMER,
    (CUSTOMER_SOCKET, "cobrowse_stop"): CUSTOMER,
    # The specialist socket: the handshake takes a desk session (403 without); a customer
    # token in `hello` closes it (4401). Which request a frame may touch is then decided per
    # request (`not_allowed`: an offer or a chat that is not theirs), not by role.
    (SPECIALIST_SOCKET, "ping"): STAFF,
    (SPECIALIST_SOCKET, "hello"): STAFF,
    (SPECIALIST_SOCKET, "presence"): STAFF,
    (SPECIALIST_SOCKET, "accept"): STAFF,
    (SPECIALIST_SOCKET, "decline"): STAFF,
    (SPECIALIST_SOCKET, "message"): STAFF,
    (SPECIALIST_SOCKET, "resolve"): STAFF,
    (SPECIALIST_SOCKET, "typing"): STAFF,
    (SPECIALIST_SOCKET, "cobrowse_ask"): STAFF,  # only the specialist holding the chat
    (SPECIALIST_SOCKET, "cobrowse_stop"): STAFF,
    (SPECIALIST_SOCKET, "session_extend"): STAFF,  # only the specialist holding the chat
}
"""(socket path, frame type) -> the roles that may send it."""


def route_allowed(method: str, path: str, role: Role) -> bool:
    """Whether `role` may call this route; an unknown route is allowed to no one."""
    return role in ROUTES.get((method.upper(), path), frozenset())


def frame_allowed(socket: str, frame_type: str, role: Role) -> bool:
    """Whether `role` may send this frame type on this socket; unknown: no one."""
    return role in FRAMES.get((socket, frame_type), frozenset())
