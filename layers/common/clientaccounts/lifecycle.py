"""The daily scheduled jobs: removing expired sign-ups (R19) and reminding org admins of
registrations that wait too long for approval.

Both find their work through a sparse index that only the records concerned carry
(`UnconfirmedByDeadline`, `AwaitingApproval`), so what they read follows the work to do, never
the size of the tables. Both are idempotent: a run that stops early (time, outage) leaves the
rest in the index, and the next run carries on from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from . import clock, identity, rules
from .associations import remove_association
from .config import get_settings
from .errors import Conflict, DomainError, InvalidInput
from .observability import logger
from .outbox import audit_event, queue_email
from .persistence import keys, store, writes

TimeLeft = Callable[[], int]  # milliseconds, as Lambda's context.get_remaining_time_in_millis
# Stop with this much time left: one account can take ~10 s at worst (Cognito, then DynamoDB,
# each with short timeouts and one retry), and the metrics still have to be flushed.
TIME_MARGIN_MS = 20_000
PAGE_SIZE = 50
MAX_REMINDED_ADMINS = 90  # a transaction holds 100 operations
# A run that starts a little later than the last one still counts as the next period.
REMINDER_SLACK = timedelta(hours=1)


@dataclass
class JobReport:
    now: str
    expired_signups_removed: int = 0
    cleanup_failures: int = 0
    skipped: int = 0  # found in the index but no longer expired (confirmed, deleted)
    reminders_sent: int = 0
    reminder_failures: int = 0
    completed: bool = True  # False: stopped early; the next run carries on

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def scheduled_time(raw: object) -> datetime:
    """The time the schedule fired (EventBridge's `time`), so that a retried invocation decides
    as the first one did. Never later than the clock: a hand-made event cannot expire anything
    early. Without one (a manual invocation), the clock."""
    now = clock.now()
    if raw is None:
        return now
    try:
        at = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("time is not an ISO 8601 timestamp.", field="time") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return min(at, now)


def run_scheduled_jobs(scheduled_at: object, time_left: TimeLeft) -> JobReport:
    """The daily run: expired sign-ups first (R19), then reminders, within the time given."""
    now = scheduled_time(scheduled_at)
    report = JobReport(now=clock.iso(now))
    remove_expired_signups(now, time_left, report)
    remind_pending_approvals(now, time_left, report)
    logger.info("scheduled jobs done", extra=report.as_dict())
    return report


# --- R19: expired sign-ups --------------------------------------------------------------


class _Pacer:
    """Spaces Cognito deletions out: AdminDeleteUser shares a per-account request-rate quota
    with every other user-management call of the application."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.last: float | None = None

    def wait(self) -> None:
        if self.seconds > 0 and self.last is not None:
            time.sleep(max(0.0, self.last + self.seconds - time.monotonic()))
        self.last = time.monotonic()


def remove_expired_signups(now: datetime, time_left: TimeLeft, report: JobReport) -> None:
    """R19: every self-registration still unconfirmed at its deadline goes, with its login.
    Pages through the sparse index (only such accounts carry its key)."""
    now_iso = clock.iso(now)
    pacer = _Pacer(get_settings().cognito_delete_pause_seconds)
    start: dict[str, Any] | None = None
    while True:
        if time_left() < TIME_MARGIN_MS:
            report.completed = False
            return
        try:
            page = store.query_expired_signups(now_iso, limit=PAGE_SIZE, start=start)
        except DomainError:
            report.cleanup_failures += 1
            report.completed = False
            return
        for ref in page.items:
            if time_left() < TIME_MARGIN_MS:
                report.completed = False
                return
            outcome = _remove_expired_signup(ref.org_id, ref.client_id, now_iso, pacer)
            if outcome == "removed":
                report.expired_signups_removed += 1
            elif outcome == "failed":
                report.cleanup_failures += 1
            else:
                report.skipped += 1
        if page.last_evaluated_key is None:
            return
        start = page.last_evaluated_key


def _remove_expired_signup(org_id: str, client_id: str, now_iso: str, pacer: _Pacer) -> str:
    """ "removed", "skipped" or "failed" (left as it was, or with its login gone: the next run
    finds it in the index again and finishes)."""
    ids = {"org_id": org_id, "client_id": client_id}
    try:
        # A consistent read: the index lags behind the table, and the login must not go for an
        # account that was confirmed meanwhile.
        client = store.get_client(org_id, client_id)
        if client is None or not rules.signup_expired(
            origin=client.origin,
            email_confirmed=client.email_confirmed,
            cleanup_due_at=client.cleanup_due_at,
            now_iso=now_iso,
        ):
            return "skipped"
        # An unconfirmed sign-up has no login and no association (both come with the
        # confirmation, R9). Sign-ups made before that rule may have both: they go too.
        made_before_r9 = client.username is not None
        if made_before_r9:
            pacer.wait()
            if not identity.delete_login(client.username):
                logger.warning("expired sign-up kept: login not deleted", extra=ids)
                return "failed"
        tx = store.Transaction()
        # Still what the decision was made on, whatever happened since the read.
        writes.delete_expired_signup(tx, client, now_iso=now_iso)
        writes.release_guard_if_held(
            tx, keys.client_email_guard_key(org_id, client.email), client_id
        )
        if made_before_r9:
            for association in store.list_client_associations(org_id, client_id):
                remove_association(tx, association)  # keeps the practitioner's client count
        if client.link_hash:
            writes.delete_link(tx, client.link_hash)
        tx.save(
            audit_event(
                org_id=org_id,
                subject_kind="client",
                subject_id=client_id,
                action="client.expired_signup_removed",
                actor_kind="system",
            )
        )
        tx.commit()
    except DomainError as exc:
        logger.warning("expired sign-up kept", extra={**ids, "code": exc.code})
        return "failed"
    logger.info("expired sign-up removed", extra=ids)
    return "removed"


# --- reminders of registrations awaiting approval ------------------------------------------


@dataclass
class _Waiting:
    count: int
    oldest: str


def remind_pending_approvals(now: datetime, time_left: TimeLeft, report: JobReport) -> None:
    """Registrations pending approval, email confirmed, for `pending_reminder_days` or more:
    each organization's active org_admins hear how many wait and for how long, at most once
    per that many days."""
    days = get_settings().pending_reminder_days
    waiting: dict[str, _Waiting] = {}
    start: dict[str, Any] | None = None
    try:
        while True:
            page = store.query_awaiting_approval(
                clock.iso(now - timedelta(days=days)), limit=100, start=start
            )
            for ref in page.items:
                since = ref.since or clock.iso(now)
                found = waiting.setdefault(ref.org_id, _Waiting(0, since))
                found.count += 1
                found.oldest = min(found.oldest, since)
            if page.last_evaluated_key is None:
                break
            start = page.last_evaluated_key
    except DomainError:
        report.reminder_failures += 1
        report.completed = False
        return
    for org_id in sorted(waiting):
        if time_left() < TIME_MARGIN_MS:
            report.completed = False
            return
        try:
            if _remind(org_id, waiting[org_id], now, days):
                report.reminders_sent += 1
        except DomainError as exc:
            logger.warning("reminder not sent", extra={"org_id": org_id, "code": exc.code})
            report.reminder_failures += 1


class _AlreadyReminded(Conflict):
    """Internal: another run reminded this organization during this period."""


def _remind(org_id: str, waiting: _Waiting, now: datetime, days: int) -> bool:
    org = store.get_organization(org_id)
    due_before = clock.iso(now - timedelta(days=days) + REMINDER_SLACK)
    if org is None or not rules.reminder_due(org.pending_reminder_sent_at, due_before):
        return False
    admins = [s for s in store.list_staff(org_id) if s.active and "org_admin" in s.roles]
    if not admins:
        logger.warning("no active org_admin to remind", extra={"org_id": org_id})
        return False
    now_iso = clock.iso(now)
    oldest = datetime.fromisoformat(waiting.oldest.replace("Z", "+00:00"))
    params = {
        "org_slug": org.org_id,
        "org_name": org.name,
        "waiting": waiting.count,
        "after_days": days,
        "oldest_days": max(days, (now - oldest).days),
    }
    tx = store.Transaction()
    # Conditional, so that two runs in one period send one reminder between them.
    writes.mark_pending_reminder_sent(
        tx, org, at=now_iso, due_before=due_before, on_conflict=_AlreadyReminded("reminded")
    )
    for admin in admins[:MAX_REMINDED_ADMINS]:
        tx.save(queue_email("pending_approval_reminder", admin.email, org_id, params))
    tx.save(
        audit_event(
            org_id=org_id,
            subject_kind="organization",
            subject_id=org_id,
            action="organization.pending_reminder_sent",
            actor_kind="system",
        )
    )
    try:
        tx.commit()
    except _AlreadyReminded:
        return False
    logger.info(
        "pending approval reminder sent",
        extra={"org_id": org_id, "waiting": waiting.count, "admins": len(admins)},
    )
    return True
