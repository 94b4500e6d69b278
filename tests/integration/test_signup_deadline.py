"""R19 seen from the person registering: past the deadline (registration + 7 days) the
registration is the cleanup's. Confirming is refused and no new link is sent, even before the
daily run, so the run and a late confirmation can never both act on one account."""

from __future__ import annotations

from typing import Any

import pytest

from clientaccounts import clock
from clientaccounts.persistence import store
from clientaccounts.persistence.models import AuditEvent, Client
from tests.support.lambda_events import call_api
from tests.support.request_bodies import registration_body
from tests.support.stack import Stack

DAY = 24 * 3600


def _resend(slug: str, email: str) -> Any:
    return call_api(
        "POST", "/public/email-confirmations/resend", {"org_slug": slug, "email": email}
    )


def test_r19_confirming_after_the_deadline_is_refused(stack: Stack) -> None:
    org = stack.organization()
    slug = org.org["slug"]
    body = registration_body()
    stack.register(slug, **body)
    clock.advance(6 * DAY + 12 * 3600)
    assert _resend(slug, body["email"]).status == 202
    token = stack.link_token(body["email"])  # valid 24 hours, beyond the deadline
    clock.advance(12 * 3600)
    late = stack.confirm(token)
    assert late.status == 410 and late.body["code"] == "registration_expired"
    client = stack.client_by_email(slug, body["email"])
    assert client is not None and not client.email_confirmed
    assert client.link_hash is not None  # untouched: the cleanup removes it all


def test_r19_no_new_link_after_the_deadline(stack: Stack) -> None:
    org = stack.organization()
    slug = org.org["slug"]
    body = registration_body()
    stack.register(slug, **body)
    sent = len(stack.mailbox(body["email"]))
    clock.advance(7 * DAY)
    assert _resend(slug, body["email"]).status == 202  # the same answer (R21)
    assert len(stack.mailbox(body["email"])) == sent


def test_r9_r20_a_resent_link_is_audited_without_personal_data(stack: Stack) -> None:
    org = stack.organization()
    slug = org.org["slug"]
    body = registration_body()
    stack.register(slug, **body)
    clock.advance(61)
    assert _resend(slug, body["email"]).status == 202
    client = stack.client_by_email(slug, body["email"])
    assert client is not None
    events = list(AuditEvent.query(f"{slug}#client#{client.client_id}"))
    assert [(e.action, e.actor_kind) for e in events] == [
        ("client.self_registered", "public"),
        ("client.confirmation_resent", "public"),
    ]


def test_r9_r16_a_client_approved_while_confirming_is_confirmed_as_active(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Confirmation reads the client, then writes on condition it is still as read; approved
    in between, it is decided again on the new state (get started, not awaiting approval)."""
    org = stack.organization(manual_approval=True)
    slug = org.org["slug"]
    body = registration_body()
    stack.register(slug, **body)
    client = stack.client_by_email(slug, body["email"])
    assert client is not None
    token = stack.link_token(body["email"])
    list_staff = store.list_staff
    approved: list[bool] = []

    def approve_meanwhile(org_id: str) -> Any:
        if not approved:  # between the first read and its transaction
            approved.append(True)
            client.update(
                actions=[Client.status.set("active"), Client.status_key.set(f"{slug}#active")]
            )
        return list_staff(org_id)

    monkeypatch.setattr(store, "list_staff", approve_meanwhile)
    confirmed = stack.confirm(token)
    assert confirmed.status == 200 and confirmed.body == {"status": "active"}
    subjects = [m["subject"] for m in stack.mailbox(body["email"])]
    assert any(s.startswith("Get started") for s in subjects)
    assert not any("awaiting approval" in s for s in subjects)
