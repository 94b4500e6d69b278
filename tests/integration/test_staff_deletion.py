"""R25: org and department admins delete a staff member (R12 scope): login, record (with its
departments), client associations, email guard and links go; refused with Care session
history (R26) and for the last active org_admin; an invitation never accepted can always go,
which frees the address."""

from __future__ import annotations

import uuid
from typing import Any

from clientaccounts import clock
from clientaccounts.organizations import BootstrappedOrganization
from clientaccounts.persistence import keys, store
from clientaccounts.persistence.models import AuditEvent
from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body
from tests.support.stack import Caller, Stack


def _invite(admin: Caller, org: BootstrappedOrganization, **overrides: Any) -> dict[str, Any]:
    body = {
        "first_name": "Lee",
        "last_name": "Leaver",
        "email": f"lee.{uuid.uuid4().hex[:8]}@practice.example",
        "roles": ["practitioner"],
        "department_ids": [org.departments[0]["id"]],
        **overrides,
    }
    answer = admin.call("POST", "/staff", body)
    assert answer.status == 201, answer.body
    return {**body, "id": answer.body["id"]}


def _accept(stack: Stack, email: str) -> str:
    username = f"lee{uuid.uuid4().hex[:8]}"
    body = {"token": stack.link_token(email), "username": username, "password": PASSWORD}
    assert call_api("POST", "/public/invitations/accept", body).status == 200
    return username


def test_r25_deleting_a_practitioner_removes_login_associations_guard_and_record(
    stack: Stack,
) -> None:
    org = stack.organization()
    slug = org.org["slug"]
    admin = stack.as_admin(org)
    invited = _invite(admin, org)
    username = _accept(stack, invited["email"])
    registration = registration_body(practitioner_id=invited["id"])
    stack.register(slug, **registration)
    stack.confirm_registration(registration)
    client = stack.client_by_email(slug, registration["email"])
    assert client is not None and store.list_client_associations(slug, client.client_id)
    answer = admin.call("DELETE", f"/staff/{invited['id']}")
    assert answer.status == 204, answer.body
    assert store.get_staff(slug, invited["id"]) is None
    assert not stack.has_login(username)
    assert store.list_client_associations(slug, client.client_id) == []
    assert store.get_guard(keys.staff_email_guard_key(slug, invited["email"])) is None
    events = list(AuditEvent.query(keys.audit_subject_ref(slug, "staff", invited["id"])))
    assert events[-1].action == "staff.deleted" and events[-1].actor_id == org.admin_id
    assert admin.call("DELETE", f"/staff/{invited['id']}").status == 404


def test_r25_an_invitation_never_accepted_can_always_be_deleted_freeing_the_address(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    invited = _invite(admin, org, roles=["care_coordinator"])
    clock.advance(30 * 24 * 3600)  # long expired
    again = {k: v for k, v in invited.items() if k != "id"}
    assert admin.call("POST", "/staff", again).body["code"] == "email_taken"
    assert admin.call("DELETE", f"/staff/{invited['id']}").status == 204
    assert admin.call("POST", "/staff", again).status == 201


def test_r25_a_staff_member_with_session_history_cannot_be_deleted(stack: Stack) -> None:
    org = stack.organization()
    slug = org.org["slug"]
    doc = stack.staff(org, roles=["practitioner"])
    registration = registration_body(practitioner_id=doc.staff_id)
    stack.register(slug, **registration)
    stack.confirm_registration(registration)
    client = stack.client_by_email(slug, registration["email"])
    assert client is not None
    recorded = stack.as_staff(doc).call("POST", "/care-sessions", {"client_id": client.client_id})
    assert recorded.status == 201
    refused = stack.as_admin(org).call("DELETE", f"/staff/{doc.staff_id}")
    assert (refused.status, refused.body["code"]) == (409, "has_session_history")
    assert store.get_staff(slug, doc.staff_id) is not None


def test_r25_the_last_active_org_admin_cannot_be_deleted(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    stack.staff(org, roles=["org_admin"], accepted=False)  # never accepted: does not count
    refused = admin.call("DELETE", f"/staff/{org.admin_id}")
    assert (refused.status, refused.body["code"]) == (409, "last_org_admin")
    assert stack.has_login(f"admin{org.org['slug'].split('-')[-1]}")
    second = stack.staff(org, roles=["org_admin"])
    assert stack.as_staff(second).call("DELETE", f"/staff/{org.admin_id}").status == 204


def test_r25_a_dept_admin_deletes_only_within_their_departments(stack: Stack) -> None:
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    dept_admin = stack.as_staff(stack.staff(org, roles=["dept_admin"], departments=[first]))
    far = stack.staff(org, roles=["care_coordinator"], departments=[second])
    near = stack.staff(org, roles=["care_coordinator"], departments=[first])
    assert dept_admin.call("DELETE", f"/staff/{far.staff_id}").status == 403
    assert dept_admin.call("DELETE", f"/staff/{org.admin_id}").status == 403
    assert dept_admin.call("DELETE", f"/staff/{near.staff_id}").status == 204
    other = stack.organization()
    assert stack.as_admin(other).call("DELETE", f"/staff/{near.staff_id}").status == 404


def test_r25_deleting_an_active_practitioner_leaves_their_clients_unassigned(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    doc = stack.staff(org, roles=["practitioner"])
    created = admin.call(
        "POST", "/clients", new_client_body(practitioners=[{"practitioner_id": doc.staff_id}])
    )
    assert created.status == 201, created.body
    before = admin.call("GET", "/clients", query={"unassigned": "true"}).body["items"]
    assert created.body["id"] not in [c["id"] for c in before]
    assert admin.call("DELETE", f"/staff/{doc.staff_id}").status == 204
    after = admin.call("GET", "/clients", query={"unassigned": "true"}).body["items"]
    assert created.body["id"] in [c["id"] for c in after]
    assert store.list_client_associations(org.org["slug"], created.body["id"]) == []
