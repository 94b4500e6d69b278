"""DynamoDB calls per route, counted at botocore: the budgets of docs/data-model.md, and no Scan
on any request path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.client import BaseClient

from tests.integration.conftest import Stack
from tests.lambda_events import call_api
from tests.request_bodies import new_client_body, registration_body


@contextmanager
def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    counted: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            counted[operation] += 1
        return original(self, operation, params)

    with monkeypatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", counting)
        yield counted


# route -> the calls it makes (the caller's own record read included for authenticated ones)
BUDGET = {
    "GET /public/orgs/{slug}": {"GetItem": 1, "Query": 2},
    "POST /public/orgs/{slug}/registrations (practitioner chosen)": {
        "GetItem": 3,
        "TransactWriteItems": 1,
    },
    "POST /public/email-confirmations": {"GetItem": 3, "Query": 1, "TransactWriteItems": 1},
    "GET /me": {"GetItem": 1},
    "POST /clients": {"GetItem": 3, "TransactWriteItems": 1},
    "GET /clients": {"GetItem": 1, "Query": 1},
    "GET /clients/{client_id}": {"GetItem": 2, "Query": 1},
    "PATCH /clients/{client_id}": {"GetItem": 3, "TransactWriteItems": 1},
    "POST /clients/{client_id}/approve": {"GetItem": 3, "TransactWriteItems": 1},
    "DELETE /clients/{client_id}": {"GetItem": 2, "Query": 1, "TransactWriteItems": 1},
    "POST /clients/{client_id}/invitation": {"GetItem": 3, "TransactWriteItems": 1},
    "POST /public/invitations/accept": {"GetItem": 3, "TransactWriteItems": 1},
    "GET /clients/{client_id}/history": {"GetItem": 1, "Query": 1},
}


def test_dynamodb_calls_per_route(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    org = stack.organization(manual_approval=True)
    slug = org.org["slug"]
    admin = stack.as_admin(org)
    doc = stack.staff(org, roles=["practitioner"])
    body = registration_body(practitioner_id=doc.staff_id)
    invited = admin.call("POST", "/clients", new_client_body()).body
    pending = registration_body()
    stack.register(slug, **pending)
    stack.confirm(stack.link_token(pending["email"]))
    pending_id = stack.client_by_email(slug, pending["email"]).client_id  # type: ignore[union-attr]
    stack.deliver_emails()

    requests = {
        "GET /public/orgs/{slug}": lambda: call_api("GET", f"/public/orgs/{slug}"),
        "POST /public/orgs/{slug}/registrations (practitioner chosen)": lambda: stack.register(
            slug, **body
        ),
        "POST /public/email-confirmations": lambda: stack.confirm(stack.link_token(body["email"])),
        "GET /me": lambda: admin.call("GET", "/me"),
        "POST /clients": lambda: admin.call("POST", "/clients", new_client_body()),
        "GET /clients": lambda: admin.call("GET", "/clients"),
        "GET /clients/{client_id}": lambda: admin.call("GET", f"/clients/{invited['id']}"),
        "PATCH /clients/{client_id}": lambda: admin.call(
            "PATCH", f"/clients/{invited['id']}", {"phone": "+1 555 0199"}
        ),
        "POST /clients/{client_id}/approve": lambda: admin.call(
            "POST", f"/clients/{pending_id}/approve"
        ),
        "POST /clients/{client_id}/invitation": lambda: admin.call(
            "POST", f"/clients/{invited['id']}/invitation"
        ),
        "POST /public/invitations/accept": lambda: call_api(
            "POST",
            "/public/invitations/accept",
            {
                "token": stack.link_token(invited["email"]),
                "username": "casey",
                "password": body["password"],
            },
        ),
        "GET /clients/{client_id}/history": lambda: admin.call(
            "GET", f"/clients/{invited['id']}/history"
        ),
        "DELETE /clients/{client_id}": lambda: admin.call("DELETE", f"/clients/{pending_id}"),
    }
    measured = {}
    for name, request in requests.items():
        stack.deliver_emails()  # the links requests need are in the mailbox, not counted
        with dynamodb_calls(monkeypatch) as counted:
            answer = request()
        assert answer.status < 300, (name, answer.body)
        measured[name] = dict(counted)
        assert "Scan" not in counted, name
    print("\nDynamoDB calls per route:")
    for name, calls in measured.items():
        print(f"  {name}: {calls}")
    assert measured == BUDGET
