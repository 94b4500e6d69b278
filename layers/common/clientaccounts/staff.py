"""Staff administration (R12, R25): invite, list, read, edit and delete staff members, and
reset a lost second factor (R30).

An org_admin edits anyone; a dept_admin only staff all of whose departments are theirs, only
into their departments, and never grants (or takes) org_admin. Removing `practitioner` from
someone who still has clients is refused; the organization always keeps an active org_admin.
"""

from __future__ import annotations

import uuid
from typing import Any

from . import access_log, clock, identity
from .answers import PractitionerClient, StaffPage, StaffView
from .associations import practitioner_changes_clients
from .auth import Action, Caller, authorize, caller_organization
from .care_sessions import DELETION_HOLD, has_session_history
from .config import get_settings
from .errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceUnavailable
from .links import Purpose, link_view, new_link, replace_account_link
from .outbox import audit_by, queue_email, queue_link_email
from .persistence import keys, store, writes
from .persistence.models import Organization, OutboxEmail, Staff
from .rules import ALL_STAFF_ROLES
from .schemas import InviteStaffRequest, UpdateStaffRequest


def staff_view(staff: Staff, clients: list[PractitionerClient] | None = None) -> StaffView:
    view: StaffView = {
        "id": staff.staff_id,
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "email": staff.email,
        "roles": sorted(staff.roles),
        "department_ids": list(staff.department_ids),
        "new_client_notifications": staff.new_client_notifications,
        "active": staff.active,
        "credentials_set": staff.username is not None,
        "username": staff.username,  # R23, as on a client
        "created_at": staff.created_at,
        "link": link_view(staff),
        "mfa_enrolled": bool(staff.mfa_enrolled),
    }
    if clients is not None:
        view["clients"] = clients
    return view


def staff_member(caller: Caller, staff_id: str) -> Staff:
    staff = store.get_staff(caller.org_id, staff_id)
    if staff is None:
        raise NotFound("No such staff member.", code="staff_not_found")
    return staff


def list_staff_members(
    caller: Caller, role: str | None = None, department_id: str | None = None
) -> StaffPage:
    authorize(caller, Action.READ_STAFF)
    if role is not None and role not in ALL_STAFF_ROLES:
        raise InvalidInput("Unknown role.", field="role")
    members = [
        s
        for s in store.list_staff(caller.org_id)
        if (role is None or role in s.roles)
        and (department_id is None or department_id in s.department_ids)
    ]
    members.sort(key=lambda s: (s.last_name.lower(), s.first_name.lower(), s.staff_id))
    return {"items": [staff_view(s) for s in members], "next_cursor": None}


def get_staff_detail(caller: Caller, staff_id: str) -> StaffView:
    """With the practitioner's clients (R11, from the practitioner's side)."""
    authorize(caller, Action.READ_STAFF)
    staff = staff_member(caller, staff_id)
    clients = None
    if "practitioner" in staff.roles:
        clients = [
            PractitionerClient(client_id=a.client_id, department_id=a.department_id)
            for a in store.list_practitioner_associations(caller.org_id, staff_id)
        ]
        access_log.record_client_read(
            caller, access_log.READ_STAFF, [c["client_id"] for c in clients]
        )
    return staff_view(staff, clients)


def _check_roles(roles: list[str]) -> None:
    unknown = set(roles) - ALL_STAFF_ROLES
    if unknown or not roles:
        raise InvalidInput(
            "Roles are any of org_admin, dept_admin, care_coordinator, practitioner.",
            field="roles",
        )


def _check_departments(caller: Caller, department_ids: list[str]) -> None:
    if not department_ids:
        raise InvalidInput("Give at least one department.", field="department_ids")
    known = {d.department_id for d in store.list_departments(caller.org_id)}
    if not set(department_ids) <= known:
        raise InvalidInput("Unknown department.", field="department_ids")
    if "org_admin" not in caller.roles and not set(department_ids) <= caller.department_ids:
        raise Forbidden(
            "You can only place staff in your own departments.",
            code="department_out_of_scope",
            field="department_ids",
        )


