"""R25: an individual practice becomes an organization (and back, with one practitioner);
its only practitioner keeps the role; departments are renamed and described."""

from __future__ import annotations

from clientaccounts.persistence import store
from tests.support.lambda_events import call_api
from tests.support.request_bodies import registration_body
from tests.support.stack import Stack


def test_r25_an_individual_practice_becomes_an_organization(stack: Stack) -> None:
    org = stack.organization(kind="individual")
    admin = stack.as_admin(org)
    slug = org.org["slug"]
    assert stack.register(slug, **registration_body()).status == 202
    changed = admin.call("PATCH", "/org", {"kind": "organization"})
    assert changed.status == 200 and changed.body["kind"] == "organization", changed.body
    assert admin.call("GET", "/org").body["kind"] == "organization"
    # Registrations now offer "not sure" and a choice among practitioners.
    page = call_api("GET", f"/public/orgs/{slug}").body
    assert page["kind"] == "organization" and page["allows_not_sure"] is True
    assert stack.register(slug, **registration_body(practitioner_id=None)).status == 202
    history_actions = [
        e.action
        for e in store.query_audit_trail(f"{slug}#organization#{slug}", limit=10, start=None).items
    ]
    assert "organization.kind_changed" in history_actions


def test_r25_an_organization_becomes_individual_only_with_one_active_practitioner(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    refused = admin.call("PATCH", "/org", {"kind": "individual"})
    assert (refused.status, refused.body["code"]) == (409, "not_one_practitioner")
    doc = stack.staff(org, roles=["practitioner"])
    stack.staff(org, roles=["practitioner"], active=False)  # an inactive one does not count
    changed = admin.call("PATCH", "/org", {"kind": "individual"})
    assert changed.status == 200 and changed.body["kind"] == "individual", changed.body
    stored = store.get_organization(org.org["slug"])
    assert stored is not None and stored.practitioner_id == doc.staff_id


def test_r25_the_individual_practices_only_practitioner_keeps_the_role(stack: Stack) -> None:
    org = stack.organization(kind="individual")
    admin = stack.as_admin(org)
    practitioner_id = org.admin_id  # in an individual practice the admin is its practitioner
    refused = admin.call(
        "PATCH", f"/staff/{practitioner_id}", {"roles": ["org_admin", "care_coordinator"]}
    )
    assert (refused.status, refused.body["code"]) == (409, "only_practitioner"), refused.body
    # Registrations keep working: nothing changed.
    assert stack.register(org.org["slug"], **registration_body()).status == 202
    assert admin.call("PATCH", "/org", {"kind": "organization"}).status == 200
    allowed = admin.call(
        "PATCH", f"/staff/{practitioner_id}", {"roles": ["org_admin", "care_coordinator"]}
    )
    assert allowed.status == 200, allowed.body  # the registration was never confirmed


def test_r25_patch_org_refuses_an_unknown_kind_and_an_empty_body(stack: Stack) -> None:
    admin = stack.as_admin(stack.organization())
    bad = admin.call("PATCH", "/org", {"kind": "franchise"})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "kind"
    empty = admin.call("PATCH", "/org", {})
    assert empty.status == 422


def test_r25_departments_are_renamed_and_described(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    first, second = (d["id"] for d in org.departments)
    renamed = admin.call(
        "PATCH", f"/departments/{first}", {"name": "Family therapy", "description": "Mondays"}
    )
    assert renamed.status == 200, renamed.body
    assert renamed.body == {"id": first, "name": "Family therapy", "description": "Mondays"}
    listed = {d["id"]: d for d in admin.call("GET", "/departments").body["items"]}
    assert listed[first]["name"] == "Family therapy"
    assert listed[first]["description"] == "Mondays"
    # Names stay unique: the new name is taken, the old one is free again.
    taken = admin.call("PATCH", f"/departments/{second}", {"name": "family THERAPY"})
    assert (taken.status, taken.body["code"]) == (409, "name_taken")
    freed = admin.call("POST", "/departments", {"name": "Department 1"})
    assert freed.status == 201, freed.body
    # A change of case keeps its own name; null removes the description.
    recased = admin.call("PATCH", f"/departments/{first}", {"name": "FAMILY therapy"})
    assert recased.status == 200 and recased.body["name"] == "FAMILY therapy"
    cleared = admin.call("PATCH", f"/departments/{first}", {"description": None})
    assert cleared.status == 200 and cleared.body["description"] is None


def test_r25_department_changes_are_the_org_admins_and_this_organizations(stack: Stack) -> None:
    org, other = stack.organization(), stack.organization()
    department = org.departments[0]["id"]
    coordinator = stack.as_staff(stack.staff(org, roles=["dept_admin"]))
    assert coordinator.call("PATCH", f"/departments/{department}", {"name": "X"}).status == 403
    outsider = stack.as_admin(other)
    assert outsider.call("PATCH", f"/departments/{department}", {"name": "X"}).status == 404
    created = stack.as_admin(org).call(
        "POST", "/departments", {"name": "Intake", "description": "New clients"}
    )
    assert created.status == 201 and created.body["description"] == "New clients"
