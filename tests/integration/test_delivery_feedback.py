"""R31: bounces and complaints SES reports reach the link status staff see on the client or
staff record, and the staff member who sent an invitation is told. SES's events are those
`infra.ses_events` publishes for what the mailer sent (`bounce@...` bounces)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from clientaccounts.persistence.models import OutboxEmail
from infra.ses_events import ses_event
from tests.support.metrics import emf_blobs
from tests.support.request_bodies import new_client_body, registration_body
from tests.support.stack import REGION, Stack

NOTICE_BOUNCED = "An invitation could not be delivered"
NOTICE_COMPLAINED = "An invitation was reported as spam"


def _admin_email(org: Any) -> str:
    return f"admin{org.org['slug'].rsplit('-', 1)[1]}@practice.example"


def _link(caller: Any, path: str) -> Any:
    answer = caller.call("GET", path)
    assert answer.status == 200, answer.body
    return answer.body["link"]


def _invite(stack: Stack, email: str) -> tuple[Any, Any, str]:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body(email=email))
    assert created.status == 201, created.body
    stack.deliver_emails()
    return org, admin, created.body["id"]


def _notices(stack: Stack, org: Any) -> list[dict[str, Any]]:
    return [
        m
        for m in stack.mailbox(_admin_email(org))
        if m["subject"] in (NOTICE_BOUNCED, NOTICE_COMPLAINED)
    ]


def _outcomes(stack: Stack) -> list[str]:
    return [e["detail"]["eventType"] for e in stack.ses_events.published]


def test_r31_the_mailer_sends_with_the_configuration_set_and_tags_the_email_id(
    stack: Stack,
) -> None:
    _invite(stack, "casey@mail.example")
    (message,) = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert message.configuration_set_name == stack.provisioned.refs["EmailConfigurationSet"]
    ((tag),) = message.email_tags
    assert tag["Name"] == "email_id"
    sent = OutboxEmail.get(tag["Value"])
    assert sent.status == "sent" and sent.link_hash and sent.to is None  # ids only
    assert _outcomes(stack) == ["Delivery"]


def test_r31_a_bounced_invitation_shows_bounced_and_tells_the_inviter_once(
    stack: Stack,
) -> None:
    org, admin, client_id = _invite(stack, "bounce@nowhere.example")
    link = _link(admin, f"/clients/{client_id}")
    assert link["purpose"] == "invitation" and link["state"] == "bounced"
    listed = admin.call("GET", "/clients").body["items"]
    assert [c["link"]["state"] for c in listed if c["id"] == client_id] == ["bounced"]
    (notice,) = _notices(stack, org)
    assert notice["subject"] == NOTICE_BOUNCED
    assert f"/clients/{client_id}" in notice["text"] and f"/clients/{client_id}" in notice["html"]
    assert "bounce@nowhere.example" not in notice["text"] + notice["html"]  # no invitee data
    assert "Client" not in notice["text"]  # nor their name (new_client_body's last name)

    # SES (or EventBridge) delivers the same event again: nothing more happens.
    (bounce,) = [e for e in stack.ses_events.published if e["detail"]["eventType"] == "Bounce"]
    assert stack.ses_events.publish(copy.deepcopy(bounce)) == {"outcome": "repeated"}
    stack.deliver_emails()
    assert len(_notices(stack, org)) == 1
    assert _link(admin, f"/clients/{client_id}")["state"] == "bounced"


def test_r31_a_complaint_shows_complained_and_tells_the_inviter(stack: Stack) -> None:
    org, admin, client_id = _invite(stack, "complaint@mail.example")
    assert _link(admin, f"/clients/{client_id}")["state"] == "complained"
    (notice,) = _notices(stack, org)
    assert notice["subject"] == NOTICE_COMPLAINED


def test_r31_a_transient_bounce_is_not_a_bounce(stack: Stack) -> None:
    """A full mailbox: the address is good and SES gave up for now; a resend may arrive."""
    org, admin, client_id = _invite(stack, "mailbox-full@mail.example")
    assert _outcomes(stack) == ["Bounce"]
    assert _link(admin, f"/clients/{client_id}")["state"] == "sent"
    assert _notices(stack, org) == []


def test_r31_a_corrected_address_makes_the_state_follow_the_new_link(stack: Stack) -> None:
    org, admin, client_id = _invite(stack, "bounce@typo.example")
    assert _link(admin, f"/clients/{client_id}")["state"] == "bounced"
    (bounce,) = [e for e in stack.ses_events.published if e["detail"]["eventType"] == "Bounce"]

    fixed = admin.call("PATCH", f"/clients/{client_id}", {"email": "casey@right.example"})
    assert fixed.status == 200, fixed.body
    stack.deliver_emails()
    assert _link(admin, f"/clients/{client_id}")["state"] == "sent"
    # A late copy of the old link's bounce changes nothing: the state is the new link's.
    assert stack.ses_events.publish(copy.deepcopy(bounce)) == {"outcome": "stale_link"}
    assert _link(admin, f"/clients/{client_id}")["state"] == "sent"
    assert len(_notices(stack, org)) == 1


def test_r31_a_resend_to_the_same_bouncing_address_bounces_again_and_tells_again(
    stack: Stack,
) -> None:
    org, admin, client_id = _invite(stack, "bounce@gone.example")
    assert admin.call("POST", f"/clients/{client_id}/invitation").status == 202
    assert _link(admin, f"/clients/{client_id}")["state"] == "sent"  # the new link, not yet
    stack.deliver_emails()
    assert _link(admin, f"/clients/{client_id}")["state"] == "bounced"
    assert len(_notices(stack, org)) == 2  # one per link


def test_r31_a_bounced_staff_invitation_shows_on_the_staff_record(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    invited = admin.call(
        "POST",
        "/staff",
        {
            "first_name": "Sol",
            "last_name": "Staff",
            "email": "bounce@staff.example",
            "roles": ["care_coordinator"],
            "department_ids": [org.departments[0]["id"]],
        },
    )
    assert invited.status == 201, invited.body
    stack.deliver_emails()
    staff_id = invited.body["id"]
    assert _link(admin, f"/staff/{staff_id}")["state"] == "bounced"
    (notice,) = _notices(stack, org)
    assert f"/staff/{staff_id}" in notice["text"]


def test_r31_a_bounced_confirmation_shows_but_nobody_sent_it(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    body = registration_body(email="bounce@signup.example")
    assert stack.register(org.org["slug"], **body).status == 202
    stack.deliver_emails()
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    assert _link(admin, f"/clients/{client.client_id}")["state"] == "bounced"
    assert _notices(stack, org) == []


def test_r31_an_inactive_inviter_is_not_told(stack: Stack) -> None:
    org = stack.organization()
    coordinator = stack.staff(org, roles=["org_admin"], departments=[org.departments[0]["id"]])
    created = stack.as_staff(coordinator).call(
        "POST", "/clients", new_client_body(email="bounce@late.example")
    )
    assert created.status == 201, created.body
    coordinator.update(actions=[type(coordinator).active.set(False)])
    stack.deliver_emails()
    admin = stack.as_admin(org)
    assert _link(admin, f"/clients/{created.body['id']}")["state"] == "bounced"
    assert stack.mailbox(coordinator.email) == []


@pytest.mark.parametrize(
    ("tags", "outcome"),
    [
        ([], "no_tag"),
        ([{"Name": "email_id", "Value": "not-an-id"}], "no_tag"),
        ([{"Name": "email_id", "Value": uuid.uuid4().hex}], "unknown_email"),
    ],
)
def test_r31_an_event_without_a_known_email_is_counted_and_dropped(
    stack: Stack, capsys: pytest.CaptureFixture[str], tags: list[dict[str, str]], outcome: str
) -> None:
    event = ses_event(
        "bounce",
        region=REGION,
        message_id="m-1",
        source="no-reply@example.org",
        recipient="bounce@x.example",
        configuration_set="local-email",
        email_tags=tags,
    )
    capsys.readouterr()
    assert stack.ses_events.publish(event) == {"outcome": outcome}
    printed = capsys.readouterr().out
    (blob,) = emf_blobs(printed)
    assert blob["DeliveryEvents"] == [1.0] or blob["DeliveryEvents"] == 1.0
    assert blob["outcome"] == outcome
    assert "bounce@x.example" not in printed  # no address in the log


def test_r31_a_bounce_of_an_email_without_a_link_changes_nothing(stack: Stack) -> None:
    """The inviter's own notice bouncing, a get-started email...: nothing to mark, no loop."""
    org, _, _ = _invite(stack, "bounce@nowhere.example")
    notice = _notices(stack, org)
    assert len(notice) == 1
    (notice_event,) = [
        e
        for e in stack.ses_events.published
        if e["detail"]["mail"]["destination"] == [_admin_email(org)]
    ]
    bounced = copy.deepcopy(notice_event)
    bounced["detail"]["eventType"] = "Bounce"
    bounced["detail"]["bounce"] = {"bounceType": "Permanent", "bouncedRecipients": []}
    assert stack.ses_events.publish(bounced) == {"outcome": "no_link"}
