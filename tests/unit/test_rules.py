"""Rules that need no AWS, each test named after the SPEC rule it proves."""

from __future__ import annotations

from datetime import date

import pytest

from clientaccounts import rules
from clientaccounts.errors import InvalidInput
from clientaccounts.rules import (
    AccountState,
    App,
    PractitionerView,
    Refusal,
    StaffContact,
    Status,
    login_refusal,
    staff_notices_after_confirmation,
)

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("dob", [date(2026, 11, 26), date(2030, 1, 1), date(1899, 12, 31)])
def test_r1_date_of_birth_must_be_a_real_past_date(dob: date) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.check_date_of_birth(dob, TODAY)
    assert refused.value.field == "dob"


def test_r1_yesterday_is_a_valid_date_of_birth() -> None:
    rules.check_date_of_birth(date(2026, 11, 25), TODAY)


def test_r8_manual_approval_makes_self_registrations_pending() -> None:
    assert rules.initial_self_registration_status(True) is Status.PENDING
    assert rules.initial_self_registration_status(False) is Status.ACTIVE


def _practitioner(**overrides: object) -> PractitionerView:
    fields: dict[str, object] = {
        "staff_id": "p1",
        "roles": frozenset({"practitioner"}),
        "department_ids": ("d1", "d2"),
        "active": True,
    }
    fields.update(overrides)
    return PractitionerView(**fields)  # type: ignore[arg-type]


def test_r6_department_defaults_to_the_practitioners_first() -> None:
    choice = rules.choose_practitioner_department(_practitioner(), None)
    assert (choice.practitioner_id, choice.department_id) == ("p1", "d1")


def test_r6_given_department_is_kept_when_it_is_the_practitioners() -> None:
    assert rules.choose_practitioner_department(_practitioner(), "d2").department_id == "d2"


def test_r11_department_must_be_one_of_the_practitioners() -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.choose_practitioner_department(_practitioner(), "elsewhere")
    assert refused.value.field == "department_id"


