"""The API Gateway Cognito authorizer, locally: checks a Cognito ID token as API Gateway does
for a route behind `CognitoAuthorizer` (signature against the pool's JWKS, expiry, issuer,
audience = one of the pool's app clients, `token_use == "id"`).

moto signs its tokens with a fixed key and serves the matching JWKS at
`<endpoint>/<pool id>/.well-known/jwks.json`, so the check is the real one. Expiry is checked
on real time: Cognito issues tokens on real time, not on the application's clock.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet


class TokenRejected(Exception):
    """The token does not pass; API Gateway answers 401 {"message": "Unauthorized"}."""


def issuer(region: str, user_pool_id: str) -> str:
    """The `iss` claim Cognito (and moto) put in the pool's tokens."""
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def fetch_jwks(aws_endpoint: str, user_pool_id: str, timeout: float = 5.0) -> KeySet:
    """The pool's public keys, from the local endpoint (never from AWS)."""
    url = f"{aws_endpoint.rstrip('/')}/{user_pool_id}/.well-known/jwks.json"
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - our own endpoint
        return KeySet.import_key_set(json.loads(answer.read()))


def verify_id_token(
    authorization: str | None,
    *,
    keys: KeySet,
    expected_issuer: str,
    audiences: Collection[str],
    now: float | None = None,
) -> dict[str, Any]:
    """The token's claims, or TokenRejected. `authorization` is the raw header value: the
    token itself or `Bearer <token>`."""
    if not authorization:
        raise TokenRejected("no token")
    token = authorization.removeprefix("Bearer ").strip()
    try:
        claims = jwt.decode(token, keys, algorithms=["RS256"]).claims
    except (JoseError, ValueError) as exc:  # bad signature, not a JWT, unknown key
        raise TokenRejected(type(exc).__name__) from exc
    current = time.time() if now is None else now
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] <= current:
        raise TokenRejected("expired")
    if claims.get("iss") != expected_issuer:
        raise TokenRejected("issuer")
    if claims.get("aud") not in audiences:
        raise TokenRejected("audience")
    if claims.get("token_use") != "id":
        raise TokenRejected("token_use")
    return claims


def _gateway_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def api_gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as a REST API hands them to Lambda in `requestContext.authorizer.claims`:
    every value a string, `exp` and `iat` spelled as dates."""
    out: dict[str, str] = {}
    for name, value in claims.items():
        if name in ("exp", "iat") and isinstance(value, int | float):
            out[name] = _gateway_time(value)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, list):
            out[name] = ",".join(str(v) for v in value)
        else:
            out[name] = str(value)
    return out
