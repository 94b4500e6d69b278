"""Request validation (clientaccounts.validation) as the schemas use it: what is accepted, what
is refused with which field named, and the JSON Schema that describes the same rules."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from clientaccounts.schemas import (
    ClientListQuery,
    CreateClientRequest,
    EmailConfirmationRequest,
    RegistrationRequest,
    UpdateClientRequest,
)
from clientaccounts.validation import (
    Boolean,
    CalendarDate,
    Integer,
    InvalidFields,
    ListOf,
    RequestModel,
    Text,
    field,
)
from tests.support.request_bodies import registration_body


def refusals(model: type[RequestModel], data: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    with pytest.raises(InvalidFields) as refused:
        model.parse(data)
    return dict(refused.value.errors)


def test_a_valid_registration_is_parsed_with_typed_values() -> None:
    sent = registration_body(first_name="  Robin ", department_id=None)
    parsed = RegistrationRequest.parse(sent)
    assert parsed.first_name == "Robin"  # names are stripped
    assert parsed.dob == date(1990, 4, 30)
    assert parsed.practitioner_id is None  # "not sure"
    assert parsed.as_dict()["email"] == sent["email"]
    assert "fields_given" not in parsed.as_dict()


def test_every_bad_field_is_named_at_once() -> None:
    sent = registration_body(dob="1990-02-30", username="robin")
    del sent["practitioner_id"]
    sent["nickname"] = "Rob"
    assert refusals(RegistrationRequest, sent) == {
        ("dob",): "Use a real date as YYYY-MM-DD.",
        ("username",): "Unknown field.",  # chosen on the confirmation link (R5, R9)
        ("practitioner_id",): "Field required.",  # required, though it may be null
        ("nickname",): "Unknown field.",
    }
    confirmation = {"token": "t", "username": "a b", "password": ""}
    assert refusals(EmailConfirmationRequest, confirmation) == {
        ("username",): "Not in the expected format.",
        ("password",): "At least 12 characters.",  # the user pool's policy
    }


@pytest.mark.parametrize(
    ("rule", "value", "message"),
    [
        (Text(max_length=5), 5, "Must be a string."),
        (Text(max_length=5), "x" * 6, "At most 5 characters."),
        (Text(max_length=5, strip=True), "   ", "Must not be empty."),
        (Text(min_length=3, max_length=5), "ab", "At least 3 characters."),
        (Integer(ge=1, le=100), True, "Must be a whole number."),
        (Integer(ge=1, le=100), "25", "Must be a whole number."),  # text only in a query
        (Integer(ge=1, le=100, from_text=True), "2.5", "Must be a whole number."),
        (Integer(ge=1, le=100, from_text=True), "0", "Must be at least 1."),
        (Integer(ge=1, le=100), 101, "Must be at most 100."),
        (Boolean(), 1, "Must be true or false."),
        (Boolean(), "true", "Must be true or false."),
        (CalendarDate(), 19900430, "Use a date as YYYY-MM-DD."),
        (CalendarDate(), "1990-04-30T00:00:00", "Use a date as YYYY-MM-DD."),
        (ListOf(Text(max_length=5), max_items=1), "a", "Must be a list."),
        (ListOf(Text(max_length=5), max_items=1), ["a", "b"], "At most 1 items."),
    ],
)
def test_each_rule_refuses_with_a_message(rule: Any, value: Any, message: str) -> None:
    with pytest.raises(InvalidFields) as refused:
        rule.check(value, ("f",))
    assert refused.value.errors == [(("f",), message)]


def test_nested_items_are_named_by_their_place_in_the_list() -> None:
    body = {
        "first_name": "Ann",
        "last_name": "One",
        "email": "ann@mail.example",
        "dob": "1980-01-01",
        "practitioners": [{"practitioner_id": "p1"}, {"practitioner_id": "bad id!"}, 7],
    }
    assert refusals(CreateClientRequest, body) == {
        ("practitioners", 1, "practitioner_id"): "Not in the expected format.",
        ("practitioners", 2): "Must be an object.",
    }
    body["practitioners"] = [{"practitioner_id": "p1", "department_id": "d1"}]
    parsed = CreateClientRequest.parse(body)
    assert parsed.as_dict()["practitioners"] == [{"practitioner_id": "p1", "department_id": "d1"}]
    assert CreateClientRequest.parse({**body, "practitioners": []}).practitioners == []


def test_a_patch_knows_which_fields_it_named_null_included() -> None:
    parsed = UpdateClientRequest.parse({"phone": None, "active": False})
    assert parsed.fields_given == {"phone", "active"}
    assert (parsed.phone, parsed.active, parsed.first_name) == (None, False, None)
    assert refusals(UpdateClientRequest, {"active": "no"}) == {
        ("active",): "Must be true or false."
    }


def test_a_query_string_takes_defaults_reads_numbers_and_ignores_unknown_names() -> None:
    assert ClientListQuery.parse({}).as_dict() == {
        "status": "active",
        "limit": 25,
        "cursor": None,
        "q": None,
        "email": None,
        "sort": "name",
        "unassigned": False,
    }
    parsed = ClientListQuery.parse({"limit": "10", "status": "pending", "_": "123"})
    assert (parsed.limit, parsed.status) == (10, "pending")
    # Query strings carry booleans as the words "true" and "false", nothing else.
    assert ClientListQuery.parse({"unassigned": "true"}).unassigned is True
    assert ClientListQuery.parse({"unassigned": "false"}).unassigned is False
    assert refusals(ClientListQuery, {"unassigned": "1"}) == {
        ("unassigned",): "Must be true or false."
    }


def test_null_is_refused_where_the_field_does_not_allow_it() -> None:
    class Named(RequestModel):
        name: str = field(Text(max_length=10))
        tags: list[str] = field(ListOf(Text(max_length=3), max_items=2), default=["a"])

    assert refusals(Named, {"name": None}) == {("name",): "Must not be null."}
    first, second = Named.parse({"name": "x"}), Named.parse({"name": "y"})
    assert first.tags == ["a"] and first.tags is not second.tags  # a fresh default each time


def test_the_json_schema_says_what_parse_checks() -> None:
    schema = RegistrationRequest.json_schema()
    assert schema["additionalProperties"] is False
    assert schema["required"] == [
        "first_name",
        "last_name",
        "email",
        "dob",
        "practitioner_id",
    ]
    properties = schema["properties"]
    first_name = properties["first_name"]
    assert {k: v for k, v in first_name.items() if k != "pattern"} == {
        "type": "string",
        "maxLength": 100,  # as sent
        "minLength": 1,
        "format": "person-name",  # text.name_problem: its link rule
    }
    # Not only spaces (stripped, it is not empty), and no control character inside; spaces
    # are spelled out, as ECMA-262's \s is not Python's (no U+001C or U+0085).
    name = re.compile(first_name["pattern"])
    assert name.search(" Ada ") and name.search("\x1cAda Lovelace\x85")
    assert not name.search("  ") and not name.search("Ada\x00") and not name.search("A\u202eda")
    email = re.compile(properties["email"]["pattern"])
    assert email.search(" robin@mail.example\n") and email.search("rö@bücher.example")
    for refused in ("robin@mail", "a@b@c.d", "rob in@mail.example", "ro\u200bbin@mail.example"):
        assert not email.search(refused), refused
    assert "\\s" not in properties["email"]["pattern"]
    assert properties["dob"] == {"type": "string", "format": "date"}
    assert properties["department_id"]["anyOf"][1] == {"type": "null"}
    assert properties["department_id"]["default"] is None
    query = ClientListQuery.json_schema()
    assert "additionalProperties" not in query  # unknown names are ignored
    assert query["properties"]["limit"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 25,
    }


def test_a_parsed_request_is_read_only_and_its_repr_names_no_value() -> None:
    parsed = RegistrationRequest.parse(registration_body())
    with pytest.raises(AttributeError):
        parsed.first_name = "Mallory"
    assert "Robin" not in repr(parsed) and "first_name" in repr(parsed)


def test_a_stripped_text_is_bounded_as_sent_and_checked_once_stripped() -> None:
    class Padded(RequestModel):
        name: str = field(Text(max_length=5, min_length=3, strip=True))

    assert Padded.parse({"name": " abc "}).name == "abc"
    assert refusals(Padded, {"name": " abcde "}) == {("name",): "At most 5 characters."}
    assert refusals(Padded, {"name": " ab "}) == {("name",): "At least 3 characters."}
    padded = re.compile(Padded.json_schema()["properties"]["name"]["pattern"])
    assert padded.search(" abc ") and padded.search("a b") and not padded.search("ab ")


def test_a_pattern_ends_at_the_end_of_the_text_as_json_schema_reads_it() -> None:
    class Keyed(RequestModel):
        key: str = field(Text(max_length=10, pattern=r"^[a-z]+$"))

    assert Keyed.parse({"key": "abc"}).key == "abc"
    # Python's `$` also matches before a final line break; ECMA-262's does not.
    assert refusals(Keyed, {"key": "abc\n"}) == {("key",): "Not in the expected format."}


def test_a_rule_a_pattern_cannot_say_is_named_by_a_format() -> None:
    with pytest.raises(ValueError, match="format"):
        Text(max_length=5, refuse=lambda text: None)
    with pytest.raises(ValueError, match="anchored"):
        Text(max_length=5, pattern="[a-z]+")
