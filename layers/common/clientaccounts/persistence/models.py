"""pynamodb models, one per table. `template.yaml` declares the same keys and indexes, and
`tests/unit/test_template_models.py` fails when the two differ.

Every key starts with the organization (R18): no read can cross tenants by construction.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import (
    AllProjection,
    GlobalSecondaryIndex,
    IncludeProjection,
    KeysOnlyProjection,
)
from pynamodb.models import Model

from ..config import Settings


class Organization(Model):
    """A tenant. Keyed by its slug: the slug is its portal URL and never changes."""

    class Meta:
        table_name = "Organizations"

    org_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    kind = UnicodeAttribute()  # "organization" | "individual"
    manual_approval = BooleanAttribute(default=False)
    # In an individual practice, its one practitioner (R2, R5).
    practitioner_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)
    # When the org admins were last reminded of registrations awaiting approval; the daily
    # job updates it on condition, so two runs in one period send one reminder.
    pending_reminder_sent_at = UnicodeAttribute(null=True)
    # R30: staff must sign in with a second factor (TOTP); org_admin switches it.
    require_staff_mfa = BooleanAttribute(default=False)


class Department(Model):
    class Meta:
        table_name = "Departments"

    org_id = UnicodeAttribute(hash_key=True)
    department_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)  # R25
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)


class Staff(Model):
    class Meta:
        table_name = "Staff"

    org_id = UnicodeAttribute(hash_key=True)
    staff_id = UnicodeAttribute(range_key=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    email = UnicodeAttribute()
    roles = ListAttribute[str](of=UnicodeAttribute, default=list)
    department_ids = ListAttribute[str](of=UnicodeAttribute, default=list)
    new_client_notifications = BooleanAttribute(default=True)
    active = BooleanAttribute(default=True)
    username = UnicodeAttribute(null=True)
    # The newest emailed link (invitation or password reset) and what became of it, as on
    # a client; the email-change link is kept apart so that neither voids the other.
    link_hash = UnicodeAttribute(null=True)
    link_purpose = UnicodeAttribute(null=True)
    link_sent_at = UnicodeAttribute(null=True)
    link_expires_at = UnicodeAttribute(null=True)
    link_used_at = UnicodeAttribute(null=True)
    email_change_link_hash = UnicodeAttribute(null=True)
    # R31: SES reported the email of the link `link_delivery_hash` bounced or complained of
    # ("bounced" | "complained"); it describes the live link only while the hashes match.
    link_delivery = UnicodeAttribute(null=True)
    link_delivery_hash = UnicodeAttribute(null=True)
    # R12: clients associated with this practitioner, kept in the association's transaction
    # so that removing the role can require zero without a race.
    client_count = NumberAttribute(null=True)
    # R26: when this practitioner first recorded a Care session; from then on not deletable.
    session_history_since = UnicodeAttribute(null=True)
    # R25: a deletion in progress holds the record until then (the login goes between its
    # two transactions); no Care session is recorded, nor is it an org_admin kept, meanwhile.
    deleting_until = UnicodeAttribute(null=True)
    # R30: a verified TOTP second factor is enabled and preferred on the login (POST /me/mfa);
    # an org_admin's reset clears it (POST /staff/{id}/mfa-reset).
    mfa_enrolled = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)


# The one partition of each sparse index on Clients (below).
CLEANUP_BUCKET = "unconfirmed"
APPROVAL_BUCKET = "awaiting"


class ClientsByStatus(GlobalSecondaryIndex["Client"]):
    """R14: a status list of one organization, ordered by last name, first name, id."""

    class Meta:
        index_name = "ByStatus"
        projection = AllProjection()

    status_key = UnicodeAttribute(hash_key=True)  # "<org_id>#<status>"
    name_key = UnicodeAttribute(range_key=True)  # "<last>#<first>#<client_id>", lower case


class ClientsByCreated(GlobalSecondaryIndex["Client"]):
    """R14, "newest first": a status list of one organization by creation time (read
    backwards)."""

    class Meta:
        index_name = "ByCreated"
        projection = AllProjection()

    status_key = UnicodeAttribute(hash_key=True)  # "<org_id>#<status>"
    created_at = UnicodeAttribute(range_key=True)


class UnassignedByName(GlobalSecondaryIndex["Client"]):
    """R25, sparse: only a client with no active practitioner carries `unassigned_key`
    ("<org_id>#<status>", as `status_key`): a staff-created client, or a self-registration once
    its email is confirmed. In name order, like ByStatus."""

    class Meta:
        index_name = "Unassigned"
        projection = AllProjection()

    unassigned_key = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class UnconfirmedByDeadline(GlobalSecondaryIndex["Client"]):
    """R19, sparse: only unconfirmed self-registrations carry `cleanup_bucket`, so the
    cleanup reads exactly the accounts whose deadline has passed."""

    class Meta:
        index_name = "UnconfirmedByDeadline"
        projection = IncludeProjection(["username"])

    cleanup_bucket = UnicodeAttribute(hash_key=True)
    cleanup_due_at = UnicodeAttribute(range_key=True)


class AwaitingApproval(GlobalSecondaryIndex["Client"]):
    """Sparse: only pending clients whose email is confirmed carry `approval_bucket`, from
    confirmation until approval (or deactivation), so the daily reminder reads exactly the
    registrations waiting for an office's approval, across organizations."""

    class Meta:
        index_name = "AwaitingApproval"
        projection = KeysOnlyProjection()

    approval_bucket = UnicodeAttribute(hash_key=True)
    awaiting_approval_since = UnicodeAttribute(range_key=True)


