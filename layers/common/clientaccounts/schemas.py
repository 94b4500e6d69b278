"""Request bodies and query strings of the HTTP API (validation.py checks them). Unknown body
fields are refused; every string is bounded."""

from __future__ import annotations

from datetime import date

from .text import email_problem, name_problem, username_problem
from .validation import (
    Boolean,
    CalendarDate,
    Integer,
    ListOf,
    Nested,
    QueryParameters,
    RequestModel,
    Text,
    field,
)

# R27: names refuse controls and links; addresses and usernames refuse invisible, control and
# bidirectional characters (and domains IDNA cannot encode); text.py says what each means.
# The schema names each of those rules as the string's format (docs/openapi.json):
# "person-name", "email-address", "username" (checked on the text once stripped).
NAME = Text(max_length=100, strip=True, refuse=name_problem, format="person-name")
EMAIL = Text(
    max_length=254,
    strip=True,
    pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    refuse=email_problem,
    format="email-address",
)
USERNAME = Text(
    min_length=3,
    max_length=64,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    refuse=username_problem,
    format="username",
)
PASSWORD = Text(max_length=256)
ID = Text(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
TOKEN = Text(max_length=128)
SLUG = Text(max_length=63)
PHONE = Text(min_length=3, max_length=32, strip=True)
ROLE = Text(min_length=0, max_length=32)
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
    first_name: str | None = field(NAME, nullable=True, default=None)
    last_name: str | None = field(NAME, nullable=True, default=None)
    email: str | None = field(EMAIL, nullable=True, default=None)
    dob: date | None = field(DATE, nullable=True, default=None)
    phone: str | None = field(PHONE, nullable=True, default=None)
    preferred_name: str | None = field(NAME, nullable=True, default=None)
    active: bool | None = field(BOOLEAN, nullable=True, default=None)


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
    roles: list[str] = field(ListOf(ROLE, max_items=4))
    department_ids: list[str] = field(ListOf(ID, max_items=50))


class UpdateStaffRequest(RequestModel):
    roles: list[str] | None = field(ListOf(ROLE, max_items=4), nullable=True, default=None)
    department_ids: list[str] | None = field(ListOf(ID, max_items=50), nullable=True, default=None)
    new_client_notifications: bool | None = field(BOOLEAN, nullable=True, default=None)
    active: bool | None = field(BOOLEAN, nullable=True, default=None)


class UpdateOrganizationRequest(RequestModel):
    name: str | None = field(NAME, nullable=True, default=None)
    manual_approval: bool | None = field(BOOLEAN, nullable=True, default=None)
    # R25: an individual practice grows into an organization (the reverse: one practitioner).
    kind: str | None = field(
        Text(max_length=12, pattern=r"^(organization|individual)$"), nullable=True, default=None
    )
    # R30: staff sign in with a second factor (switching it on: 409 enroll_first unless the
    # calling org_admin has enrolled one).
    require_staff_mfa: bool | None = field(BOOLEAN, nullable=True, default=None)


DESCRIPTION = Text(max_length=500, strip=True)


class NewDepartmentRequest(RequestModel):
    name: str = field(NAME)
    description: str | None = field(DESCRIPTION, nullable=True, default=None)


class UpdateDepartmentRequest(RequestModel):
    """PATCH /departments/{id} (R25): null removes the description."""

    name: str | None = field(NAME, default=None)
    description: str | None = field(DESCRIPTION, nullable=True, default=None)


PAGE_SIZE = Integer(ge=1, le=100, from_text=True)


class ClientListQuery(QueryParameters):
    """GET /clients (R14): a status list in name order, or newest first (`sort`); narrowed to
    a last-name prefix (`q`) or to clients with no active practitioner (`unassigned`); or the
    one client with an address (`email`). clients.list_clients says which combine."""

    status: str = field(Text(min_length=0, max_length=16), default="active")
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
