"""Client-practitioner associations (R2, R6, R11) and the Care App's list of connections.

Every association write also moves the practitioner's `client_count` in the same
transaction, on condition that they still hold `practitioner` and are active: an association
and a concurrent role removal (R12) cannot both succeed.
"""

from __future__ import annotations

from . import access_log, clock, rules
from .answers import AssociationView, Connection, Connections
from .auth import Action, Caller, authorize, check_client_in_scope, check_department_scope
from .errors import Conflict, InvalidInput, NotFound
from .outbox import audit_by
from .persistence import store, writes
from .persistence.models import Association, Client, Staff


def add_association(
    tx: store.Transaction, org_id: str, client_id: str, choice: rules.PractitionerChoice
) -> Association:
    association = Association(
        practitioner_id=choice.practitioner_id,
        client_id=client_id,
        org_id=org_id,
        department_id=choice.department_id,
        created_at=clock.iso(clock.now()),
    )
    writes.add_association(
        tx,
        association,
        on_exists=Conflict(
            "This client is already associated with this practitioner.",
            code="already_associated",
            field="practitioner_id",
        ),
        on_not_practitioner=InvalidInput(
            "This person no longer takes clients as a practitioner.", field="practitioner_id"
        ),
    )
    return association


def remove_association(tx: store.Transaction, association: Association) -> None:
    """For a client that goes too (deleted): its count of practitioners goes with it."""
    writes.remove_association(tx, association)


def _changed_meanwhile() -> Conflict:
    return Conflict(
        "The client's practitioners changed meanwhile; try again.", code="concurrent_change"
    )


def active_practitioner_count(client: Client) -> int:
    """R25: how many active practitioners the client is associated with, as the client
    records it; for a client written before the count was kept, counted from its associations
    and those practitioners (one Query, one BatchGetItem)."""
    if client.active_practitioners is not None:
        return int(client.active_practitioners)
    associations = store.list_client_associations(client.org_id, client.client_id)
    staff = store.get_staff_many(client.org_id, [a.practitioner_id for a in associations])
    return sum(1 for s in staff if s.active and "practitioner" in s.roles)


# One transaction holds the staff member, an org_admin check, the audit event and each client.
MAX_CLIENTS_MOVED = 96


def practitioner_changes_clients(
    tx: store.Transaction, practitioner: Staff, *, leaving: bool
) -> int:
    """R25: a practitioner is deactivated (`leaving`) or reactivated, and each of their
    clients' count of active practitioners moves by one in the same transaction (a client
    left at 0 joins the Unassigned list). Returns how many active clients are left with no
    active practitioner. Their clients come from the `ByPractitioner` index, checked against
    the practitioner's own count (the staff write conditions on it: no association comes or
    goes meanwhile)."""
    associations = store.list_practitioner_associations(practitioner.org_id, practitioner.staff_id)
    if len(associations) != int(practitioner.client_count or 0):
        raise _changed_meanwhile()  # the index has not caught up yet
    if len(associations) > MAX_CLIENTS_MOVED:
        raise Conflict(
            f"This practitioner has more than {MAX_CLIENTS_MOVED} clients; reassign some first.",
            code="too_many_clients",
            field="active",
        )
    clients = store.get_clients_many(practitioner.org_id, [a.client_id for a in associations])
    left = 0
    for client in clients:
        before = active_practitioner_count(client)
        after = max(before - 1, 0) if leaving else before + 1
        writes.set_active_practitioners(tx, client, after, on_conflict=_changed_meanwhile())
        if after == 0 and client.status == rules.Status.ACTIVE and writes.in_client_lists(client):
            left += 1
    return left


def association_view(association: Association) -> AssociationView:
    return {
        "client_id": association.client_id,
        "practitioner_id": association.practitioner_id,
        "department_id": association.department_id,
        "created_at": association.created_at,
    }


def practitioner_view(org_id: str, practitioner_id: str) -> rules.PractitionerView | None:
    """What R6/R11 need to know of a would-be practitioner (one GetItem)."""
    staff = store.get_staff(org_id, practitioner_id)
    if staff is None:
        return None
    return rules.PractitionerView(
        staff.staff_id, frozenset(staff.roles), tuple(staff.department_ids), staff.active
    )


