"""How a customer looks on the wire to the desk: `verified` covers signed claims only."""

from __future__ import annotations

from tapline.lib import views


def test_verified_is_true_only_for_true_and_claimed_only_beside_it() -> None:
    row = {"verified": "yes", "id": "u-1", "name": "Sam", "email": None, "tier": "gold"}
    assert views.customer({**row, "claimed": {"name": "Eve"}}) == {
        "verified": False,
        "id": "u-1",
        "name": "Sam",
        "email": None,
    }
    signed = {**row, "verified": True, "name": None, "claimed": {"name": "Eve", "x": "y"}}
    assert views.customer(signed) == {
        "verified": True,
        "id": "u-1",
        "name": None,
        "email": None,
        "claimed": {"name": "Eve"},
    }
