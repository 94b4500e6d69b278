"""Request bodies of the HTTP API. Unknown fields are refused; every string is bounded."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Username = Annotated[
    str, StringConstraints(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Token = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=63)]


def _calendar_date(value: object) -> date:
    """Only a "YYYY-MM-DD" string that names a real day (no numbers, no datetimes)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Use a date as YYYY-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("Use a real date as YYYY-MM-DD.") from None


IsoDate = Annotated[date, BeforeValidator(_calendar_date)]


# defer_build: a function validates one or two of these models; building all of them at
# import would be cold-start time spent on models that function never uses.
class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class RegistrationRequest(Body):
    first_name: Name
    last_name: Name
    email: Email
    dob: IsoDate
    username: Username
    password: Password
    practitioner_id: Id | None
    department_id: Id | None = None


class EmailConfirmationRequest(Body):
    token: Token


class ResendConfirmationRequest(Body):
    org_slug: Slug
    email: Email


Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)]


class PractitionerChoiceBody(Body):
    practitioner_id: Id
    department_id: Id | None = None


class CreateClientRequest(Body):
    first_name: Name
    last_name: Name
    email: Email
    dob: IsoDate
    phone: Phone | None = None
    preferred_name: Name | None = None
    practitioners: list[PractitionerChoiceBody] = Field(default_factory=list, max_length=20)


class UpdateClientRequest(Body):
    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    dob: IsoDate | None = None
    phone: Phone | None = None
    preferred_name: Name | None = None
    active: StrictBool | None = None


class AcceptInvitationRequest(Body):
    token: Token
    username: Username
    password: Password


class AssociateRequest(Body):
    practitioner_id: Id
    department_id: Id | None = None


class PractitionerClientRequest(Body):
    client_id: Id
    department_id: Id | None = None


Role = Annotated[str, StringConstraints(max_length=32)]


class InviteStaffRequest(Body):
    first_name: Name
    last_name: Name
    email: Email
    roles: list[Role] = Field(max_length=4)
    department_ids: list[Id] = Field(max_length=50)


class UpdateStaffRequest(Body):
    roles: list[Role] | None = Field(default=None, max_length=4)
    department_ids: list[Id] | None = Field(default=None, max_length=50)
    new_client_notifications: StrictBool | None = None
    active: StrictBool | None = None


class UpdateOrganizationRequest(Body):
    name: Name | None = None
    manual_approval: StrictBool | None = None


class NewDepartmentRequest(Body):
    name: Name


class QueryParameters(BaseModel):
    # Unknown query parameters are ignored (a cache-buster must not break a list).
    model_config = ConfigDict(extra="ignore", defer_build=True)


Cursor = Annotated[str, StringConstraints(max_length=2048)]


class ClientListQuery(QueryParameters):
    status: Annotated[str, StringConstraints(max_length=16)] = "active"
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: Cursor | None = None


class HistoryQuery(QueryParameters):
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Cursor | None = None


class StaffListQuery(QueryParameters):
    role: Annotated[str, StringConstraints(max_length=32)] | None = None
    department_id: Annotated[str, StringConstraints(max_length=64)] | None = None
