"""strict_json: only finite numbers and valid Unicode come in, only valid JSON goes out."""

from __future__ import annotations

import json
import math

import pytest

from tapline import strict_json
from tapline.strict_json import StrictJSONError


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ('{"context":{"data":{"fare":NaN}}}', ("context", "data", "fare"), "NaN is not"),
        ('{"a":Infinity}', ("a",), "Infinity is not"),
        ('{"a":[1,-Infinity]}', ("a", 1), "-Infinity is not"),
        ('{"slot":1e400}', ("slot",), "1e400 is out of range"),
        ('{"slot":-1.5e999}', ("slot",), "out of range"),
        ('{"n":1' + "0" * 400 + "}", ("n",), "out of range"),  # an integer no double holds
        ("NaN", (), "NaN is not"),
    ],
)
def test_non_finite_and_overflowing_numbers_are_refused_where_they_are(
    text: str, path: tuple[object, ...], message: str
) -> None:
    with pytest.raises(StrictJSONError, match=message) as caught:
        strict_json.loads(text)
    assert caught.value.path == path
    assert isinstance(caught.value, ValueError)  # what the socket reader catches


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"body":"hi \\ud800"}', ("body",)),
        ('{"a":["ok","\\udfff x"]}', ("a", 1)),
        ('{"ctx":{"\\ud800":1}}', ("ctx",)),
        ('"\\udc00"', ()),
    ],
)
def test_lone_surrogates_are_refused(text: str, path: tuple[object, ...]) -> None:
    with pytest.raises(StrictJSONError, match="valid Unicode") as caught:
        strict_json.loads(text)
    assert caught.value.path == path


def test_good_json_is_read_as_usual() -> None:
    text = (
        '{"a":[1,2.5,-0.0,1e300,true,null],"b":"\\ud83d\\ude00 é","c":{"d":12345678901234567890}}'
    )
    assert strict_json.loads(text) == json.loads(text)
    assert strict_json.loads(text.encode()) == json.loads(text)
    assert strict_json.loads('"\\ud83d\\ude00"') == "\U0001f600"  # a pair is one character


@pytest.mark.parametrize("text", ["{", "[1,]", "{'a': 1}", "nan", "", '{"a":1} x'])
def test_what_is_not_json_stays_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        strict_json.loads(text)


def test_deep_nesting_is_a_value_error_not_a_crash() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        strict_json.loads("[" * 100_000 + "]" * 100_000)


def test_dumps_is_compact_and_refuses_non_finite_numbers() -> None:
    assert strict_json.dumps({"a": [1, 2.5], "b": "é"}) == '{"a":[1,2.5],"b":"\\u00e9"}'
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError):
            strict_json.dumps({"offer": {"context": {"data": {"fare": bad}}}})
