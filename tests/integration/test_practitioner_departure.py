"""R25, practitioner departure: deactivating a practitioner (or removing the role) answers how
many active clients are left with no active practitioner, and those clients are listed by
`GET /clients?unassigned=true` (the sparse Unassigned index, kept in the same transactions as
associations, practitioners' (de)activation, confirmations and status changes)."""

from __future__ import annotations

from functools import partial
from typing import Any

from clientaccounts.associations import dissociate_client_from_practitioner
from clientaccounts.auth import Caller as AuthCaller
from clientaccounts.errors import Conflict
from clientaccounts.organizations import BootstrappedOrganization
from clientaccounts.persistence import store
from clientaccounts.persistence.models import Client
from clientaccounts.schemas import UpdateStaffRequest
from clientaccounts.staff import update_staff_member
from tests.support.concurrency import run_concurrently
from tests.support.request_bodies import new_client_body
from tests.support.stack import Caller, Stack


def _create(admin: Caller, *practitioners: str, **overrides: Any) -> str:
    body = new_client_body(**overrides)
    body["practitioners"] = [{"practitioner_id": p} for p in practitioners]
    answer = admin.call("POST", "/clients", body)
    assert answer.status == 201, answer.body
    client_id: str = answer.body["id"]
    return client_id


def _unassigned(admin: Caller, **query: str) -> list[str]:
    answer = admin.call("GET", "/clients", query={"unassigned": "true", **query})
    assert answer.status == 200, answer.body
    return [c["id"] for c in answer.body["items"]]


def _practitioner(stack: Stack, org: BootstrappedOrganization) -> str:
    return stack.staff(org, roles=["practitioner"]).staff_id


def _set_active(admin: Caller, staff_id: str, active: bool) -> Any:
    answer = admin.call("PATCH", f"/staff/{staff_id}", {"active": active})
    assert answer.status == 200, answer.body
    return answer.body


def _associate(admin: Caller, client_id: str, practitioner_id: str) -> None:
    answer = admin.call(
        "POST", f"/clients/{client_id}/practitioners", {"practitioner_id": practitioner_id}
    )
    assert answer.status == 201, answer.body


def _dissociate(admin: Caller, client_id: str, practitioner_id: str) -> None:
    answer = admin.call("DELETE", f"/clients/{client_id}/practitioners/{practitioner_id}")
    assert answer.status == 204, answer.body


