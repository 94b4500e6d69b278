"""Who may call which route: one table, every route of template.yaml, every kind of caller.

Each cell is a real request through the route's handler, against a fresh target where the
route changes something. A route missing from ROUTES fails `test_every_template_route_has_a_row`,
so the matrix grows with the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from clientaccounts.models import Client
from infra.openapi import SUCCESS as DOCUMENTED_SUCCESS
from infra.template import api_routes
from tests.integration.conftest import Caller, Stack
from tests.request_bodies import new_client_body, registration_body

MANAGERS = frozenset({"org_admin", "dept_admin", "care_coordinator"})
ADMINS = frozenset({"org_admin", "dept_admin"})
ORG_ADMIN = frozenset({"org_admin"})
STAFF = frozenset({"org_admin", "dept_admin", "care_coordinator", "practitioner"})
ANYONE = STAFF | {"client"}

CALLERS = [
    "org_admin",
    "dept_admin",
    "care_coordinator",
    "practitioner",
    "client",
    "other_org_admin",
    "no_token",
]


class World:
    """One organization with a member of every role (all in its first department), a
    practitioner, and a second organization."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.org = stack.organization(manual_approval=True)
        self.other = stack.organization()
        self.department = self.org.departments[0]["id"]
        self.callers: dict[str, Caller] = {
            "org_admin": stack.as_admin(self.org),
            "other_org_admin": stack.as_admin(self.other),
            "no_token": Caller(stack, claims=None),
        }
        for role in ("dept_admin", "care_coordinator", "practitioner"):
            member = stack.staff(self.org, roles=[role], departments=[self.department])
            self.callers[role] = stack.as_staff(member)
        self.doc = stack.staff(self.org, roles=["practitioner"], departments=[self.department])
        self.callers["client"] = stack.as_client(self.client("active"))

    def client(self, kind: str, practitioner_id: str | None = None) -> Client:
        """A fresh client: registered and "active" or "pending", or staff-"invited"."""
        slug = self.org.org["slug"]
        if kind == "invited":
            body = new_client_body()
            self.callers["org_admin"].call("POST", "/clients", body)
        else:
            body = registration_body(practitioner_id=practitioner_id)
            self.stack.register(slug, **body)
            self.stack.confirm_registration(body)
        client = self.stack.client_by_email(slug, body["email"])
        assert client is not None
        if kind == "active" and client.status == "pending":
            self.callers["org_admin"].call("POST", f"/clients/{client.client_id}/approve")
            client.refresh()
        return client

    def colleague(self) -> str:
        member = self.stack.staff(
            self.org, roles=["care_coordinator"], departments=[self.department]
        )
        return member.staff_id


Request = Callable[[World], tuple[str, Any]]


@dataclass(frozen=True)
class Row:
    allowed: frozenset[str] | None  # None: a public route, outside the role matrix
    success: int
    request: Request | None = None
    other_org: int | None = None  # another organization's admin; default: 404


def _on_client(kind: str, suffix: str = "", body: Any = None) -> Request:
    return lambda w: (f"/clients/{w.client(kind).client_id}{suffix}", body)


