"""Security across the server: headers and CSP, and what customer data never reaches storage."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from support import ORIGIN, World
from tapline.web.pages import STATIC

VISA = "4111111111111111"
VISA_SPACED = "4111 1111 1111 1111"
MASTERCARD = "5500-0000-0000-0004"
AMEX = "378282246310005"
CARDS = (VISA, VISA_SPACED, MASTERCARD, AMEX)


def _csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize(
    "path",
    [
        "/desk",
        "/demo",
        "/healthz",
        "/api/v1/openapi.json",
        "/api/v1/sdk/config?app={key}",
        "/api/v1/desk/state",  # a 401 carries it too
        "/desk/assets/desk.js",
        "/sdk/tapline.js",
        "/no/such/page",
    ],
)
def test_every_response_has_a_strict_csp(world: World, path: str) -> None:
    world.rt.settings.demo = True
    response = world.client.get(path.format(key=world.key))
    csp = _csp(response.headers["content-security-policy"])
    assert "'unsafe-inline'" not in str(csp) and "'unsafe-eval'" not in str(csp)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_pages_are_not_framed_but_the_sdk_is_embeddable(world: World) -> None:
    desk = world.client.get("/desk")
    assert desk.status_code == 200
    assert desk.headers["x-frame-options"] == "DENY"
    sdk = world.client.get("/sdk/tapline.js")
    assert sdk.status_code == 200
    assert sdk.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "x-frame-options" not in sdk.headers


def test_the_demo_is_off_unless_enabled(world: World) -> None:
    assert world.client.get("/demo").status_code == 404
    world.rt.settings.demo = True
    assert world.client.get("/demo").status_code == 200


class _Inline(HTMLParser):
    """Collects what a strict CSP would block in a page: inline scripts, styles, handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self._in_script = True
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("inline <script>")


@pytest.mark.parametrize("page", ["desk", "demo"])
def test_pages_need_nothing_the_csp_blocks(page: str) -> None:
    parser = _Inline()
    parser.feed((STATIC / page / "index.html").read_text())
    assert parser.found == []


# -- Card numbers and masked fields never reach storage ------------------------------------


def test_card_numbers_are_removed_from_everything_stored(world: World) -> None:
    context = {
        "flow": "booking",
        "step": "payment",
        "data": {"card": VISA, "as_number": int(VISA), "nested": [{"note": f"amex {AMEX}"}]},
        "fields": [
            {
                "name": "notes",
                "label": "Notes",
                "filled": True,
                "masked": False,
                "value": f"my card {VISA_SPACED}",
            },
        ],
        "errors": [{"code": "PAY-402", "message": f"Card {MASTERCARD} declined", "at": 0}],
        "journey": [{"event": "typed", "props": {"text": VISA}, "at": 0}],
        "page": {"url": f"https://shop.example/pay?card={VISA}", "title": "Pay"},
    }
    with world.desk("ana") as desk:
        created, detail = world.connect(
            desk, description=f"Charged twice on {VISA_SPACED}, exp 12/27", context=context
        )
        rid = created["request_id"]
        assert VISA not in str(detail) and "4111 1111" not in str(detail)
        with world.widget(created) as widget:
            widget.send({"type": "message", "id": "m1", "body": f"it is {VISA} 12/27 cvc 123"})
            widget.ack("m1")
            widget.send({"type": "context", "id": "c1", "context": {**context, "step": "retry"}})
            widget.ack("c1")
            updated = desk.until("context.updated")
            assert VISA not in str(updated)
            message = desk.until("message", **{"message.client_id": "m1"})["message"]
            assert message["body"] == "it is [card number removed] 12/27 cvc 123"
            desk.send(
                {
                    "type": "message",
                    "id": "d1",
                    "request_id": rid,
                    "body": f"I see {MASTERCARD} on file",
                }
            )
            desk.ack("d1")
            reply = widget.until("message", **{"message.client_id": "d1"})["message"]
            assert MASTERCARD not in reply["body"]
            desk.send(
                {
                    "type": "resolve",
                    "id": "r1",
                    "request_id": rid,
                    "disposition": "resolved",
                    "note": f"refunded {AMEX}",
                }
            )
            desk.ack("r1")
            widget.until("request.state", state="resolved")
            widget.send(
                {
                    "type": "rate",
                    "id": "rate",
                    "score": 5,
                    "comment": f"thanks, card {VISA} is fine",
                }
            )
            widget.ack("rate")
            rated = desk.until("request.rated")
            assert VISA not in str(rated["comment"])
    stored = world.database_text()
    for card in CARDS:
        assert card not in stored
    digits = re.sub(r"\D", "", stored)  # not even with other separators
    for card in CARDS:
        assert re.sub(r"\D", "", card) not in digits
    assert stored.count("[card number removed]") >= 10


def test_masked_values_are_dropped_before_storage(world: World) -> None:
    secret = "cvc-913-secret"
    context = {
        "fields": [
            {
                "form": "payment",
                "name": "cvc",
                "label": "CVC",
                "filled": True,
                "masked": True,
                "value": secret,
            },
            {
                "form": "payment",
                "name": "holder",
                "label": "Name",
                "filled": True,
                "masked": False,
                "value": "Sam",
            },
        ]
    }
    with world.desk("ana") as desk:
        created = world.ask(context=context)
        offer = desk.until("offer")["offer"]
        fields = offer["context"]["fields"]
        assert fields[0] == {
            "form": "payment",
            "name": "cvc",
            "label": "CVC",
            "filled": True,
            "masked": True,
        }
        assert fields[1]["value"] == "Sam"
        with world.widget(created) as widget:
            widget.send({"type": "context", "id": "c1", "context": context})
            widget.ack("c1")
    assert secret not in world.database_text()


def test_the_customer_token_is_not_stored(world: World) -> None:
    created = world.ask()
    assert created["customer_token"] not in world.database_text()


def test_sockets_refuse_other_origins_before_opening(world: World) -> None:
    created = world.ask()
    denied = world.denied(f"/ws/customer?app={world.key}", {"Origin": "https://evil.example"})
    assert denied.status_code == 403
    desk = world.signin("ana")
    denied = world.denied("/ws/specialist", {**desk.cookie, "Origin": ORIGIN})
    assert denied.status_code == 403
    assert created["request_id"]
