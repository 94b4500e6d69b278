"""The API path counts registrations, confirmations and accepted invitations; the login gate
counts refusals by reason. Each is an EMF line printed when the invocation ends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.lambda_events import call_api
from tests.support.metrics import emf_blobs, metric_names
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body, username_for
from tests.support.stack import Stack

# What the delivery feedback function counts for each email sent (test_delivery_feedback.py):
# the tests here read the mailbox, which publishes SES's events.
DELIVERY_FEEDBACK = "DeliveryEvents"


def counted(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, dict[str, Any]]]:
    """(metric, blob) for each metric printed since the last call, but the delivery
    feedback's."""
    return [
        (name, blob)
        for blob in emf_blobs(capsys.readouterr().out)
        for name in metric_names(blob)
        if name != DELIVERY_FEEDBACK
    ]


def test_registration_confirmation_and_a_refused_login_are_counted(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    org = stack.organization(manual_approval=True)
    body = registration_body(practitioner_id=None)
    capsys.readouterr()
    assert stack.register(org.org["slug"], **body).status == 202
    assert [name for name, _ in counted(capsys)] == ["Registrations"]
    stack.register(org.org["slug"], **body)  # a known address: the same answer, no count
    assert counted(capsys) == []
    assert stack.confirm_registration(body).body == {"status": "pending"}
    assert [name for name, _ in counted(capsys)] == ["EmailConfirmations"]
    with pytest.raises(Exception, match="pending approval"):
        stack.login(username_for(body), PASSWORD, app="care_app")
    ((name, blob),) = counted(capsys)
    assert (name, blob["reason"]) == ("LoginsRefused", "pending_approval")
    assert stack.login(username_for(body), PASSWORD, app="portal")["IdToken"]
    assert counted(capsys) == []


def test_an_accepted_invitation_is_counted(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    org = stack.organization()
    created = stack.as_admin(org).call("POST", "/clients", new_client_body()).body
    capsys.readouterr()
    token = stack.link_token(created["email"])
    accepted = call_api(
        "POST",
        "/public/invitations/accept",
        {"token": token, "username": "casey", "password": PASSWORD},
    )
    assert accepted.status == 200
    ((name, blob),) = counted(capsys)
    assert (name, blob["account_kind"]) == ("InvitationsAccepted", "client")