def associations_to_change(caller: Caller, client_id: str) -> list[Association]:
    """The client's associations (one Query), once the caller may change the client (R11b);
    every use case that changes a client starts here."""
    associations = store.list_client_associations(caller.org_id, client_id)
    check_client_in_scope(caller, associations)
    return associations


def associate_client_with_practitioner(
    caller: Caller, client_id: str, practitioner_id: str, department_id: str | None
) -> AssociationView:
    """R11, from either side: only practitioners, in one of their departments (the one given,
    or their only/first), and a department within the caller's unless they are org_admin."""
    authorize(caller, Action.MANAGE_CLIENTS)
    client = store.get_client(caller.org_id, client_id)
    if client is None:
        raise NotFound("No such client.", code="client_not_found")
    associations_to_change(caller, client_id)
    choice = rules.choose_practitioner_department(
        practitioner_view(caller.org_id, practitioner_id), department_id
    )
    check_department_scope(caller, choice.department_id)
    tx = store.Transaction()
    # The client's count first (on condition: as read, and the client still there); an
    # association is only ever made with an active practitioner (its own condition).
    writes.set_active_practitioners(
        tx, client, active_practitioner_count(client) + 1, on_conflict=_changed_meanwhile()
    )
    association = add_association(tx, caller.org_id, client_id, choice)
    tx.save(audit_by(caller, "client", client_id, "association.created"))
    try:
        tx.commit()
    except Conflict as exc:
        if exc.code == "concurrent_change" and store.get_client(caller.org_id, client_id) is None:
            raise NotFound("No such client.", code="client_not_found") from exc
        raise
    return association_view(association)


def dissociate_client_from_practitioner(
    caller: Caller, client_id: str, practitioner_id: str
) -> None:
    authorize(caller, Action.MANAGE_CLIENTS)
    associations = associations_to_change(caller, client_id)
    association = next((a for a in associations if a.practitioner_id == practitioner_id), None)
    if association is None:
        raise NotFound("This client is not associated with this practitioner.")
    check_department_scope(caller, association.department_id)
    client = store.get_client(caller.org_id, client_id)
    practitioner = store.get_staff(caller.org_id, practitioner_id)
    # R25: leaving an active practitioner moves the client's count (at 0: unassigned).
    counted = practitioner is not None and practitioner.active
    tx = store.Transaction()
    writes.remove_association(
        tx,
        association,
        practitioner_active=None if practitioner is None else practitioner.active,
        on_conflict=_changed_meanwhile(),
    )
    if client is not None and counted:
        writes.set_active_practitioners(
            tx,
            client,
            max(active_practitioner_count(client) - 1, 0),
            on_conflict=_changed_meanwhile(),
        )
    tx.save(audit_by(caller, "client", client_id, "association.removed"))
    tx.commit()


def care_app_connections(caller: Caller) -> Connections:
    """GET /me/connections: an active client's practitioners, or a practitioner's active
    clients (the Care App's list). Anyone else, or a client not yet active: empty."""
    items: list[Connection]
    if caller.kind == "client":
        if caller.status != rules.Status.ACTIVE:
            return {"items": []}
        associations = store.list_client_associations(caller.org_id, caller.account_id)
        staff = store.get_staff_many(caller.org_id, [a.practitioner_id for a in associations])
        department_of = {a.practitioner_id: a.department_id for a in associations}
        items = [
            Connection(
                id=s.staff_id,
                kind="practitioner",
                display_name=f"{s.first_name} {s.last_name}",
                department_id=department_of[s.staff_id],
            )
            for s in staff
            if s.active and "practitioner" in s.roles
        ]
    elif "practitioner" in caller.roles:
        associations = store.list_practitioner_associations(caller.org_id, caller.account_id)
        clients = store.get_clients_many(caller.org_id, [a.client_id for a in associations])
        items = [
            Connection(
                id=c.client_id,
                kind="client",
                first_name=c.first_name,
                last_name=c.last_name,
                preferred_name=c.preferred_name,
            )
            for c in clients
            if c.status == rules.Status.ACTIVE and c.email_confirmed
        ]
        access_log.record_client_read(caller, access_log.MY_CONNECTIONS, [i["id"] for i in items])
    else:
        items = []
    items.sort(key=lambda i: (str(i.get("display_name") or i.get("last_name")).lower(), i["id"]))
    return {"items": items}
