"""The local stack's TOTP emulation (`infra.local_cognito.SoftwareTokens`) in front of a
stand-in for moto: a secret per login, real codes required, wrong ones never reach moto."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pyotp

from infra.local_cognito import SoftwareTokens

NOW = 1_800_000_000


def _token(username: str) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"username": username}).encode()).decode()
    return f"header.{payload.rstrip('=')}.signature"


class FakeMoto:
    """Answers every operation with 200 and moto's one fixed secret; records what reached it."""

    def __init__(self) -> None:
        self.reached: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        operation = environ["HTTP_X_AMZ_TARGET"].split(".")[-1]
        self.reached.append(operation)
        body = {"SecretCode": "asdfasdfasdf"} if operation == "AssociateSoftwareToken" else {}
        payload = json.dumps(body).encode()
        start_response("200 OK", [("Content-Length", str(len(payload)))])
        return [payload]


def _call(app: SoftwareTokens, operation: str, request: dict[str, Any]) -> tuple[str, Any]:
    body = json.dumps(request).encode()
    environ = {
        "HTTP_X_AMZ_TARGET": f"AWSCognitoIdentityProviderService.{operation}",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    status: list[str] = []
    answer = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    return status[0], json.loads(answer)


def _associate(app: SoftwareTokens, username: str) -> str:
    status, answer = _call(app, "AssociateSoftwareToken", {"AccessToken": _token(username)})
    assert status.startswith("200")
    return str(answer["SecretCode"])


def _challenge(username: str, code: str) -> dict[str, Any]:
    return {
        "ChallengeName": "SOFTWARE_TOKEN_MFA",
        "Session": "s",
        "ChallengeResponses": {"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
    }


def test_each_login_gets_its_own_secret_and_needs_a_real_code() -> None:
    moto = FakeMoto()
    app = SoftwareTokens(moto, clock=lambda: float(NOW))
    secret, other = _associate(app, "ada"), _associate(app, "bob")
    assert secret != other and "asdfasdfasdf" not in (secret, other)
    code = pyotp.TOTP(secret).at(NOW)
    wrong = str((int(code) + 1) % 10**6).zfill(6)

    status, answer = _call(
        app, "VerifySoftwareToken", {"AccessToken": _token("ada"), "UserCode": wrong}
    )
    assert status.startswith("400") and answer["__type"] == "EnableSoftwareTokenMFAException"
    assert moto.reached.count("VerifySoftwareToken") == 0  # refused before moto
    status, _ = _call(app, "VerifySoftwareToken", {"AccessToken": _token("ada"), "UserCode": code})
    assert status.startswith("200") and moto.reached.count("VerifySoftwareToken") == 1

    status, answer = _call(app, "RespondToAuthChallenge", _challenge("ADA", wrong))
    assert status.startswith("400") and answer["__type"] == "CodeMismatchException"
    status, _ = _call(app, "RespondToAuthChallenge", _challenge("ADA", code))
    assert status.startswith("200")
    # Bob never verified: no code of anyone's signs him in.
    status, _ = _call(app, "RespondToAuthChallenge", _challenge("bob", pyotp.TOTP(other).at(NOW)))
    assert status.startswith("400")


def test_a_new_secret_counts_once_verified_and_then_replaces_the_old() -> None:
    app = SoftwareTokens(FakeMoto(), clock=lambda: float(NOW))
    old = _associate(app, "ada")
    _call(
        app,
        "VerifySoftwareToken",
        {"AccessToken": _token("ada"), "UserCode": pyotp.TOTP(old).at(NOW)},
    )
    new = _associate(app, "ada")
    assert (
        _call(app, "RespondToAuthChallenge", _challenge("ada", pyotp.TOTP(old).at(NOW)))[0][:3]
        == "200"
    )
    _call(
        app,
        "VerifySoftwareToken",
        {"AccessToken": _token("ada"), "UserCode": pyotp.TOTP(new).at(NOW)},
    )
    assert (
        _call(app, "RespondToAuthChallenge", _challenge("ada", pyotp.TOTP(old).at(NOW)))[0][:3]
        == "400"
    )
    assert (
        _call(app, "RespondToAuthChallenge", _challenge("ada", pyotp.TOTP(new).at(NOW)))[0][:3]
        == "200"
    )


def test_other_requests_and_challenges_reach_moto_unchanged() -> None:
    moto = FakeMoto()
    app = SoftwareTokens(moto)
    assert _call(app, "InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH"})[0].startswith("200")
    answer = _call(app, "RespondToAuthChallenge", {"ChallengeName": "NEW_PASSWORD_REQUIRED"})
    assert answer[0].startswith("200") and moto.reached == [
        "InitiateAuth",
        "RespondToAuthChallenge",
    ]
