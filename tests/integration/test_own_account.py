"""One's own account: GET and PATCH /me, changing one's own email (R24), the notice after a
password change, and staff correcting a client's email before credentials exist."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body, username_for
from tests.support.stack import Stack

COOL_DOWN = 61


def _confirmed(stack: Stack, org: Any) -> tuple[dict[str, Any], Any]:
    body = registration_body()
    assert stack.register(org.org["slug"], **body).status == 202
    assert stack.confirm_registration(body).status == 200
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    return body, client


def _address() -> str:
    return f"new.{uuid.uuid4().hex[:8]}@mail.example"


def _confirm_change(token: str) -> Any:
    return call_api("POST", "/public/email-changes/confirm", {"token": token})


# --- GET and PATCH /me --------------------------------------------------------------------


def test_me_tells_a_client_and_a_staff_member_who_they_are(stack: Stack) -> None:
    org = stack.organization()
    body, client = _confirmed(stack, org)
    me = stack.as_client(client).call("GET", "/me").body
    assert me == {
        "kind": "client",
        "id": client.client_id,
        "org_slug": org.org["slug"],
        "username": username_for(body),
        "first_name": body["first_name"],
        "last_name": body["last_name"],
        "email": body["email"],
        "status": "active",
    }
    admin = stack.as_admin(org).call("GET", "/me").body
    assert admin["kind"] == "staff" and admin["roles"] == ["org_admin"]
    assert admin["username"] and admin["email"] and admin["new_client_notifications"] is True
    assert admin["department_ids"]


def test_staff_switch_their_own_notifications(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.as_staff(stack.staff(org, roles=["practitioner"]))
    changed = doc.call("PATCH", "/me", {"new_client_notifications": False})
    assert changed.status == 200 and changed.body["new_client_notifications"] is False
    assert doc.call("GET", "/me").body["new_client_notifications"] is False


def test_only_manager_roles_edit_their_own_name(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.as_staff(stack.staff(org, roles=["practitioner"]))
    refused = doc.call("PATCH", "/me", {"first_name": "Doc"})
    assert refused.status == 403
    coordinator = stack.as_staff(stack.staff(org, roles=["care_coordinator"]))
    renamed = coordinator.call("PATCH", "/me", {"first_name": "Corinne", "last_name": "Coord"})
    assert renamed.status == 200
    assert (renamed.body["first_name"], renamed.body["last_name"]) == ("Corinne", "Coord")


def test_clients_cannot_patch_themselves_and_bad_bodies_are_refused(stack: Stack) -> None:
    org = stack.organization()
    _, client = _confirmed(stack, org)
    assert stack.as_client(client).call("PATCH", "/me", {"first_name": "X"}).status == 403
    admin = stack.as_admin(org)
    empty = admin.call("PATCH", "/me", {})
    assert empty.status == 422 and empty.body["errors"][0]["field"] == "body"
    for bad in ({"roles": ["org_admin"]}, {"new_client_notifications": None}, {"first_name": 7}):
        answer = admin.call("PATCH", "/me", bad)
        assert answer.status == 422, (bad, answer.body)
    # A staff member cannot give themselves roles through /me.
    assert admin.call("GET", "/me").body["roles"] == ["org_admin"]


# --- own email (R24) ----------------------------------------------------------------------


def test_a_client_changes_their_email_through_a_link_to_the_new_address(stack: Stack) -> None:
    org = stack.organization()
    body, client = _confirmed(stack, org)
    username = username_for(body)
    session = stack.login(username)
    me = stack.as_client(client)
    new = _address()

    asked = me.call("POST", "/me/email-change", {"email": new})
    assert asked.status == 202, asked.body
    assert me.call("GET", "/me").body["email"] == body["email"]  # nothing changes yet
    token = stack.link_token(new)
    assert "confirm-email-change?token=" in stack.mailbox(new)[-1]["text"]

    done = _confirm_change(token)
    assert done.status == 200, done.body
    admin = stack.as_admin(org)
    assert admin.call("GET", f"/clients/{client.client_id}").body["email"] == new
    told = stack.mailbox(body["email"])[-1]
    assert "changed" in told["subject"].lower() and new not in told["text"]
    assert stack.refresh_refused(session["RefreshToken"])
    assert stack.login(username)["IdToken"]
    # The address guard moved: the old address is free, the new one is this client's.
    taken = admin.call("POST", "/clients", new_client_body(email=new))
    assert (taken.status, taken.body["code"]) == (409, "email_taken")
    assert admin.call("POST", "/clients", new_client_body(email=body["email"])).status == 201
    again = _confirm_change(token)
    assert (again.status, again.body["code"]) == (410, "link_used")
    history = admin.call("GET", f"/clients/{client.client_id}/history").body["items"]
    assert [e["action"] for e in history][:2] == [
        "client.email_changed",
        "client.email_change_requested",
    ]


def test_an_address_taken_meanwhile_is_refused(stack: Stack) -> None:
    org = stack.organization()
    body, client = _confirmed(stack, org)
    new = _address()
    assert stack.as_client(client).call("POST", "/me/email-change", {"email": new}).status == 202
    token = stack.link_token(new)
    assert stack.as_admin(org).call("POST", "/clients", new_client_body(email=new)).status == 201
    refused = _confirm_change(token)
    assert (refused.status, refused.body["code"]) == (409, "email_taken")
    assert stack.as_client(client).call("GET", "/me").body["email"] == body["email"]


def test_a_newer_email_change_voids_the_older(stack: Stack) -> None:
    org = stack.organization()
    _, client = _confirmed(stack, org)
    me = stack.as_client(client)
    first, second = _address(), _address()
    assert me.call("POST", "/me/email-change", {"email": first}).status == 202
    older = stack.link_token(first)
    assert me.call("POST", "/me/email-change", {"email": second}).status == 202
    refused = _confirm_change(older)
    assert (refused.status, refused.body["code"]) == (410, "link_replaced")
    assert _confirm_change(stack.link_token(second)).status == 200
    assert me.call("GET", "/me").body["email"] == second


def test_asking_for_ones_current_address_is_refused(stack: Stack) -> None:
    org = stack.organization()
    body, client = _confirmed(stack, org)
    same = stack.as_client(client).call(
        "POST", "/me/email-change", {"email": body["email"].upper()}
    )
    assert same.status == 422 and same.body["errors"][0]["field"] == "email"


def test_a_staff_member_changes_their_own_email(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    new = _address()
    assert admin.call("POST", "/me/email-change", {"email": new}).status == 202
    assert _confirm_change(stack.link_token(new)).status == 200
    assert admin.call("GET", "/me").body["email"] == new
    # The staff guard moved: inviting the new address is refused.
    invite = admin.call(
        "POST",
        "/staff",
        {
            "first_name": "Dup",
            "last_name": "Licate",
            "email": new,
            "roles": ["practitioner"],
            "department_ids": [org.departments[0]["id"]],
        },
    )
    assert (invite.status, invite.body["code"]) == (409, "email_taken")


def test_email_change_requests_to_one_address_are_limited(stack: Stack) -> None:
    org = stack.organization()
    _, client = _confirmed(stack, org)
    me = stack.as_client(client)
    new = _address()
    assert me.call("POST", "/me/email-change", {"email": new}).status == 202
    throttled = me.call("POST", "/me/email-change", {"email": new})
    assert throttled.status == 429 and throttled.body["code"]


# --- staff correct a client's email only before credentials --------------------------------


def test_staff_cannot_change_the_email_of_a_client_with_credentials(stack: Stack) -> None:
    org = stack.organization()
    body, client = _confirmed(stack, org)
    refused = stack.as_admin(org).call(
        "PATCH", f"/clients/{client.client_id}", {"email": _address()}
    )
    assert (refused.status, refused.body["code"]) == (409, "client_owns_email")
    assert stack.as_client(client).call("GET", "/me").body["email"] == body["email"]


def test_staff_correct_a_typo_before_credentials_and_the_link_follows(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    older = stack.link_token(created["email"])
    fixed = _address()
    changed = admin.call("PATCH", f"/clients/{created['id']}", {"email": fixed})
    assert changed.status == 200 and changed.body["email"] == fixed
    assert changed.body["link"]["state"] == "sent"
    newer = stack.link_token(fixed)
    accept = {"username": f"typo{uuid.uuid4().hex[:6]}", "password": PASSWORD}
    refused = call_api("POST", "/public/invitations/accept", {"token": older, **accept})
    assert (refused.status, refused.body["code"]) == (410, "link_replaced")
    assert call_api("POST", "/public/invitations/accept", {"token": newer, **accept}).status == 200


# --- own password changed in Cognito -------------------------------------------------------


def test_a_password_change_ends_every_session_and_tells_the_owner(stack: Stack) -> None:
    org = stack.organization()
    body, client = _confirmed(stack, org)
    username = username_for(body)
    session = stack.login(username)
    cognito = stack.client("cognito-idp")
    cognito.change_password(
        PreviousPassword=PASSWORD,
        ProposedPassword="Fresh-password-31",
        AccessToken=session["AccessToken"],
    )
    answer = stack.as_client(client).call("POST", "/me/password-changed")
    assert answer.status == 202, answer.body
    assert stack.refresh_refused(session["RefreshToken"])
    assert "changed" in stack.mailbox(body["email"])[-1]["subject"].lower()
    assert stack.login(username, "Fresh-password-31")["IdToken"]
