"""R26 Care session history, and R17 as revised: a client with history cannot be deleted,
only inactivated; the client object says `can_delete`."""

from __future__ import annotations

from functools import partial
from typing import Any

from clientaccounts.auth import Caller as AuthCaller
from clientaccounts.care_sessions import record_care_session
from clientaccounts.clients import delete_client
from clientaccounts.errors import DomainError
from clientaccounts.organizations import BootstrappedOrganization
from clientaccounts.persistence import store
from clientaccounts.persistence.models import Client, Staff
from tests.support.concurrency import run_concurrently
from tests.support.request_bodies import registration_body
from tests.support.stack import Stack


def _active_client(stack: Stack, org: BootstrappedOrganization, practitioner: Staff) -> Client:
    slug = org.org["slug"]
    body = registration_body(practitioner_id=practitioner.staff_id)
    assert stack.register(slug, **body).status == 202
    assert stack.confirm_registration(body).status == 200
    client = stack.client_by_email(slug, body["email"])
    assert client is not None and client.status == "active"
    return client


def _record(stack: Stack, practitioner: Staff, client_id: str) -> Any:
    return stack.as_staff(practitioner).call("POST", "/care-sessions", {"client_id": client_id})


def test_r26_a_practitioner_records_a_session_on_both_accounts(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    client = _active_client(stack, org, doc)
    answer = _record(stack, doc, client.client_id)
    assert answer.status == 201, answer.body
    assert answer.body == {
        "client_id": client.client_id,
        "practitioner_id": doc.staff_id,
        "recorded_at": answer.body["recorded_at"],
    }
    since = answer.body["recorded_at"]
    stored_client = store.get_client(client.org_id, client.client_id)
    stored_doc = store.get_staff(doc.org_id, doc.staff_id)
    assert stored_client is not None and stored_client.session_history_since == since
    assert stored_doc is not None and stored_doc.session_history_since == since
    # Recording again is fine; the history keeps its first time.
    again = _record(stack, doc, client.client_id)
    assert again.status == 201
    stored_client = store.get_client(client.org_id, client.client_id)
    assert stored_client is not None and stored_client.session_history_since == since
    history = stack.as_admin(org).call("GET", f"/clients/{client.client_id}/history").body
    assert "care_session.recorded" in [e["action"] for e in history["items"]]


def test_r26_only_an_associated_practitioner_records_with_an_active_client(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    stranger = stack.staff(org, roles=["practitioner"])
    client = _active_client(stack, org, doc)
    assert _record(stack, stranger, client.client_id).body["code"] == "not_associated"
    admin = stack.as_admin(org)
    refused = admin.call("POST", "/care-sessions", {"client_id": client.client_id})
    assert (refused.status, refused.body["code"]) == (403, "forbidden")
    other = stack.organization()
    far = stack.staff(other, roles=["practitioner"])
    assert _record(stack, far, client.client_id).status == 404  # R18
    admin.call("PATCH", f"/clients/{client.client_id}", {"active": False})
    inactive = _record(stack, doc, client.client_id)
    assert (inactive.status, inactive.body["code"]) == (409, "client_not_active")


def test_r17_a_client_with_session_history_cannot_be_deleted_and_says_so(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    client = _active_client(stack, org, doc)
    admin = stack.as_admin(org)
    assert admin.call("GET", f"/clients/{client.client_id}").body["can_delete"] is True
    assert _record(stack, doc, client.client_id).status == 201
    assert admin.call("GET", f"/clients/{client.client_id}").body["can_delete"] is False
    listed = admin.call("GET", "/clients").body["items"]
    assert [c["can_delete"] for c in listed if c["id"] == client.client_id] == [False]
    refused = admin.call("DELETE", f"/clients/{client.client_id}")
    assert (refused.status, refused.body["code"]) == (409, "has_session_history")
    assert client.username is not None and stack.has_login(client.username)
    # Only inactivated.
    assert admin.call("PATCH", f"/clients/{client.client_id}", {"active": False}).status == 200


def test_r17_care_coordinators_delete_clients_without_history(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    client = _active_client(stack, org, doc)
    coordinator = stack.staff(org, roles=["care_coordinator"])
    answer = stack.as_staff(coordinator).call("DELETE", f"/clients/{client.client_id}")
    assert answer.status == 204, answer.body
    assert store.get_client(client.org_id, client.client_id) is None


def test_r17_r26_a_delete_and_a_session_at_once_one_wins(stack: Stack) -> None:
    """Repeated: whatever the interleaving, either the client is gone (login and all) and no
    session was recorded, or the session was recorded and the client keeps record and login."""
    org = stack.organization()
    slug = org.org["slug"]
    doc = stack.staff(org, roles=["practitioner"])
    admin = AuthCaller("staff", slug, org.admin_id, roles=frozenset({"org_admin"}))
    practitioner = AuthCaller(
        "staff",
        slug,
        doc.staff_id,
        roles=frozenset({"practitioner"}),
        department_ids=frozenset(doc.department_ids),
    )
    winners = set()
    for _ in range(12):
        client = _active_client(stack, org, doc)
        deleted, recorded = run_concurrently(
            [
                partial(delete_client, admin, client.client_id),
                partial(record_care_session, practitioner, client.client_id),
            ]
        )
        stored = store.get_client(slug, client.client_id)
        assert client.username is not None
        if isinstance(recorded, DomainError):
            assert deleted is None, deleted
            assert stored is None and not stack.has_login(client.username)
            winners.add("delete")
        else:
            assert isinstance(deleted, DomainError) and deleted.code == "has_session_history"
            assert stored is not None and stored.session_history_since == recorded["recorded_at"]
            assert stack.has_login(client.username)
            winners.add("session")
    assert winners  # which ones won varies with the interleaving