def _check_may_grant(caller: Caller, before: set[str], after: set[str]) -> None:
    if "org_admin" not in caller.roles and ("org_admin" in before ^ after):
        raise Forbidden("Only an org_admin grants or removes org_admin.", field="roles")


def invite_staff_member(caller: Caller, new: InviteStaffRequest) -> StaffView:
    """POST /staff: the new member is invited like a client (R3) and accepts through the
    same invitation route."""
    authorize(caller, Action.MANAGE_STAFF)
    _check_roles(new.roles)
    _check_may_grant(caller, set(), set(new.roles))
    _check_departments(caller, new.department_ids)
    org = caller_organization(caller)
    staff_id = uuid.uuid4().hex
    now = clock.iso(clock.now())
    member = Staff(
        caller.org_id,
        staff_id,
        first_name=new.first_name,
        last_name=new.last_name,
        email=new.email,
        roles=sorted(set(new.roles)),
        department_ids=list(dict.fromkeys(new.department_ids)),
        new_client_notifications=True,
        active=True,
        client_count=0,
        created_at=now,
    )
    token, link = new_link(
        Purpose.INVITATION,
        org_id=caller.org_id,
        account_kind="staff",
        account_id=staff_id,
        valid_hours=get_settings().invitation_link_hours,
    )
    member.link_hash = link.token_hash
    member.link_purpose = link.purpose
    member.link_sent_at = link.created_at
    member.link_expires_at = link.expires_at
    tx = store.Transaction()
    writes.insert(tx, member)
    writes.claim_unique(
        tx,
        keys.staff_email_guard_key(caller.org_id, new.email),
        org_id=caller.org_id,
        owner_kind="staff",
        owner_id=staff_id,
        on_conflict=Conflict(
            "This email already belongs to a staff member.", code="email_taken", field="email"
        ),
    )
    writes.insert(tx, link)
    tx.save(staff_invitation_email(org, member, token, caller))
    tx.save(audit_by(caller, "staff", staff_id, "staff.invited"))
    tx.commit()
    return staff_view(member)


def check_staff_in_scope(caller: Caller, member: Staff) -> None:
    """R12 for every change of a staff member: an org_admin changes anyone; a dept_admin only
    staff all of whose departments are theirs, and never an org_admin."""
    if "org_admin" in caller.roles:
        return
    if "org_admin" in member.roles or not set(member.department_ids) <= caller.department_ids:
        raise Forbidden("You can only edit staff of your own departments.")


def staff_invitation_email(
    org: Organization, member: Staff, token: str, sent_by: Caller | None = None
) -> OutboxEmail:
    """`sent_by`: the admin who sent it (told if it bounces, R31); None when the person
    asked for it themselves (forgot login)."""
    return queue_link_email(
        "staff_invitation",
        to=member.email,
        first_name=member.first_name,
        org_id=org.org_id,
        org_name=org.name,
        token=token,
        valid_hours=get_settings().invitation_link_hours,
        requested_by=sent_by.account_id if sent_by else None,
    )


def resend_staff_invitation(caller: Caller, staff_id: str) -> None:
    """R25: a new invitation link for a staff member who has not accepted; the older dies."""
    authorize(caller, Action.MANAGE_STAFF)
    member = staff_member(caller, staff_id)
    check_staff_in_scope(caller, member)
    if member.username:
        raise Conflict("This staff member has already accepted.", code="accepted")
    if not member.active:
        raise Conflict("This staff member is inactive.", code="account_inactive")
    org = caller_organization(caller)
    tx = store.Transaction()
    token = replace_account_link(
        tx, member, Purpose.INVITATION, valid_hours=get_settings().invitation_link_hours
    )
    tx.save(staff_invitation_email(org, member, token, caller))
    tx.save(audit_by(caller, "staff", staff_id, "staff.invitation_sent"))
    tx.commit()


