"""R31 over the local stack: an invitation to `bounce@...` bounces (the stack publishes the
event SES would, infra.ses_events), the client record shows it and the inviter is told."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import RunningStack
from tests.support.request_bodies import new_client_body

pytestmark = pytest.mark.e2e


def test_r31_a_bounced_invitation_shows_on_the_record_and_reaches_the_inviter(
    local_stack: RunningStack,
) -> None:
    org = local_stack.organization()
    slug = org["org"]["slug"]
    tokens = local_stack.login(f"admin-{slug}", "portal")
    admin = {"Authorization": f"Bearer {tokens['IdToken']}"}
    address = f"bounce@{uuid.uuid4().hex[:8]}.example"

    created = local_stack.call("POST", "/clients", new_client_body(email=address), headers=admin)
    assert created.status == 201, created.text
    client_id = created.body["id"]

    read = local_stack.call("GET", f"/clients/{client_id}", headers=admin)
    assert read.status == 200, read.text
    assert read.body["link"]["purpose"] == "invitation"
    assert read.body["link"]["state"] == "bounced"
    (notice,) = [
        m
        for m in local_stack.mailbox(f"admin@{slug}.example")
        if m["subject"] == "An invitation could not be delivered"
    ]
    assert f"/{slug}/clients/{client_id}" in notice["text"]
    assert address not in notice["text"]

    complained = f"complaint@{uuid.uuid4().hex[:8]}.example"
    other = local_stack.call("POST", "/clients", new_client_body(email=complained), headers=admin)
    assert other.status == 201, other.text
    read = local_stack.call("GET", f"/clients/{other.body['id']}", headers=admin)
    assert read.body["link"]["state"] == "complained"


def test_r31_the_local_route_publishes_a_bounce_for_an_email_id(
    local_stack: RunningStack,
) -> None:
    org = local_stack.organization()
    slug = org["org"]["slug"]
    tokens = local_stack.login(f"admin-{slug}", "portal")
    admin = {"Authorization": f"Bearer {tokens['IdToken']}"}
    body = new_client_body()
    created = local_stack.call("POST", "/clients", body, headers=admin)
    assert created.status == 201, created.text
    (invitation,) = local_stack.mailbox(body["email"])
    read = local_stack.call("GET", f"/clients/{created.body['id']}", headers=admin)
    assert read.body["link"]["state"] == "sent"

    bounced = local_stack.call(
        "POST", "/_local/ses-events", {"email_id": invitation["email_id"], "event": "bounce"}
    )
    assert bounced.status == 200 and bounced.body == {"outcome": "bounced"}, bounced.text
    read = local_stack.call("GET", f"/clients/{created.body['id']}", headers=admin)
    assert read.body["link"]["state"] == "bounced"
    assert [
        m
        for m in local_stack.mailbox(f"admin@{slug}.example")
        if m["subject"] == "An invitation could not be delivered"
    ]
    refused = local_stack.call("POST", "/_local/ses-events", {"email_id": "x", "event": "bounce"})
    assert refused.status == 422 and "email_id" in refused.text
