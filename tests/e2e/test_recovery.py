"""Recovery and one's own account over the local stack, as a portal and the Care App would do
it (R23, R24): forgot login -> reset -> log in; email change -> confirm -> the old address is
told and the old session is gone; a Cognito ChangePassword reported to the API."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import RunningStack, registered_and_confirmed
from tests.support.request_bodies import PASSWORD

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Reset-by-email-55"


def _bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": tokens["IdToken"]}


def _past_cool_down(stack: RunningStack) -> None:
    assert stack.call("POST", "/_local/clock", {"advance_seconds": 61}).status == 200


def _refresh_refused(stack: RunningStack, refresh_token: str, app: str) -> bool:
    try:
        stack.cognito().initiate_auth(
            ClientId=stack.client_id(app),
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except ClientError as exc:
        code: str = exc.response["Error"]["Code"]
        return code == "NotAuthorizedException"
    return False


def test_r23_forgot_login_then_reset_then_log_in(local_stack: RunningStack) -> None:
    slug = local_stack.organization()["org"]["slug"]
    client = registered_and_confirmed(local_stack, slug)
    email, username = str(client["email"]), str(client["username"])
    old_session = local_stack.login(username, "care_app")
    _past_cool_down(local_stack)

    asked = local_stack.call("POST", f"/public/orgs/{slug}/forgot-login", {"email": email})
    unknown = local_stack.call(
        "POST", f"/public/orgs/{slug}/forgot-login", {"email": f"x{uuid.uuid4().hex}@mail.example"}
    )
    assert asked.status == unknown.status == 202 and asked.body == unknown.body
    mail = local_stack.mailbox(email)[-1]
    assert username in mail["text"] and "/reset-password?token=" in mail["text"]

    token = local_stack.link_token(email)
    done = local_stack.call(
        "POST", "/public/password-resets", {"token": token, "password": NEW_PASSWORD}
    )
    assert done.status == 200, done.text
    assert local_stack.login(username, "portal", NEW_PASSWORD)["IdToken"]
    with pytest.raises(ClientError):
        local_stack.login(username, "portal", PASSWORD)
    assert _refresh_refused(local_stack, old_session["RefreshToken"], "care_app")
    assert "changed" in local_stack.mailbox(email)[-1]["subject"].lower()
    again = local_stack.call(
        "POST", "/public/password-resets", {"token": token, "password": "Yet-another-66"}
    )
    assert again.status == 410 and again.body["code"] == "link_used"


def test_r24_own_email_change_tells_the_old_address_and_ends_sessions(
    local_stack: RunningStack,
) -> None:
    slug = local_stack.organization()["org"]["slug"]
    client = registered_and_confirmed(local_stack, slug)
    old_email, username = str(client["email"]), str(client["username"])
    session = local_stack.login(username, "portal")
    new_email = f"moved.{uuid.uuid4().hex[:8]}@mail.example"

    asked = local_stack.call(
        "POST", "/me/email-change", {"email": new_email}, headers=_bearer(session)
    )
    assert asked.status == 202, asked.text
    token = local_stack.link_token(new_email)
    confirmed = local_stack.call("POST", "/public/email-changes/confirm", {"token": token})
    assert confirmed.status == 200, confirmed.text

    assert "changed" in local_stack.mailbox(old_email)[-1]["subject"].lower()
    assert _refresh_refused(local_stack, session["RefreshToken"], "portal")
    fresh = local_stack.login(username, "portal")
    me = local_stack.call("GET", "/me", headers=_bearer(fresh))
    assert me.status == 200 and me.body["email"] == new_email


def test_r23_change_password_in_cognito_then_report_it(local_stack: RunningStack) -> None:
    slug = local_stack.organization()["org"]["slug"]
    client = registered_and_confirmed(local_stack, slug)
    username = str(client["username"])
    session = local_stack.login(username, "care_app")

    local_stack.cognito().change_password(
        PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD, AccessToken=session["AccessToken"]
    )
    reported = local_stack.call("POST", "/me/password-changed", headers=_bearer(session))
    assert reported.status == 202, reported.text
    assert _refresh_refused(local_stack, session["RefreshToken"], "care_app")
    assert "changed" in local_stack.mailbox(str(client["email"]))[-1]["subject"].lower()
    assert local_stack.login(username, "care_app", NEW_PASSWORD)["IdToken"]
