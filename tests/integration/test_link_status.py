"""The client object shows its invitation or confirmation link's state (R3, R9), so staff
know whether to resend."""

from __future__ import annotations

from typing import Any

from clientaccounts import clock
from clientaccounts.persistence.models import Client
from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body
from tests.support.stack import Stack


def _link(admin: Any, client_id: str) -> Any:
    answer = admin.call("GET", f"/clients/{client_id}")
    assert answer.status == 200, answer.body
    return answer.body["link"]


def test_r3_invitation_link_sent_then_expired_then_sent_again_then_accepted(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    assert created["link"]["purpose"] == "invitation" and created["link"]["state"] == "sent"
    link = _link(admin, created["id"])
    assert link["state"] == "sent" and link["sent_at"] < link["expires_at"]

    clock.advance(72 * 3600)
    assert _link(admin, created["id"])["state"] == "expired"
    listed = admin.call("GET", "/clients").body["items"]
    assert [c["link"]["state"] for c in listed if c["id"] == created["id"]] == ["expired"]

    assert admin.call("POST", f"/clients/{created['id']}/invitation").status == 202
    assert _link(admin, created["id"])["state"] == "sent"
    accepted = call_api(
        "POST",
        "/public/invitations/accept",
        {"token": stack.link_token(created["email"]), "username": "casey", "password": PASSWORD},
    )
    assert accepted.status == 200
    link = _link(admin, created["id"])
    assert link["purpose"] == "invitation" and link["state"] == "accepted"


def test_r9_confirmation_link_state_of_a_self_registration(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    admin = stack.as_admin(org)
    body = registration_body()
    stack.register(org.org["slug"], **body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    link = _link(admin, client.client_id)
    assert link["purpose"] == "email_confirmation" and link["state"] == "sent"
    assert stack.confirm_registration(body).status == 200
    assert _link(admin, client.client_id)["state"] == "accepted"


def test_a_client_without_any_link_shows_null(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    client = stack.client_by_email(org.org["slug"], created["email"])
    assert client is not None
    client.update(
        actions=[
            Client.link_purpose.remove(),
            Client.link_hash.remove(),
            Client.link_sent_at.remove(),
            Client.link_expires_at.remove(),
        ]
    )
    assert _link(admin, created["id"]) is None
