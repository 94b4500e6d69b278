"""Product rules that need no AWS: each function is named after what it decides and cites
the rule of SPEC.md it implements."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .errors import InvalidInput

ALL_STAFF_ROLES = frozenset({"org_admin", "dept_admin", "care_coordinator", "practitioner"})
CLIENT_MANAGER_ROLES = frozenset({"org_admin", "dept_admin", "care_coordinator"})
# R10: a chosen practitioner hears of a new client only while holding one of these roles.
NOTIFIED_PRACTITIONER_ROLES = CLIENT_MANAGER_ROLES

# Mirrors the user pool's PasswordPolicy in template.yaml (a unit test compares the two), so a
# weak password is refused with a clear message before Cognito is called.
PASSWORD_MIN_LENGTH = 12
# What the policy requires besides the length, each a pattern the text must contain; the
# request schema says the same as lookaheads (schemas.PASSWORD).
PASSWORD_REQUIREMENTS = {
    "a lower-case letter": "[a-z]",
    "an upper-case letter": "[A-Z]",
    "a digit": "[0-9]",
}
OLDEST_DOB = date(1900, 1, 1)


class Status(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    PENDING = "pending"


class App(StrEnum):
    PORTAL = "portal"
    CARE_APP = "care_app"


def check_date_of_birth(dob: date, today: date) -> None:
    """R1/R5: a real past date."""
    if dob >= today:
        raise InvalidInput("Date of birth must be in the past.", field="dob")
    if dob < OLDEST_DOB:
        raise InvalidInput("Date of birth is not plausible.", field="dob")


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"at least {PASSWORD_MIN_LENGTH} characters")
    problems += [
        what for what, needed in PASSWORD_REQUIREMENTS.items() if not re.search(needed, password)
    ]
    return problems


def check_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise InvalidInput("Password needs " + ", ".join(problems) + ".", field="password")


def initial_self_registration_status(manual_approval: bool) -> Status:
    """R6-R8: approved at once, unless the organization approves registrations by hand."""
    return Status.PENDING if manual_approval else Status.ACTIVE


@dataclass(frozen=True)
class PractitionerView:
    staff_id: str
    roles: frozenset[str]
    department_ids: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class PractitionerChoice:
    practitioner_id: str
    department_id: str


def choose_practitioner_department(
    practitioner: PractitionerView | None, department_id: str | None
) -> PractitionerChoice:
    """R6/R11: the practitioner must hold `practitioner`; the department is the one given
    (one of theirs) or, when none is given, their only or first department."""
    if practitioner is None or not practitioner.active or "practitioner" not in practitioner.roles:
        raise InvalidInput(
            "No practitioner with this id takes clients here.", field="practitioner_id"
        )
    if not practitioner.department_ids:
        raise InvalidInput("This practitioner has no department yet.", field="practitioner_id")
    if department_id is None:
        return PractitionerChoice(practitioner.staff_id, practitioner.department_ids[0])
    if department_id not in practitioner.department_ids:
        raise InvalidInput(
            "The department must be one of the practitioner's departments.",
            field="department_id",
        )
    return PractitionerChoice(practitioner.staff_id, department_id)


@dataclass(frozen=True)
class StaffContact:
    staff_id: str
    email: str
    roles: frozenset[str]
    active: bool
    new_client_notifications: bool


@dataclass(frozen=True)
class Notice:
    template: str
    staff_id: str
    email: str


def staff_notices_after_confirmation(
    *,
    chosen_practitioner_id: str | None,
    pending: bool,
    staff: list[StaffContact],
) -> list[Notice]:
    """R10: whom to tell once a self-registered client has confirmed the email.

    - a chosen practitioner, if their new-client notifications are on and they hold
      care_coordinator, dept_admin or org_admin;
    - "not sure": every org_admin, to review the record and assign a practitioner;
    - a pending registration: every org_admin, to approve it, and nobody else yet: the
      notices above go when it is approved (R16), as if it had not had to wait.
    One email per person; an org_admin who is also the chosen practitioner gets the review.
    """
    notices: dict[str, Notice] = {}
    org_admins = [s for s in staff if s.active and "org_admin" in s.roles]
    if pending:
        return [
            Notice("org_admin_approval_needed", admin.staff_id, admin.email) for admin in org_admins
        ]
    if chosen_practitioner_id is None:
        for admin in org_admins:
            notices.setdefault(
                admin.staff_id, Notice("org_admin_assign_needed", admin.staff_id, admin.email)
            )
    else:
        for person in staff:
            if (
                person.staff_id == chosen_practitioner_id
                and person.active
                and person.new_client_notifications
                and person.roles & NOTIFIED_PRACTITIONER_ROLES
            ):
                notices.setdefault(
                    person.staff_id,
                    Notice("practitioner_new_client", person.staff_id, person.email),
                )
    return list(notices.values())


class Refusal(StrEnum):
    """R13: what a refused login is told: what to do next, and nothing more. No final
    period: Cognito shows it as "PreAuthentication failed with error <message>." """

    CONFIRM_EMAIL = (
        "Please confirm your email address first: open the link in the email we sent you, "
        "or ask for a new one"
    )
    PENDING_APPROVAL = (
        "Your account is pending approval. You can sign in to the portal meanwhile; "
        "the Care App opens once your care team approves the account"
    )
    INACTIVE = "Your account is inactive. Please contact your care team's office"
    UNAVAILABLE = (
        "Sign-in is not available right now. Please try again later or contact your care team"
    )


@dataclass(frozen=True)
class AccountState:
    kind: str  # "client" | "staff"
    active: bool
    pending: bool
    email_confirmed: bool


def login_refusal(app: App, account: AccountState | None) -> Refusal | None:
    """R13's table; None lets the login through. Unknown accounts are refused (fail closed)."""
    if account is None:
        return Refusal.UNAVAILABLE
    if not account.active and not account.pending:
        return Refusal.INACTIVE
    if account.kind == "staff":
        return None
    if not account.email_confirmed:
        return Refusal.CONFIRM_EMAIL
    if account.pending and app is App.CARE_APP:
        return Refusal.PENDING_APPROVAL
    return None


