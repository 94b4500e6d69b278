"""What the routes answer, typed: each success body of API.md is one of these. The use cases
build them (mypy checks every key), a route names the one it answers, and docs/openapi.json
describes each from its annotations (infra/openapi.py). TypedDicts cost nothing at run time:
an answer is still the plain dict that is serialized.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, NotRequired, TypedDict


@dataclass(frozen=True)
class OneOf:
    """The values a text field takes (docs/openapi.json lists them as an enum); mypy sees a
    plain `str`, as the records hold it."""

    values: tuple[str, ...]


Status = Annotated[str, OneOf(("active", "pending", "inactive"))]
Kind = Annotated[str, OneOf(("organization", "individual"))]


class Message(TypedDict):
    """An accepted request whose work continues (202), or a done deed said in words."""

    message: str


class StatusAnswer(TypedDict):
    """The account's status after a link was used (R4, R9)."""

    status: Status


class LinkView(TypedDict):
    """The newest emailed link of an account and what became of it (R3, R9, R23)."""

    purpose: Annotated[str, OneOf(("email_confirmation", "invitation", "password_reset"))]
    # R31: bounced or complained, as SES reported it for the link's email
    state: Annotated[str, OneOf(("sent", "accepted", "expired", "bounced", "complained"))]
    sent_at: str | None
    expires_at: str | None


class ClientPractitioner(TypedDict):
    practitioner_id: str
    department_id: str
    created_at: str


class ClientView(TypedDict):
    """A client object (API.md)."""

    id: str
    first_name: str
    last_name: str
    email: str
    dob: str
    phone: str | None
    preferred_name: str | None
    status: Status
    email_confirmed: bool
    credentials_set: bool
    username: str | None
    origin: Annotated[str, OneOf(("staff", "self"))]
    created_at: str
    link: LinkView | None
    can_delete: bool  # R17: false once there is Care session history (R26)
    practitioners: NotRequired[list[ClientPractitioner]]
    notice: NotRequired[str]  # POST /clients without a practitioner: not in the Care App yet


class ClientPage(TypedDict):
    items: list[ClientView]
    next_cursor: str | None


class PractitionerClient(TypedDict):
    client_id: str
    department_id: str


class StaffView(TypedDict):
    """A staff object (API.md)."""

    id: str
    first_name: str
    last_name: str
    email: str
    roles: list[str]
    department_ids: list[str]
    new_client_notifications: bool
    active: bool
    credentials_set: bool
    username: str | None
    created_at: str
    link: LinkView | None
    mfa_enrolled: bool  # R30: a second factor (TOTP) is enrolled on the login
    clients: NotRequired[list[PractitionerClient]]
    # R25: answering the deactivation of a practitioner or the removal of the role, how many
    # active clients are left with no active practitioner (GET /clients?unassigned=true).
    clients_without_practitioner: NotRequired[int]


class StaffPage(TypedDict):
    items: list[StaffView]
    next_cursor: str | None


class CareSessionView(TypedDict):
    """POST /care-sessions (R26)."""

    client_id: str
    practitioner_id: str
    recorded_at: str


class AssociationView(TypedDict):
    client_id: str
    practitioner_id: str
    department_id: str
    created_at: str


class Connection(TypedDict):
    """One entry of the Care App's list: a practitioner (for a client) or a client (for a
    practitioner)."""

    id: str
    kind: Annotated[str, OneOf(("practitioner", "client"))]
    display_name: NotRequired[str]
    department_id: NotRequired[str]
    first_name: NotRequired[str]
    last_name: NotRequired[str]
    preferred_name: NotRequired[str | None]


class Connections(TypedDict):
    items: list[Connection]


class ProfileView(TypedDict):
    """GET /me: who the caller is."""

    kind: Annotated[str, OneOf(("staff", "client"))]
    id: str
    org_slug: str
    username: str | None
    first_name: str
    last_name: str
    email: str
    status: NotRequired[Status]
    roles: NotRequired[list[str]]
    department_ids: NotRequired[list[str]]
    new_client_notifications: NotRequired[bool]
    # R30, staff only: a second factor is enrolled; the organization requires one that is not.
    mfa_enrolled: NotRequired[bool]
    mfa_enrollment_required: NotRequired[bool]


class AuditEntry(TypedDict):
    action: str
    actor_kind: str
    actor_id: str | None
    at: str
    outcome: str


class HistoryPage(TypedDict):
    items: list[AuditEntry]
    next_cursor: str | None


class AccessEntry(TypedDict):
    """R29: one staff read of the client: who, through which route (its template path), when."""

    staff_id: str
    route: str
    at: str


class AccessLogPage(TypedDict):
    items: list[AccessEntry]
    next_cursor: str | None


class DepartmentView(TypedDict):
    id: str
    name: str


class DepartmentDetail(TypedDict):
    """A department as GET/POST/PATCH /departments answer it (R25)."""

    id: str
    name: str
    description: str | None


class Departments(TypedDict):
    items: list[DepartmentDetail]


class OrganizationView(TypedDict):
    slug: str
    name: str
    kind: Kind
    manual_approval: bool
    require_staff_mfa: bool  # R30


class PublicPractitioner(TypedDict):
    id: str
    display_name: str
    departments: list[DepartmentView]


class PublicOrganization(TypedDict):
    """GET /public/orgs/{slug}: what the registration page needs (R5)."""

    slug: str
    name: str
    kind: Kind
    allows_not_sure: bool
    practitioners: list[PublicPractitioner]
