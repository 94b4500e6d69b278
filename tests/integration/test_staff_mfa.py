"""R30: staff sign in with a second factor (TOTP through Cognito) where their organization
requires it; an org_admin resets a lost one, audited. Cognito here is moto in process (it
accepts any code; the local stack checks real ones: tests/e2e/test_staff_mfa.py)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from clientaccounts import aws
from clientaccounts.auth import caller_from_claims
from clientaccounts.errors import Conflict
from clientaccounts.organizations import update_organization
from clientaccounts.persistence import store
from clientaccounts.persistence.models import Staff
from clientaccounts.schemas import UpdateOrganizationRequest
from tests.support.request_bodies import PASSWORD, registration_body
from tests.support.stack import Caller, Stack


def _staff_with_login(stack: Stack, org: Any, roles: list[str] | None = None) -> Staff:
    member = stack.staff(org, roles=roles or ["care_coordinator"])
    stack.give_login(member.org_id, member.staff_id, member.username or "")
    return member


def _enrolled(stack: Stack, caller: Caller) -> str:
    """The portal's enrolment: Cognito verifies a code of the app, then POST /me/mfa."""
    claims = caller.claims or {}
    secret = stack.verify_software_token(claims["cognito:username"])
    answer = caller.call("POST", "/me/mfa")
    assert answer.status == 200, answer.body
    return secret


def _admin_enrolled(stack: Stack, org: Any) -> Caller:
    admin = stack.as_admin(org)
    _enrolled(stack, admin)
    return admin


def _require(admin: Caller, on: bool = True) -> Any:
    return admin.call("PATCH", "/org", {"require_staff_mfa": on})


