"""Organizations: the public portal view (R5) and bootstrapping a new practice."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import clock, identity, rules
from .answers import (
    DepartmentDetail,
    Departments,
    DepartmentView,
    OrganizationView,
    PublicOrganization,
    PublicPractitioner,
)
from .auth import Action, Caller, authorize, caller_organization
from .errors import Conflict, InvalidInput, NotFound
from .observability import logger
from .outbox import audit_by, audit_event
from .persistence import keys, store, writes
from .persistence.models import Department, Organization, Staff
from .registration import get_registering_organization
from .schemas import (
    EMAIL,
    NAME,
    USERNAME,
    NewDepartmentRequest,
    UpdateDepartmentRequest,
    UpdateOrganizationRequest,
)
from .validation import InvalidFields, Text

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
KINDS = ("organization", "individual")


def public_organization_view(slug: str) -> PublicOrganization:
    """What the registration page needs: the practitioners a person may choose (R5)."""
    org = get_registering_organization(slug)
    departments = {d.department_id: d.name for d in store.list_departments(org.org_id)}
    practitioners = [
        PublicPractitioner(
            id=s.staff_id,
            display_name=f"{s.first_name} {s.last_name}",
            departments=[
                DepartmentView(id=d, name=departments[d])
                for d in s.department_ids
                if d in departments
            ],
        )
        for s in store.list_staff(org.org_id)
        if s.active and "practitioner" in s.roles
    ]
    practitioners.sort(key=lambda p: (str(p["display_name"]).lower(), p["id"]))
    return {
        "slug": org.org_id,
        "name": org.name,
        "kind": org.kind,
        "allows_not_sure": org.kind != "individual",
        "practitioners": practitioners,
    }


@dataclass(frozen=True)
class FirstAdmin:
    username: str
    password: str
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class NewOrganization:
    slug: str
    name: str
    kind: str
    admin: FirstAdmin
    manual_approval: bool = False
    departments: list[str] = field(default_factory=lambda: ["General"])


@dataclass(frozen=True)
class BootstrappedOrganization:
    org: dict[str, Any]
    departments: list[dict[str, str]]
    admin_id: str


def _check(rule: Text, value: str, field_name: str) -> None:
    try:
        rule.check(value, (field_name,))
    except InvalidFields as exc:
        raise InvalidInput(exc.errors[0][1], field=field_name) from None


def _check_typed_text(spec: NewOrganization) -> None:
    """R27: the API's rules for names, the address and the username; the bootstrap command
    takes no request body, so it applies them here."""
    _check(NAME, spec.name, "name")
    for department in spec.departments:
        if department.strip():  # blank ones are dropped below
            _check(NAME, department, "departments")
    _check(NAME, spec.admin.first_name, "admin.first_name")
    _check(NAME, spec.admin.last_name, "admin.last_name")
    _check(EMAIL, spec.admin.email, "admin.email")
    _check(USERNAME, spec.admin.username, "admin.username")


def bootstrap_organization(spec: NewOrganization) -> BootstrappedOrganization:
    """Create an organization, its departments and its first org admin with a login.
    In an individual practice the admin is also its practitioner (R2, R5)."""
    if not SLUG_PATTERN.match(spec.slug):
        raise InvalidInput("Use lower-case letters, digits and hyphens.", field="slug")
    if spec.kind not in KINDS:
        raise InvalidInput("kind is 'organization' or 'individual'.", field="kind")
    if not spec.name.strip():
        raise InvalidInput("A name is required.", field="name")
    _check_typed_text(spec)
    names = [n.strip() for n in spec.departments if n.strip()] or ["General"]
    rules.check_password(spec.admin.password)
    if store.get_organization(spec.slug) is not None:
        raise Conflict("An organization with this slug exists.", code="slug_taken", field="slug")

    now = clock.iso(clock.now())
    admin_id = uuid.uuid4().hex
    departments = [Department(spec.slug, uuid.uuid4().hex, name=n, created_at=now) for n in names]
    individual = spec.kind == "individual"
    org = Organization(
        spec.slug,
        name=spec.name.strip(),
        kind=spec.kind,
        manual_approval=spec.manual_approval,
        practitioner_id=admin_id if individual else None,
        created_at=now,
    )
    admin = Staff(
        spec.slug,
        admin_id,
        first_name=spec.admin.first_name,
        last_name=spec.admin.last_name,
        email=spec.admin.email,
        roles=["org_admin", "practitioner"] if individual else ["org_admin"],
        department_ids=[d.department_id for d in departments],
        new_client_notifications=True,
        active=True,
        username=identity.normalize_username(spec.admin.username),
        created_at=now,
    )
    identity.create_login(
        username=spec.admin.username,
        password=spec.admin.password,
        org_id=spec.slug,
        account_kind="staff",
        account_id=admin_id,
    )
    tx = store.Transaction()
    writes.insert(
        tx,
        org,
        on_conflict=Conflict(
            "An organization with this slug exists.", code="slug_taken", field="slug"
        ),
    )
    for department in departments:
        tx.save(department)
    writes.insert(tx, admin)
    writes.claim_unique(
        tx,
        keys.staff_email_guard_key(spec.slug, spec.admin.email),
        org_id=spec.slug,
        owner_kind="staff",
        owner_id=admin_id,
    )
    tx.save(
        audit_event(
            org_id=spec.slug,
            subject_kind="organization",
            subject_id=spec.slug,
            action="organization.bootstrapped",
            actor_kind="system",
        )
    )
    try:
        tx.commit()
    except Exception:
        identity.delete_login(spec.admin.username)
        raise
    logger.info("organization bootstrapped", extra={"org_id": spec.slug, "admin_id": admin_id})
    return BootstrappedOrganization(
        org={
            "slug": org.org_id,
            "name": org.name,
            "kind": org.kind,
            "manual_approval": org.manual_approval,
        },
        departments=[{"id": d.department_id, "name": d.name} for d in departments],
        admin_id=admin_id,
    )


def _organization_view(org: Organization) -> OrganizationView:
    return {
        "slug": org.org_id,
        "name": org.name,
        "kind": org.kind,
        "manual_approval": org.manual_approval,
        "require_staff_mfa": bool(org.require_staff_mfa),
    }


def organization_settings(caller: Caller) -> OrganizationView:
    """GET /org."""
    authorize(caller, Action.READ_ORGANIZATION)
    return _organization_view(caller_organization(caller))


def update_organization(caller: Caller, changes: UpdateOrganizationRequest) -> OrganizationView:
    """PATCH /org (org_admin): the name, R8's manual approval of registrations, and R25's
    kind: an individual practice becomes an organization; an organization becomes an
    individual practice only with exactly one active practitioner, who becomes its one;
    R30's second factor for staff: switched on only by an org_admin who has enrolled one."""
    authorize(caller, Action.MANAGE_ORGANIZATION)
    org = caller_organization(caller)
    fields: dict[str, Any] = {}
    if changes.name is not None:
        fields["name"] = changes.name
    if changes.manual_approval is not None:
        fields["manual_approval"] = changes.manual_approval
    tx = store.Transaction()
    audit_action = "organization.updated"
    if changes.require_staff_mfa is not None:
        fields["require_staff_mfa"] = changes.require_staff_mfa
        if changes.require_staff_mfa and not org.require_staff_mfa:
            audit_action = "organization.staff_mfa_required"
            if not _enrolled(caller):
                raise _enroll_first()
            # Also a condition of the write: a reset of the caller's own second factor
            # meanwhile refuses it.
            writes.check_mfa_enrolled(
                tx, caller.org_id, caller.account_id, on_conflict=_enroll_first()
            )
        elif not changes.require_staff_mfa and org.require_staff_mfa:
            audit_action = "organization.staff_mfa_not_required"
    if changes.kind is not None and changes.kind != org.kind:
        fields["kind"] = changes.kind
        audit_action = "organization.kind_changed"
        if changes.kind == "individual":
            practitioner_id = _sole_practitioner(caller.org_id)
            fields["practitioner_id"] = practitioner_id
            writes.check_sole_practitioner(
                tx,
                caller.org_id,
                practitioner_id,
                on_conflict=Conflict(
                    "The practitioner changed meanwhile; try again.", code="concurrent_change"
                ),
            )
    writes.update_organization(tx, org, fields=fields, at=clock.iso(clock.now()))
    tx.save(audit_by(caller, "organization", caller.org_id, audit_action))
    tx.commit()
    updated = store.get_organization(caller.org_id)
    if updated is None:
        raise NotFound("Organization not found.")
    return _organization_view(updated)


