"""R19: the scheduled cleanup removes self-registrations still unconfirmed at their deadline
(records only: an unconfirmed sign-up has no login, R9) and reads only those accounts (the
sparse index), whatever the table holds."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from moto.cognitoidp.models import CognitoIdpBackend

from clientaccounts import clock, identity, rules
from clientaccounts.associations import add_association
from clientaccounts.config import reset_settings
from clientaccounts.persistence import keys, store
from clientaccounts.persistence.models import AuditEvent, Client, Staff
from infra.lambda_loader import load_handler
from infra.local_routes import scheduled_event
from tests.support.aws_calls import recorded_aws_calls
from tests.support.faults import AwsOutage
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body, username_for
from tests.support.stack import REGION, Stack

DAY = 24 * 3600
RETENTION = 7 * DAY  # the template's UnconfirmedRetentionDays


@dataclass
class Context:
    """A Lambda context whose remaining time runs out after `calls` questions (None: never)."""

    calls: int | None = None
    asked: int = 0
    function_name: str = "CleanupFunction"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:cleanup"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        self.asked += 1
        return 300_000 if self.calls is None or self.asked <= self.calls else 1_000


@pytest.fixture
def cleanup_stack(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """The stack, with no pause between Cognito deletions."""
    monkeypatch.setenv("COGNITO_DELETE_PAUSE_SECONDS", "0")
    reset_settings()
    return stack


def run_cleanup(context: Context | None = None, at: str | None = None) -> dict[str, Any]:
    """Invoke the scheduled function with the event EventBridge sends (timed now, or `at`)."""
    event = scheduled_event("CleanupFunction", "Hourly", REGION)
    if at is not None:
        event["time"] = at
    result: dict[str, Any] = load_handler("CleanupFunction")(event, context or Context())
    return result


def register(stack: Stack, slug: str, **overrides: Any) -> tuple[dict[str, Any], Client]:
    body = registration_body(**overrides)
    answer = stack.register(slug, **body)
    assert answer.status == 202, answer.body
    client = stack.client_by_email(slug, body["email"])
    assert client is not None
    return body, client


def test_r19_reads_only_the_expired_signups_among_thousands_and_spares_the_rest(
    cleanup_stack: Stack,
) -> None:
    stack = cleanup_stack
    org, other = stack.organization(), stack.organization()
    slug = org.org["slug"]
    doc = stack.staff(org, roles=["practitioner"])
    stack.bulk_clients(slug, 2000, origin="self")
    stack.bulk_clients(slug, 200, origin="staff")  # invited, never accepted
    invited = stack.as_admin(org).call("POST", "/clients", new_client_body()).body
    expired = [register(stack, slug) for _ in range(3)]
    expired.append(register(stack, slug, practitioner_id=doc.staff_id))
    expired.append(register(stack, other.org["slug"]))
    confirmed_body, confirmed = register(stack, slug)
    assert stack.confirm_registration(confirmed_body).status == 200
    assert Staff.get(slug, doc.staff_id).client_count is None  # unconfirmed: nobody's yet
    clock.advance(RETENTION)  # exactly at the deadline: due
    _, fresh = register(stack, slug)
    clients_before = stack.count_items("ClientsTable")

    with recorded_aws_calls() as calls:
        report = run_cleanup()
    reads = calls.items_read()

    assert report["expired_signups_removed"] == 5 and report["cleanup_failures"] == 0
    assert report["completed"] is True
    # The index gave exactly the expired accounts; each was then read once (consistent):
    # nothing of the 2,200 others was read, and no login or association had to go.
    assert reads["ClientsTable/UnconfirmedByDeadline"] == 5
    assert reads["ClientsTable"] == 5
    assert sum(reads.values()) == 10
    assert "Scan" not in calls.operations()
    assert not calls.operations("cognito-idp")
    print(f"\nR19 cleanup: {dict(reads)} for 5 expired among {clients_before} clients")

    assert stack.count_items("ClientsTable") == clients_before - 5
    for body, client in expired:
        assert store.get_client(client.org_id, client.client_id) is None
        assert store.get_guard(keys.client_email_guard_key(client.org_id, body["email"])) is None
        assert client.link_hash and store.get_link(client.link_hash) is None
        assert not store.list_client_associations(client.org_id, client.client_id)
        (event,) = AuditEvent.query(
            f"{client.org_id}#client#{client.client_id}", scan_index_forward=False, limit=1
        )
        assert (event.action, event.actor_kind) == ("client.expired_signup_removed", "system")
    for client in (fresh, confirmed):
        assert store.get_client(slug, client.client_id) is not None
    assert stack.has_login(username_for(confirmed_body))
    assert store.get_client(slug, invited["id"]) is not None

    with recorded_aws_calls() as again_calls:
        again = run_cleanup()
    assert again["expired_signups_removed"] == 0 and again["skipped"] == 0
    assert sum(again_calls.items_read().values()) == 0  # idempotent, and it reads nothing


def test_r19_staff_created_clients_never_carry_the_cleanup_key(cleanup_stack: Stack) -> None:
    stack = cleanup_stack
    org = stack.organization()
    admin = stack.as_admin(org)
    for _ in range(3):
        assert admin.call("POST", "/clients", new_client_body()).status == 201
    _, signup = register(stack, org.org["slug"])
    indexed = list(Client.unconfirmed_by_deadline.query("unconfirmed"))
    assert [(c.org_id, c.client_id) for c in indexed] == [(signup.org_id, signup.client_id)]
    clock.advance(30 * DAY)
    assert run_cleanup()["expired_signups_removed"] == 1
    assert len(admin.call("GET", "/clients").body["items"]) == 3


def test_r19_a_run_out_of_time_stops_cleanly_and_the_next_one_finishes(
    cleanup_stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = cleanup_stack
    org = stack.organization()
    signups = [register(stack, org.org["slug"]) for _ in range(5)]
    clock.advance(RETENTION + 1)
    capsys.readouterr()

    first = run_cleanup(Context(calls=3))  # time for the page and two accounts
    assert first["completed"] is False
    assert first["expired_signups_removed"] == 2
    assert _metric(capsys.readouterr().out, "ScheduledRunIncomplete") == 1

    second = run_cleanup()
    assert second["completed"] is True and second["expired_signups_removed"] == 3
    assert _metric(capsys.readouterr().out, "ExpiredSignupsRemoved") == 3
    assert all(store.get_client(c.org_id, c.client_id) is None for _, c in signups)


def _signed_up_before_r9(stack: Stack, org: Any, practitioner_id: str) -> tuple[str, Client]:
    """A sign-up of the first release: credentials chosen on the form, so a login and, with a
    practitioner chosen, an association before the address was proven."""
    body, client = register(stack, org.org["slug"])
    username = username_for(body)
    identity.create_login(
        username=username,
        password=PASSWORD,
        org_id=client.org_id,
        account_kind="client",
        account_id=client.client_id,
    )
    client.update(actions=[Client.username.set(username)])
    tx = store.Transaction()
    choice = rules.PractitionerChoice(practitioner_id, org.departments[0]["id"])
    add_association(tx, client.org_id, client.client_id, choice)
    tx.commit()
    return username, client


def test_r19_a_sign_up_made_before_r9_goes_with_its_login_and_association(
    cleanup_stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = cleanup_stack
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    register(stack, org.org["slug"])
    stuck_username, stuck = _signed_up_before_r9(stack, org, doc.staff_id)
    clock.advance(RETENTION + 1)
    original = CognitoIdpBackend.admin_delete_user

    def failing(self: Any, user_pool_id: str, username: str) -> Any:
        raise AwsOutage()

    monkeypatch.setattr(CognitoIdpBackend, "admin_delete_user", failing)
    capsys.readouterr()
    report = run_cleanup()
    assert (report["expired_signups_removed"], report["cleanup_failures"]) == (1, 1)
    assert _metric(capsys.readouterr().out, "CleanupFailures") == 1
    assert store.get_client(org.org["slug"], stuck.client_id) is not None
    assert stack.has_login(stuck_username)

    monkeypatch.setattr(CognitoIdpBackend, "admin_delete_user", original)
    retried = run_cleanup()
    assert (retried["expired_signups_removed"], retried["cleanup_failures"]) == (1, 0)
    assert store.get_client(org.org["slug"], stuck.client_id) is None
    assert not stack.has_login(stuck_username)
    assert store.list_client_associations(org.org["slug"], stuck.client_id) == []
    assert Staff.get(org.org["slug"], doc.staff_id).client_count == 0


def test_r19_a_removed_signups_username_and_email_can_register_again(cleanup_stack: Stack) -> None:
    stack = cleanup_stack
    org = stack.organization()
    slug = org.org["slug"]
    body, first = register(stack, slug)
    clock.advance(RETENTION + 1)
    assert run_cleanup()["expired_signups_removed"] == 1

    again = stack.register(slug, **body)
    assert again.status == 202, again.body
    second = stack.client_by_email(slug, body["email"])
    assert second is not None and second.client_id != first.client_id
    assert stack.confirm_registration(body).status == 200
    assert stack.login(username_for(body))["IdToken"]


def test_r19_the_schedules_time_decides_not_the_clock(cleanup_stack: Stack) -> None:
    stack = cleanup_stack
    org = stack.organization()
    _, client = register(stack, org.org["slug"])
    registered = clock.now()
    clock.advance(RETENTION + DAY)
    # A run scheduled before the deadline (a retried or late delivery) removes nothing ...
    early = run_cleanup(at=clock.iso(registered + timedelta(days=6)))
    assert early["expired_signups_removed"] == 0
    assert early["now"] == clock.iso(registered + timedelta(days=6))
    # ... and a time beyond the clock counts as the clock.
    clock.reset()
    late = run_cleanup(at=clock.iso(registered + timedelta(days=30)))
    assert late["expired_signups_removed"] == 0
    assert store.get_client(client.org_id, client.client_id) is not None


def test_r19_a_confirmed_signup_found_in_a_lagging_index_is_skipped(cleanup_stack: Stack) -> None:
    """The index is eventually consistent: an account confirmed a moment ago may still be in it.
    The consistent read before anything is deleted spares it, login included."""
    stack = cleanup_stack
    org = stack.organization()
    _, client = register(stack, org.org["slug"])
    clock.advance(RETENTION + 1)
    client.update(actions=[Client.email_confirmed.set(True)])  # the index entry stays
    report = run_cleanup()
    assert (report["expired_signups_removed"], report["skipped"]) == (0, 1)
    assert store.get_client(client.org_id, client.client_id) is not None


def _metric(output: str, name: str) -> float:
    """The value of one metric in the EMF lines the function printed."""
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            if name in document:  # a list of values in Powertools' EMF
                values = document[name]
                return float(sum(values) if isinstance(values, list) else values)
    raise AssertionError(f"metric {name} not emitted")
