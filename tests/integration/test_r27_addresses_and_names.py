"""R27: one person, one address (look-alike addresses compare equal or are refused), and
names that cannot break or abuse an email."""

from __future__ import annotations

from typing import Any

import pytest

from clientaccounts import identity
from clientaccounts.errors import InvalidInput
from clientaccounts.organizations import FirstAdmin, NewOrganization, bootstrap_organization
from clientaccounts.persistence import keys, store
from clientaccounts.validation import InvalidFields
from infra.local_routes import OrganizationRequest
from tests.support.request_bodies import PASSWORD, new_client_body
from tests.support.stack import Caller, Stack


def _create(caller: Caller, **overrides: Any) -> Any:
    return caller.call("POST", "/clients", new_client_body(**overrides))


def _fields(answer: Any) -> list[str]:
    return [e["field"] for e in answer.body.get("errors", [])]


# --- look-alike addresses -------------------------------------------------------------------

LOOK_ALIKES = [
    ("kate@clinic.example", "\u212aate@clinic.example"),  # KELVIN SIGN
    ("kate@clinic.example", "\uff4b\uff41\uff54\uff45@clinic.example"),  # fullwidth letters
    ("kate@clinic.example", "KATE@CLINIC.EXAMPLE."),  # the domain's trailing dot
    ("kate@b\u00fccher.example", "kate@xn--bcher-kva.example"),  # IDNA: the same domain
    ("kate@clinic.example", "kate@\uff43linic.example"),  # fullwidth in the domain
    ("strasse@clinic.example", "STRA\u00dfE@clinic.example"),  # case folding, not lower()
]


@pytest.mark.parametrize(("first", "look_alike"), LOOK_ALIKES)
def test_r27_look_alike_address_is_the_same_client_not_a_new_one(
    stack: Stack, first: str, look_alike: str
) -> None:
    admin = stack.as_admin(stack.organization())
    assert _create(admin, email=first).status == 201
    again = _create(admin, email=look_alike)
    assert again.status == 409 and again.body["code"] == "email_taken"