class LinkState(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    BOUNCED = "bounced"  # R31: SES reported a permanent bounce of the link's email
    COMPLAINED = "complained"  # R31: the recipient marked it as spam


def link_state(
    *,
    purpose: str,
    email_confirmed: bool,
    credentials_set: bool,
    live: bool,
    expires_at: str | None,
    now_iso: str,
    used: bool = False,
    delivery: str | None = None,
) -> LinkState:
    """What became of a client's newest emailed link, so staff know whether to resend (R3, R9).
    It is accepted once what it asked for is done: the email confirmed (confirmation) or the
    username and password chosen (invitation); else expired at `expires_at` (ISO strings in
    UTC compare as times), or when no live link is left. A password-reset link (R23) is
    accepted once used. Otherwise a bounce or complaint SES reported for the link's email (R31,
    `delivery`) comes before expiry: staff should correct the address, not just resend."""
    if purpose == "password_reset":
        done = used
    else:
        done = credentials_set if purpose == "invitation" else email_confirmed
    if done:
        return LinkState.ACCEPTED
    if delivery in (LinkState.BOUNCED, LinkState.COMPLAINED):
        return LinkState(delivery)
    if not live or expires_at is None or now_iso >= expires_at:
        return LinkState.EXPIRED
    return LinkState.SENT


def signup_expired(
    *, origin: str, email_confirmed: bool, cleanup_due_at: str | None, now_iso: str
) -> bool:
    """R19: a self-registration whose email is still unconfirmed at its deadline. Staff-created
    clients never expire this way (they carry no deadline either)."""
    return (
        origin == "self"
        and not email_confirmed
        and cleanup_due_at is not None
        and cleanup_due_at <= now_iso
    )


def reminder_due(last_sent_at: str | None, due_before: str) -> bool:
    """An organization is reminded of waiting approvals at most once per period."""
    return last_sent_at is None or last_sent_at <= due_before
