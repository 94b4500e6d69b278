"""Login as Cognito does it, against moto: the pre-authentication trigger first.

moto's Cognito never calls triggers. This builds the event Cognito would send (with
`callerContext.clientId`), runs the project's real handler, and refuses the way Cognito
reports a trigger's error before moto checks the password. Refresh-token sign-in does not
run the trigger, as in AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

Handler = Callable[[dict[str, Any], Any], Any]


def pre_authentication_event(
    *, region: str, user_pool_id: str, client_id: str, username: str, attributes: dict[str, str]
) -> dict[str, Any]:
    return {
        "version": "1",
        "region": region,
        "userPoolId": user_pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "triggerSource": "PreAuthentication_Authentication",
        "request": {"userAttributes": attributes, "validationData": None},
        "response": {},
    }


class TriggerRefused(ClientError):  # type: ignore[misc]  # botocore ships no types
    """The error Cognito returns when the pre-authentication trigger raises."""

    def __init__(self, reason: str, operation: str = "InitiateAuth"):
        super().__init__(
            {
                "Error": {
                    "Code": "NotAuthorizedException",
                    "Message": f"PreAuthentication failed with error {reason}.",
                },
                "ResponseMetadata": {"HTTPStatusCode": 400},
            },
            operation,
        )


def run_pre_authentication(
    cognito: Any,
    *,
    trigger: Handler,
    context: Any,
    region: str,
    user_pool_id: str,
    client_id: str,
    username: str,
) -> None:
    """Raise TriggerRefused if the trigger refuses; unknown users are left to Cognito."""
    try:
        user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=username)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "UserNotFoundException":
            return  # Cognito answers NotAuthorized itself (PreventUserExistenceErrors)
        raise
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    event = pre_authentication_event(
        region=region,
        user_pool_id=user_pool_id,
        client_id=client_id,
        username=user["Username"],
        attributes=attributes,
    )
    try:
        trigger(event, context)
    except Exception as exc:
        raise TriggerRefused(str(exc)) from exc


def login(
    cognito: Any,
    *,
    trigger: Handler,
    context: Any,
    region: str,
    user_pool_id: str,
    client_id: str,
    username: str,
    password: str,
) -> dict[str, Any]:
    """USER_PASSWORD_AUTH with the trigger applied; returns AuthenticationResult."""
    run_pre_authentication(
        cognito,
        trigger=trigger,
        context=context,
        region=region,
        user_pool_id=user_pool_id,
        client_id=client_id,
        username=username,
    )
    result = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    auth: dict[str, Any] = result["AuthenticationResult"]
    return auth