@pytest.mark.parametrize(
    "practitioner",
    [
        None,
        _practitioner(roles=frozenset({"care_coordinator"})),
        _practitioner(active=False),
        _practitioner(department_ids=()),
    ],
)
def test_r11_only_active_practitioners_with_a_department_take_clients(
    practitioner: PractitionerView | None,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.choose_practitioner_department(practitioner, None)
    assert refused.value.field == "practitioner_id"


def _staff(
    staff_id: str, roles: set[str], *, notifications: bool = True, active: bool = True
) -> StaffContact:
    return StaffContact(staff_id, f"{staff_id}@x.example", frozenset(roles), active, notifications)


ADMIN = _staff("admin", {"org_admin"})
ADMIN2 = _staff("admin2", {"org_admin", "practitioner"})
RETIRED_ADMIN = _staff("retired", {"org_admin"}, active=False)


def _notices(chosen: str | None, pending: bool, staff: list[StaffContact]) -> set[tuple[str, str]]:
    return {
        (n.template, n.staff_id)
        for n in staff_notices_after_confirmation(
            chosen_practitioner_id=chosen, pending=pending, staff=staff
        )
    }


@pytest.mark.parametrize("role", ["care_coordinator", "dept_admin", "org_admin"])
def test_r10_chosen_practitioner_with_a_manager_role_is_notified(role: str) -> None:
    doc = _staff("doc", {"practitioner", role})
    assert ("practitioner_new_client", "doc") in _notices("doc", False, [doc, ADMIN])


def test_r10_chosen_practitioner_without_a_manager_role_is_not_notified() -> None:
    doc = _staff("doc", {"practitioner"})
    assert _notices("doc", False, [doc, ADMIN]) == set()


def test_r10_chosen_practitioner_with_notifications_off_is_not_notified() -> None:
    doc = _staff("doc", {"practitioner", "care_coordinator"}, notifications=False)
    assert _notices("doc", False, [doc, ADMIN]) == set()


def test_r10_not_sure_notifies_every_active_org_admin() -> None:
    assert _notices(
        None, False, [ADMIN, ADMIN2, RETIRED_ADMIN, _staff("cc", {"care_coordinator"})]
    ) == {
        ("org_admin_assign_needed", "admin"),
        ("org_admin_assign_needed", "admin2"),
    }


def test_r10_pending_registration_notifies_every_org_admin_once() -> None:
    doc = _staff("admin2", {"org_admin", "practitioner"})
    assert _notices("admin2", True, [ADMIN, doc]) == {
        ("org_admin_approval_needed", "admin"),
        ("org_admin_approval_needed", "admin2"),
    }
    assert _notices(None, True, [ADMIN]) == {("org_admin_approval_needed", "admin")}


CLIENT_ACTIVE = AccountState("client", active=True, pending=False, email_confirmed=True)
CLIENT_PENDING = AccountState("client", active=False, pending=True, email_confirmed=True)
CLIENT_INACTIVE = AccountState("client", active=False, pending=False, email_confirmed=True)
CLIENT_UNCONFIRMED = AccountState("client", active=True, pending=False, email_confirmed=False)
CLIENT_PENDING_UNCONFIRMED = AccountState(
    "client", active=False, pending=True, email_confirmed=False
)
STAFF_ACTIVE = AccountState("staff", active=True, pending=False, email_confirmed=True)
STAFF_INACTIVE = AccountState("staff", active=False, pending=False, email_confirmed=True)


@pytest.mark.parametrize(
    ("account", "portal", "care_app"),
    [
        (CLIENT_ACTIVE, None, None),
        (CLIENT_PENDING, None, Refusal.PENDING_APPROVAL),
        (CLIENT_INACTIVE, Refusal.INACTIVE, Refusal.INACTIVE),
        (CLIENT_UNCONFIRMED, Refusal.CONFIRM_EMAIL, Refusal.CONFIRM_EMAIL),
        (CLIENT_PENDING_UNCONFIRMED, Refusal.CONFIRM_EMAIL, Refusal.CONFIRM_EMAIL),
        (None, Refusal.UNAVAILABLE, Refusal.UNAVAILABLE),
        (STAFF_ACTIVE, None, None),
        (STAFF_INACTIVE, Refusal.INACTIVE, Refusal.INACTIVE),
    ],
)
def test_r13_login_gate_table(
    account: AccountState | None, portal: Refusal | None, care_app: Refusal | None
) -> None:
    assert login_refusal(App.PORTAL, account) == portal
    assert login_refusal(App.CARE_APP, account) == care_app


def test_r13_refusals_say_what_to_do_next_and_nothing_personal() -> None:
    assert "confirm" in Refusal.CONFIRM_EMAIL.value.lower()
    assert "pending approval" in Refusal.PENDING_APPROVAL.value
    assert "inactive" in Refusal.INACTIVE.value
    for refusal in Refusal:
        assert "{" not in refusal.value  # no placeholders for names or organizations


NOW = "2026-11-26T12:00:00Z"


@pytest.mark.parametrize(
    ("purpose", "confirmed", "credentials", "live", "expires_at", "state"),
    [
        ("invitation", False, False, True, "2026-11-27T00:00:00Z", "sent"),
        ("invitation", False, False, True, NOW, "expired"),  # expiry is exact
        ("invitation", True, True, False, NOW, "accepted"),
        ("invitation", False, False, False, "2026-11-27T00:00:00Z", "expired"),  # no live link
        ("email_confirmation", False, True, True, "2026-11-27T00:00:00Z", "sent"),
        ("email_confirmation", False, True, True, "2026-11-25T00:00:00Z", "expired"),
        ("email_confirmation", True, True, False, "2026-11-25T00:00:00Z", "accepted"),
    ],
)
def test_r3_r9_link_state_tells_staff_whether_to_resend(
    purpose: str, confirmed: bool, credentials: bool, live: bool, expires_at: str, state: str
) -> None:
    assert (
        rules.link_state(
            purpose=purpose,
            email_confirmed=confirmed,
            credentials_set=credentials,
            live=live,
            expires_at=expires_at,
            now_iso=NOW,
        )
        == state
    )


@pytest.mark.parametrize(
    ("origin", "confirmed", "due", "expired"),
    [
        ("self", False, NOW, True),  # at the deadline
        ("self", False, "2026-11-26T12:00:01Z", False),
        ("self", True, "2026-11-01T00:00:00Z", False),  # confirmed (index lagging)
        ("staff", False, "2026-11-01T00:00:00Z", False),  # staff-created: never
        ("self", False, None, False),
    ],
)
def test_r19_only_unconfirmed_self_registrations_past_their_deadline_expire(
    origin: str, confirmed: bool, due: str | None, expired: bool
) -> None:
    assert (
        rules.signup_expired(
            origin=origin, email_confirmed=confirmed, cleanup_due_at=due, now_iso=NOW
        )
        is expired
    )


def test_reminder_due_once_per_period() -> None:
    assert rules.reminder_due(None, NOW)
    assert rules.reminder_due(NOW, NOW)
    assert not rules.reminder_due("2026-11-26T12:00:01Z", NOW)
