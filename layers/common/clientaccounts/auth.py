"""Who is calling, and what they may do: decided here, in one place, for every route.

The API Gateway authorizer has checked the ID token; the caller's record is still read on
every request (one GetItem), because a refresh token keeps minting ID tokens after an account
is deactivated and Cognito runs no trigger for it.

R30: a staff member who has not enrolled a second factor costs one more GetItem, their
organization's (does it require one?); the route then reuses it (`caller_organization`). An
enrolled one costs nothing more: whatever the organization requires, they meet it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import Forbidden, NotFound, Unauthorized
from .identity import ACCOUNT_ATTRIBUTE, KIND_ATTRIBUTE, ORG_ATTRIBUTE, normalize_username
from .persistence import store
from .persistence.models import Association, Client, Organization, Staff
from .rules import ALL_STAFF_ROLES, CLIENT_MANAGER_ROLES, Status


@dataclass(frozen=True)
class Caller:
    kind: str  # "staff" | "client"
    org_id: str
    account_id: str
    roles: frozenset[str] = frozenset()
    department_ids: frozenset[str] = frozenset()
    status: str | None = None  # clients only
    # The caller's record as read for this request (GET /me, own-account changes).
    account: Client | Staff | None = field(default=None, compare=False, repr=False)
    # R30: staff whose organization requires a second factor they have not enrolled; the
    # router lets them reach only the routes that enrol (`Route.while_enrolling`).
    mfa_enrollment_required: bool = False
    # The organization, when it was read to resolve the caller (reused by the route).
    organization: Organization | None = field(default=None, compare=False, repr=False)


class Action(StrEnum):
    MANAGE_CLIENTS = "manage_clients"  # create, list, read, edit, approve, invite (R1, R14-R16)
    DELETE_CLIENTS = "delete_clients"  # R17 (within R11b, as every change of a client)
    READ_STAFF = "read_staff"  # the staff list, to choose practitioners (R11)
    MANAGE_STAFF = "manage_staff"  # invite and edit staff (R12)
    READ_ORGANIZATION = "read_organization"
    MANAGE_ORGANIZATION = "manage_organization"  # settings and departments
    READ_CLIENT_HISTORY = "read_client_history"  # R20: a client's audit trail
    RESET_STAFF_MFA = "reset_staff_mfa"  # R30: a lost second factor
    READ_ACCESS_LOG = "read_access_log"  # R29: who read a client's record


ADMIN_ROLES = frozenset({"org_admin", "dept_admin"})

ALLOWED_ROLES: dict[Action, frozenset[str]] = {
    Action.MANAGE_CLIENTS: CLIENT_MANAGER_ROLES,
    Action.DELETE_CLIENTS: CLIENT_MANAGER_ROLES,
    Action.READ_STAFF: CLIENT_MANAGER_ROLES,
    Action.MANAGE_STAFF: ADMIN_ROLES,
    Action.READ_ORGANIZATION: ALL_STAFF_ROLES,
    Action.MANAGE_ORGANIZATION: frozenset({"org_admin"}),
    Action.READ_CLIENT_HISTORY: ADMIN_ROLES,
    Action.RESET_STAFF_MFA: frozenset({"org_admin"}),
    Action.READ_ACCESS_LOG: frozenset({"org_admin"}),
}


USERNAME_CLAIM = "cognito:username"


def _is_the_login_of(username: str | None, claims: Mapping[str, str]) -> bool:
    """The custom claims name the account; the login that signed in must be that account's.
    Cognito refuses client writes to the custom attributes (`Mutable: false`), but should one
    get through (or an endpoint without that rule), it cannot make anyone someone else."""
    claimed = claims.get(USERNAME_CLAIM)
    if not username or not claimed:
        return False  # no login yet (credentials not set), or a token without its username
    return normalize_username(claimed) == normalize_username(username)


def caller_from_claims(claims: Mapping[str, str] | None) -> Caller:
    """The current caller, from the ID token's claims and their record's current state."""
    claims = claims or {}
    org_id = claims.get(ORG_ATTRIBUTE)
    kind = claims.get(KIND_ATTRIBUTE)
    account_id = claims.get(ACCOUNT_ATTRIBUTE)
    if not org_id or not account_id or kind not in ("staff", "client"):
        raise Unauthorized("Sign in again.")
    if kind == "staff":
        staff = store.get_staff(org_id, account_id)
        if staff is None or not _is_the_login_of(staff.username, claims):
            raise Unauthorized("Sign in again.")
        if not staff.active:
            raise Forbidden("This account is inactive.", code="account_inactive")
        org = None if staff.mfa_enrolled else store.get_organization(org_id)
        return Caller(
            "staff",
            org_id,
            account_id,
            roles=frozenset(staff.roles),
            department_ids=frozenset(staff.department_ids),
            account=staff,
            mfa_enrollment_required=bool(org is not None and org.require_staff_mfa),
            organization=org,
        )
    client = store.get_client(org_id, account_id)
    if client is None or not _is_the_login_of(client.username, claims):
        raise Unauthorized("Sign in again.")
    if client.status == Status.INACTIVE:
        raise Forbidden("This account is inactive.", code="account_inactive")
    return Caller("client", org_id, account_id, status=client.status, account=client)


def caller_organization(caller: Caller) -> Organization:
    """The caller's organization: as read to resolve the caller (R30), else read now."""
    if caller.organization is not None:
        return caller.organization
    org = store.get_organization(caller.org_id)
    if org is None:
        raise NotFound("Organization not found.")
    return org


def check_mfa_enrollment(caller: Caller) -> None:
    """R30: 403 for staff whose organization requires a second factor they have not
    enrolled; the router calls it for every route but those that enrol."""
    if caller.mfa_enrollment_required:
        raise Forbidden(
            "Your organization requires a second factor: enrol an authenticator app first.",
            code="mfa_enrollment_required",
        )


def authorize(caller: Caller, action: Action) -> None:
    """403 unless the caller is staff holding one of the roles the action allows."""
    if caller.kind != "staff" or not caller.roles & ALLOWED_ROLES[action]:
        raise Forbidden("Your role does not allow this.")


def check_department_scope(caller: Caller, department_id: str) -> None:
    """R11: an org_admin works in every department; other managers only in their own."""
    if "org_admin" not in caller.roles and department_id not in caller.department_ids:
        raise Forbidden(
            "You can only associate clients within your own departments.",
            code="department_out_of_scope",
            field="department_id",
        )


def check_client_in_scope(caller: Caller, associations: Iterable[Association]) -> None:
    """R11b, for every change of a client: an org_admin changes any client; other managers
    only a client with no association yet or one associated in one of their departments (the
    association's own department). Reading stays organization-wide."""
    if "org_admin" in caller.roles:
        return
    departments = {a.department_id for a in associations}
    if departments and not departments & caller.department_ids:
        raise Forbidden(
            "This client belongs to other departments; you can view it but not change it.",
            code="department_out_of_scope",
        )
