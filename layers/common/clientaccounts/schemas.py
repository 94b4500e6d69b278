"""Request bodies and query strings of the HTTP API (validation.py checks them). Unknown body
fields are refused; every string is bounded."""

from __future__ import annotations

from datetime import date

from .rules import ALL_STAFF_ROLES, PASSWORD_MIN_LENGTH, PASSWORD_REQUIREMENTS, Status
from .text import (
    control_character,
    email_problem,
    invisible_or_control_character,
    name_problem,
    username_problem,
)
from .validation import (
    Boolean,
    CalendarDate,
    Integer,
    ListOf,
    Nested,
    OneOfText,
    QueryParameters,
    RequestModel,
    Text,
    field,
)

# R27: names refuse controls and links; addresses and usernames refuse invisible, control and
# bidirectional characters (and domains IDNA cannot encode); text.py says what each means.
# The schema names each of those rules as the string's format (docs/openapi.json):
# "person-name", "email-address", "username" (checked on the text once stripped). The
# characters they refuse anywhere are left out of the schema's pattern too, so the pattern
# says all but the link rule of names and the IDNA rule of domains.
NAME = Text(
    max_length=100,
    strip=True,
    refuse=name_problem,
    format="person-name",
    refused_characters=control_character,
)
EMAIL = Text(
    max_length=254,
    strip=True,
    pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    refuse=email_problem,
    format="email-address",
    refused_characters=invisible_or_control_character,
)
USERNAME = Text(
    min_length=3,
    max_length=64,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    refuse=username_problem,
    format="username",
)
# The user pool's PasswordPolicy (template.yaml; rules.py): its length, and each character
# it requires as a lookahead, so the schema and the check are one rule.
PASSWORD = Text(
    min_length=PASSWORD_MIN_LENGTH,
    max_length=256,
    pattern="^"
    + "".join(f"(?=[\\s\\S]*{needed})" for needed in PASSWORD_REQUIREMENTS.values())
    + "[\\s\\S]*$",
    pattern_message="Needs " + ", ".join(PASSWORD_REQUIREMENTS) + ".",
)
ID = Text(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
TOKEN = Text(max_length=128)
SLUG = Text(max_length=63)
PHONE = Text(min_length=3, max_length=32, strip=True)
ROLE = OneOfText(tuple(sorted(ALL_STAFF_ROLES)))
ROLES = ListOf(ROLE, max_items=4, min_items=1, min_message="Give at least one role.")
DEPARTMENT_IDS = ListOf(ID, max_items=50, min_items=1, min_message="Give at least one department.")
CURSOR = Text(min_length=0, max_length=2048)
DATE = CalendarDate()
BOOLEAN = Boolean()


class RegistrationRequest(RequestModel):
    first_name: str = field(NAME)
    last_name: str = field(NAME)
    email: str = field(EMAIL)
    dob: date = field(DATE)
    # No username or password: they are chosen on the confirmation link (R5, R9).
    practitioner_id: str | None = field(ID, nullable=True)  # required; null = "not sure"
    department_id: str | None = field(ID, nullable=True, default=None)


class EmailConfirmationRequest(RequestModel):
    token: str = field(TOKEN)
    username: str = field(USERNAME)
    password: str = field(PASSWORD)


class ResendConfirmationRequest(RequestModel):
    org_slug: str = field(SLUG)
    email: str = field(EMAIL)


class ForgotLoginRequest(RequestModel):
    email: str = field(EMAIL)


class PasswordResetRequest(RequestModel):
    token: str = field(TOKEN)
    password: str = field(PASSWORD)


class EmailChangeConfirmationRequest(RequestModel):
    token: str = field(TOKEN)


class EmailChangeRequest(RequestModel):
    email: str = field(EMAIL)


class UpdateMeRequest(RequestModel):
    """PATCH /me (R25): notifications for any staff member; the name for manager roles."""

    at_least_one_field = "Give at least one field to change."

    new_client_notifications: bool | None = field(BOOLEAN, default=None)
    first_name: str | None = field(NAME, default=None)
    last_name: str | None = field(NAME, default=None)


class PractitionerChoiceBody(RequestModel):
    practitioner_id: str = field(ID)
    department_id: str | None = field(ID, nullable=True, default=None)


class CreateClientRequest(RequestModel):
    first_name: str = field(NAME)
    last_name: str = field(NAME)
    email: str = field(EMAIL)
    dob: date = field(DATE)
    phone: str | None = field(PHONE, nullable=True, default=None)
    preferred_name: str | None = field(NAME, nullable=True, default=None)
    practitioners: list[PractitionerChoiceBody] = field(
        ListOf(Nested(PractitionerChoiceBody), max_items=20), default=[]
    )


class UpdateClientRequest(RequestModel):
    """PATCH /clients/{id}: the fields given change; null removes phone and preferred_name
    and is no value for the others."""

    at_least_one_field = "Give at least one field to change."
    first_name: str | None = field(NAME, default=None)
    last_name: str | None = field(NAME, default=None)
    email: str | None = field(EMAIL, default=None)
    dob: date | None = field(DATE, default=None)
    phone: str | None = field(PHONE, nullable=True, default=None)
    preferred_name: str | None = field(NAME, nullable=True, default=None)
    active: bool | None = field(BOOLEAN, default=None)


class AcceptInvitationRequest(RequestModel):
    token: str = field(TOKEN)
    username: str = field(USERNAME)
    password: str = field(PASSWORD)


class AssociateRequest(RequestModel):
    practitioner_id: str = field(ID)
    department_id: str | None = field(ID, nullable=True, default=None)


class PractitionerClientRequest(RequestModel):
    client_id: str = field(ID)
    department_id: str | None = field(ID, nullable=True, default=None)


class CareSessionRequest(RequestModel):
    client_id: str = field(ID)


class InviteStaffRequest(RequestModel):
    first_name: str = field(NAME)
    last_name: str = field(NAME)
    email: str = field(EMAIL)
    roles: list[str] = field(ROLES)
    department_ids: list[str] = field(DEPARTMENT_IDS)


class UpdateStaffRequest(RequestModel):
    """PATCH /staff/{id}: the fields given change; null is no value for any of them."""

    at_least_one_field = "Give at least one field to change."
    roles: list[str] | None = field(ROLES, default=None)
    department_ids: list[str] | None = field(DEPARTMENT_IDS, default=None)
    new_client_notifications: bool | None = field(BOOLEAN, default=None)
    active: bool | None = field(BOOLEAN, default=None)


class UpdateOrganizationRequest(RequestModel):
    at_least_one_field = "Give name, manual_approval, kind or require_staff_mfa."
    name: str | None = field(NAME, default=None)
    manual_approval: bool | None = field(BOOLEAN, default=None)
    # R25: an individual practice grows into an organization (the reverse: one practitioner).
    kind: str | None = field(OneOfText(("organization", "individual")), default=None)
    # R30: staff sign in with a second factor (switching it on: 409 enroll_first unless the
    # calling org_admin has enrolled one).
    require_staff_mfa: bool | None = field(BOOLEAN, default=None)


DESCRIPTION = Text(max_length=500, strip=True)


class NewDepartmentRequest(RequestModel):
    name: str = field(NAME)
    description: str | None = field(DESCRIPTION, nullable=True, default=None)


class UpdateDepartmentRequest(RequestModel):
    """PATCH /departments/{id} (R25): null removes the description."""

    at_least_one_field = "Give name or description."

    name: str | None = field(NAME, default=None)
    description: str | None = field(DESCRIPTION, nullable=True, default=None)


PAGE_SIZE = Integer(ge=1, le=100, from_text=True)


class ClientListQuery(QueryParameters):
    """GET /clients (R14): a status list in name order, or newest first (`sort`); narrowed to
    a last-name prefix (`q`) or to clients with no active practitioner (`unassigned`); or the
    one client with an address (`email`). clients.list_clients says which combine."""

    status: str = field(OneOfText(tuple(s.value for s in Status)), default="active")
    limit: int = field(PAGE_SIZE, default=25)
    cursor: str | None = field(CURSOR, default=None)
    q: str | None = field(Text(max_length=100, strip=True), default=None)
    email: str | None = field(EMAIL, default=None)
    sort: str = field(Text(max_length=16, pattern=r"^(name|created_desc)$"), default="name")
    unassigned: bool = field(Boolean(from_text=True), default=False)


class HistoryQuery(QueryParameters):
    limit: int = field(PAGE_SIZE, default=50)
    cursor: str | None = field(CURSOR, default=None)


class AccessLogQuery(QueryParameters):
    limit: int = field(PAGE_SIZE, default=50)
    cursor: str | None = field(CURSOR, default=None)


class StaffListQuery(QueryParameters):
    role: str | None = field(ROLE, default=None)
    department_id: str | None = field(Text(min_length=0, max_length=64), default=None)