ROUTES: dict[tuple[str, str], Row] = {
    ("GET", "/public/orgs/{slug}"): Row(None, 200),
    ("POST", "/public/orgs/{slug}/registrations"): Row(None, 202),
    ("POST", "/public/email-confirmations"): Row(None, 200),
    ("POST", "/public/email-confirmations/resend"): Row(None, 202),
    ("POST", "/public/invitations/accept"): Row(None, 200),
    ("GET", "/me"): Row(ANYONE, 200, lambda w: ("/me", None), other_org=200),
    ("GET", "/me/connections"): Row(ANYONE, 200, lambda w: ("/me/connections", None), 200),
    ("POST", "/clients"): Row(MANAGERS, 201, lambda w: ("/clients", new_client_body()), 201),
    ("GET", "/clients"): Row(MANAGERS, 200, lambda w: ("/clients", None), other_org=200),
    ("GET", "/clients/{client_id}"): Row(MANAGERS, 200, _on_client("active")),
    ("PATCH", "/clients/{client_id}"): Row(
        MANAGERS, 200, _on_client("active", body={"preferred_name": "Sam"})
    ),
    ("POST", "/clients/{client_id}/approve"): Row(MANAGERS, 200, _on_client("pending", "/approve")),
    ("POST", "/clients/{client_id}/invitation"): Row(
        MANAGERS, 202, _on_client("invited", "/invitation")
    ),
    ("DELETE", "/clients/{client_id}"): Row(ADMINS, 204, _on_client("active")),
    ("GET", "/clients/{client_id}/history"): Row(ADMINS, 200, _on_client("active", "/history")),
    ("POST", "/clients/{client_id}/practitioners"): Row(
        MANAGERS,
        201,
        lambda w: (
            f"/clients/{w.client('active').client_id}/practitioners",
            {"practitioner_id": w.doc.staff_id},
        ),
    ),
    ("POST", "/staff/{staff_id}/clients"): Row(
        MANAGERS,
        201,
        lambda w: (f"/staff/{w.doc.staff_id}/clients", {"client_id": w.client("active").client_id}),
    ),
    ("DELETE", "/clients/{client_id}/practitioners/{practitioner_id}"): Row(
        MANAGERS,
        204,
        lambda w: (
            f"/clients/{w.client('active', w.doc.staff_id).client_id}"
            f"/practitioners/{w.doc.staff_id}",
            None,
        ),
    ),
    ("GET", "/staff"): Row(MANAGERS, 200, lambda w: ("/staff", None), other_org=200),
    ("GET", "/staff/{staff_id}"): Row(MANAGERS, 200, lambda w: (f"/staff/{w.doc.staff_id}", None)),
    ("POST", "/staff"): Row(
        ADMINS,
        201,
        lambda w: (
            "/staff",
            {
                "first_name": "Sol",
                "last_name": "Staff",
                "email": f"sol.{uuid.uuid4().hex[:8]}@practice.example",
                "roles": ["care_coordinator"],
                "department_ids": [w.department],
            },
        ),
        other_org=422,  # our department is unknown in theirs
    ),
    ("PATCH", "/staff/{staff_id}"): Row(
        ADMINS, 200, lambda w: (f"/staff/{w.colleague()}", {"new_client_notifications": False})
    ),
    ("GET", "/org"): Row(STAFF, 200, lambda w: ("/org", None), other_org=200),
    ("PATCH", "/org"): Row(ORG_ADMIN, 200, lambda w: ("/org", {"manual_approval": True}), 200),
    ("GET", "/departments"): Row(STAFF, 200, lambda w: ("/departments", None), other_org=200),
    ("POST", "/departments"): Row(
        ORG_ADMIN, 201, lambda w: ("/departments", {"name": f"Dept {uuid.uuid4().hex[:6]}"}), 201
    ),
}
AUTHORIZED_ROUTES = [key for key, row in ROUTES.items() if row.allowed is not None]


def test_every_template_route_has_a_row() -> None:
    served = {(r.method, r.path) for r in api_routes()}
    assert served == set(ROUTES), f"missing rows: {served - set(ROUTES)}"
    for route in api_routes():
        row = ROUTES[(route.method, route.path)]
        assert route.authorized == (row.allowed is not None)
        # the status the cells prove is the one docs/openapi.json documents
        assert row.success == DOCUMENTED_SUCCESS.get((route.method, route.path), 200)


@pytest.mark.parametrize(("method", "path"), AUTHORIZED_ROUTES, ids=lambda v: str(v))
def test_route_by_caller(stack: Stack, method: str, path: str) -> None:
    row = ROUTES[(method, path)]
    assert row.allowed is not None and row.request is not None
    world = World(stack)
    outcomes, expected = {}, {}
    for caller_name in CALLERS:
        concrete, body = row.request(world)
        answer = world.callers[caller_name].call(method, concrete, body)
        outcomes[caller_name] = answer.status
        if answer.status >= 400:
            assert {"message", "code"} <= set(answer.body), answer.body
        if caller_name == "no_token":
            expected[caller_name] = 401
        elif caller_name == "other_org_admin":
            expected[caller_name] = row.other_org or 404  # R18
        else:
            expected[caller_name] = row.success if caller_name in row.allowed else 403
    assert outcomes == expected