def update_staff_member(caller: Caller, staff_id: str, changes: UpdateStaffRequest) -> StaffView:
    """PATCH /staff/{id} with R12's limits."""
    authorize(caller, Action.MANAGE_STAFF)
    # The body names at least one field, none null (schemas.UpdateStaffRequest).
    member = staff_member(caller, staff_id)
    before = set(member.roles)
    check_staff_in_scope(caller, member)
    fields: dict[str, Any] = {}
    require_no_clients = False
    conflict = Conflict("The staff member changed meanwhile; try again.", code="concurrent_change")
    after = before
    if changes.roles is not None:
        _check_roles(changes.roles)
        after = set(changes.roles)
        _check_may_grant(caller, before, after)
        fields["roles"] = sorted(after)
        if "practitioner" in before - after:
            # R12: refused while clients are associated (a condition of the write).
            require_no_clients = True
            conflict = Conflict(
                "This practitioner still has clients; reassign them first.",
                code="has_associations",
                field="roles",
            )
    if changes.department_ids is not None:
        _check_departments(caller, changes.department_ids)
        fields["department_ids"] = list(dict.fromkeys(changes.department_ids))
    if changes.new_client_notifications is not None:
        fields["new_client_notifications"] = changes.new_client_notifications
    deactivating = changes.active is False and member.active
    reactivating = changes.active is True and not member.active
    if changes.active is not None:
        fields["active"] = changes.active
    tx = store.Transaction()
    if ("org_admin" in before and "org_admin" not in after) or (
        deactivating and "org_admin" in before
    ):
        _keep_an_org_admin(tx, caller, staff_id)
    if "practitioner" in before - after:
        # R25: an individual practice's only practitioner keeps the role (its registrations
        # name them); it becomes an organization first (PATCH /org).
        writes.check_not_the_individual_practitioner(
            tx,
            caller.org_id,
            staff_id,
            on_conflict=Conflict(
                "This is the practice's only practitioner; make the practice an organization "
                "first.",
                code="only_practitioner",
                field="roles",
            ),
        )
    # R25: a practitioner's clients count their active practitioners; those left with none
    # are reported (and listed by GET /clients?unassigned=true).
    moves_clients = (deactivating or reactivating) and not require_no_clients
    left_without: int | None = 0 if "practitioner" in before - after else None
    if moves_clients and member.client_count:
        left_without = practitioner_changes_clients(tx, member, leaving=deactivating)
    elif deactivating and "practitioner" in before:
        left_without = 0
    if deactivating and member.username:
        identity.sign_out_everywhere(member.username)  # first: a failure changes nothing
    writes.update_staff(
        tx,
        member,
        fields=fields,
        at=clock.iso(clock.now()),
        require_no_clients=require_no_clients,
        on_conflict=conflict,
        same_clients=moves_clients,
    )
    tx.save(
        audit_by(
            caller, "staff", staff_id, "staff.deactivated" if deactivating else "staff.updated"
        )
    )
    tx.commit()
    view = staff_view(staff_member(caller, staff_id))
    if left_without is not None and not reactivating:
        view["clients_without_practitioner"] = left_without
    return view


def _keep_an_org_admin(tx: store.Transaction, caller: Caller, leaving_id: str) -> None:
    """The organization keeps an active org_admin who can sign in (has accepted: a username),
    as a condition of the transaction that removes one, not a read: of two admins removing
    each other at once, the second finds the check failed (DynamoDB serializes the two
    transactions, which both touch both records) and is refused."""
    last = Conflict("The organization needs at least one active org_admin.", code="last_org_admin")
    now = clock.iso(clock.now())
    remaining = [
        s
        for s in store.list_staff(caller.org_id)
        if s.staff_id != leaving_id
        and s.active
        and "org_admin" in s.roles
        and s.username
        and not (s.deleting_until and s.deleting_until > now)  # R25: not being deleted
    ]
    if not remaining:
        raise last
    # The caller when they qualify (they are the one acting), else any: one is enough.
    keeper = next((s for s in remaining if s.staff_id == caller.account_id), remaining[0])
    writes.check_active_org_admin(tx, caller.org_id, keeper.staff_id, at=now, on_conflict=last)


# A transaction holds 100 operations; a practitioner's associations go in the deletion's.
MAX_CLIENTS_DELETED_WITH = 90


