"""Nothing a caller sends answers 5xx (a clear 4xx JSON naming the field instead), and list
cursors are opaque server-side page positions: no personal data in a URL, nothing to forge."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from clientaccounts import clock
from tests.support.lambda_events import call_api
from tests.support.request_bodies import new_client_body
from tests.support.stack import Caller, Stack


def _fields(answer: Any) -> list[str]:
    return [e["field"] for e in answer.body.get("errors", [])]


# --- deep nesting and lone surrogates ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"token": ' + "[" * 50_000 + "]" * 50_000 + "}",
        '{"a": ' * 30_000 + "1" + "}" * 30_000,
    ],
    ids=["array", "in-a-field", "objects"],
)
def test_deeply_nested_json_is_422_on_body(stack: Stack, raw: str) -> None:
    answer = call_api("POST", "/public/email-confirmations", raw_body=raw)
    assert answer.status == 422, answer.body
    assert answer.body["code"] == "validation_failed" and _fields(answer) == ["body"]


def test_lone_surrogate_in_a_token_is_422_naming_it(stack: Stack) -> None:
    answer = call_api(
        "POST",
        "/public/email-confirmations",
        raw_body='{"token": "ab\\ud800cd", "username": "u1x", "password": "Correct-horse-42"}',
    )
    assert answer.status == 422, answer.body
    assert _fields(answer) == ["token"]


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "preferred_name", "phone"])
def test_lone_surrogate_in_a_name_or_email_is_422_naming_it(stack: Stack, field: str) -> None:
    admin = stack.as_admin(stack.organization())
    body = new_client_body()
    body[field] = "a\ud800@b.example" if field == "email" else "Ca\udfffsey"
    answer = admin.call("POST", "/clients", raw_body=json.dumps(body))
    assert answer.status == 422, answer.body
    assert _fields(answer) == [field]
    assert stack.count_items("ClientsTable") == 0


def test_lone_surrogate_in_an_organization_name_is_422_naming_it(stack: Stack) -> None:
    admin = stack.as_admin(stack.organization())
    answer = admin.call("PATCH", "/org", raw_body=json.dumps({"name": "Practice \ud83d"}))
    assert answer.status == 422 and _fields(answer) == ["name"]


# --- cursors ------------------------------------------------------------------------------------


def _clients(caller: Caller, count: int, **overrides: Any) -> None:
    for _ in range(count):
        assert caller.call("POST", "/clients", new_client_body(**overrides)).status == 201


def _page(caller: Caller, **query: str) -> Any:
    return caller.call("GET", "/clients", query=query)


def test_personal_data_list_cursor_carries_no_name(stack: Stack) -> None:
    admin = stack.as_admin(stack.organization())
    _clients(admin, 3, last_name="Zebulonsson")
    cursor = _page(admin, limit="1").body["next_cursor"]
    assert cursor
    readable = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"zebulonsson" not in readable.lower() and b"status_key" not in readable
    assert "zebulonsson" not in cursor.lower()


def test_opaque_cursor_pages_through_clients_and_history(stack: Stack) -> None:
    admin = stack.as_admin(stack.organization())
    _clients(admin, 5)
    seen, cursor = [], None
    while True:
        page = _page(admin, limit="2", **({"cursor": cursor} if cursor else {})).body
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5
    client_id = seen[0]
    for phone in ("+1 555 0101", "+1 555 0102", "+1 555 0103"):
        admin.call("PATCH", f"/clients/{client_id}", {"phone": phone})
    first = admin.call("GET", f"/clients/{client_id}/history", query={"limit": "2"}).body
    second = admin.call(
        "GET", f"/clients/{client_id}/history", query={"limit": "2", "cursor": first["next_cursor"]}
    ).body
    assert second["items"] and second["items"] != first["items"]


def _forged_cursors(real: str) -> list[str]:
    """What an attacker can make of a cursor: cut it, change it, or write one."""
    own_key = {"status_key": {"S": "practice-1#active"}, "name_key": {"S": "a#b#c"}}
    return [
        real[:-1],
        real[:10],
        real[:-1] + ("A" if real[-1] != "A" else "B"),
        "not-a-cursor",
        "",
        "=" * 8,
        "x" * 2048,
        base64.urlsafe_b64encode(json.dumps(own_key).encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(b'{"status_key": "x"}').decode(),
        base64.urlsafe_b64encode(b'{"status_key": {"S": 1}}').decode(),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "\u00e9" * 43,
    ]


def test_forged_truncated_or_garbage_cursor_is_422_naming_cursor(stack: Stack) -> None:
    admin = stack.as_admin(stack.organization())
    _clients(admin, 3)
    real = _page(admin, limit="1").body["next_cursor"]
    for forged in _forged_cursors(real):
        answer = _page(admin, cursor=forged)
        if forged == "":
            assert answer.status == 200  # no cursor: the first page
            continue
        assert answer.status == 422, (forged, answer.status, answer.body)
        assert _fields(answer) == ["cursor"], forged
        history = admin.call("GET", "/clients/x/history", query={"cursor": forged})
        assert history.status == 422 and _fields(history) == ["cursor"], forged


def test_cursor_of_another_list_or_organization_is_422(stack: Stack) -> None:
    org, other = stack.organization(), stack.organization()
    admin, stranger = stack.as_admin(org), stack.as_admin(other)
    _clients(admin, 3)
    _clients(stranger, 3)
    cursor = _page(admin, limit="1").body["next_cursor"]
    assert _page(admin, cursor=cursor).status == 200
    for answer in (
        _page(admin, status="inactive", cursor=cursor),  # another partition of the index
        _page(stranger, cursor=cursor),  # another organization
        admin.call("GET", "/clients/x/history", query={"cursor": cursor}),  # another list
    ):
        assert answer.status == 422 and _fields(answer) == ["cursor"]


def test_cursor_expires_after_an_hour(stack: Stack) -> None:
    admin = stack.as_admin(stack.organization())
    _clients(admin, 3)
    cursor = _page(admin, limit="1").body["next_cursor"]
    clock.advance(59 * 60)
    assert _page(admin, limit="1", cursor=cursor).status == 200
    clock.advance(2 * 60)
    expired = _page(admin, limit="1", cursor=cursor)
    assert expired.status == 422 and _fields(expired) == ["cursor"]
