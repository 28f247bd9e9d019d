"""Server-made ids: unguessable, and never shaped like a card number."""

from __future__ import annotations

import re

import pytest

from tapline.store import models


def test_an_id_never_holds_thirteen_digits_in_a_row(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter(["1234567890123456", "12345678901a3456"])
    monkeypatch.setattr(models.secrets, "token_hex", lambda n: next(draws))
    assert models.new_id("r") == "r_12345678901a3456"  # the first draw was refused


def test_ids_are_prefixed_hex() -> None:
    made = {models.new_id("r") for _ in range(200)}
    assert len(made) == 200
    assert all(re.fullmatch(r"r_[0-9a-f]{16}", one) for one in made)
