"""Finding clients (R14, issue 15): a name prefix, an exact email, newest first; each one Query
of an index or GetItems, never a Scan (tests/integration/test_dynamodb_calls.py counts them),
and a cursor continues only the list it was made for."""

from __future__ import annotations

from typing import Any

import pytest

from clientaccounts import clock
from tests.support.request_bodies import new_client_body
from tests.support.stack import Caller, Stack


def _create(admin: Caller, **overrides: Any) -> dict[str, Any]:
    answer = admin.call("POST", "/clients", new_client_body(**overrides))
    assert answer.status == 201, answer.body
    created: dict[str, Any] = answer.body
    return created


def _list(admin: Caller, **query: str) -> Any:
    answer = admin.call("GET", "/clients", query=query)
    assert answer.status == 200, answer.body
    return answer.body


def _names(page: Any) -> list[tuple[str, str]]:
    return [(c["last_name"], c["first_name"]) for c in page["items"]]


@pytest.fixture
def admin(stack: Stack) -> Caller:
    return stack.as_admin(stack.organization())


def test_r14_name_prefix_finds_last_names_case_insensitively_in_name_order(admin: Caller) -> None:
    _create(admin, last_name="Smithers", first_name="Wayland")
    _create(admin, last_name="smith", first_name="Jo")
    _create(admin, last_name="Smith", first_name="Al")
    _create(admin, last_name="Jones", first_name="Smith")
    assert _names(_list(admin, q="SMI")) == [
        ("Smith", "Al"),
        ("smith", "Jo"),
        ("Smithers", "Wayland"),
    ]
    assert _names(_list(admin, q="  smith ")) == [
        ("Smith", "Al"),
        ("smith", "Jo"),
        ("Smithers", "Wayland"),
    ]
    assert _list(admin, q="nobody")["items"] == []


def test_r14_name_prefix_with_a_comma_is_last_name_then_first_name_prefix(admin: Caller) -> None:
    _create(admin, last_name="Smith", first_name="Jo")
    _create(admin, last_name="Smith", first_name="Al")
    _create(admin, last_name="Smithers", first_name="Jo")
    assert _names(_list(admin, q="smith, j")) == [("Smith", "Jo")]
    # First names alone are not searched (the index's order is last name first).
    assert _list(admin, q="Jo")["items"] == []


def test_r14_name_prefix_reads_one_status_only(stack: Stack, admin: Caller) -> None:
    kept = _create(admin, last_name="Quill")
    gone = _create(admin, last_name="Quillon")
    assert admin.call("PATCH", f"/clients/{gone['id']}", {"active": False}).status == 200
    assert [c["id"] for c in _list(admin, q="quill")["items"]] == [kept["id"]]
    assert [c["id"] for c in _list(admin, q="quill", status="inactive")["items"]] == [gone["id"]]


def test_r14_name_prefix_pages_and_its_cursor_is_bound_to_the_search(admin: Caller) -> None:
    for first in ("Ann", "Bea", "Cy"):
        _create(admin, last_name="Pager", first_name=first)
    _create(admin, last_name="Other")
    first = _list(admin, q="pag", limit="2")
    assert _names(first) == [("Pager", "Ann"), ("Pager", "Bea")]
    second = _list(admin, q="pag", limit="2", cursor=first["next_cursor"])
    assert _names(second) == [("Pager", "Cy")] and second["next_cursor"] is None
    for other in ({"q": "pa"}, {}, {"sort": "created_desc"}, {"unassigned": "true"}):
        refused = admin.call(
            "GET", "/clients", query={"limit": "2", "cursor": first["next_cursor"], **other}
        )
        assert refused.status == 422 and refused.body["errors"][0]["field"] == "cursor", other


def test_r14_email_finds_the_one_client_in_canonical_form_whatever_its_status(
    admin: Caller,
) -> None:
    created = _create(admin, email="Robin.Exact@Mail.Example")
    _create(admin)
    found = _list(admin, email="  robin.exact@MAIL.example ")
    assert [c["id"] for c in found["items"]] == [created["id"]]
    assert found["next_cursor"] is None
    assert admin.call("PATCH", f"/clients/{created['id']}", {"active": False}).status == 200
    assert [c["id"] for c in _list(admin, email="robin.exact@mail.example")["items"]] == [
        created["id"]
    ]
    # With a status, only a client of that status.
    assert _list(admin, email="robin.exact@mail.example", status="active")["items"] == []
    assert _list(admin, email="nobody.here@mail.example") == {"items": [], "next_cursor": None}


def test_r14_email_finds_no_client_of_another_organization(stack: Stack, admin: Caller) -> None:
    other = stack.as_admin(stack.organization())
    _create(other, email="elsewhere@mail.example")
    assert _list(admin, email="elsewhere@mail.example")["items"] == []


def test_r14_newest_first_orders_by_creation_time_backwards(admin: Caller) -> None:
    made = []
    for last in ("Zed", "Amy", "Mo"):
        made.append(_create(admin, last_name=last)["id"])
        clock.advance(2)
    page = _list(admin, sort="created_desc", limit="2")
    assert [c["id"] for c in page["items"]] == [made[2], made[1]]
    rest = _list(admin, sort="created_desc", limit="2", cursor=page["next_cursor"])
    assert [c["id"] for c in rest["items"]] == [made[0]]
    assert [c["id"] for c in _list(admin)["items"]] == [made[1], made[2], made[0]]  # by name


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "oldest"}, "sort"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"email": "not-an-address"}, "email"),
        ({"unassigned": "yes"}, "unassigned"),
        ({"status": "gone"}, "status"),
        ({"q": "smi", "sort": "created_desc"}, "sort"),
        ({"unassigned": "true", "sort": "created_desc"}, "sort"),
        ({"email": "a@mail.example", "q": "smi"}, "email"),
        ({"email": "a@mail.example", "sort": "created_desc"}, "email"),
    ],
)
def test_r14_bad_search_parameters_are_422_naming_the_field(
    admin: Caller, query: dict[str, str], field: str
) -> None:
    answer = admin.call("GET", "/clients", query=query)
    assert answer.status == 422, answer.body
    assert field in [e["field"] for e in answer.body.get("errors", [answer.body])]


def test_r14_searching_is_for_client_managers_only(stack: Stack) -> None:
    org = stack.organization()
    practitioner = stack.as_staff(stack.staff(org, roles=["practitioner"]))
    for query in ({"q": "smi"}, {"email": "a@mail.example"}, {"sort": "created_desc"}):
        assert practitioner.call("GET", "/clients", query=query).status == 403
