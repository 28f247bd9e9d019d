"""Customer-supplied data: size limits, masked fields, and card numbers removed."""

from __future__ import annotations

import json

import pytest

from tapline import sanitize
from tapline.sanitize import REDACTED, TooLarge, luhn_ok, redact_cards

VISA = "4111111111111111"
AMEX = "378282246310005"


@pytest.mark.parametrize(
    ("digits", "ok"),
    [(VISA, True), (AMEX, True), ("5500000000000004", True), ("4111111111111112", False)],
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"my card is {VISA}", f"my card is {REDACTED}"),
        ("4111 1111 1111 1111", REDACTED),
        ("4111-1111-1111-1111.", f"{REDACTED}."),
        (f"amex {AMEX}!", f"amex {REDACTED}!"),
        # Beside other digit groups: the card is found among them.
        (f"card {VISA} 12/25 declined", f"card {REDACTED} 12/25 declined"),
        ("order 12 4111 1111 1111 1111", f"order 12 {REDACTED}"),
        (f"{VISA} {VISA}", f"{REDACTED} {REDACTED}"),
    ],
)
def test_card_numbers_are_removed(text: str, expected: str) -> None:
    assert redact_cards(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # fails Luhn
        "booking SW 214 on 2026-11-22, seat 12",
        "123456789012",  # 12 digits: too short
        "41111111111111111234",  # 20 digits in one run: not a card
        "fare 412 EUR, credits 150",
    ],
)
def test_other_numbers_stay(text: str) -> None:
    assert redact_cards(text) == text


def test_message_body_is_bounded_trimmed_and_redacted() -> None:
    assert sanitize.message_body(f"  pay {VISA}  ", 4096) == f"pay {REDACTED}"
    assert sanitize.message_body("é" * 2048, 4096) == "é" * 2048  # 4096 bytes exactly
    with pytest.raises(TooLarge):
        sanitize.message_body("é" * 2049, 4096)  # the limit is in UTF-8 bytes
    for bad in ("", "   ", None, 42, ["hi"]):
        with pytest.raises(ValueError):
            sanitize.message_body(bad, 4096)


def test_context_over_the_limit_is_too_large() -> None:
    raw = {"data": {"blob": "x" * 2000}}
    size = len(json.dumps(raw, separators=(",", ":")).encode())
    assert sanitize.context(raw, size)["data"]["blob"] == "x" * 2000
    with pytest.raises(TooLarge, match=f"{size} bytes"):
        sanitize.context(raw, size - 1)


@pytest.mark.parametrize("raw", [[], "flow", None, 3])
def test_context_must_be_an_object(raw: object) -> None:
    with pytest.raises(ValueError, match="JSON object"):
        sanitize.context(raw, 65536)


def test_masked_fields_lose_their_value() -> None:
    clean = sanitize.context(
        {
            "fields": [
                {"name": "card_number", "filled": True, "masked": True, "value": "4111"},
                {"name": "cvc", "filled": 1, "masked": "yes", "value": "123"},
                {"name": "use_credits", "filled": True, "masked": False, "value": "yes"},
            ]
        },
        65536,
    )
    card, cvc, credits = clean["fields"]
    assert card == {"name": "card_number", "filled": True, "masked": True}
    assert cvc == {"name": "cvc", "filled": True, "masked": True}
    assert credits["value"] == "yes"


def test_card_numbers_leave_every_part_of_the_context() -> None:
    clean = sanitize.context(
        {
            "flow": f"pay {VISA}",
            "data": {"card": int(VISA), "nested": [{"note": AMEX}], VISA: "as a key"},
            "fields": [{"name": "notes", "filled": True, "masked": False, "value": VISA}],
            "errors": [{"code": "PAY-402", "message": f"Card {VISA} declined"}],
            "journey": [{"event": "typed", "props": {"text": "4111 1111 1111 1111"}}],
        },
        65536,
    )
    text = json.dumps(clean)
    assert VISA not in text and AMEX not in text and "4111 1111" not in text
    assert clean["data"]["card"] == REDACTED
    assert clean["data"]["nested"] == [{"note": REDACTED}]
    assert clean["fields"][0]["value"] == REDACTED


def test_lists_are_bounded_to_their_latest_items() -> None:
    clean = sanitize.context(
        {
            "journey": [{"event": f"e{i}"} for i in range(60)],
            "errors": [{"code": f"E{i}"} for i in range(25)],
        },
        65536,
    )
    assert [item["event"] for item in clean["journey"]] == [f"e{i}" for i in range(10, 60)]
    assert len(clean["errors"]) == 20 and clean["errors"][-1] == {"code": "E24"}
    with pytest.raises(ValueError, match=r"context\.journey must be a list"):
        sanitize.context({"journey": {"event": "x"}}, 65536)
    with pytest.raises(ValueError, match="field must be an object"):
        sanitize.context({"fields": ["card_number"]}, 65536)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(2000):
        child: dict[str, object] = {}
        node["data"] = child
        node = child
    with pytest.raises(ValueError, match="nested too deeply"):
        sanitize.context(deep, 10**6)
    shallow: dict[str, object] = {"data": {"a": {"b": {"c": [[{"d": "ok"}]]}}}}
    assert sanitize.context(shallow, 65536)["data"] == shallow["data"]


def test_nul_characters_are_removed() -> None:
    assert redact_cards("a\x00b") == "ab"
    assert sanitize.message_body("hi\x00", 4096) == "hi"
    assert sanitize.context({"step": "pa\x00y", "data": {"k\x00": "v"}}, 4096)["data"] == {"k": "v"}