class Client(Model):
    class Meta:
        table_name = "Clients"

    org_id = UnicodeAttribute(hash_key=True)
    client_id = UnicodeAttribute(range_key=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    preferred_name = UnicodeAttribute(null=True)
    email = UnicodeAttribute()
    dob = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # "active" | "inactive" | "pending"
    email_confirmed = BooleanAttribute(default=False)
    credentials_set = BooleanAttribute(default=False)
    username = UnicodeAttribute(null=True)
    origin = UnicodeAttribute()  # "staff" | "self"
    # The registration's choice (R6/R7): the association is made, and the practitioner told,
    # only once the address is confirmed (R9, R10), so an unproven sign-up touches no staff.
    registered_practitioner_id = UnicodeAttribute(null=True)
    registered_department_id = UnicodeAttribute(null=True)
    # The one live single-use link (confirmation or invitation); a new one voids it (R3, R9).
    link_hash = UnicodeAttribute(null=True)
    link_purpose = UnicodeAttribute(null=True)
    link_sent_at = UnicodeAttribute(null=True)
    link_expires_at = UnicodeAttribute(null=True)
    link_used_at = UnicodeAttribute(null=True)  # a password-reset link's use (R23)
    email_change_link_hash = UnicodeAttribute(null=True)  # R24: the live email-change link
    # R31: as on Staff, what SES reported of the email of link `link_delivery_hash`.
    link_delivery = UnicodeAttribute(null=True)
    link_delivery_hash = UnicodeAttribute(null=True)
    # R26: when a Care session was first recorded; from then on not deletable (R17).
    session_history_since = UnicodeAttribute(null=True)
    # R17: a deletion in progress holds the record until then (as on Staff).
    deleting_until = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)

    status_key = UnicodeAttribute()
    name_key = UnicodeAttribute()
    cleanup_bucket = UnicodeAttribute(null=True)
    cleanup_due_at = UnicodeAttribute(null=True)
    approval_bucket = UnicodeAttribute(null=True)
    awaiting_approval_since = UnicodeAttribute(null=True)
    # R25: how many active practitioners the client is associated with, moved in the same
    # transaction as each association and each practitioner's (de)activation; at 0 a client in
    # the lists (not an unconfirmed sign-up) carries `unassigned_key`. None: written before.
    active_practitioners = NumberAttribute(null=True)
    unassigned_key = UnicodeAttribute(null=True)
    # The create request's guard (staff-created clients), released when the client is deleted.
    request_guard_key = UnicodeAttribute(null=True)

    by_status = ClientsByStatus()
    by_created = ClientsByCreated()
    unassigned = UnassignedByName()
    unconfirmed_by_deadline = UnconfirmedByDeadline()
    awaiting_approval = AwaitingApproval()


class AssociationsByPractitioner(GlobalSecondaryIndex["Association"]):
    class Meta:
        index_name = "ByPractitioner"
        projection = AllProjection()

    practitioner_ref = UnicodeAttribute(hash_key=True)  # "<org_id>#<practitioner_id>"
    client_id = UnicodeAttribute(range_key=True)


class Association(Model):
    """R11: one per (client, practitioner); the key makes a second one impossible."""

    class Meta:
        table_name = "Associations"

    client_ref = UnicodeAttribute(hash_key=True)  # "<org_id>#<client_id>"
    practitioner_id = UnicodeAttribute(range_key=True)
    practitioner_ref = UnicodeAttribute()
    client_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    department_id = UnicodeAttribute()
    created_at = UnicodeAttribute()

    by_practitioner = AssociationsByPractitioner()


class Guard(Model):
    """A uniqueness guard, written with attribute_not_exists in the same transaction as its
    owner: `client-email#<org>#<email>`, `staff-email#<org>#<email>`, request guards
    `create-client#<org>#<caller>#<hash>` that make a retried create return the same client,
    and the counters of public emails per address (`public-email#...`, R28; they expire)."""

    class Meta:
        table_name = "Guards"

    guard_key = UnicodeAttribute(hash_key=True)
    org_id = UnicodeAttribute()
    owner_kind = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    # R28, on the per-address counters of public emails (email_limits.py): when one was last
    # sent, and how many today.
    notice_sent_at = UnicodeAttribute(null=True)
    sent_count = NumberAttribute(null=True)
    # Request guards (idempotent creates) expire; uniqueness guards never do.
    expires_ttl = TTLAttribute(null=True)
    # Request guards: a hash of the request body; a retry with the key must send the same.
    request_fingerprint = UnicodeAttribute(null=True)


