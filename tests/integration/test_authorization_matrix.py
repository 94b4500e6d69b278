"""Who may call which route: one table, every route of template.yaml, every kind of caller.

Each cell is a real request through the route's handler, against a fresh target where the
route changes something. A route missing from ROUTES fails `test_every_template_route_has_a_row`,
so the matrix grows with the API. Routes that change a client are tried on three clients each
(R11b): one associated in the scoped callers' department ("own"), one associated only in
another department ("other") and one with no association yet ("none").
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest

from clientaccounts.persistence.models import Client
from infra.lambda_loader import load_module
from infra.openapi import build_openapi
from infra.template import api_routes
from tests.support.request_bodies import new_client_body, registration_body
from tests.support.stack import Caller, Stack

MANAGERS = frozenset({"org_admin", "dept_admin", "care_coordinator"})
ADMINS = frozenset({"org_admin", "dept_admin"})
ORG_ADMIN = frozenset({"org_admin"})
STAFF = frozenset({"org_admin", "dept_admin", "care_coordinator", "practitioner"})
ANYONE = STAFF | {"client"}

SCOPED_ROLES = frozenset({"dept_admin", "care_coordinator"})  # R11b; org_admin is unscoped
SCOPES = ("own", "other", "none")

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
    """One organization with a member of every role (all in its first department), three
    practitioners (two in the first department, one in the second) and a second organization."""

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
        # `doc` is the one the association routes add; a client is "own" through `own_doc`.
        self.doc = stack.staff(self.org, roles=["practitioner"], departments=[self.department])
        self.own_doc = stack.staff(self.org, roles=["practitioner"], departments=[self.department])
        self.far_doc = stack.staff(
            self.org, roles=["practitioner"], departments=[self.org.departments[1]["id"]]
        )
        self.callers["client"] = stack.as_client(self.client("active"))

    def practitioner_of(self, scope: str) -> str | None:
        """The practitioner a client of this scope is associated with."""
        return {"own": self.own_doc.staff_id, "other": self.far_doc.staff_id}.get(scope)

    def client(self, kind: str, scope: str = "none") -> Client:
        """A fresh client: registered and "active" or "pending", or staff-"invited"; associated
        as `scope` says."""
        slug = self.org.org["slug"]
        practitioner_id = self.practitioner_of(scope)
        if kind == "invited":
            practitioners = [{"practitioner_id": practitioner_id}] if practitioner_id else []
            body = new_client_body(practitioners=practitioners)
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

    def invited_colleague(self) -> str:
        """A staff member of the first department who has not accepted yet."""
        member = self.stack.staff(
            self.org, roles=["care_coordinator"], departments=[self.department], accepted=False
        )
        return member.staff_id


Request = Callable[[World, str], tuple[str, Any]]  # (world, scope) -> (path, body)


def _care_session(w: World, _: str) -> tuple[str, Any]:
    """R26: an active client associated with the calling practitioner."""
    practitioner_id = (w.callers["practitioner"].claims or {})["custom:account_id"]
    client = w.client("active")
    path = f"/clients/{client.client_id}/practitioners"
    w.callers["org_admin"].call("POST", path, {"practitioner_id": practitioner_id})
    return "/care-sessions", {"client_id": client.client_id}


def _software_tokens_verified(w: World, _: str) -> tuple[str, Any]:
    """R30: every staff caller has a login whose authenticator app's code Cognito verified
    (as the portal does before POST /me/mfa), once per world."""
    if not getattr(w, "tokens_verified", False):
        for caller in w.callers.values():
            claims = caller.claims or {}
            if claims.get("custom:account_kind") != "staff":
                continue
            username = claims["cognito:username"]
            w.stack.give_login(claims["custom:org_id"], claims["custom:account_id"], username)
            w.stack.verify_software_token(username)
        w.tokens_verified = True  # type: ignore[attr-defined]
    return "/me/mfa", None


@dataclass(frozen=True)
class Row:
    allowed: frozenset[str] | None  # None: a public route, outside the role matrix
    success: int
    request: Request | None = None
    other_org: int | None = None  # another organization's admin; default: 404
    changes_client: bool = False  # R11b: tried in every scope
    unassociated: int | None = None  # the allowed roles' status on a "none" client, if not success


def _on_client(kind: str, suffix: str = "", body: Any = None) -> Request:
    return lambda w, scope: (f"/clients/{w.client(kind, scope).client_id}{suffix}", body)


ROUTES: dict[tuple[str, str], Row] = {
    ("GET", "/public/orgs/{slug}"): Row(None, 200),
    ("POST", "/public/orgs/{slug}/registrations"): Row(None, 202),
    ("POST", "/public/email-confirmations"): Row(None, 200),
    ("POST", "/public/email-confirmations/resend"): Row(None, 202),
    ("POST", "/public/invitations/accept"): Row(None, 200),
    ("POST", "/public/orgs/{slug}/forgot-login"): Row(None, 202),
    ("POST", "/public/password-resets"): Row(None, 200),
    ("POST", "/public/email-changes/confirm"): Row(None, 200),
    ("PATCH", "/me"): Row(
        STAFF, 200, lambda w, _: ("/me", {"new_client_notifications": False}), other_org=200
    ),
    ("POST", "/me/email-change"): Row(
        ANYONE,
        202,
        lambda w, _: ("/me/email-change", {"email": f"moved.{uuid.uuid4().hex[:8]}@mail.example"}),
        other_org=202,
    ),
    ("POST", "/me/password-changed"): Row(
        ANYONE, 202, lambda w, _: ("/me/password-changed", None), other_org=202
    ),
    ("POST", "/me/mfa"): Row(STAFF, 200, _software_tokens_verified, other_org=200),
    ("POST", "/staff/{staff_id}/mfa-reset"): Row(
        ORG_ADMIN, 200, lambda w, _: (f"/staff/{w.colleague()}/mfa-reset", None)
    ),
    ("POST", "/clients/{client_id}/password-reset"): Row(
        MANAGERS, 202, _on_client("active", "/password-reset"), changes_client=True
    ),
    ("POST", "/staff/{staff_id}/invitation"): Row(
        ADMINS, 202, lambda w, _: (f"/staff/{w.invited_colleague()}/invitation", None)
    ),
    ("POST", "/staff/{staff_id}/password-reset"): Row(
        ADMINS, 202, lambda w, _: (f"/staff/{w.colleague()}/password-reset", None)
    ),
    ("GET", "/me"): Row(ANYONE, 200, lambda w, _: ("/me", None), other_org=200),
    ("GET", "/me/connections"): Row(ANYONE, 200, lambda w, _: ("/me/connections", None), 200),
    ("POST", "/clients"): Row(MANAGERS, 201, lambda w, _: ("/clients", new_client_body()), 201),
    ("GET", "/clients"): Row(MANAGERS, 200, lambda w, _: ("/clients", None), other_org=200),
    ("GET", "/clients/{client_id}"): Row(MANAGERS, 200, _on_client("active")),
    ("PATCH", "/clients/{client_id}"): Row(
        MANAGERS, 200, _on_client("active", body={"preferred_name": "Sam"}), changes_client=True
    ),
    ("POST", "/clients/{client_id}/approve"): Row(
        MANAGERS, 200, _on_client("pending", "/approve"), changes_client=True
    ),
    ("POST", "/clients/{client_id}/invitation"): Row(
        MANAGERS, 202, _on_client("invited", "/invitation"), changes_client=True
    ),
    ("DELETE", "/clients/{client_id}"): Row(
        MANAGERS, 204, _on_client("active"), changes_client=True
    ),
    ("GET", "/clients/{client_id}/history"): Row(ADMINS, 200, _on_client("active", "/history")),
    ("GET", "/clients/{client_id}/access-log"): Row(
        ORG_ADMIN, 200, _on_client("active", "/access-log")
    ),
    ("POST", "/clients/{client_id}/practitioners"): Row(
        MANAGERS,
        201,
        lambda w, scope: (
            f"/clients/{w.client('active', scope).client_id}/practitioners",
            {"practitioner_id": w.doc.staff_id},
        ),
        changes_client=True,
    ),
    ("POST", "/staff/{staff_id}/clients"): Row(
        MANAGERS,
        201,
        lambda w, scope: (
            f"/staff/{w.doc.staff_id}/clients",
            {"client_id": w.client("active", scope).client_id},
        ),
        changes_client=True,
    ),
    ("DELETE", "/clients/{client_id}/practitioners/{practitioner_id}"): Row(
        MANAGERS,
        204,
        lambda w, scope: (
            f"/clients/{w.client('active', scope).client_id}"
            f"/practitioners/{w.practitioner_of(scope) or w.doc.staff_id}",
            None,
        ),
        changes_client=True,
        unassociated=404,  # nothing to remove
    ),
    ("POST", "/care-sessions"): Row(
        frozenset({"practitioner"}),
        201,
        _care_session,
        other_org=403,  # a practitioner's own
    ),
    ("GET", "/staff"): Row(MANAGERS, 200, lambda w, _: ("/staff", None), other_org=200),
    ("GET", "/staff/{staff_id}"): Row(
        MANAGERS, 200, lambda w, _: (f"/staff/{w.doc.staff_id}", None)
    ),
    ("POST", "/staff"): Row(
        ADMINS,
        201,
        lambda w, _: (
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
        ADMINS, 200, lambda w, _: (f"/staff/{w.colleague()}", {"new_client_notifications": False})
    ),
    ("DELETE", "/staff/{staff_id}"): Row(
        ADMINS, 204, lambda w, _: (f"/staff/{w.colleague()}", None)
    ),
    ("GET", "/org"): Row(STAFF, 200, lambda w, _: ("/org", None), other_org=200),
    ("PATCH", "/org"): Row(ORG_ADMIN, 200, lambda w, _: ("/org", {"manual_approval": True}), 200),
    ("GET", "/departments"): Row(STAFF, 200, lambda w, _: ("/departments", None), other_org=200),
    ("POST", "/departments"): Row(
        ORG_ADMIN,
        201,
        lambda w, _: ("/departments", {"name": f"Dept {uuid.uuid4().hex[:6]}"}),
        201,
    ),
    ("PATCH", "/departments/{department_id}"): Row(
        ORG_ADMIN,
        200,
        lambda w, _: (f"/departments/{w.department}", {"description": "Mornings"}),
    ),
}
AUTHORIZED_ROUTES = [key for key, row in ROUTES.items() if row.allowed is not None]
# Routes that change a client: one cell per scope; any other route: one, on an unassociated one.
CELLS = [
    (method, path, scope)
    for (method, path) in AUTHORIZED_ROUTES
    for scope in (SCOPES if ROUTES[(method, path)].changes_client else ("none",))
]


def test_every_template_route_has_a_row() -> None:
    served = {(r.method, r.path) for r in api_routes()}
    assert served == set(ROUTES), f"missing rows: {served - set(ROUTES)}"
    for route in api_routes():
        row = ROUTES[(route.method, route.path)]
        assert route.authorized == (row.allowed is not None)
        # the status the cells prove is the one the route declares (and docs/openapi.json says)
        served = load_module(route.function).app.routes[(route.method, route.path)]
        assert row.success == served.status


@functools.cache
def _document() -> dict[str, Any]:
    return build_openapi()


def _check_documented_answer(method: str, path: str, status: int, body: Any) -> None:
    """A success body is exactly what docs/openapi.json says it is (typed answers)."""
    document = _document()
    response = document["paths"][path][method.lower()]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**schema, "components": document["components"]})


def _expected(row: Row, caller_name: str, scope: str) -> str:
    """The cell: the status, and for a refusal its code."""
    assert row.allowed is not None
    if caller_name == "no_token":
        return "401 unauthorized"
    if caller_name == "other_org_admin":
        if row.other_org == 403:
            return "403 forbidden"  # refused for their role before any lookup
        return str(row.other_org or 404)  # R18
    if caller_name not in row.allowed:
        return "403 forbidden"
    if row.changes_client and scope == "other" and caller_name in SCOPED_ROLES:
        return "403 department_out_of_scope"  # R11b
    if row.changes_client and scope == "none" and row.unassociated is not None:
        return str(row.unassociated)
    return str(row.success)


def _cell(status: int, body: Any) -> str:
    if status in (401, 403):  # which refusal: no token, role, department
        return f"{status} {body['code']}"
    return str(status)


@pytest.mark.parametrize(("method", "path", "scope"), CELLS, ids=lambda v: str(v))
def test_route_by_caller(stack: Stack, method: str, path: str, scope: str) -> None:
    row = ROUTES[(method, path)]
    assert row.allowed is not None and row.request is not None
    world = World(stack)
    outcomes, expected = {}, {}
    for caller_name in CALLERS:
        concrete, body = row.request(world, scope)
        answer = world.callers[caller_name].call(method, concrete, body)
        if answer.status >= 400:
            assert {"message", "code"} <= set(answer.body), answer.body
        elif answer.status != 204:
            _check_documented_answer(method, path, answer.status, answer.body)
        outcomes[caller_name] = _cell(answer.status, answer.body)
        expected[caller_name] = _expected(row, caller_name, scope)
    assert outcomes == expected
