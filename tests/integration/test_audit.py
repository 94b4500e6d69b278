"""R20: every change records who did what to which id and when, without personal data; the
office reads a client's trail at GET /clients/{client_id}/history."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from clientaccounts import clock
from tests.integration.test_authorization_matrix import ROUTES, World
from tests.support.lambda_events import ApiResponse, call_api
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body
from tests.support.stack import Stack


def test_r20_history_lists_a_clients_events_newest_first(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    clock.advance(60)
    admin.call("PATCH", f"/clients/{created['id']}", {"preferred_name": "Cas"})
    clock.advance(60)
    call_api(
        "POST",
        "/public/invitations/accept",
        {"token": stack.link_token(created["email"]), "username": "casey", "password": PASSWORD},
    )
    answer = admin.call("GET", f"/clients/{created['id']}/history")
    assert answer.status == 200, answer.body
    items = answer.body["items"]
    assert [e["action"] for e in items] == [
        "client.invitation_accepted",
        "client.updated",
        "client.created",
    ]
    assert items[0] == {
        "action": "client.invitation_accepted",
        "actor_kind": "client",
        "actor_id": created["id"],
        "at": items[0]["at"],
        "outcome": "ok",
    }
    assert items[2]["actor_kind"] == "staff" and items[2]["actor_id"] == org.admin_id
    assert items[0]["at"] > items[1]["at"] > items[2]["at"]
    assert answer.body["next_cursor"] is None


def test_r20_history_pages_with_a_cursor_bound_to_the_client(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    other = admin.call("POST", "/clients", new_client_body()).body
    for name in ("A", "B", "C"):
        admin.call("PATCH", f"/clients/{created['id']}", {"preferred_name": name})
    first = admin.call("GET", f"/clients/{created['id']}/history", query={"limit": "3"}).body
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = admin.call(
        "GET",
        f"/clients/{created['id']}/history",
        query={"limit": "3", "cursor": first["next_cursor"]},
    ).body
    assert [e["action"] for e in rest["items"]] == ["client.created"]
    borrowed = admin.call(
        "GET", f"/clients/{other['id']}/history", query={"cursor": first["next_cursor"]}
    )
    assert borrowed.status == 422 and borrowed.body["errors"][0]["field"] == "cursor"


def test_r20_history_of_a_deleted_client_stays_readable(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    assert admin.call("DELETE", f"/clients/{created['id']}").status == 204
    items = admin.call("GET", f"/clients/{created['id']}/history").body["items"]
    assert [e["action"] for e in items] == ["client.deleted", "client.created"]


def test_r18_r20_history_of_another_organizations_client_is_not_found(stack: Stack) -> None:
    org, other = stack.organization(), stack.organization()
    theirs = stack.as_admin(other).call("POST", "/clients", new_client_body()).body
    answer = stack.as_admin(org).call("GET", f"/clients/{theirs['id']}/history")
    assert answer.status == 404 and answer.body["code"] == "client_not_found"
    assert stack.as_admin(org).call("GET", "/clients/nope/history").status == 404


# --- every mutating route writes exactly one event, with ids only -------------------------

Perform = Callable[[World], Callable[[], ApiResponse]]


def _registered(w: World) -> dict[str, Any]:
    body = registration_body()
    assert w.stack.register(w.org.org["slug"], **body).status == 202
    return body


def _confirm(w: World) -> Callable[[], ApiResponse]:
    token = w.stack.link_token(_registered(w)["email"])
    return lambda: w.stack.confirm(token)


def _resend(w: World) -> Callable[[], ApiResponse]:
    body = _registered(w)
    clock.advance(61)  # past the resend cool-down: a new link is a change
    return lambda: call_api(
        "POST",
        "/public/email-confirmations/resend",
        {"org_slug": w.org.org["slug"], "email": body["email"]},
    )


def _accept(w: World) -> Callable[[], ApiResponse]:
    created = w.callers["org_admin"].call("POST", "/clients", new_client_body()).body
    token = w.stack.link_token(created["email"])
    username = f"casey{uuid.uuid4().hex[:6]}"
    return lambda: call_api(
        "POST",
        "/public/invitations/accept",
        {"token": token, "username": username, "password": PASSWORD},
    )


def _confirmed(w: World) -> dict[str, Any]:
    body = _registered(w)
    assert w.stack.confirm_registration(body).status == 200
    clock.advance(61)  # past the cool-down of the registration's email
    return body


def _forgot_login(w: World) -> Callable[[], ApiResponse]:
    body = _confirmed(w)
    return lambda: call_api(
        "POST", f"/public/orgs/{w.org.org['slug']}/forgot-login", {"email": body["email"]}
    )


def _reset_password(w: World) -> Callable[[], ApiResponse]:
    body = _confirmed(w)
    asked = call_api(
        "POST", f"/public/orgs/{w.org.org['slug']}/forgot-login", {"email": body["email"]}
    )
    assert asked.status == 202
    token = w.stack.link_token(body["email"])
    return lambda: call_api(
        "POST", "/public/password-resets", {"token": token, "password": "Brand-new-pass-8"}
    )


def _confirm_email_change(w: World) -> Callable[[], ApiResponse]:
    body = _confirmed(w)
    client = w.stack.client_by_email(w.org.org["slug"], body["email"])
    assert client is not None
    new = f"moved.{uuid.uuid4().hex[:8]}@mail.example"
    assert w.stack.as_client(client).call("POST", "/me/email-change", {"email": new}).status == 202
    token = w.stack.link_token(new)
    return lambda: call_api("POST", "/public/email-changes/confirm", {"token": token})


PUBLIC_CHANGES: dict[tuple[str, str], Perform] = {
    ("POST", "/public/orgs/{slug}/forgot-login"): _forgot_login,
    ("POST", "/public/password-resets"): _reset_password,
    ("POST", "/public/email-changes/confirm"): _confirm_email_change,
    ("POST", "/public/orgs/{slug}/registrations"): lambda w: (
        lambda: w.stack.register(w.org.org["slug"], **registration_body())
    ),
    ("POST", "/public/email-confirmations"): _confirm,
    ("POST", "/public/email-confirmations/resend"): _resend,
    ("POST", "/public/invitations/accept"): _accept,
}
MUTATING_ROUTES = sorted(key for key in ROUTES if key[0] != "GET")


def test_r20_every_mutating_route_is_covered() -> None:
    public = {key for key in MUTATING_ROUTES if ROUTES[key].allowed is None}
    assert public == set(PUBLIC_CHANGES)


def _audit_items(stack: Stack) -> list[dict[str, Any]]:
    pages = stack.client("dynamodb").get_paginator("scan").paginate(TableName="AuditTable")
    return [item for page in pages for item in page["Items"]]


def _personal_values(stack: Stack) -> set[str]:
    """Every name, email, date of birth, phone and username held for anyone."""
    values = set()
    for table in ("ClientsTable", "StaffTable"):
        pages = stack.client("dynamodb").get_paginator("scan").paginate(TableName=table)
        for page in pages:
            for item in page["Items"]:
                for name in PERSONAL_FIELDS:
                    if name in item and "S" in item[name]:
                        values.add(item[name]["S"])
    return values


PERSONAL_FIELDS = ("first_name", "last_name", "preferred_name", "email", "dob", "phone", "username")


@pytest.mark.parametrize(("method", "path"), MUTATING_ROUTES, ids=lambda v: str(v))
def test_r20_a_change_writes_one_audit_event_with_ids_only(
    stack: Stack, method: str, path: str
) -> None:
    world = World(stack)
    row = ROUTES[(method, path)]
    if row.allowed is None:
        perform = PUBLIC_CHANGES[(method, path)](world)
    else:
        assert row.request is not None
        concrete, body = row.request(world, "own")  # a client in every scope (R11b)
        # The org_admin, or for a route that is not theirs (R26), the role it is for.
        actor = world.callers["org_admin" if "org_admin" in row.allowed else min(row.allowed)]
        perform = lambda: actor.call(method, concrete, body)  # noqa: E731
    before = {(i["subject_ref"]["S"], i["event_key"]["S"]) for i in _audit_items(stack)}

    answer = perform()

    assert answer.status == row.success, answer.body
    new = [
        i for i in _audit_items(stack) if (i["subject_ref"]["S"], i["event_key"]["S"]) not in before
    ]
    assert len(new) == 1, [i["action"]["S"] for i in new]
    (event,) = new
    assert set(event) <= {
        "subject_ref", "event_key", "org_id", "action", "actor_kind", "actor_id", "outcome", "at"
    }  # fmt: skip
    assert event["org_id"]["S"] == world.org.org["slug"]
    assert event["subject_ref"]["S"].startswith(f"{world.org.org['slug']}#")
    assert event["outcome"]["S"] == "ok" and event["at"]["S"].endswith("Z")
    if row.allowed is not None:
        actor_id = (actor.claims or {})["custom:account_id"]
        assert (event["actor_kind"]["S"], event["actor_id"]["S"]) == ("staff", actor_id)
    text = json.dumps(_audit_items(stack))
    leaked = {v for v in _personal_values(stack) if v in text}
    assert not leaked, leaked