def _enroll_first() -> Conflict:
    return Conflict(
        "Enrol your own second factor before requiring one of all staff.",
        code="enroll_first",
        field="require_staff_mfa",
    )


def _enrolled(caller: Caller) -> bool:
    return isinstance(caller.account, Staff) and bool(caller.account.mfa_enrolled)


def _sole_practitioner(org_id: str) -> str:
    """R25: an individual practice has exactly one active practitioner."""
    practitioners = [
        s.staff_id for s in store.list_staff(org_id) if s.active and "practitioner" in s.roles
    ]
    if len(practitioners) != 1:
        raise Conflict(
            "An individual practice has exactly one active practitioner; this organization "
            f"has {len(practitioners)}.",
            code="not_one_practitioner",
            field="kind",
        )
    return practitioners[0]


def _department_view(department: Department) -> DepartmentDetail:
    return {
        "id": department.department_id,
        "name": department.name,
        "description": department.description,
    }


def departments_of(caller: Caller) -> Departments:
    """GET /departments."""
    authorize(caller, Action.READ_ORGANIZATION)
    departments = sorted(store.list_departments(caller.org_id), key=lambda d: d.name.lower())
    return {"items": [_department_view(d) for d in departments]}


def create_department(caller: Caller, new: NewDepartmentRequest) -> DepartmentDetail:
    """POST /departments (org_admin); names are unique in the organization."""
    authorize(caller, Action.MANAGE_ORGANIZATION)
    department = Department(
        caller.org_id,
        uuid.uuid4().hex,
        name=new.name.strip(),
        description=new.description or None,
        created_at=clock.iso(clock.now()),
    )
    tx = store.Transaction()
    writes.insert(tx, department)
    writes.claim_unique(
        tx,
        keys.department_name_guard_key(caller.org_id, new.name),
        org_id=caller.org_id,
        owner_kind="department",
        owner_id=department.department_id,
        on_conflict=_name_taken(),
    )
    tx.save(audit_by(caller, "department", department.department_id, "department.created"))
    tx.commit()
    return _department_view(department)


def _name_taken() -> Conflict:
    return Conflict("A department has this name.", code="name_taken", field="name")


def update_department(
    caller: Caller, department_id: str, changes: UpdateDepartmentRequest
) -> DepartmentDetail:
    """PATCH /departments/{id} (org_admin, R25): rename (names stay unique) and describe."""
    authorize(caller, Action.MANAGE_ORGANIZATION)
    department = store.get_department(caller.org_id, department_id)
    if department is None:
        raise NotFound("No such department.", code="department_not_found")
    fields: dict[str, Any] = {}
    tx = store.Transaction()
    if changes.name is not None:
        fields["name"] = changes.name.strip()
        writes.move_department_name(
            tx,
            org_id=caller.org_id,
            department_id=department_id,
            old_name=department.name,
            new_name=changes.name,
            on_conflict=_name_taken(),
        )
    if "description" in changes.fields_given:
        fields["description"] = changes.description or None
    writes.update_department(tx, department, fields=fields, at=clock.iso(clock.now()))
    tx.save(audit_by(caller, "department", department_id, "department.updated"))
    tx.commit()
    updated = store.get_department(caller.org_id, department_id)
    if updated is None:
        raise NotFound("No such department.", code="department_not_found")
    return _department_view(updated)
