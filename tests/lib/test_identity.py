"""Who the customer is: verified only by a JWT the app's backend signed (HS256, app secret)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tapline.lib.identity import sign_customer, verify_customer
from tapline.lib.schemas import UserIn

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


# -- Algorithms are configured, not taken from the token --------------------------------


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_tokens_in_another_algorithm_are_refused() -> None:
    """RS256 signed with a real key, RS256 whose 'signature' is an HMAC with the secret (the
    key-confusion attack), and `none`: only HS256 with the app's secret verifies."""
    now = int(time.time())
    good = {"sub": "u-42", "name": "Mallory", "exp": now + 60}
    rs256 = jwt.encode(good, _rsa_key(), "RS256")
    head, body = _b64({"alg": "RS256", "typ": "JWT"}), _b64(good)
    mac = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    hand_made = f"{head}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    none = jwt.encode(good, "", "none")
    for token in (rs256, hand_made, none):
        assert jwt.get_unverified_header(token)["alg"] in {"RS256", "none"}
        assert verify_customer(SECRET, _user(token)) == {"verified": False, **CLAIMED}


def test_a_token_without_exp_is_refused_even_if_signed_right() -> None:
    token = jwt.encode({"sub": "u-42", "name": "Sam"}, SECRET, "HS256")
    assert verify_customer(SECRET, _user(token))["verified"] is False


def test_decode_is_told_the_algorithm_and_the_required_claims(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PyJWT is never left to pick the algorithm from the token's header."""
    seen: dict[str, object] = {}
    real = jwt.decode

    def spy(*args: object, **kwargs: object) -> object:
        seen.update(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", spy)
    token = sign_customer(SECRET, "u-42", "Sam", "sam@example.com", int(time.time()) + 60)
    assert verify_customer(SECRET, _user(token))["verified"] is True
    assert seen["algorithms"] == ["HS256"]
    assert seen["options"] == {"require": ["sub", "exp"]}


# -- The test vector in docs/sdk.md ------------------------------------------------------

SDK_DOC = Path(__file__).resolve().parents[2] / "docs" / "sdk.md"


def _vector() -> tuple[str, str, str]:
    found = dict(
        re.findall(r"^(secret|claims|token):\s+(\S.*)$", SDK_DOC.read_text(), re.MULTILINE)
    )
    return found["secret"], found["claims"], found["token"]


def test_the_docs_test_vector_is_what_pyjwt_makes_and_it_verifies() -> None:
    secret, claims_text, token = _vector()
    claims = json.loads(claims_text)
    assert set(claims) == {"sub", "name", "email", "exp"}
    assert claims["exp"] > time.time() + 10 * 365 * 86400  # far in the future
    # The doc shows the claims as compact as PyJWT writes them.
    assert claims_text == json.dumps(claims, separators=(",", ":"))
    assert jwt.encode(claims, secret, "HS256") == token
    assert verify_customer(secret, _user(token)) == {
        "verified": True,
        "id": claims["sub"],
        "name": claims["name"],
        "email": claims["email"],
    }
    assert verify_customer(SECRET, _user(token))["verified"] is False  # another app's secret
