"""Registrations awaiting approval for too long remind the organization's org admins: counts
and a link to the pending list, at most once per period, never before the threshold."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from clientaccounts import clock
from clientaccounts.config import reset_settings
from clientaccounts.lifecycle import JobReport, remind_pending_approvals
from clientaccounts.persistence.models import AuditEvent, Organization
from tests.integration.test_cleanup import Context, run_cleanup
from tests.support.request_bodies import registration_body
from tests.support.stack import Stack

DAY = 24 * 3600
SUBJECT = "Registrations awaiting approval"


@pytest.fixture
def reminder_stack(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    monkeypatch.setenv("COGNITO_DELETE_PAUSE_SECONDS", "0")
    reset_settings()
    return stack


def _pending(stack: Stack, slug: str, *, confirm: bool = True) -> str:
    body = registration_body()
    stack.register(slug, **body)
    if confirm:
        assert stack.confirm_registration(body).status == 200
    client = stack.client_by_email(slug, body["email"])
    assert client is not None and client.status == "pending"
    return client.client_id


def _reminders(stack: Stack, to: str) -> list[dict[str, Any]]:
    return [m for m in stack.mailbox(to) if m["subject"].startswith(SUBJECT)]


def test_pending_approvals_remind_active_org_admins_once_per_period(
    reminder_stack: Stack,
) -> None:
    stack = reminder_stack
    org = stack.organization(manual_approval=True)
    slug = org.org["slug"]
    second_admin = stack.staff(org, roles=["org_admin"])
    quiet = [
        stack.staff(org, roles=["dept_admin"]),
        stack.staff(org, roles=["care_coordinator"]),
        stack.staff(org, roles=["org_admin"], active=False),
    ]
    admin_email = f"admin{slug.split('-')[1]}@practice.example"
    approve_first = _pending(stack, slug)
    clock.advance(DAY)
    _pending(stack, slug)
    _pending(stack, slug, confirm=False)  # not waiting for approval yet: not counted

    clock.advance(2 * DAY - 60)  # the oldest has waited a minute short of 3 days
    assert run_cleanup()["reminders_sent"] == 0
    assert _reminders(stack, admin_email) == []

    clock.advance(60)
    assert run_cleanup()["reminders_sent"] == 1
    for to in (admin_email, second_admin.email):
        (reminder,) = _reminders(stack, to)
        assert "1 registration has been waiting for approval" in reminder["text"]
        assert "the oldest for 3 days" in reminder["text"]
        assert f"/{slug}/clients?status=pending" in reminder["text"]
    for member in quiet:
        assert _reminders(stack, member.email) == []
    events = AuditEvent.query(f"{slug}#organization#{slug}")
    (event,) = [e for e in events if e.action == "organization.pending_reminder_sent"]
    assert event.actor_kind == "system" and event.actor_id is None

    clock.advance(DAY)  # both now over 3 days, but this period's reminder went out
    assert run_cleanup()["reminders_sent"] == 0
    clock.advance(DAY)
    assert run_cleanup()["reminders_sent"] == 0
    clock.advance(DAY)  # a period after the first reminder
    assert run_cleanup()["reminders_sent"] == 1
    latest = _reminders(stack, admin_email)[-1]
    assert "2 registrations have been waiting" in latest["text"]
    assert "the oldest for 6 days" in latest["text"]
    assert len(_reminders(stack, admin_email)) == 2

    admin = stack.as_admin(org)
    assert admin.call("POST", f"/clients/{approve_first}/approve").status == 200
    pending = admin.call("GET", "/clients", query={"status": "pending"}).body["items"]
    for client in pending:
        if client["email_confirmed"]:
            assert admin.call("PATCH", f"/clients/{client['id']}", {"active": False}).status == 200
    clock.advance(10 * DAY)
    assert run_cleanup()["reminders_sent"] == 0  # nobody waits any more


def test_reminders_carry_no_client_personal_data(reminder_stack: Stack) -> None:
    stack = reminder_stack
    org = stack.organization(manual_approval=True)
    slug = org.org["slug"]
    body = registration_body(first_name="Zebedee", last_name="Quartermain")
    stack.register(slug, **body)
    stack.confirm_registration(body)
    clock.advance(3 * DAY)
    assert run_cleanup()["reminders_sent"] == 1
    (reminder,) = _reminders(stack, f"admin{slug.split('-')[1]}@practice.example")
    for value in (body["first_name"], body["last_name"], body["email"], body["dob"]):
        assert value not in reminder["text"] and value not in reminder["html"]


def test_two_runs_at_once_send_one_reminder(reminder_stack: Stack) -> None:
    stack = reminder_stack
    org = stack.organization(manual_approval=True)
    slug = org.org["slug"]
    _pending(stack, slug)
    clock.advance(3 * DAY)
    reports = [JobReport(now=clock.iso(clock.now())) for _ in range(2)]
    now = clock.now()
    threads = [
        threading.Thread(
            target=remind_pending_approvals, args=(now, Context().get_remaining_time_in_millis, r)
        )
        for r in reports
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.reminders_sent for r in reports) == 1
    assert sum(r.reminder_failures for r in reports) == 0
    assert len(_reminders(stack, f"admin{slug.split('-')[1]}@practice.example")) == 1
    assert Organization.get(slug).pending_reminder_sent_at == clock.iso(now)


def test_reminders_reach_each_organization_with_waiting_registrations(
    reminder_stack: Stack,
) -> None:
    stack = reminder_stack
    busy, idle, other = (stack.organization(manual_approval=True) for _ in range(3))
    _pending(stack, busy.org["slug"])
    _pending(stack, other.org["slug"])
    clock.advance(3 * DAY)
    assert run_cleanup()["reminders_sent"] == 2
    for org, count in ((busy, 1), (idle, 0), (other, 1)):
        n = org.org["slug"].split("-")[1]
        assert len(_reminders(stack, f"admin{n}@practice.example")) == count
