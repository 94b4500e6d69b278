"""The local Cognito authorizer against tokens the local Cognito endpoint really issued."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from joserfc.jwk import KeySet
from werkzeug.test import Client

from infra.local_authorizer import TokenRejected, fetch_jwks, issuer, verify_id_token
from infra.local_gateway import ApiGateway
from infra.template import Route
from tests.e2e.conftest import RunningStack
from tests.support.request_bodies import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tokens(local_stack: RunningStack) -> dict[str, Any]:
    admin = local_stack.organization()["org"]["slug"]
    return local_stack.login(f"admin-{admin}", "portal", PASSWORD)


@pytest.fixture(scope="module")
def keys(local_stack: RunningStack) -> KeySet:
    return fetch_jwks(local_stack.config["aws_endpoint"], local_stack.config["user_pool_id"])


@pytest.fixture
def verify(local_stack: RunningStack, keys: KeySet) -> Any:
    config = local_stack.config

    def run(header: str | None, **overrides: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "keys": keys,
            "expected_issuer": issuer(config["region"], config["user_pool_id"]),
            "audiences": {config["portal_client_id"], config["app_client_id"]},
            **overrides,
        }
        return verify_id_token(header, **kwargs)

    return run


def _with_payload(token: str, **changes: Any) -> str:
    """The same token with changed claims and the original signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_valid_id_token_gives_its_claims_raw_or_bearer(verify: Any, tokens: Any) -> None:
    for header in (tokens["IdToken"], f"Bearer {tokens['IdToken']}"):
        claims = verify(header)
        assert claims["token_use"] == "id"
        assert claims["custom:account_kind"] == "staff"


@pytest.mark.parametrize(
    "header",
    [None, "", "garbage", "Bearer ", "a.b.c", "Bearer not.a.jwt"],
    ids=["none", "empty", "garbage", "bare-bearer", "three-parts", "bearer-garbage"],
)
def test_garbage_is_rejected(verify: Any, header: str | None) -> None:
    with pytest.raises(TokenRejected):
        verify(header)


def test_tampered_expiry_breaks_the_signature(verify: Any, tokens: Any) -> None:
    with pytest.raises(TokenRejected, match="BadSignature"):
        verify(_with_payload(tokens["IdToken"], exp=4_000_000_000))


def test_expired_token_is_rejected(verify: Any, tokens: Any) -> None:
    exp = verify(tokens["IdToken"])["exp"]
    with pytest.raises(TokenRejected, match="expired"):
        verify(tokens["IdToken"], now=exp + 1)


def test_token_for_another_app_client_is_rejected(verify: Any, tokens: Any) -> None:
    with pytest.raises(TokenRejected, match="audience"):
        verify(tokens["IdToken"], audiences={"some-other-client"})


def test_token_from_another_pool_is_rejected(verify: Any, tokens: Any) -> None:
    with pytest.raises(TokenRejected, match="issuer"):
        verify(tokens["IdToken"], expected_issuer=issuer("us-east-1", "us-east-1_other"))


def test_access_token_is_not_an_id_token(verify: Any, tokens: Any) -> None:
    with pytest.raises(TokenRejected):
        verify(tokens["AccessToken"])


def test_authorized_route_answers_401_or_passes_string_claims(verify: Any, tokens: Any) -> None:
    """A route behind the authorizer, served by the local gateway (none exists in the
    template yet, so the route is made up here)."""
    seen: list[dict[str, Any]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        seen.append(event)
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}

    gateway = ApiGateway(
        authorizer=verify,
        stage="dev",
        routes=[Route("MeFunction", "Me", "GET", "/me", authorized=True)],
        invoke=invoke,
        log=lambda _line: None,
    )
    client = Client(gateway)
    for headers in [{}, {"Authorization": "garbage"}, {"Authorization": tokens["AccessToken"]}]:
        answer = client.get("/me", headers=headers)
        assert answer.status_code == 401
        assert answer.json == {"message": "Unauthorized", "code": "unauthorized"}
    assert seen == []

    answer = client.get("/me", headers={"Authorization": f"Bearer {tokens['IdToken']}"})
    assert answer.status_code == 200
    claims = seen[0]["requestContext"]["authorizer"]["claims"]
    assert claims["token_use"] == "id"
    assert all(isinstance(v, str) for v in claims.values())
