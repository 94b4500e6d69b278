"""Cognito pre-authentication trigger: the login gate of R13.

Imports only the login gate (pynamodb, botocore and the logger): nothing of the HTTP layer.
Raising refuses the login; Cognito reports "PreAuthentication failed with error <message>."
"""

from typing import Any

from clientaccounts.login_gate import pre_authentication_refusal
from clientaccounts.observability import logger, publish_metrics


class LoginRefused(Exception):
    pass


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        refusal = pre_authentication_refusal(
            event.get("callerContext", {}).get("clientId", ""),
            str(event.get("userName") or ""),
            event.get("request", {}).get("userAttributes", {}),
        )
    finally:
        publish_metrics()  # a refusal's count, as one EMF line
    if refusal is not None:
        raise LoginRefused(refusal.value)
    return event
