"""R30 over the local stack, as the portal does it, with real TOTP codes (computed by pyotp,
independently of the stack's own RFC 6238 check): an org admin enrols and requires a second
factor of all staff; sign-in is then InitiateAuth -> SOFTWARE_TOKEN_MFA -> a code -> tokens,
a wrong code refused; a staff member without one is refused by the API until they enrol;
after an org admin's reset they sign in without the challenge and must enrol again."""

from __future__ import annotations

import uuid
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import RunningStack
from tests.support.request_bodies import PASSWORD

pytestmark = pytest.mark.e2e


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": tokens["IdToken"]}


def _wrong(code: str) -> str:
    return str((int(code) + 1) % 10**6).zfill(6)


def _start(stack: RunningStack, username: str) -> dict[str, Any]:
    answer: dict[str, Any] = stack.cognito().initiate_auth(
        ClientId=stack.client_id("portal"),
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return answer


def _answer(stack: RunningStack, username: str, session: str, code: str) -> dict[str, Any]:
    answer = stack.cognito().respond_to_auth_challenge(
        ClientId=stack.client_id("portal"),
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=session,
        ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
    )
    result: dict[str, Any] = answer["AuthenticationResult"]
    return result


def _enrol(stack: RunningStack, tokens: dict[str, Any], *, first: bool = True) -> str:
    """The portal's enrolment: a secret from Cognito for the authenticator app, a code of the
    app verified by Cognito, then the API told. The secret. (Telling the API before any code
    was verified is refused the first time; after a reset, Cognito still holds the verified
    token of before until a new one is verified: README, "Honest limits".)"""
    cognito = stack.cognito()
    secret = str(cognito.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"])
    app = pyotp.TOTP(secret)
    with pytest.raises(ClientError) as wrong:
        cognito.verify_software_token(
            AccessToken=tokens["AccessToken"], UserCode=_wrong(app.now()), FriendlyDeviceName="x"
        )
    assert wrong.value.response["Error"]["Code"] == "EnableSoftwareTokenMFAException"
    if first:
        told_too_soon = stack.call("POST", "/me/mfa", headers=_bearer(tokens))
        assert told_too_soon.status == 409 and told_too_soon.body["code"] == "mfa_not_verified"
    verified = cognito.verify_software_token(
        AccessToken=tokens["AccessToken"], UserCode=app.now(), FriendlyDeviceName="phone"
    )
    assert verified["Status"] == "SUCCESS"
    told = stack.call("POST", "/me/mfa", headers=_bearer(tokens))
    assert told.status == 200, told.text
    return secret


def _signed_in_with_code(stack: RunningStack, username: str, secret: str) -> dict[str, Any]:
    started = _start(stack, username)
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in started
    code = pyotp.TOTP(secret).now()
    with pytest.raises(ClientError) as refused:
        _answer(stack, username, started["Session"], _wrong(code))
    assert refused.value.response["Error"]["Code"] == "CodeMismatchException"
    return _answer(stack, username, _start(stack, username)["Session"], code)


def _accepted_staff(stack: RunningStack, slug: str, admin: dict[str, Any]) -> dict[str, Any]:
    """A care coordinator invited by the admin, who accepted with a username and password."""
    email = f"coordinator.{uuid.uuid4().hex[:8]}@{slug}.example"
    departments = stack.call("GET", "/departments", headers=_bearer(admin)).body["items"]
    invited = stack.call(
        "POST",
        "/staff",
        {
            "first_name": "Casey",
            "last_name": "Coordinator",
            "email": email,
            "roles": ["care_coordinator"],
            "department_ids": [departments[0]["id"]],
        },
        headers=_bearer(admin),
    )
    assert invited.status == 201, invited.text
    username = f"casey-{uuid.uuid4().hex[:8]}"
    accepted = stack.call(
        "POST",
        "/public/invitations/accept",
        {"token": stack.link_token(email), "username": username, "password": PASSWORD},
    )
    assert accepted.status == 200, accepted.text
    return {"id": invited.body["id"], "email": email, "username": username}


def test_r30_enrol_require_sign_in_with_a_code_and_reset(local_stack: RunningStack) -> None:
    created = local_stack.organization()
    slug = created["org"]["slug"]
    admin_name = f"admin-{slug}"
    admin = local_stack.login(admin_name, "portal")

    # Not enrolled: the requirement cannot be switched on (nobody locks the practice out).
    refused = local_stack.call("PATCH", "/org", {"require_staff_mfa": True}, headers=_bearer(admin))
    assert refused.status == 409 and refused.body["code"] == "enroll_first"

    admin_secret = _enrol(local_stack, admin)
    assert len(admin_secret) >= 16 and admin_secret != "asdfasdfasdf"  # its own, not moto's
    on = local_stack.call("PATCH", "/org", {"require_staff_mfa": True}, headers=_bearer(admin))
    assert on.status == 200 and on.body["require_staff_mfa"] is True

    # The admin's next sign-in asks for a code; a wrong one is refused, a right one signs in.
    admin = _signed_in_with_code(local_stack, admin_name, admin_secret)
    me = local_stack.call("GET", "/me", headers=_bearer(admin))
    assert me.status == 200 and me.body["mfa_enrolled"] is True

    # A staff member without a second factor: only the routes that enrol answer them.
    member = _accepted_staff(local_stack, slug, admin)
    tokens = local_stack.login(member["username"], "portal")  # no challenge: not enrolled
    blocked = local_stack.call("GET", "/clients", headers=_bearer(tokens))
    assert blocked.status == 403 and blocked.body["code"] == "mfa_enrollment_required"
    me = local_stack.call("GET", "/me", headers=_bearer(tokens))
    assert me.status == 200 and me.body["mfa_enrollment_required"] is True
    member_secret = _enrol(local_stack, tokens)
    assert member_secret != admin_secret  # a secret per login
    assert local_stack.call("GET", "/clients", headers=_bearer(tokens)).status == 200
    tokens = _signed_in_with_code(local_stack, member["username"], member_secret)

    # The phone is lost: the org admin resets the factor.
    reset = local_stack.call("POST", f"/staff/{member['id']}/mfa-reset", headers=_bearer(admin))
    assert reset.status == 200, reset.text
    with pytest.raises(ClientError):  # every session ended
        local_stack.cognito().initiate_auth(
            ClientId=local_stack.client_id("portal"),
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    notice = [m for m in local_stack.mailbox(member["email"]) if "second factor" in m["subject"]]
    assert len(notice) == 1 and member["username"] in notice[0]["text"]
    assert "Casey" not in notice[0]["text"] + notice[0]["html"]
    shown = local_stack.call("GET", f"/staff/{member['id']}", headers=_bearer(admin))
    assert shown.body["mfa_enrolled"] is False

    # The challenge is gone; the practice still requires a factor, so they enrol again.
    started = _start(local_stack, member["username"])
    assert "ChallengeName" not in started or not started["ChallengeName"]
    tokens = started["AuthenticationResult"]
    blocked = local_stack.call("GET", "/clients", headers=_bearer(tokens))
    assert blocked.status == 403 and blocked.body["code"] == "mfa_enrollment_required"
    new_secret = _enrol(local_stack, tokens, first=False)
    assert new_secret != member_secret
    assert local_stack.call("GET", "/clients", headers=_bearer(tokens)).status == 200
    # The old secret's codes no longer sign in; the new one's do.
    started = _start(local_stack, member["username"])
    old_code = pyotp.TOTP(member_secret).now()
    with pytest.raises(ClientError):
        _answer(local_stack, member["username"], started["Session"], old_code)
    assert _signed_in_with_code(local_stack, member["username"], new_secret)["IdToken"]
