"""R23: forgot login, password reset (by the person, or sent by a manager), and usernames that
managers can see. Nobody ever sees or sets another person's password."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from clientaccounts import clock
from clientaccounts.errors import Conflict, Gone
from clientaccounts.persistence import store
from clientaccounts.recovery import reset_password
from tests.support.concurrency import run_concurrently
from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body, username_for
from tests.support.stack import Stack

NEW_PASSWORD = "Another-battery-77"
COOL_DOWN = 61  # past the template's 60 s per-address cool-down (R28)
SAME_ANSWER = "If this address has an account here, an email is on its way."


def _forgot(slug: str, email: str) -> Any:
    return call_api("POST", f"/public/orgs/{slug}/forgot-login", {"email": email})


def _reset(token: str, password: str = NEW_PASSWORD) -> Any:
    return call_api("POST", "/public/password-resets", {"token": token, "password": password})


def _confirmed_client(stack: Stack, org: Any) -> tuple[dict[str, Any], str]:
    """A self-registered client who confirmed and chose credentials: (body, username)."""
    body = registration_body()
    assert stack.register(org.org["slug"], **body).status == 202
    assert stack.confirm_registration(body).status == 200
    clock.advance(COOL_DOWN)
    return body, username_for(body)


def _accepted_staff(stack: Stack, org: Any, **overrides: Any) -> dict[str, Any]:
    """A staff member invited through the API who accepted (a real login)."""
    admin = stack.as_admin(org)
    body = {
        "first_name": "Sol",
        "last_name": "Staffer",
        "email": f"sol.{uuid.uuid4().hex[:8]}@practice.example",
        "roles": ["care_coordinator"],
        "department_ids": [org.departments[0]["id"]],
        **overrides,
    }
    created = admin.call("POST", "/staff", body)
    assert created.status == 201, created.body
    username = f"sol{uuid.uuid4().hex[:8]}"
    accepted = call_api(
        "POST",
        "/public/invitations/accept",
        {"token": stack.link_token(body["email"]), "username": username, "password": PASSWORD},
    )
    assert accepted.status == 200, accepted.body
    clock.advance(COOL_DOWN)
    return {**created.body, "username": username}


def _emails(stack: Stack, to: str) -> list[dict[str, Any]]:
    return stack.mailbox(to)


def _login_works(stack: Stack, username: str, password: str) -> bool:
    try:
        stack.login(username, password)
    except ClientError:
        return False
    return True


# --- forgot login ------------------------------------------------------------------------


def test_forgot_login_emails_username_and_a_reset_link_that_sets_a_new_password(
    stack: Stack,
) -> None:
    org = stack.organization()
    body, username = _confirmed_client(stack, org)
    session = stack.login(username)

    answer = _forgot(org.org["slug"], body["email"])
    assert answer.status == 202 and answer.body["message"] == SAME_ANSWER
    email = _emails(stack, body["email"])[-1]
    assert username in email["text"] and "reset-password?token=" in email["text"]
    assert PASSWORD not in email["text"] and body["last_name"] not in email["text"]

    done = _reset(stack.link_token(body["email"]))
    assert done.status == 200, done.body
    assert _login_works(stack, username, NEW_PASSWORD)
    assert not _login_works(stack, username, PASSWORD)
    # Every session ended: the refresh token from before the reset mints nothing more.
    assert stack.refresh_refused(session["RefreshToken"])
    notice = _emails(stack, body["email"])[-1]
    assert "password" in notice["subject"].lower() and "changed" in notice["subject"].lower()
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    history = stack.as_admin(org).call("GET", f"/clients/{client.client_id}/history").body
    assert [e["action"] for e in history["items"]][:2] == [
        "client.password_reset",
        "client.password_reset_sent",
    ]
    assert history["items"][1]["actor_kind"] == "public"


def test_a_reset_link_works_once(stack: Stack) -> None:
    org = stack.organization()
    body, username = _confirmed_client(stack, org)
    _forgot(org.org["slug"], body["email"])
    token = stack.link_token(body["email"])
    assert _reset(token).status == 200
    again = _reset(token, "Third-password-99")
    assert (again.status, again.body["code"]) == (410, "link_used")
    assert _login_works(stack, username, NEW_PASSWORD)


def test_a_newer_reset_link_voids_the_older(stack: Stack) -> None:
    org = stack.organization()
    body, _ = _confirmed_client(stack, org)
    _forgot(org.org["slug"], body["email"])
    older = stack.link_token(body["email"])
    clock.advance(COOL_DOWN)
    _forgot(org.org["slug"], body["email"])
    newer = stack.link_token(body["email"])
    assert newer != older
    refused = _reset(older)
    assert (refused.status, refused.body["code"]) == (410, "link_replaced")
    assert _reset(newer).status == 200


def test_a_reset_link_expires_after_an_hour(stack: Stack) -> None:
    org = stack.organization()
    body, username = _confirmed_client(stack, org)
    _forgot(org.org["slug"], body["email"])
    token = stack.link_token(body["email"])
    clock.advance(3600)
    expired = _reset(token)
    assert (expired.status, expired.body["code"]) == (410, "link_expired")
    assert _login_works(stack, username, PASSWORD)


def test_a_weak_password_is_refused_and_the_link_still_works(stack: Stack) -> None:
    org = stack.organization()
    body, _ = _confirmed_client(stack, org)
    _forgot(org.org["slug"], body["email"])
    token = stack.link_token(body["email"])
    weak = _reset(token, "short")
    assert weak.status == 422 and weak.body["errors"][0]["field"] == "password"
    assert _reset(token).status == 200


def test_every_address_gets_the_same_answer_and_only_what_helps(stack: Stack) -> None:
    org = stack.organization()
    slug = org.org["slug"]
    admin = stack.as_admin(org)
    active, _ = _confirmed_client(stack, org)
    inactive, _ = _confirmed_client(stack, org)
    inactive_client = stack.client_by_email(slug, inactive["email"])
    assert inactive_client is not None
    assert (
        admin.call("PATCH", f"/clients/{inactive_client.client_id}", {"active": False}).status
        == 200
    )
    unconfirmed = registration_body()
    stack.register(slug, **unconfirmed)
    invited = admin.call("POST", "/clients", new_client_body()).body
    unknown = f"nobody.{uuid.uuid4().hex[:8]}@mail.example"
    clock.advance(COOL_DOWN)
    before = {e: len(_emails(stack, e)) for e in (unconfirmed["email"], invited["email"])}

    answers = [
        _forgot(slug, e)
        for e in (
            active["email"],
            inactive["email"],
            unconfirmed["email"],
            invited["email"],
            unknown,
        )
    ]
    assert {(a.status, a.body["message"]) for a in answers} == {(202, SAME_ANSWER)}
    assert "reset-password?token=" in _emails(stack, active["email"])[-1]["text"]
    contact = _emails(stack, inactive["email"])[-1]
    assert "token=" not in contact["text"] and "contact" in contact["text"].lower()
    assert "confirm-email?token=" in _emails(stack, unconfirmed["email"])[-1]["text"]
    assert "accept-invitation?token=" in _emails(stack, invited["email"])[-1]["text"]
    for address, count in before.items():
        assert len(_emails(stack, address)) == count + 1
    assert _emails(stack, unknown) == []


def test_a_fresh_confirmation_voids_the_older_one_and_can_be_used(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    older = stack.link_token(body["email"])
    clock.advance(COOL_DOWN)
    _forgot(org.org["slug"], body["email"])
    newer = stack.link_token(body["email"])
    assert stack.confirm(older).status == 410
    assert stack.confirm(newer, username_for(body)).status == 200


def test_someone_both_staff_and_client_gets_both(stack: Stack) -> None:
    org = stack.organization()
    body, client_username = _confirmed_client(stack, org)
    staff = _accepted_staff(stack, org, email=body["email"])
    _forgot(org.org["slug"], body["email"])
    texts = [m["text"] for m in _emails(stack, body["email"])[-2:]]
    assert any(client_username in t for t in texts)
    assert any(staff["username"] in t for t in texts)


def test_an_invited_staff_member_who_never_accepted_gets_a_fresh_invitation(
    stack: Stack,
) -> None:
    org = stack.organization()
    email = f"new.{uuid.uuid4().hex[:8]}@practice.example"
    created = stack.as_admin(org).call(
        "POST",
        "/staff",
        {
            "first_name": "Nia",
            "last_name": "New",
            "email": email,
            "roles": ["practitioner"],
            "department_ids": [org.departments[0]["id"]],
        },
    )
    older = stack.link_token(email)
    clock.advance(COOL_DOWN)
    _forgot(org.org["slug"], email)
    newer = stack.link_token(email)
    assert newer != older
    accept = {"username": f"nia{uuid.uuid4().hex[:6]}", "password": PASSWORD}
    assert call_api("POST", "/public/invitations/accept", {"token": older, **accept}).status == 410
    assert call_api("POST", "/public/invitations/accept", {"token": newer, **accept}).status == 200
    staff = stack.as_admin(org).call("GET", f"/staff/{created.body['id']}").body
    assert staff["username"] == accept["username"]
    assert staff["link"]["purpose"] == "invitation" and staff["link"]["state"] == "accepted"


def test_forgot_login_is_limited_per_address(stack: Stack) -> None:
    org = stack.organization()
    _to_noon()  # the day's cap counts per UTC day: stay inside one
    body, _ = _confirmed_client(stack, org)
    sent = len(_emails(stack, body["email"]))
    # Within the cool-down, a second request sends nothing more.
    _forgot(org.org["slug"], body["email"])
    _forgot(org.org["slug"], body["email"])
    assert len(_emails(stack, body["email"])) == sent + 1
    # The day's cap: 5 public emails an address (the registration's was the first).
    for _ in range(6):
        clock.advance(COOL_DOWN)
        assert _forgot(org.org["slug"], body["email"]).status == 202
    assert len(_emails(stack, body["email"])) == sent + 4


def _to_noon() -> None:
    now = clock.now()
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    clock.advance((noon - now).total_seconds() % 86400)


def test_twenty_uses_of_one_reset_link_at_once_leave_one_password(stack: Stack) -> None:
    org = stack.organization()
    body, username = _confirmed_client(stack, org)
    _forgot(org.org["slug"], body["email"])
    token = stack.link_token(body["email"])
    passwords = [f"Racer-password-{i:02d}" for i in range(20)]
    results = run_concurrently([partial(reset_password, token, p) for p in passwords])
    winners = [p for p, r in zip(passwords, results, strict=True) if r is None]
    assert len(winners) == 1, results
    for result in results:
        if result is not None:
            assert (isinstance(result, Gone) and result.code == "link_used") or (
                isinstance(result, Conflict) and result.code == "link_in_use"
            ), result
    assert _login_works(stack, username, winners[0])
    changed = [m for m in _emails(stack, body["email"]) if "changed" in m["subject"].lower()]
    assert len(changed) == 1


# --- sent by a manager ---------------------------------------------------------------------


def test_a_manager_sends_a_client_a_reset_and_sees_the_username(stack: Stack) -> None:
    org = stack.organization()
    body, username = _confirmed_client(stack, org)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    admin = stack.as_admin(org)
    record = admin.call("GET", f"/clients/{client.client_id}").body
    assert record["username"] == username and "password" not in record
    sent = admin.call("POST", f"/clients/{client.client_id}/password-reset")
    assert sent.status == 202, sent.body
    assert _reset(stack.link_token(body["email"])).status == 200
    link = admin.call("GET", f"/clients/{client.client_id}").body["link"]
    assert link["purpose"] == "password_reset" and link["state"] == "accepted"


def test_a_reset_for_a_client_without_credentials_is_refused(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    invited = admin.call("POST", "/clients", new_client_body()).body
    refused = admin.call("POST", f"/clients/{invited['id']}/password-reset")
    assert (refused.status, refused.body["code"]) == (409, "credentials_not_set")


def test_a_coordinator_of_another_department_cannot_send_a_reset(stack: Stack) -> None:
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    doc = stack.staff(org, roles=["practitioner"], departments=[first])
    body = registration_body(practitioner_id=doc.staff_id, department_id=first)
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    outsider = stack.as_staff(stack.staff(org, roles=["care_coordinator"], departments=[second]))
    refused = outsider.call("POST", f"/clients/{client.client_id}/password-reset")
    assert (refused.status, refused.body["code"]) == (403, "department_out_of_scope")


def test_an_admin_sends_a_staff_member_a_reset(stack: Stack) -> None:
    org = stack.organization()
    staff = _accepted_staff(stack, org)
    admin = stack.as_admin(org)
    assert admin.call("GET", f"/staff/{staff['id']}").body["username"] == staff["username"]
    assert admin.call("POST", f"/staff/{staff['id']}/password-reset").status == 202
    assert _reset(stack.link_token(staff["email"])).status == 200
    assert _login_works(stack, staff["username"], NEW_PASSWORD)


def test_a_dept_admin_cannot_reset_an_org_admin_or_another_departments_staff(
    stack: Stack,
) -> None:
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    dept_admin = stack.as_staff(stack.staff(org, roles=["dept_admin"], departments=[first]))
    other = stack.staff(org, roles=["care_coordinator"], departments=[second])
    for target in (org.admin_id, other.staff_id):
        refused = dept_admin.call("POST", f"/staff/{target}/password-reset")
        assert refused.status == 403, refused.body
    coordinator = stack.as_staff(stack.staff(org, roles=["care_coordinator"], departments=[first]))
    assert coordinator.call("POST", f"/staff/{other.staff_id}/password-reset").status == 403


def test_a_staff_invitation_is_resent_and_the_older_link_dies(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    email = f"late.{uuid.uuid4().hex[:8]}@practice.example"
    created = admin.call(
        "POST",
        "/staff",
        {
            "first_name": "Lee",
            "last_name": "Late",
            "email": email,
            "roles": ["care_coordinator"],
            "department_ids": [org.departments[0]["id"]],
        },
    ).body
    assert created["link"]["state"] == "sent" and created["username"] is None
    older = stack.link_token(email)
    assert admin.call("POST", f"/staff/{created['id']}/invitation").status == 202
    newer = stack.link_token(email)
    accept = {"username": f"lee{uuid.uuid4().hex[:6]}", "password": PASSWORD}
    refused = call_api("POST", "/public/invitations/accept", {"token": older, **accept})
    assert (refused.status, refused.body["code"]) == (410, "link_replaced")
    assert call_api("POST", "/public/invitations/accept", {"token": newer, **accept}).status == 200
    again = admin.call("POST", f"/staff/{created['id']}/invitation")
    assert (again.status, again.body["code"]) == (409, "accepted")


@pytest.mark.parametrize("route", ["password-reset", "invitation"])
def test_staff_routes_answer_404_for_another_organizations_staff(stack: Stack, route: str) -> None:
    org, other = stack.organization(), stack.organization()
    answer = stack.as_admin(org).call("POST", f"/staff/{other.admin_id}/{route}")
    assert answer.status == 404


def test_the_reset_link_is_stored_only_as_a_hash(stack: Stack) -> None:
    org = stack.organization()
    body, _ = _confirmed_client(stack, org)
    _forgot(org.org["slug"], body["email"])
    token = stack.link_token(body["email"])
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and client.link_hash and token not in client.link_hash
    assert store.get_link(client.link_hash) is not None
