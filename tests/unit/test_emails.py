"""Emails: text and HTML, names escaped, links from configuration only."""

from __future__ import annotations

from dataclasses import replace

import pytest

from clientaccounts.config import load_settings
from clientaccounts.emails import GET_STARTED_STEPS, TEMPLATES, render

SETTINGS = replace(load_settings(), portal_base_url="https://portal.example.org")
HOSTILE = '<script>alert("x")</script>'
PARAMS = {
    "first_name": HOSTILE,
    "org_name": "Care & Co <b>",
    "org_slug": "care-co",
    "token": "tok_123",
    "client_id": "c1",
    "username": "robin42",
    "waiting": 2,
    "after_days": 3,
    "oldest_days": 5,
    "account_kind": "client",
    "account_id": "c1",
    "state": "bounced",
}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_email_has_text_and_html_with_user_text_escaped(template: str) -> None:
    email = render(SETTINGS, template, PARAMS)
    assert email.subject and email.text and email.html.startswith("<!doctype html>")
    assert "<script>" not in email.html
    assert "<b>" not in email.html
    assert "https://portal.example.org/care-co/" in email.html


def test_r9_confirmation_link_is_built_from_configuration_with_the_token() -> None:
    email = render(SETTINGS, "email_confirmation", PARAMS)
    link = "https://portal.example.org/care-co/confirm-email?token=tok_123"
    assert link in email.text
    assert f'href="{link}"' in email.html
    assert "24 hours" in email.text


def test_r10_get_started_without_a_practitioner_says_what_happens_next() -> None:
    email = render(SETTINGS, "get_started", {**PARAMS, "has_practitioner": False})
    assert "Find your practitioner" not in email.text + email.html
    assert "Your practice will connect you with a practitioner" in email.text
    assert "connect you with a practitioner" in email.html
    chosen = render(SETTINGS, "get_started", {**PARAMS, "has_practitioner": True})
    assert "Find your practitioner in your connections" in chosen.text


def test_r4_get_started_html_links_the_care_app_as_the_text_does() -> None:
    email = render(SETTINGS, "get_started", PARAMS)
    assert f"The Care App: {SETTINGS.care_app_url}" in email.text
    assert f'href="{SETTINGS.care_app_url}"' in email.html


def test_r4_r10_get_started_lists_the_three_steps() -> None:
    email = render(SETTINGS, "get_started", PARAMS)
    assert len(GET_STARTED_STEPS) == 3
    for number, step in enumerate(GET_STARTED_STEPS, 1):
        assert f"{number}. {step}" in email.text
    assert email.html.count("<li>") == 3


@pytest.mark.parametrize(
    "template", ["practitioner_new_client", "org_admin_assign_needed", "org_admin_approval_needed"]
)
def test_r10_staff_notices_link_the_record_without_client_personal_data(template: str) -> None:
    email = render(SETTINGS, template, {"org_slug": "care-co", "client_id": "c1"})
    assert "https://portal.example.org/care-co/clients/c1" in email.text


def test_r21_registration_attempt_email_points_to_forgot_login() -> None:
    email = render(SETTINGS, "registration_attempt", PARAMS)
    assert "already has an account" in email.text
    assert "https://portal.example.org/care-co/forgot-login" in email.text
    assert 'href="https://portal.example.org/care-co/forgot-login"' in email.html


ACCOUNT_EMAILS = [
    "password_reset", "contact_practice", "password_changed", "email_change", "email_changed"
]  # fmt: skip


@pytest.mark.parametrize("template", ACCOUNT_EMAILS)
def test_r23_r24_account_emails_carry_no_personal_data_but_the_own_username(
    template: str,
) -> None:
    email = render(SETTINGS, template, PARAMS)
    assert "alert" not in email.text + email.html  # the first name is never used
    assert email.text.startswith("Hello,\n")
    if template != "password_reset":
        assert "robin42" not in email.text + email.html


def test_r23_password_reset_gives_the_username_and_a_one_hour_link() -> None:
    email = render(SETTINGS, "password_reset", PARAMS)
    link = "https://portal.example.org/care-co/reset-password?token=tok_123"
    assert "Your username is: robin42" in email.text and "robin42" in email.html
    assert link in email.text and f'href="{link}"' in email.html
    assert "expires in 1 hour." in email.text and "ignore this email" in email.text


def test_r23_contact_practice_has_no_link_that_resets() -> None:
    email = render(SETTINGS, "contact_practice", PARAMS)
    assert "not active" in email.text and "token" not in email.text
    assert "Care & Co <b>" in email.text and "Care &amp; Co &lt;b&gt;" in email.html


def test_r23_password_changed_points_to_a_reset_if_it_was_not_you() -> None:
    email = render(SETTINGS, "password_changed", PARAMS)
    assert "signed out" in email.text
    assert "https://portal.example.org/care-co/forgot-login" in email.text


def test_r24_email_change_link_goes_to_the_confirmation_page() -> None:
    email = render(SETTINGS, "email_change", {**PARAMS, "valid_hours": 24})
    link = "https://portal.example.org/care-co/confirm-email-change?token=tok_123"
    assert link in email.text and f'href="{link}"' in email.html
    assert "24 hours" in email.text and "nothing changes" in email.text


def test_r24_the_old_address_is_told_without_the_new_one() -> None:
    email = render(SETTINGS, "email_changed", PARAMS)
    assert "another email address" in email.text and "@" not in email.text


def test_pending_approval_reminder_has_counts_and_the_pending_list_only() -> None:
    params = {"org_slug": "care-co", "org_name": "Care", "waiting": 2, "after_days": 3}
    email = render(SETTINGS, "pending_approval_reminder", {**params, "oldest_days": 5})
    assert "2 registrations have been waiting for approval at Care for 3 days or more" in email.text
    assert "the oldest for 5 days" in email.text
    link = "https://portal.example.org/care-co/clients?status=pending"
    assert link in email.text and f'href="{link}"' in email.html
    one = render(SETTINGS, "pending_approval_reminder", {**params, "waiting": 1, "oldest_days": 3})
    assert one.text.count("1 registration has been waiting") == 1


def test_r30_mfa_reset_gives_the_own_username_and_nothing_else_about_them() -> None:
    email = render(SETTINGS, "mfa_reset", PARAMS)
    assert email.text.startswith("Hello,\n") and "alert" not in email.text + email.html
    assert "username robin42" in email.text and "robin42" in email.html
    assert "signed out" in email.text and "authenticator app" in email.text
    assert "https://portal.example.org/care-co/login" in email.text
    assert "Care & Co <b>" in email.text and "Care &amp; Co &lt;b&gt;" in email.html


@pytest.mark.parametrize(("kind", "page"), [("client", "clients"), ("staff", "staff")])
@pytest.mark.parametrize("state", ["bounced", "complained"])
def test_r31_the_inviter_notice_links_the_record_and_says_what_happened(
    kind: str, page: str, state: str
) -> None:
    params = {"first_name": "Ada", "org_slug": "care-co", "account_kind": kind}
    email = render(
        SETTINGS, "invitation_undelivered", {**params, "account_id": "a1", "state": state}
    )
    link = f"https://portal.example.org/care-co/{page}/a1"
    assert link in email.text and f'href="{link}"' in email.html
    assert ("could not be delivered" if state == "bounced" else "reported it as spam") in (
        email.text
    )