def test_r25_deactivating_a_practitioner_reports_and_lists_clients_left_without_one(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    leaving, staying = _practitioner(stack, org), _practitioner(stack, org)
    alone = _create(admin, leaving)
    shared = _create(admin, leaving, staying)
    inactive = _create(admin, leaving)
    assert admin.call("PATCH", f"/clients/{inactive}", {"active": False}).status == 200
    assert _unassigned(admin) == []

    answer = _set_active(admin, leaving, False)
    assert answer["active"] is False
    assert answer["clients_without_practitioner"] == 1  # active clients only
    assert _unassigned(admin) == [alone]
    assert _unassigned(admin, status="inactive") == [inactive]
    assert shared not in _unassigned(admin)


def test_r25_reactivating_the_practitioner_takes_their_clients_off_the_list(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    practitioner = _practitioner(stack, org)
    client = _create(admin, practitioner)
    assert _set_active(admin, practitioner, False)["clients_without_practitioner"] == 1
    assert _unassigned(admin) == [client]
    back = _set_active(admin, practitioner, True)
    assert back["active"] is True and "clients_without_practitioner" not in back
    assert _unassigned(admin) == []
    # And again: the counts are right after a round trip.
    assert _set_active(admin, practitioner, False)["clients_without_practitioner"] == 1


def test_r25_a_practitioner_with_no_clients_leaves_none_without(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    assert _set_active(admin, _practitioner(stack, org), False)["clients_without_practitioner"] == 0
    coordinator = stack.staff(org, roles=["care_coordinator"]).staff_id
    assert "clients_without_practitioner" not in _set_active(admin, coordinator, False)


def test_r25_removing_the_practitioner_role_reports_zero_or_is_refused_with_clients(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    free = stack.staff(org, roles=["practitioner", "care_coordinator"]).staff_id
    answer = admin.call("PATCH", f"/staff/{free}", {"roles": ["care_coordinator"]})
    assert answer.status == 200 and answer.body["clients_without_practitioner"] == 0
    busy = _practitioner(stack, org)
    _create(admin, busy)
    refused = admin.call("PATCH", f"/staff/{busy}", {"roles": ["care_coordinator"]})
    assert refused.status == 409 and refused.body["code"] == "has_associations"


def test_r25_a_staff_created_client_without_practitioner_is_unassigned_until_associated(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    practitioner, other = _practitioner(stack, org), _practitioner(stack, org)
    client = _create(admin)
    assert _unassigned(admin) == [client]
    _associate(admin, client, practitioner)
    assert _unassigned(admin) == []
    _associate(admin, client, other)
    _dissociate(admin, client, practitioner)
    assert _unassigned(admin) == []
    _dissociate(admin, client, other)
    assert _unassigned(admin) == [client]


def test_r25_removing_an_inactive_practitioner_changes_nothing_for_the_client(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    gone, present = _practitioner(stack, org), _practitioner(stack, org)
    client = _create(admin, gone, present)
    assert _set_active(admin, gone, False)["clients_without_practitioner"] == 0
    _dissociate(admin, client, gone)
    assert _unassigned(admin) == []
    _dissociate(admin, client, present)
    assert _unassigned(admin) == [client]


def test_r25_a_not_sure_registration_is_unassigned_once_confirmed(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    practitioner = _practitioner(stack, org)
    slug = org.org["slug"]
    not_sure = stack.register(slug, email="not.sure@mail.example", practitioner_id=None)
    chosen = stack.register(slug, email="chosen@mail.example", practitioner_id=practitioner)
    assert (not_sure.status, chosen.status) == (202, 202)
    assert _unassigned(admin) == []  # an unconfirmed sign-up is nobody's to assign yet
    for email in ("not.sure@mail.example", "chosen@mail.example"):
        assert stack.confirm(stack.link_token(email)).status == 200
    found = stack.client_by_email(slug, "not.sure@mail.example")
    assert found is not None and _unassigned(admin) == [found.client_id]


def test_r25_with_manual_approval_an_unassigned_registration_follows_its_status(
    stack: Stack,
) -> None:
    org = stack.organization(manual_approval=True)
    admin = stack.as_admin(org)
    slug = org.org["slug"]
    assert stack.register(slug, email="waits@mail.example", practitioner_id=None).status == 202
    assert stack.confirm(stack.link_token("waits@mail.example")).status == 200
    client = stack.client_by_email(slug, "waits@mail.example")
    assert client is not None
    assert _unassigned(admin, status="pending") == [client.client_id]
    assert _unassigned(admin) == []
    assert admin.call("POST", f"/clients/{client.client_id}/approve").status == 200
    assert _unassigned(admin) == [client.client_id]
    assert _unassigned(admin, status="pending") == []


def test_r25_a_client_deactivated_and_back_stays_unassigned_under_its_status(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    client = _create(admin)
    assert admin.call("PATCH", f"/clients/{client}", {"active": False}).status == 200
    assert (_unassigned(admin), _unassigned(admin, status="inactive")) == ([], [client])
    assert admin.call("PATCH", f"/clients/{client}", {"active": True}).status == 200
    assert (_unassigned(admin), _unassigned(admin, status="inactive")) == ([client], [])


def test_r25_the_unassigned_list_is_in_name_order_narrows_by_name_and_pages(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    practitioner = _practitioner(stack, org)
    ids = {last: _create(admin, last_name=last) for last in ("Baker", "Abbot", "Bacon")}
    _create(admin, practitioner, last_name="Banks")
    assert _unassigned(admin) == [ids["Abbot"], ids["Bacon"], ids["Baker"]]
    assert _unassigned(admin, q="ba") == [ids["Bacon"], ids["Baker"]]
    first = admin.call("GET", "/clients", query={"unassigned": "true", "limit": "2"})
    assert first.status == 200 and first.body["next_cursor"]
    rest = admin.call(
        "GET",
        "/clients",
        query={"unassigned": "true", "limit": "2", "cursor": first.body["next_cursor"]},
    )
    assert [c["id"] for c in rest.body["items"]] == [ids["Baker"]]


def test_r25_a_client_written_before_the_count_was_kept_is_counted_from_its_associations(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    practitioner = _practitioner(stack, org)
    client_id = _create(admin, practitioner)
    store.ensure_bound()
    Client(org.org["slug"], client_id).update(
        actions=[Client.active_practitioners.remove(), Client.unassigned_key.remove()]
    )
    assert _set_active(admin, practitioner, False)["clients_without_practitioner"] == 1
    assert _unassigned(admin) == [client_id]


def test_r25_the_unassigned_list_is_one_organizations(stack: Stack) -> None:
    org, other = stack.organization(), stack.organization()
    mine = _create(stack.as_admin(org))
    _create(stack.as_admin(other))
    assert _unassigned(stack.as_admin(org)) == [mine]


def test_r25_a_departure_and_a_dissociation_at_once_leave_the_count_right(stack: Stack) -> None:
    """Both changes count from the client's number as read; the second to commit finds it
    changed (409, to retry) instead of counting from a stale one."""
    org = stack.organization()
    admin = stack.as_admin(org)
    slug = org.org["slug"]
    manager = AuthCaller("staff", slug, org.admin_id, roles=frozenset({"org_admin"}))
    for _ in range(3):
        leaving, other = _practitioner(stack, org), _practitioner(stack, org)
        client_id = _create(admin, leaving, other)
        results = run_concurrently(
            [
                partial(
                    update_staff_member,
                    manager,
                    leaving,
                    UpdateStaffRequest.parse({"active": False}),
                ),
                partial(dissociate_client_from_practitioner, manager, client_id, other),
            ]
        )
        assert all(r is None or isinstance(r, dict | Conflict) for r in results), results
        stored = store.get_client(slug, client_id)
        assert stored is not None
        associations = store.list_client_associations(slug, client_id)
        staff = store.get_staff_many(slug, [a.practitioner_id for a in associations])
        active = sum(1 for s in staff if s.active)
        assert stored.active_practitioners == active, results
        assert (client_id in _unassigned(admin)) == (active == 0), results
