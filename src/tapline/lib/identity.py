"""Who the customer is: verified only when the app's backend signed it."""

from __future__ import annotations

from typing import Any

import jwt

from tapline.lib.sanitize import redact_cards
from tapline.lib.schemas import UserIn

_CLAIM_MAX = 200


def verify_customer(secret: str, user: UserIn | None) -> dict[str, Any]:
    """The customer as the desk sees it. A bad or missing token makes them unverified.

    A verified customer's `id`, `name` and `email` are the signed claims and nothing else:
    what the app sent beside the token is unchecked, so it goes under `claimed` (the desk
    shows it as unverified), never in place of a claim the token lacks.
    """
    if user is None:
        return {"verified": False, "id": None, "name": None, "email": None}
    if user.token:
        claims = _decode(secret, user.token)
        if claims is not None:
            unsigned = {
                key: _text(value)
                for key, value in (("name", user.name), ("email", user.email))
                if value and not claims.get(key)
            }
            return {
                "verified": True,
                "id": _text(claims.get("sub")),
                "name": _text(claims.get("name")),
                "email": _text(claims.get("email")),
                **({"tier": _text(claims["tier"])} if claims.get("tier") else {}),
                **({"claimed": unsigned} if unsigned else {}),
            }
    return {
        "verified": False,
        "id": _text(user.id),
        "name": _text(user.name),
        "email": _text(user.email),
    }


def sign_customer(secret: str, sub: str, name: str, email: str, exp: int) -> str:
    """What an app's backend does; the demo uses it for its traveller."""
    return jwt.encode({"sub": sub, "name": name, "email": email, "exp": exp}, secret, "HS256")


def _decode(secret: str, token: str) -> dict[str, Any] | None:
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=["HS256"], options={"require": ["sub", "exp"]}
        )
    except jwt.PyJWTError:
        return None
    return claims


def _text(value: object) -> str | None:
    """A claim fit to store: bounded, without NUL characters or card numbers."""
    return redact_cards(str(value))[:_CLAIM_MAX] if value is not None else None
