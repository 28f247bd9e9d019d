"""Customer-supplied data: size limits, masked fields, and card numbers removed."""

from __future__ import annotations

import json

import pytest

from tapline.lib import sanitize
from tapline.lib.sanitize import REDACTED, TooLarge, luhn_ok, redact_cards

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


# -- Card numbers in the formats people (and scripts) write them --------------------------

SPACED = ["4111", "1111", "1111", "1111"]


@pytest.mark.parametrize(
    "separator",
    [
        "  ",  # double space
        ".",
        "/",
        "_",
        "\n",
        "\r\n",
        "\t",
        " - ",
        "\u00a0",  # no-break space
        "\u202f",  # narrow no-break space
        "\u3000",  # ideographic space
        "\u2013",  # en dash
        "\uff0d",  # fullwidth hyphen
        "\uff0e",  # fullwidth full stop
    ],
)
def test_cards_with_any_separator_are_removed(separator: str) -> None:
    assert redact_cards(f"card: {separator.join(SPACED)} ok") == f"card: {REDACTED} ok"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_invisible_characters_inside_a_card_do_not_hide_it(invisible: str) -> None:
    assert redact_cards(invisible.join(VISA)) == REDACTED
    assert redact_cards(f"{invisible} ".join(SPACED)) == REDACTED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"card{VISA}", f"card{REDACTED}"),
        ("x4111-1111-1111-1111", f"x{REDACTED}"),
        (f"{VISA}exp1225", f"{REDACTED}exp1225"),
        (f"pan={AMEX};", f"pan={REDACTED};"),
    ],
)
def test_cards_glued_to_letters_are_removed(text: str, expected: str) -> None:
    assert redact_cards(text) == expected


@pytest.mark.parametrize(
    "digits",
    [
        "0123456789",
        "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",  # fullwidth
        "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",  # Arabic-Indic
        "\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f",  # Devanagari
        "\U0001d7ce\U0001d7cf\U0001d7d0\U0001d7d1\U0001d7d2"
        "\U0001d7d3\U0001d7d4\U0001d7d5\U0001d7d6\U0001d7d7",  # mathematical bold
        "\u24ea\u2460\u2461\u2462\u2463\u2464\u2465\u2466\u2467\u2468",  # circled (NFKC)
    ],
)
def test_cards_in_other_digits_are_removed(digits: str) -> None:
    card = "".join(digits[int(d)] for d in VISA)
    assert redact_cards(f"n {card} n") == f"n {REDACTED} n"
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    assert redact_cards(grouped) == REDACTED


@pytest.mark.parametrize(
    "text",
    [
        "4111    1111 1111 1111",  # groups four separators apart are not one number
        "call +44 20 7946 0958",  # a phone number: 12 digits
        "call +1 (555) 123-4567",
        "2026-11-22 12:30:45",
        "on 22.11.2026 at 12.30",
        "order SW-2026-000123-77",
        "booking ref 1234567890",
        "12/25 and 1225",
        "1\u200b2\u200b3",
    ],
)
def test_dates_phones_and_order_numbers_stay(text: str) -> None:
    assert redact_cards(text) == text


def test_a_long_hostile_run_costs_little() -> None:
    # 50 000 one-digit groups: every window is checked, each in constant time.
    text = "1 " * 50_000
    assert redact_cards(text) == text
    assert redact_cards("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1") == REDACTED


def test_has_card() -> None:
    assert sanitize.has_card("x4111.1111.1111.1111")
    assert not sanitize.has_card("order-12345")


# -- Text that cannot be stored --------------------------------------------------------------


def test_lone_surrogates_are_replaced_everywhere_text_is_cleaned() -> None:
    assert redact_cards("a\ud800b\udfff") == "a\ufffdb\ufffd"
    assert redact_cards("\ud83d\ude00") == "\ufffd\ufffd"  # two code points, not one
    assert redact_cards("\U0001f600") == "\U0001f600"
    assert sanitize.message_body("hi \ud800", 4096) == "hi \ufffd"  # no UnicodeEncodeError
    clean = sanitize.context({"step": "\udc00", "data": {"k\ud800": ["\ud800"]}}, 4096)
    assert clean["step"] == "\ufffd" and clean["data"] == {"k\ufffd": ["\ufffd"]}
    json.dumps(clean, ensure_ascii=False).encode()  # storable as UTF-8


def test_a_message_of_nothing_storable_is_refused() -> None:
    with pytest.raises(ValueError, match="needs some text"):
        sanitize.message_body("\x00 \x00", 4096)


# -- Numbers in a context ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "where"),
    [
        (float("nan"), "context.data.fare"),
        (float("inf"), "context.data.fare"),
        (float("-inf"), "context.data.fare"),
        (10**400, "context.data.fare"),
    ],
)
def test_non_finite_numbers_in_a_context_are_refused(number: float, where: str) -> None:
    with pytest.raises(ValueError, match=f"^{where}: ") as caught:
        sanitize.context({"data": {"fare": number}}, 65536)
    assert not isinstance(caught.value, TooLarge)
    with pytest.raises(ValueError, match=r"context\.journey\.0\.props\.1"):
        sanitize.context({"journey": [{"props": [1, number]}]}, 65536)


def test_cards_as_numbers_keys_and_exponents_leave_a_context() -> None:
    clean = sanitize.context(
        {
            "data": {
                "int": int(VISA),
                "negative": -int(VISA),
                "exponent": 4.111111111111111e15,  # what JSON's 4.111111111111111e15 reads as
                "as float": float(AMEX),
                "4111 1111 1111 1111": "a card as a key",
                f"card{VISA}": 1,
                "fare": 412.5,
                "big": 10**25,
                "count": 3,
                "ok": True,
            }
        },
        65536,
    )
    data = clean["data"]
    assert [data[k] for k in ("int", "negative", "exponent", "as float")] == [REDACTED] * 4
    assert data[REDACTED] == "a card as a key" and data[f"card{REDACTED}"] == 1
    assert (data["fare"], data["big"], data["count"], data["ok"]) == (412.5, 10**25, 3, True)
    assert VISA not in json.dumps(clean) and "4111 1111" not in json.dumps(clean)