def delete_staff_member(caller: Caller, staff_id: str) -> None:
    """R25: DELETE /staff/{id}. Login, record (and so its departments), client associations,
    email guard and live links go; refused with Care session history (R26) and for the last
    active org_admin. An invited member who never accepted has neither, and can always go,
    which frees the address. The audit keeps ids only."""
    authorize(caller, Action.MANAGE_STAFF)
    member = staff_member(caller, staff_id)
    check_staff_in_scope(caller, member)
    if member.session_history_since:
        raise has_session_history()
    org = caller_organization(caller)
    if org.kind == "individual" and org.practitioner_id == staff_id:
        raise Conflict(
            "This is the practice's own practitioner; the practice needs them.",
            code="individual_practitioner",
        )
    associations = store.list_practitioner_associations(caller.org_id, staff_id)
    # An active practitioner's clients each lose one active practitioner (R25: counted, and
    # listed as unassigned at none): one more operation per client in the transaction.
    moves_clients = bool(associations) and member.active and "practitioner" in member.roles
    limit = MAX_CLIENTS_DELETED_WITH // 2 if moves_clients else MAX_CLIENTS_DELETED_WITH
    if len(associations) > limit:
        raise Conflict(
            "This practitioner has too many clients to delete at once; reassign some first.",
            code="has_associations",
        )
    keeps_admin = "org_admin" in member.roles and member.active and member.username
    if member.username:
        # The first transaction holds the record (no session history; none recorded, and the
        # member is no org_admin to keep, meanwhile), then the login goes: if Cognito fails,
        # nothing else has changed and a retried DELETE starts again.
        now = clock.now()
        hold = store.Transaction()
        if keeps_admin:
            _keep_an_org_admin(hold, caller, staff_id)
        writes.hold_for_deletion(
            hold, member, until=clock.iso(now + DELETION_HOLD), on_conflict=has_session_history()
        )
        hold.commit()
        if not identity.delete_login(member.username):
            raise ServiceUnavailable("The staff member could not be deleted now; try again.")
    tx = store.Transaction()
    if keeps_admin:
        _keep_an_org_admin(tx, caller, staff_id)
    writes.delete_staff(
        tx,
        member,
        client_count=len(associations),
        on_conflict=Conflict(
            "The staff member changed meanwhile; reload and try again.", code="staff_changed"
        ),
    )
    writes.release_guard_if_held(
        tx, keys.staff_email_guard_key(caller.org_id, member.email), staff_id
    )
    for association in associations:
        writes.drop_association(tx, association)
    if moves_clients:
        practitioner_changes_clients(tx, member, leaving=True)
    for token_hash in (member.link_hash, member.email_change_link_hash):
        if token_hash:
            writes.delete_link(tx, token_hash)
    tx.save(audit_by(caller, "staff", staff_id, "staff.deleted"))
    try:
        tx.commit()
    except Conflict as refused:
        if refused.code != "staff_changed":
            raise
        now_member = store.get_staff(caller.org_id, staff_id)
        if now_member is not None and now_member.session_history_since:
            raise has_session_history() from refused
        raise


def reset_staff_mfa(caller: Caller, staff_id: str) -> None:
    """POST /staff/{id}/mfa-reset (R30, org_admin): a lost second factor. Cognito first (the
    factor is disabled and every session ends; a failure there changes nothing), then the
    record, the member's email and the audit in one transaction. Where the organization
    requires a second factor, the member enrols again before anything else."""
    authorize(caller, Action.RESET_STAFF_MFA)
    member = staff_member(caller, staff_id)
    if not member.username:
        raise Conflict("This staff member has not accepted their invitation.", code="no_login")
    org = caller_organization(caller)
    identity.disable_software_token_mfa(member.username)
    identity.sign_out_everywhere(member.username)
    tx = store.Transaction()
    writes.set_mfa_enrolled(
        tx,
        member,
        enrolled=False,
        at=clock.iso(clock.now()),
        on_conflict=NotFound("No such staff member.", code="staff_not_found"),
    )
    tx.save(
        queue_email(
            "mfa_reset",
            member.email,
            org.org_id,
            {"org_name": org.name, "org_slug": org.org_id, "username": member.username},
        )
    )
    tx.save(audit_by(caller, "staff", staff_id, "staff.mfa_reset"))
    tx.commit()
