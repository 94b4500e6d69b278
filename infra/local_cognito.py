"""What moto's Cognito endpoint lacks, emulated in front of it as WSGI middleware.

- The pre-authentication trigger: moto never calls Lambda triggers. `PreAuthenticationGate`,
  on `InitiateAuth` and `AdminInitiateAuth`, runs the project's real trigger first (through
  `infra.cognito_login.run_pre_authentication`, with `callerContext.clientId` = the request's
  ClientId) and refuses as Cognito does.
- TOTP second factors (R30): moto hands every user one fixed secret and, unless told by an
  environment variable, accepts any code. `SoftwareTokens` gives each login its own secret
  on `AssociateSoftwareToken` and checks RFC 6238 codes (`infra.totp`) against it on
  `VerifySoftwareToken` and on the `SOFTWARE_TOKEN_MFA` challenge's answer; moto keeps
  the rest (which logins have the factor enabled and preferred, the challenge itself).

Every other request reaches moto unchanged, so real clients (boto3, the AWS CLI) work
against it as against Cognito.
"""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from . import totp
from .cognito_login import Handler, TriggerRefused, run_pre_authentication

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
GATED_OPERATIONS = ("InitiateAuth", "AdminInitiateAuth")
# Sign-in with a refresh token does not run the pre-authentication trigger in Cognito either.
UNGATED_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")

WsgiApp = Callable[[dict[str, Any], Any], Any]


@dataclass
class PreAuthenticationGate:
    app: WsgiApp  # moto's server app
    cognito: Any  # a cognito-idp client on the local endpoint (the trigger reads the user)
    trigger: Handler
    context_factory: Callable[[], Any]  # a fresh Lambda context per trigger call
    region: str
    user_pool_id: str  # the pool whose LambdaConfig names the trigger
    client_ids: frozenset[str]  # that pool's app clients

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        operation = _operation(environ)
        if operation not in GATED_OPERATIONS:
            return self.app(environ, start_response)
        body = _read_body(environ)
        refusal = self._refusal(operation, body)
        if refusal is None:
            return self.app(environ, start_response)
        return _error(environ, start_response, "NotAuthorizedException", refusal)

    def _refusal(self, operation: str, body: bytes) -> str | None:
        """The message Cognito would answer with, or None to let moto decide."""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return None  # moto answers the malformed request
        client_id = request.get("ClientId", "")
        pool_id = request.get("UserPoolId", self.user_pool_id)
        username = (request.get("AuthParameters") or {}).get("USERNAME")
        if (
            request.get("AuthFlow") in UNGATED_FLOWS
            or not username
            or pool_id != self.user_pool_id
            or client_id not in self.client_ids
        ):
            return None
        try:
            run_pre_authentication(
                self.cognito,
                trigger=self.trigger,
                context=self.context_factory(),
                region=self.region,
                user_pool_id=pool_id,
                client_id=client_id,
                username=username,
            )
        except TriggerRefused as refused:
            return str(refused.response["Error"]["Message"])
        except ClientError:
            return None  # reading the user failed: moto gives the caller its own answer
        return None


def _operation(environ: dict[str, Any]) -> str | None:
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    return target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else None


def _read_body(environ: dict[str, Any]) -> bytes:
    body: bytes = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
    return body


def _error(
    environ: dict[str, Any], start_response: Any, error_type: str, message: str
) -> list[bytes]:
    """A Cognito error answer, as botocore parses it (ClientError with this code)."""
    payload = json.dumps({"__type": error_type, "message": message}).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Content-Length", str(len(payload))),
        ("x-amzn-ErrorType", error_type),
    ]
    origin = environ.get("HTTP_ORIGIN")
    if origin:  # as moto's own answers (flask-cors): a browser reads the refusal too
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    start_response("400 Bad Request", headers)
    return [payload]


def _json(body: bytes) -> dict[str, Any]:
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return {}
    return request if isinstance(request, dict) else {}


