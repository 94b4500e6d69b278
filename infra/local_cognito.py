"""Cognito's pre-authentication trigger in front of moto's Cognito endpoint.

moto never calls Lambda triggers. This WSGI middleware wraps moto's server app: on
`InitiateAuth` and `AdminInitiateAuth` it runs the project's real trigger first (through
`infra.cognito_login.run_pre_authentication`, with `callerContext.clientId` = the request's
ClientId) and refuses as Cognito does; every other request reaches moto unchanged, so real
clients (boto3, the AWS CLI) work against it as against Cognito.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

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
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.removeprefix(TARGET_PREFIX)
        if not target.startswith(TARGET_PREFIX) or operation not in GATED_OPERATIONS:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
        refusal = self._refusal(operation, body)
        if refusal is None:
            return self.app(environ, start_response)
        payload = json.dumps({"__type": "NotAuthorizedException", "message": refusal}).encode()
        headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Content-Length", str(len(payload))),
            ("x-amzn-ErrorType", "NotAuthorizedException"),
        ]
        origin = environ.get("HTTP_ORIGIN")
        if origin:  # as moto's own answers (flask-cors): a browser reads the refusal too
            headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        start_response("400 Bad Request", headers)
        return [payload]

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