def _sign_in(stack: Stack, username: str) -> dict[str, Any]:
    """USER_PASSWORD_AUTH as the portal starts it: tokens, or a challenge."""
    answer: dict[str, Any] = stack.client("cognito-idp").initiate_auth(
        ClientId=stack.provisioned.portal_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return answer


def _audit_actions(stack: Stack, subject_id: str) -> list[str]:
    items = stack.client("dynamodb").scan(TableName="AuditTable")["Items"]
    return [i["action"]["S"] for i in items if i["subject_ref"]["S"].endswith(f"#{subject_id}")]


def _mfa_settings(stack: Stack, username: str) -> list[str]:
    user = stack.client("cognito-idp").admin_get_user(
        UserPoolId=stack.provisioned.user_pool_id, Username=username
    )
    return list(user.get("UserMFASettingList") or [])


# --- the setting ---------------------------------------------------------------------------


def test_the_setting_is_off_by_default_and_read_with_the_organization(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.as_staff(stack.staff(org, roles=["practitioner"]))
    assert doc.call("GET", "/org").body["require_staff_mfa"] is False
    assert doc.call("GET", "/me").body["mfa_enrollment_required"] is False


def test_an_org_admin_without_a_second_factor_cannot_switch_it_on(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    refused = _require(admin)
    assert refused.status == 409 and refused.body["code"] == "enroll_first"
    assert refused.body["errors"][0]["field"] == "require_staff_mfa"
    assert admin.call("GET", "/org").body["require_staff_mfa"] is False


def test_an_enrolled_org_admin_switches_it_on_and_off(stack: Stack) -> None:
    org = stack.organization()
    admin = _admin_enrolled(stack, org)
    on = _require(admin)
    assert on.status == 200 and on.body["require_staff_mfa"] is True
    assert admin.call("GET", "/org").body["require_staff_mfa"] is True
    off = _require(admin, False)
    assert off.status == 200 and off.body["require_staff_mfa"] is False
    actions = _audit_actions(stack, org.org["slug"])
    assert "organization.staff_mfa_required" in actions
    assert "organization.staff_mfa_not_required" in actions


def test_only_an_org_admin_changes_it(stack: Stack) -> None:
    org = stack.organization()
    dept_admin = stack.as_staff(stack.staff(org, roles=["dept_admin"]))
    refused = dept_admin.call("PATCH", "/org", {"require_staff_mfa": False})
    assert refused.status == 403


def test_switching_on_is_refused_when_the_admins_factor_was_reset_meanwhile(
    stack: Stack,
) -> None:
    """The enrolment is a condition of the write, not only of the read."""
    org = stack.organization()
    admin = _admin_enrolled(stack, org)
    caller = caller_from_claims(admin.claims)  # read while enrolled
    record = store.get_staff(org.org["slug"], org.admin_id)
    assert record is not None
    record.mfa_enrolled = False  # a reset commits in between
    record.save()
    with pytest.raises(Conflict) as refused:
        update_organization(caller, UpdateOrganizationRequest.parse({"require_staff_mfa": True}))
    assert refused.value.code == "enroll_first"
    assert admin.call("GET", "/me").body["mfa_enrolled"] is False


def test_the_setting_is_a_boolean(stack: Stack) -> None:
    admin = _admin_enrolled(stack, stack.organization())
    bad = admin.call("PATCH", "/org", {"require_staff_mfa": "yes"})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "require_staff_mfa"


# --- enrolment ----------------------------------------------------------------------------


def test_enrolment_makes_the_factor_the_logins_preferred_one_and_shows_on_me(
    stack: Stack,
) -> None:
    org = stack.organization()
    member = _staff_with_login(stack, org)
    caller = stack.as_staff(member)
    before = caller.call("GET", "/me").body
    assert before["mfa_enrolled"] is False and before["mfa_enrollment_required"] is False
    _enrolled(stack, caller)
    assert caller.call("GET", "/me").body["mfa_enrolled"] is True
    assert _mfa_settings(stack, member.username or "") == ["SOFTWARE_TOKEN_MFA"]
    assert "staff.mfa_enrolled" in _audit_actions(stack, member.staff_id)
    # Every later sign-in is challenged for a code.
    assert _sign_in(stack, member.username or "")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    # Managers see it on the staff object.
    shown = stack.as_admin(org).call("GET", f"/staff/{member.staff_id}").body
    assert shown["mfa_enrolled"] is True


def test_enrolment_without_a_verified_code_is_refused(stack: Stack) -> None:
    org = stack.organization()
    member = _staff_with_login(stack, org)
    refused = stack.as_staff(member).call("POST", "/me/mfa")
    assert refused.status == 409 and refused.body["code"] == "mfa_not_verified"
    assert stack.as_staff(member).call("GET", "/me").body["mfa_enrolled"] is False
    assert _mfa_settings(stack, member.username or "") == []


def test_a_client_has_no_second_factor_here(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    assert stack.register(org.org["slug"], **body).status == 202
    assert stack.confirm_registration(body).status == 200
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    refused = stack.as_client(client).call("POST", "/me/mfa")
    assert refused.status == 403
    me = stack.as_client(client).call("GET", "/me").body
    assert "mfa_enrolled" not in me and "mfa_enrollment_required" not in me


# --- enforcement --------------------------------------------------------------------------

REFUSED_WHILE_ENROLLING = [
    ("GET", "/clients", None),
    ("GET", "/org", None),
    ("GET", "/staff", None),
    ("GET", "/departments", None),
    ("PATCH", "/me", {"new_client_notifications": False}),
    ("POST", "/me/email-change", {"email": "moved@mail.example"}),
]


def test_staff_without_a_factor_reach_only_the_routes_that_enrol(stack: Stack) -> None:
    org = stack.organization()
    admin = _admin_enrolled(stack, org)
    member = _staff_with_login(stack, org, ["care_coordinator"])
    caller = stack.as_staff(member)
    assert _require(admin).status == 200

    for method, path, body in REFUSED_WHILE_ENROLLING:
        refused = caller.call(method, path, body)
        assert refused.status == 403, (method, path)
        assert refused.body["code"] == "mfa_enrollment_required", (method, path)
    me = caller.call("GET", "/me")
    assert me.status == 200 and me.body["mfa_enrollment_required"] is True
    assert caller.call("POST", "/me/password-changed").status == 202

    _enrolled(stack, caller)
    assert caller.call("GET", "/clients").status == 200
    assert caller.call("GET", "/me").body["mfa_enrollment_required"] is False
    # The enrolled admin was never stopped; switched off, nobody is.
    assert admin.call("GET", "/clients").status == 200


def test_switched_off_the_requirement_stops_nobody(stack: Stack) -> None:
    org = stack.organization()
    admin = _admin_enrolled(stack, org)
    caller = stack.as_staff(stack.staff(org, roles=["practitioner"]))
    assert _require(admin).status == 200
    assert caller.call("GET", "/org").status == 403
    assert _require(admin, False).status == 200
    assert caller.call("GET", "/org").status == 200


def test_clients_and_other_organizations_are_unchanged(stack: Stack) -> None:
    org, other = stack.organization(), stack.organization()
    admin = _admin_enrolled(stack, org)
    assert _require(admin).status == 200
    assert stack.as_admin(other).call("GET", "/clients").status == 200
    body = registration_body()
    assert stack.register(org.org["slug"], **body).status == 202
    assert stack.confirm_registration(body).status == 200
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    assert stack.as_client(client).call("GET", "/me/connections").status == 200


# --- reset --------------------------------------------------------------------------------


def test_an_org_admin_resets_a_lost_factor(stack: Stack) -> None:
    org = stack.organization()
    admin = _admin_enrolled(stack, org)
    member = _staff_with_login(stack, org)
    username = member.username or ""
    caller = stack.as_staff(member)
    _enrolled(stack, caller)
    # A session from before the reset, signed in with the second factor.
    started = _sign_in(stack, username)
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    tokens = stack.client("cognito-idp").respond_to_auth_challenge(
        ClientId=stack.provisioned.portal_client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": "000000"},
    )["AuthenticationResult"]  # moto in process takes any code
    assert _require(admin).status == 200

    answer = admin.call("POST", f"/staff/{member.staff_id}/mfa-reset")

    assert answer.status == 200, answer.body
    assert _mfa_settings(stack, username) == []
    assert stack.refresh_refused(tokens["RefreshToken"])  # every session ended
    assert "staff.mfa_reset" in _audit_actions(stack, member.staff_id)
    shown = admin.call("GET", f"/staff/{member.staff_id}").body
    assert shown["mfa_enrolled"] is False
    # They are told, with their own username and nothing else about them.
    (email,) = [m for m in stack.mailbox(member.email) if "second factor" in m["subject"]]
    assert f"username {username}" in email["text"] and username in email["html"]
    assert member.first_name not in email["text"] + email["html"]
    assert member.last_name not in email["text"] + email["html"]
    # Signing in asks for the password alone; the organization requires them to enrol again.
    again = stack.login(username)
    assert again["AccessToken"]
    refused = caller.call("GET", "/clients")
    assert refused.status == 403 and refused.body["code"] == "mfa_enrollment_required"
    _enrolled(stack, caller)
    assert caller.call("GET", "/clients").status == 200


def test_only_an_org_admin_resets_and_only_in_their_organization(stack: Stack) -> None:
    org, other = stack.organization(), stack.organization()
    member = _staff_with_login(stack, org)
    _enrolled(stack, stack.as_staff(member))
    path = f"/staff/{member.staff_id}/mfa-reset"
    for roles in (["dept_admin"], ["care_coordinator"], ["practitioner"]):
        refused = stack.as_staff(stack.staff(org, roles=roles)).call("POST", path)
        assert refused.status == 403, roles
    not_found = stack.as_admin(other).call("POST", path)
    assert not_found.status == 404 and not_found.body["code"] == "staff_not_found"
    unknown = stack.as_admin(org).call("POST", "/staff/nobody/mfa-reset")
    assert unknown.status == 404
    assert stack.as_staff(member).call("GET", "/me").body["mfa_enrolled"] is True
    assert _mfa_settings(stack, member.username or "") == ["SOFTWARE_TOKEN_MFA"]


def test_a_reset_of_someone_without_a_login_is_refused(stack: Stack) -> None:
    org = stack.organization()
    invited = stack.staff(org, roles=["care_coordinator"], accepted=False)
    refused = stack.as_admin(org).call("POST", f"/staff/{invited.staff_id}/mfa-reset")
    assert refused.status == 409 and refused.body["code"] == "no_login"


def test_a_cognito_failure_changes_nothing(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    org = stack.organization()
    member = _staff_with_login(stack, org)
    _enrolled(stack, stack.as_staff(member))
    real = aws.client

    def failing(service: str) -> Any:
        made = real(service)
        if service != "cognito-idp":
            return made

        class Failing:
            def __getattr__(self, name: str) -> Any:
                if name == "admin_set_user_mfa_preference":

                    def refuse(**_: Any) -> Any:
                        raise ClientError(
                            {"Error": {"Code": "InternalErrorException", "Message": "down"}},
                            name,
                        )

                    return refuse
                return getattr(made, name)

        return Failing()

    monkeypatch.setattr("clientaccounts.identity.client", failing)
    answer = stack.as_admin(org).call("POST", f"/staff/{member.staff_id}/mfa-reset")
    assert answer.status == 503
    monkeypatch.undo()
    assert stack.as_staff(member).call("GET", "/me").body["mfa_enrolled"] is True
    assert "staff.mfa_reset" not in _audit_actions(stack, member.staff_id)
