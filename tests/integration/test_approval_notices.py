"""R10 with R16: a registration that waited for approval gets, on approval, the notices and
the get-started email it would have had without waiting; the get-started email fits a client
with no practitioner yet."""

from __future__ import annotations

from typing import Any

from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body
from tests.support.stack import Stack

FIND_YOUR_PRACTITIONER = "Find your practitioner in your connections"
WHAT_HAPPENS_NEXT = "Your practice will connect you with a practitioner"


def _admin_email(org: Any) -> str:
    return f"admin{org.org['slug'].split('-')[1]}@practice.example"


def _confirmed_pending(stack: Stack, org: Any, **overrides: Any) -> tuple[dict[str, Any], str]:
    body = registration_body(**overrides)
    stack.register(org.org["slug"], **body)
    assert stack.confirm_registration(body).body == {"status": "pending"}
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    return body, client.client_id


def test_r10_r16_not_sure_and_approved_asks_the_org_admins_to_assign(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    body, client_id = _confirmed_pending(stack, org, practitioner_id=None)
    assert [m["subject"] for m in stack.mailbox(_admin_email(org))] == [
        "A new client account awaits approval"
    ]
    approved = stack.as_admin(org).call("POST", f"/clients/{client_id}/approve")
    assert approved.status == 200, approved.body
    subjects = [m["subject"] for m in stack.mailbox(_admin_email(org))]
    assert subjects == ["A new client account awaits approval", "A new client needs a practitioner"]
    started = [m for m in stack.mailbox(body["email"]) if m["subject"].startswith("Get started")]
    assert len(started) == 1
    assert WHAT_HAPPENS_NEXT in started[0]["text"]
    assert FIND_YOUR_PRACTITIONER not in started[0]["text"]


def test_r10_r16_a_chosen_practitioner_hears_of_the_client_once_approved(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    doc = stack.staff(org, roles=["practitioner", "care_coordinator"])
    body, client_id = _confirmed_pending(stack, org, practitioner_id=doc.staff_id)
    assert stack.mailbox(doc.email) == []  # pending: not yet
    assert stack.as_admin(org).call("POST", f"/clients/{client_id}/approve").status == 200
    assert [m["subject"] for m in stack.mailbox(doc.email)] == ["A new client chose you"]
    started = [m for m in stack.mailbox(body["email"]) if m["subject"].startswith("Get started")]
    assert FIND_YOUR_PRACTITIONER in started[0]["text"]


def test_r16_approving_before_confirmation_leaves_the_notices_to_the_confirmation(
    stack: Stack,
) -> None:
    org = stack.organization(manual_approval=True)
    body = registration_body(practitioner_id=None)
    stack.register(org.org["slug"], **body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    assert stack.as_admin(org).call("POST", f"/clients/{client.client_id}/approve").status == 200
    assert stack.mailbox(_admin_email(org)) == []
    assert stack.confirm_registration(body).body == {"status": "active"}
    assert [m["subject"] for m in stack.mailbox(_admin_email(org))] == [
        "A new client needs a practitioner"
    ]


def test_r4_an_invited_client_without_a_practitioner_is_told_what_happens_next(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    doc = stack.staff(org, roles=["practitioner"])
    for practitioners, expected in (
        ([], WHAT_HAPPENS_NEXT),
        ([{"practitioner_id": doc.staff_id}], FIND_YOUR_PRACTITIONER),
    ):
        created = admin.call("POST", "/clients", new_client_body(practitioners=practitioners))
        assert created.status == 201, created.body
        token = stack.link_token(created.body["email"])
        accepted = call_api(
            "POST",
            "/public/invitations/accept",
            {"token": token, "username": f"c{created.body['id'][:10]}", "password": PASSWORD},
        )
        assert accepted.status == 200, accepted.body
        started = stack.mailbox(created.body["email"])[-1]
        assert started["subject"].startswith("Get started") and expected in started["text"]
