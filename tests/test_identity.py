"""Who the customer is: verified only by a JWT the app's backend signed (HS256, app secret)."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from tapline.identity import sign_customer, verify_customer
from tapline.schemas import UserIn

SECRET = "sk_" + "the-apps-own-secret-" * 4
CLAIMED = {"id": "u-claimed", "name": "Claimed Name", "email": "claimed@example.com"}


def _user(token: str | None) -> UserIn:
    return UserIn(token=token, **CLAIMED)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_token_signed_with_the_app_secret_verifies_with_its_claims() -> None:
    token = sign_customer(SECRET, "u-42", "Sam Traveller", "sam@example.com", int(time.time()) + 60)
    assert verify_customer(SECRET, _user(token)) == {
        "verified": True,
        "id": "u-42",
        "name": "Sam Traveller",
        "email": "sam@example.com",
    }


def test_only_signed_claims_are_verified_and_they_are_bounded() -> None:
    token = jwt.encode(
        {"sub": "u-42", "exp": int(time.time()) + 60, "email": "e" * 500}, SECRET, "HS256"
    )
    customer = verify_customer(SECRET, _user(token))
    assert customer["verified"] is True
    assert customer["id"] == "u-42"
    assert customer["email"] == "e" * 200
    # No name claim: the app's unsigned word for it is never the verified name.
    assert customer["name"] is None
    assert customer["claimed"] == {"name": "Claimed Name"}


def _unverified_tokens() -> dict[str, str | None]:
    now = int(time.time())
    good = {"sub": "u-42", "name": "Mallory", "exp": now + 60}
    return {
        "missing": None,
        "empty": "",
        "expired": jwt.encode({**good, "exp": now - 60}, SECRET, "HS256"),
        "forged": jwt.encode(good, "sk_" + "some-other-apps-secret-" * 4, "HS256"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(good)}.",
        "alg none, signed anyway": _b64({"alg": "none"}) + "." + _b64(good) + ".c2ln",
        "HS512": jwt.encode(good, SECRET, "HS512"),
        "no exp": jwt.encode({"sub": "u-42"}, SECRET, "HS256"),
        "no sub": jwt.encode({"exp": now + 60}, SECRET, "HS256"),
        "sub not a string": jwt.encode({**good, "sub": 42}, SECRET, "HS256"),
        "garbage": "not.a.jwt",
        "truncated": jwt.encode(good, SECRET, "HS256")[:-5],
    }


@pytest.mark.parametrize("case", list(_unverified_tokens()))
def test_bad_tokens_leave_the_customer_unverified(case: str) -> None:
    token = _unverified_tokens()[case]
    assert verify_customer(SECRET, _user(token)) == {"verified": False, **CLAIMED}


def test_no_user_at_all() -> None:
    assert verify_customer(SECRET, None) == {
        "verified": False,
        "id": None,
        "name": None,
        "email": None,
    }


def test_claimed_fields_are_fit_to_store() -> None:
    user = UserIn(id="u\x001", name="Sam 4111 1111 1111 1111\x00", email="s@example.com")
    assert verify_customer(SECRET, user) == {
        "verified": False,
        "id": "u1",
        "name": "Sam [card number removed]",
        "email": "s@example.com",
    }
