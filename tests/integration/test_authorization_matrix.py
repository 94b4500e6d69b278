"""Who may call which route: one table, every route of template.yaml, every kind of caller.

Each cell is a real request through the route's handler. A route missing from ROUTES fails
`test_every_template_route_has_a_row`, so the matrix grows with the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from clientaccounts.models import Client
from infra.template import api_routes
from tests.integration.conftest import Caller, Stack
from tests.request_bodies import new_client_body, registration_body

MANAGERS = frozenset({"org_admin", "dept_admin", "care_coordinator"})
DELETERS = frozenset({"org_admin", "dept_admin"})
ANYONE = frozenset({"org_admin", "dept_admin", "care_coordinator", "practitioner", "client"})
PUBLIC = None  # no token needed; not part of the role matrix


@dataclass(frozen=True)
class Row:
    allowed: frozenset[str] | None
    success: int
    body: Callable[[], Any] | None = None
    target: str | None = None  # the kind of client the path names: "active" | "pending"


ROUTES: dict[tuple[str, str], Row] = {
    ("GET", "/public/orgs/{slug}"): Row(PUBLIC, 200),
    ("POST", "/public/orgs/{slug}/registrations"): Row(PUBLIC, 202),
    ("POST", "/public/email-confirmations"): Row(PUBLIC, 200),
    ("POST", "/public/email-confirmations/resend"): Row(PUBLIC, 202),
    ("POST", "/public/invitations/accept"): Row(PUBLIC, 200),
    ("GET", "/me"): Row(ANYONE, 200),
    ("POST", "/clients"): Row(MANAGERS, 201, body=new_client_body),
    ("GET", "/clients"): Row(MANAGERS, 200),
    ("GET", "/clients/{client_id}"): Row(MANAGERS, 200, target="active"),
    ("PATCH", "/clients/{client_id}"): Row(
        MANAGERS, 200, body=lambda: {"preferred_name": "Sam"}, target="active"
    ),
    ("POST", "/clients/{client_id}/approve"): Row(MANAGERS, 200, target="pending"),
    ("POST", "/clients/{client_id}/invitation"): Row(MANAGERS, 202, target="invited"),
    ("DELETE", "/clients/{client_id}"): Row(DELETERS, 204, target="active"),
}

CALLERS = [
    "org_admin",
    "dept_admin",
    "care_coordinator",
    "practitioner",
    "client",
    "other_org_admin",
    "no_token",
]
AUTHORIZED_ROUTES = [key for key, row in ROUTES.items() if row.allowed is not PUBLIC]


def test_every_template_route_has_a_row() -> None:
    served = {(r.method, r.path) for r in api_routes()}
    assert served == set(ROUTES), f"missing rows: {served - set(ROUTES)}"
    for route in api_routes():
        assert route.authorized == (ROUTES[(route.method, route.path)].allowed is not PUBLIC)


class World:
    """One organization with a member of every role, and another organization."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.org = stack.organization(manual_approval=True)
        self.other = stack.organization()
        department = self.org.departments[0]["id"]
        self.callers: dict[str, Caller] = {
            "org_admin": stack.as_admin(self.org),
            "other_org_admin": stack.as_admin(self.other),
            "no_token": Caller(stack, claims=None),
        }
        for role in ("dept_admin", "care_coordinator", "practitioner"):
            member = stack.staff(self.org, roles=[role], departments=[department])
            self.callers[role] = stack.as_staff(member)
        self.callers["client"] = stack.as_client(self.target("active"))

    def target(self, kind: str) -> Client:
        """A fresh client of the organization: registered active, pending, or invited."""
        if kind == "invited":
            created = self.callers["org_admin"].call("POST", "/clients", new_client_body()).body
            client = self.stack.client_by_email(self.org.org["slug"], created["email"])
        else:
            body = registration_body()
            self.stack.register(self.org.org["slug"], **body)
            self.stack.confirm(self.stack.link_token(body["email"]))
            client = self.stack.client_by_email(self.org.org["slug"], body["email"])
            if kind == "active" and client is not None and client.status == "pending":
                self.callers["org_admin"].call("POST", f"/clients/{client.client_id}/approve")
                client.refresh()
        assert client is not None
        return client


@pytest.mark.parametrize(("method", "path"), AUTHORIZED_ROUTES, ids=lambda v: str(v))
def test_route_by_caller(stack: Stack, method: str, path: str) -> None:
    row = ROUTES[(method, path)]
    assert row.allowed is not None
    world = World(stack)
    outcomes = {}
    for caller_name in CALLERS:
        target = world.target(row.target) if row.target else None
        concrete = path.replace("{client_id}", target.client_id) if target else path
        body = row.body() if row.body else None
        answer = world.callers[caller_name].call(method, concrete, body)
        outcomes[caller_name] = answer.status
        assert answer.body is None or {"message", "code"} <= set(answer.body) or answer.status < 400
    expected = {}
    for caller_name in CALLERS:
        if caller_name == "no_token":
            expected[caller_name] = 401
        elif caller_name == "other_org_admin":
            # R18: another organization's id is not found; without an id it is their own data
            expected[caller_name] = 404 if row.target else row.success
        else:
            expected[caller_name] = row.success if caller_name in row.allowed else 403
    assert outcomes == expected
