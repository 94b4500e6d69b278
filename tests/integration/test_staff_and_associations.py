"""Associations (R11), staff administration (R12), organization settings, the Care App's
connections, and tenancy (R18)."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from moto.cognitoidp.models import CognitoIdpBackend

from clientaccounts.auth import Caller as AuthCaller
from clientaccounts.errors import Conflict
from clientaccounts.persistence import store
from clientaccounts.schemas import UpdateStaffRequest
from clientaccounts.staff import update_staff_member
from infra.cognito_login import TriggerRefused
from tests.support.concurrency import run_concurrently
from tests.support.faults import Outages
from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, registration_body
from tests.support.stack import Stack


def _active_client(stack: Stack, org: Any, **overrides: Any) -> Any:
    body = registration_body(**overrides)
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    return client


def _staff_body(department_ids: list[str], roles: list[str], **overrides: Any) -> dict[str, Any]:
    import uuid

    body = {
        "first_name": "Sol",
        "last_name": "Staff",
        "email": f"sol.{uuid.uuid4().hex[:8]}@practice.example",
        "roles": roles,
        "department_ids": department_ids,
    }
    body.update(overrides)
    return body


# --- R11 associations ---------------------------------------------------------------


def test_r11_only_practitioners_take_associations(stack: Stack) -> None:
    org = stack.organization()
    coordinator = stack.staff(org, roles=["care_coordinator"])
    client = _active_client(stack, org)
    answer = stack.as_admin(org).call(
        "POST",
        f"/clients/{client.client_id}/practitioners",
        {"practitioner_id": coordinator.staff_id},
    )
    assert answer.status == 422 and answer.body["errors"][0]["field"] == "practitioner_id"


def test_r11_several_departments_need_one_chosen_or_take_the_first(stack: Stack) -> None:
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    doc = stack.staff(org, roles=["practitioner"], departments=[first, second])
    admin = stack.as_admin(org)
    a, b = _active_client(stack, org), _active_client(stack, org)
    chosen = admin.call(
        "POST",
        f"/clients/{a.client_id}/practitioners",
        {"practitioner_id": doc.staff_id, "department_id": second},
    )
    assert chosen.status == 201 and chosen.body["department_id"] == second
    defaulted = admin.call("POST", f"/staff/{doc.staff_id}/clients", {"client_id": b.client_id})
    assert defaulted.status == 201 and defaulted.body["department_id"] == first
    c = _active_client(stack, org)
    wrong = admin.call(
        "POST",
        f"/clients/{c.client_id}/practitioners",
        {"practitioner_id": doc.staff_id, "department_id": "not-theirs"},
    )
    assert wrong.status == 422 and wrong.body["errors"][0]["field"] == "department_id"


def test_r11_one_association_per_pair(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    client = _active_client(stack, org)
    admin = stack.as_admin(org)
    path = f"/clients/{client.client_id}/practitioners"
    assert admin.call("POST", path, {"practitioner_id": doc.staff_id}).status == 201
    again = admin.call("POST", f"/staff/{doc.staff_id}/clients", {"client_id": client.client_id})
    assert again.status == 409 and again.body["code"] == "already_associated"


def test_r11_managers_associate_only_within_their_departments(stack: Stack) -> None:
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    doc = stack.staff(org, roles=["practitioner"], departments=[second])
    client = _active_client(stack, org)
    for role in ("dept_admin", "care_coordinator"):
        manager = stack.as_staff(stack.staff(org, roles=[role], departments=[first]))
        refused = manager.call(
            "POST",
            f"/clients/{client.client_id}/practitioners",
            {"practitioner_id": doc.staff_id},
        )
        assert refused.status == 403 and refused.body["code"] == "department_out_of_scope"
    assert (
        stack.as_admin(org)
        .call(
            "POST", f"/clients/{client.client_id}/practitioners", {"practitioner_id": doc.staff_id}
        )
        .status
        == 201
    )  # an org_admin works across departments


def test_r7_r11_not_sure_client_connects_once_associated(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    client = _active_client(stack, org)  # "not sure"
    assert stack.as_client(client).call("GET", "/me/connections").body == {"items": []}
    stack.as_admin(org).call(
        "POST", f"/clients/{client.client_id}/practitioners", {"practitioner_id": doc.staff_id}
    )
    (item,) = stack.as_client(client).call("GET", "/me/connections").body["items"]
    assert item["id"] == doc.staff_id and item["display_name"] == f"Pat {doc.last_name}"
    (mine,) = stack.as_staff(doc).call("GET", "/me/connections").body["items"]
    assert mine["id"] == client.client_id
    removed = stack.as_admin(org).call(
        "DELETE", f"/clients/{client.client_id}/practitioners/{doc.staff_id}"
    )
    assert removed.status == 204
    assert stack.as_client(client).call("GET", "/me/connections").body == {"items": []}


def test_connections_leave_out_clients_not_yet_in_the_care_app(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    doc = stack.staff(org, roles=["practitioner"])
    pending = _active_client(stack, org, practitioner_id=doc.staff_id)
    unconfirmed = registration_body(practitioner_id=doc.staff_id)
    stack.register(org.org["slug"], **unconfirmed)
    assert pending.status == "pending"
    assert stack.as_staff(doc).call("GET", "/me/connections").body == {"items": []}
    assert stack.as_client(pending).call("GET", "/me/connections").body == {"items": []}


# --- R12 staff roles ---------------------------------------------------------------


def test_r12_invited_staff_accepts_through_the_invitation_route_and_logs_in(stack: Stack) -> None:
    org = stack.organization()
    body = _staff_body([org.departments[0]["id"]], ["practitioner"])
    invited = stack.as_admin(org).call("POST", "/staff", body)
    assert invited.status == 201 and invited.body["credentials_set"] is False
    token = stack.link_token(body["email"])
    accepted = call_api(
        "POST",
        "/public/invitations/accept",
        {"token": token, "username": "newdoc", "password": PASSWORD},
    )
    assert accepted.status == 200 and accepted.body == {"status": "active"}
    assert stack.login("newdoc", app="care_app")["IdToken"]
    staff = stack.as_admin(org).call("GET", f"/staff/{invited.body['id']}").body
    assert staff["credentials_set"] is True and staff["clients"] == []


def test_r12_staff_email_is_unique(stack: Stack) -> None:
    org = stack.organization()
    body = _staff_body([org.departments[0]["id"]], ["care_coordinator"])
    assert stack.as_admin(org).call("POST", "/staff", body).status == 201
    again = stack.as_admin(org).call("POST", "/staff", {**body, "email": body["email"].upper()})
    assert again.status == 409 and again.body["code"] == "email_taken"


def test_r12_dept_admin_cannot_grant_org_admin_or_edit_outside(stack: Stack) -> None:
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    dept_admin = stack.as_staff(stack.staff(org, roles=["dept_admin"], departments=[first]))
    grant = dept_admin.call("POST", "/staff", _staff_body([first], ["org_admin"]))
    assert grant.status == 403
    outside = dept_admin.call("POST", "/staff", _staff_body([second], ["practitioner"]))
    assert outside.status == 403
    colleague = stack.staff(org, roles=["care_coordinator"], departments=[first])
    promote = dept_admin.call("PATCH", f"/staff/{colleague.staff_id}", {"roles": ["org_admin"]})
    assert promote.status == 403
    elsewhere = stack.staff(org, roles=["care_coordinator"], departments=[second])
    assert (
        dept_admin.call(
            "PATCH", f"/staff/{elsewhere.staff_id}", {"new_client_notifications": False}
        ).status
        == 403
    )
    ok = dept_admin.call("PATCH", f"/staff/{colleague.staff_id}", {"roles": ["practitioner"]})
    assert ok.status == 200 and ok.body["roles"] == ["practitioner"]


def test_r12_org_admin_edits_roles_departments_and_notifications(stack: Stack) -> None:
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    member = stack.staff(org, roles=["care_coordinator"], departments=[first])
    answer = stack.as_admin(org).call(
        "PATCH",
        f"/staff/{member.staff_id}",
        {
            "roles": ["dept_admin", "practitioner"],
            "department_ids": [second],
            "new_client_notifications": False,
        },
    )
    assert answer.status == 200
    assert (answer.body["roles"], answer.body["department_ids"]) == (
        ["dept_admin", "practitioner"],
        [second],
    )
    assert answer.body["new_client_notifications"] is False


def test_r12_removing_practitioner_with_clients_is_refused(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner", "care_coordinator"])
    client = _active_client(stack, org, practitioner_id=doc.staff_id)
    admin = stack.as_admin(org)
    refused = admin.call("PATCH", f"/staff/{doc.staff_id}", {"roles": ["care_coordinator"]})
    assert refused.status == 409 and refused.body["code"] == "has_associations"
    assert "reassign" in refused.body["message"]  # says what to do next
    admin.call("DELETE", f"/clients/{client.client_id}/practitioners/{doc.staff_id}")
    allowed = admin.call("PATCH", f"/staff/{doc.staff_id}", {"roles": ["care_coordinator"]})
    assert allowed.status == 200


def test_r12_deleting_a_client_frees_the_practitioner(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    client = _active_client(stack, org, practitioner_id=doc.staff_id)
    admin = stack.as_admin(org)
    assert admin.call("DELETE", f"/clients/{client.client_id}").status == 204
    assert (
        admin.call("PATCH", f"/staff/{doc.staff_id}", {"roles": ["care_coordinator"]}).status == 200
    )


def test_r12_r13_deactivated_staff_is_signed_out_and_refused(stack: Stack) -> None:
    org = stack.organization()
    body = _staff_body([org.departments[0]["id"]], ["care_coordinator"])
    invited = stack.as_admin(org).call("POST", "/staff", body).body
    call_api(
        "POST",
        "/public/invitations/accept",
        {"token": stack.link_token(body["email"]), "username": "leaver", "password": PASSWORD},
    )
    tokens = stack.login("leaver", app="portal")
    off = stack.as_admin(org).call("PATCH", f"/staff/{invited['id']}", {"active": False})
    assert off.status == 200 and off.body["active"] is False
    with pytest.raises(TriggerRefused, match="inactive"):
        stack.login("leaver", app="portal")
    cognito = stack.client("cognito-idp")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(
            ClientId=stack.provisioned.portal_client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )


def test_r12_cognito_down_during_staff_deactivation_changes_nothing(
    stack: Stack, outages: Outages
) -> None:
    org = stack.organization()
    username = f"admin{org.org['slug'].split('-')[1]}"
    second_admin = stack.staff(org, roles=["org_admin"])
    outages.fail(CognitoIdpBackend, "admin_user_global_sign_out")
    answer = stack.as_staff(second_admin).call("PATCH", f"/staff/{org.admin_id}", {"active": False})
    assert answer.status == 503
    assert stack.login(username, app="portal")["IdToken"]


def test_the_last_active_org_admin_stays(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    answer = admin.call("PATCH", f"/staff/{org.admin_id}", {"active": False})
    assert answer.status == 409 and answer.body["code"] == "last_org_admin"
    demote = admin.call("PATCH", f"/staff/{org.admin_id}", {"roles": ["care_coordinator"]})
    assert demote.status == 409


def test_last_org_admin_an_inactive_other_admin_does_not_count(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    other = stack.staff(org, roles=["org_admin"])
    assert admin.call("PATCH", f"/staff/{other.staff_id}", {"active": False}).status == 200
    answer = admin.call("PATCH", f"/staff/{org.admin_id}", {"roles": ["dept_admin"]})
    assert answer.status == 409 and answer.body["code"] == "last_org_admin"


def test_last_org_admin_one_who_never_accepted_does_not_count(stack: Stack) -> None:
    """An org_admin without a username cannot sign in: they do not keep the organization."""
    org = stack.organization()
    admin = stack.as_admin(org)
    stack.staff(org, roles=["org_admin"], accepted=False)
    for change in ({"roles": ["dept_admin"]}, {"active": False}):
        answer = admin.call("PATCH", f"/staff/{org.admin_id}", change)
        assert answer.status == 409 and answer.body["code"] == "last_org_admin"
    assert stack.as_admin(org).call("GET", "/me").body["roles"] == ["org_admin"]


def _accepted_org_admins(org_id: str) -> list[str]:
    return [
        s.staff_id
        for s in store.list_staff(org_id)
        if s.active and "org_admin" in s.roles and s.username
    ]


@pytest.mark.parametrize("change", [{"roles": ["care_coordinator"]}, {"active": False}])
def test_last_org_admin_two_admins_removing_each_other_at_once_leave_one(
    stack: Stack, change: dict[str, Any]
) -> None:
    """Repeated: whatever the interleaving, one of the two wins and the other is refused."""
    for _ in range(20):
        org = stack.organization()
        slug = org.org["slug"]
        other = stack.staff(org, roles=["org_admin"])
        admins = [
            AuthCaller("staff", slug, staff_id, roles=frozenset({"org_admin"}))
            for staff_id in (org.admin_id, other.staff_id)
        ]
        targets = [other.staff_id, org.admin_id]  # each removes the other
        results = run_concurrently(
            [
                partial(update_staff_member, admin, target, UpdateStaffRequest.parse(change))
                for admin, target in zip(admins, targets, strict=True)
            ]
        )
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(refused) == 1 and refused[0].code == "last_org_admin", results
        assert len(_accepted_org_admins(slug)) == 1


def test_staff_list_filters_by_role_and_department(stack: Stack) -> None:
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    doc = stack.staff(org, roles=["practitioner"], departments=[second])
    stack.staff(org, roles=["practitioner"], departments=[first])
    listed = stack.as_admin(org).call(
        "GET", "/staff", query={"role": "practitioner", "department_id": second}
    )
    assert [s["id"] for s in listed.body["items"]] == [doc.staff_id]
    bad = stack.as_admin(org).call("GET", "/staff", query={"role": "wizard"})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "role"


# --- organization -------------------------------------------------------------------


def test_r8_org_admin_turns_on_manual_approval(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    answer = admin.call("PATCH", "/org", {"manual_approval": True, "name": "Renamed"})
    assert answer.status == 200
    assert answer.body == {
        "slug": org.org["slug"],
        "name": "Renamed",
        "kind": "organization",
        "manual_approval": True,
        "require_staff_mfa": False,
    }
    body = registration_body()
    stack.register(org.org["slug"], **body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and client.status == "pending"


def test_departments_are_listed_and_created_with_unique_names(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    made = admin.call("POST", "/departments", {"name": "Pediatrics"})
    assert made.status == 201
    again = admin.call("POST", "/departments", {"name": "pediatrics"})
    assert again.status == 409 and again.body["errors"][0]["field"] == "name"
    names = [d["name"] for d in admin.call("GET", "/departments").body["items"]]
    assert names == ["Department 1", "Department 2", "Pediatrics"]


# --- R18 tenancy ---------------------------------------------------------------------


def test_r18_ids_of_another_organization_are_not_found(stack: Stack) -> None:
    org, other = stack.organization(), stack.organization()
    their_doc = stack.staff(other, roles=["practitioner"])
    their_client = _active_client(stack, other)
    ours = stack.as_admin(org)
    my_client = _active_client(stack, org)
    assert ours.call("GET", f"/clients/{their_client.client_id}").status == 404
    assert ours.call("GET", f"/staff/{their_doc.staff_id}").status == 404
    assert ours.call("PATCH", f"/staff/{their_doc.staff_id}", {"active": False}).status == 404
    cross = ours.call(
        "POST",
        f"/clients/{my_client.client_id}/practitioners",
        {"practitioner_id": their_doc.staff_id},
    )
    assert cross.status == 422  # not a practitioner here
    assert store.list_client_associations(org.org["slug"], my_client.client_id) == []
