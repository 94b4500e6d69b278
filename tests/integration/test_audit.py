"""R20: every change records who did what to which id and when, without personal data; the
office reads a client's trail at GET /clients/{client_id}/history."""

from __future__ import annotations

from clientaccounts import clock
from tests.integration.conftest import Stack
from tests.lambda_events import call_api
from tests.request_bodies import PASSWORD, new_client_body


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