class Link(Model):
    """A single-use emailed link. Only the token's SHA-256 is stored."""

    class Meta:
        table_name = "Links"

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()  # links.Purpose
    org_id = UnicodeAttribute()
    account_kind = UnicodeAttribute()  # "client" | "staff"
    account_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    used_at = UnicodeAttribute(null=True)
    voided_at = UnicodeAttribute(null=True)
    # A request that is choosing credentials on this link holds it until `claimed_until`
    # (credentials.py): a second request with the same link waits its turn instead of racing.
    claim_id = UnicodeAttribute(null=True)
    claimed_until = UnicodeAttribute(null=True)
    new_email = UnicodeAttribute(null=True)  # an email-change link's address (R24)
    # Housekeeping only: DynamoDB TTL deletes late; expiry is decided on `expires_at`.
    expires_ttl = TTLAttribute(null=True)


class OutboxEmail(Model):
    """An email to send, written in the same transaction as the change that causes it (R22).
    Its stream (keys only) feeds the mailer. Once sent, `to` and `params` are removed: the
    row keeps ids only."""

    class Meta:
        table_name = "Outbox"

    email_id = UnicodeAttribute(hash_key=True)
    template = UnicodeAttribute()
    to = ListAttribute[str](of=UnicodeAttribute, null=True)
    org_id = UnicodeAttribute()
    params = JSONAttribute(null=True)
    status = UnicodeAttribute(default="queued")  # "queued" | "sent"
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    # R31, kept after sending (ids only): the SHA-256 of the link the email carries, and the
    # staff member whose action sent it, so that SES's bounce or complaint reaches the link's
    # account and the sender.
    link_hash = UnicodeAttribute(null=True)
    requested_by = UnicodeAttribute(null=True)
    expires_ttl = TTLAttribute(null=True)


class AuditEvent(Model):
    """R20: who did what to which id and when. Ids only, never personal data."""

    class Meta:
        table_name = "Audit"

    subject_ref = UnicodeAttribute(hash_key=True)  # "<org_id>#<kind>#<id>"
    event_key = UnicodeAttribute(range_key=True)  # "<iso time, microseconds>#<event id>"
    org_id = UnicodeAttribute()
    action = UnicodeAttribute()
    actor_kind = UnicodeAttribute()  # "staff" | "client" | "system" | "public"
    actor_id = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(default="ok")
    at = UnicodeAttribute()


class AccessRecord(Model):
    """R29: one staff read of one client, ids only: who (`staff_id`), through which route, and
    when. Written by the access-log function from the read's log line (access_log.py), one per
    (client, line): a line listing 50 clients is 50 records. Kept six years (`expires_ttl`),
    the HIPAA documentation retention (45 CFR 164.316(b)(2))."""

    class Meta:
        table_name = "AccessLog"

    client_ref = UnicodeAttribute(hash_key=True)  # "<org_id>#<client_id>"
    read_key = UnicodeAttribute(range_key=True)  # "<iso time, microseconds>#<log event id>"
    org_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    staff_id = UnicodeAttribute()
    route = UnicodeAttribute()
    at = UnicodeAttribute()
    expires_ttl = TTLAttribute(null=True)


class PageCursor(Model):
    """A list's next-page position, kept here so that a cursor is a random token: the caller
    holds the token, the key is its SHA-256. Bound to the organization and the list
    (`partition`) it was made for; `expires_at` decides expiry, TTL only cleans up."""

    class Meta:
        table_name = "Cursors"

    cursor_hash = UnicodeAttribute(hash_key=True)
    org_id = UnicodeAttribute()
    partition = UnicodeAttribute()  # the index or table partition the list reads
    position = JSONAttribute()  # the page's LastEvaluatedKey
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    expires_ttl = TTLAttribute(null=True)


ALL_MODELS: dict[str, type[Model]] = {
    "organizations": Organization,
    "departments": Department,
    "staff": Staff,
    "clients": Client,
    "associations": Association,
    "guards": Guard,
    "links": Link,
    "outbox": OutboxEmail,
    "audit": AuditEvent,
    "cursors": PageCursor,
    "access_log": AccessRecord,
}


# Short timeouts (DESIGN.md: the login trigger has 5 s): fail closed rather than hang.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
MAX_RETRY_ATTEMPTS = 2


def bind_models(settings: Settings) -> None:
    """Point every model at its table, region and endpoint (once per cold start)."""
    for key, model in ALL_MODELS.items():
        model.Meta.table_name = getattr(settings.tables, key)
        model.Meta.region = settings.region
        model.Meta.host = settings.aws_endpoint_url
        model.Meta.connect_timeout_seconds = CONNECT_TIMEOUT_SECONDS
        model.Meta.read_timeout_seconds = READ_TIMEOUT_SECONDS
        model.Meta.max_retry_attempts = MAX_RETRY_ATTEMPTS
        model._connection = None  # drop a connection bound to older settings