def _token_username(access_token: Any) -> str | None:
    """The `username` claim of a moto access token, read without checking it: only after moto
    accepted the token (or to find whose code to check; moto checks the token itself)."""
    if not isinstance(access_token, str) or access_token.count(".") != 2:
        return None
    payload = access_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    username = claims.get("username") if isinstance(claims, dict) else None
    return username.lower() if isinstance(username, str) else None


SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"  # noqa: S105 (a challenge's name, no secret)
CHALLENGE_ANSWERS = ("RespondToAuthChallenge", "AdminRespondToAuthChallenge")


@dataclass
class SoftwareTokens:
    """R30's TOTP as Cognito does it, where moto does not: a secret of its own per login,
    given by `AssociateSoftwareToken` (a new one replaces the one before, once verified), and
    real codes required by `VerifySoftwareToken` and the `SOFTWARE_TOKEN_MFA` challenge. moto
    must not check codes itself (`MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP` unset): it would
    check them against its one fixed secret."""

    app: WsgiApp  # moto (behind the other emulations)
    clock: Callable[[], float] | None = None  # seconds since the epoch; real time if None
    _associated: dict[str, str] = field(default_factory=dict)  # username -> secret to verify
    _verified: dict[str, str] = field(default_factory=dict)  # username -> the login's secret
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        operation = _operation(environ)
        if operation == "AssociateSoftwareToken":
            return self._associate(environ, start_response)
        if operation == "VerifySoftwareToken":
            return self._verify(environ, start_response)
        if operation in CHALLENGE_ANSWERS:
            return self._answer_challenge(environ, start_response)
        return self.app(environ, start_response)

    def _now(self) -> float | None:
        return self.clock() if self.clock is not None else None

    def _associate(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = _json(_read_body(environ))
        username = _token_username(request.get("AccessToken"))
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers)
            return lambda _data: None

        body = b"".join(self.app(environ, capture))
        answer = _json(body) if str(captured.get("status", "")).startswith("200") else {}
        if username is None or "SecretCode" not in answer:
            start_response(captured["status"], captured["headers"])
            return [body]  # moto's refusal (a bad token), or the MFA_SETUP session flow
        secret = totp.new_secret()
        with self._lock:
            self._associated[username] = secret
        answer["SecretCode"] = secret
        payload = json.dumps(answer).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(payload)))])
        return [payload]

    def _verify(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = _json(_read_body(environ))
        username = _token_username(request.get("AccessToken"))
        if username is None:
            return self.app(environ, start_response)  # moto refuses the token
        with self._lock:
            secret = self._associated.get(username)
        if secret is None:
            return _error(
                environ,
                start_response,
                "InvalidParameterException",
                "No software token is associated: call AssociateSoftwareToken first.",
            )
        if not totp.verify(secret, str(request.get("UserCode", "")), at=self._now()):
            return _error(
                environ, start_response, "EnableSoftwareTokenMFAException", "Code mismatch"
            )
        captured: dict[str, Any] = {}

        def passing(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = status
            return start_response(status, headers, exc_info)

        result = list(self.app(environ, passing))
        if str(captured.get("status", "")).startswith("200"):
            with self._lock:
                self._verified[username] = secret
                self._associated.pop(username, None)
        return result

    def _answer_challenge(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = _json(_read_body(environ))
        if request.get("ChallengeName") != SOFTWARE_TOKEN_MFA:
            return self.app(environ, start_response)
        answers = request.get("ChallengeResponses") or {}
        username = str(answers.get("USERNAME", "")).lower()
        code = str(answers.get("SOFTWARE_TOKEN_MFA_CODE", ""))
        with self._lock:
            secret = self._verified.get(username)
        if secret is None or not totp.verify(secret, code, at=self._now()):
            return _error(
                environ, start_response, "CodeMismatchException", "Invalid code received for user"
            )
        return self.app(environ, start_response)