def test_r27_look_alike_staff_address_is_the_same_staff_member(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    body = {"last_name": "Staff", "roles": ["practitioner"]}
    body["department_ids"] = [org.departments[0]["id"]]
    first = admin.call(
        "POST", "/staff", {**body, "first_name": "Kate", "email": "kate@clinic.example"}
    )
    assert first.status == 201, first.body
    again = admin.call(
        "POST", "/staff", {**body, "first_name": "Kate", "email": "\u212aate@clinic.example."}
    )
    assert again.status == 409


def test_r27_address_is_kept_as_typed_and_compared_canonically(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = _create(admin, email="  Kate.Example@B\u00fccher.example ")
    assert created.status == 201
    assert created.body["email"] == "Kate.Example@B\u00fccher.example"  # trimmed only
    guard = store.get_guard(
        keys.client_email_guard_key(org.org["slug"], "kate.example@xn--bcher-kva.example")
    )
    assert guard is not None and guard.owner_id == created.body["id"]


REFUSED_ADDRESSES = [
    "ka\u200bte@clinic.example",  # zero-width space
    "kate\u2060@clinic.example",  # word joiner
    "\ufeffkate@clinic.example",  # byte order mark
    "kate@clinic\u200d.example",  # zero-width joiner in the domain
    "\u202ekate@clinic.example",  # right-to-left override
    "kate\u2066@clinic.example",  # left-to-right isolate
    "ka\u0007te@clinic.example",  # a control character
    "kate@" + "a" * 64 + ".example",  # a label IDNA cannot encode (over 63)
    "kate@clinic..example",  # an empty label
]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_r27_address_with_invisible_control_or_bidi_characters_or_no_idna_domain_is_refused(
    stack: Stack, address: str
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    answer = _create(admin, email=address)
    assert answer.status == 422, answer.body
    assert _fields(answer) == ["email"]
    answer = admin.call(
        "POST",
        "/public/email-confirmations/resend",
        {"org_slug": org.org["slug"], "email": address},
    )
    assert answer.status == 422 and _fields(answer) == ["email"]
    assert stack.count_items("ClientsTable") == 0


def test_r27_username_variants_are_one_username() -> None:
    assert identity.normalize_username(" Kate.Example ") == "kate.example"
    assert identity.normalize_username("\u212aate") == identity.normalize_username("kate")


# --- names ------------------------------------------------------------------------------------

BAD_NAMES = [
    ("Kate\nBcc: someone@else.example", "control"),
    ("Ka\rte", "control"),
    ("Ka\u0000te", "control"),
    ("Ka\u0085te", "control"),  # NEXT LINE
    ("Ka\u2028te", "control"),  # LINE SEPARATOR
    ("\u202eetaK", "control"),  # right-to-left override
    ("URGENT visit https://evil.example/login", "link"),
    ("Call hxxp://x or http://evil.example", "link"),
    ("See www.evil.example", "link"),
    ("evil.example/login", "link"),
    ("Go to evil.com", "link"),
    ("mailto:someone", "link"),
    ("Kate \uff48\uff54\uff54\uff50\uff53://evil.example", "link"),  # fullwidth https
]


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_r27_person_name_with_control_characters_or_a_link_is_refused(
    stack: Stack, name: str, why: str
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    for field in ("first_name", "last_name", "preferred_name"):
        answer = _create(admin, **{field: name})
        assert answer.status == 422, (field, answer.body)
        assert _fields(answer) == [field]
    created = _create(admin)
    assert created.status == 201
    edited = admin.call("PATCH", f"/clients/{created.body['id']}", {"last_name": name})
    assert edited.status == 422 and _fields(edited) == ["last_name"]
    staff = admin.call(
        "POST",
        "/staff",
        {
            "first_name": name,
            "last_name": "Staff",
            "email": "new.staff@clinic.example",
            "roles": ["practitioner"],
            "department_ids": [org.departments[0]["id"]],
        },
    )
    assert staff.status == 422 and _fields(staff) == ["first_name"]


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_r27_organization_or_department_name_with_control_characters_or_a_link_is_refused(
    stack: Stack, name: str, why: str
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    answer = admin.call("PATCH", "/org", {"name": name})
    assert answer.status == 422 and _fields(answer) == ["name"]
    answer = admin.call("POST", "/departments", {"name": name})
    assert answer.status == 422 and _fields(answer) == ["name"]
    assert admin.call("GET", "/org").body["name"] == org.org["name"]


GOOD_NAMES = ["O'Brien-Smith", "José María", "Dr. Anne St. John", "Ng\u0169y\u1ec5n", "J.R.", "李"]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_r27_ordinary_names_are_accepted(stack: Stack, name: str) -> None:
    admin = stack.as_admin(stack.organization())
    answer = _create(admin, last_name=name, first_name=name)
    assert answer.status == 201, answer.body
    assert answer.body["last_name"] == name


def _bootstrap(**overrides: Any) -> Any:
    admin = {
        "username": "bootadmin",
        "password": PASSWORD,
        "email": "boot.admin@clinic.example",
        "first_name": "Ada",
        "last_name": "Admin",
    }
    admin.update(overrides.pop("admin", {}))
    spec: dict[str, Any] = {
        "slug": "boot-practice",
        "name": "Boot Practice",
        "kind": "organization",
    }
    spec.update(overrides)
    return bootstrap_organization(NewOrganization(**spec, admin=FirstAdmin(**admin)))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "Practice\nBcc: x@evil.example"}, "name"),
        ({"name": "Visit https://evil.example"}, "name"),
        ({"departments": ["General", "See www.evil.example"]}, "departments"),
        ({"admin": {"first_name": "Ad\ra"}}, "admin.first_name"),
        ({"admin": {"last_name": "evil.example/x"}}, "admin.last_name"),
        ({"admin": {"email": "boot\u200b.admin@clinic.example"}}, "admin.email"),
        ({"admin": {"username": "boot\u200badmin"}}, "admin.username"),
    ],
)
def test_r27_bootstrap_refuses_control_characters_links_and_invisible_characters(
    stack: Stack, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _bootstrap(**overrides)
    assert refused.value.field == field
    assert stack.count_items("OrganizationsTable") == 0
    assert not stack.has_login("bootadmin")


def test_r27_local_bootstrap_route_refuses_a_name_with_a_line_break(stack: Stack) -> None:
    body = {
        "slug": "local-practice",
        "name": "Local\r\nPractice",
        "kind": "organization",
        "admin": {
            "username": "localadmin",
            "password": PASSWORD,
            "email": "local.admin@clinic.example",
            "first_name": "Ada",
            "last_name": "Admin",
        },
    }
    with pytest.raises(InvalidFields) as refused:
        OrganizationRequest.parse(body)
    assert [where for where, _ in refused.value.errors] == [("name",)]
