"""The guide's stories in the reference portal, in headless Chromium against the local stack:
every step is a page a person sees, every email link comes from the local mailbox."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from clientaccounts import emails
from clientaccounts.config import load_settings
from tests.browser.conftest import Person, PortalStack
from tests.support.request_bodies import PASSWORD

pytestmark = pytest.mark.browser

People = Callable[..., Person]
NEW_PASSWORD = "Another-horse-43"


def admin_signed_in(people: People, org: dict[str, Any]) -> Person:
    admin = people(org["slug"])
    admin.sign_in(org["admin_username"])
    admin.heading("Clients")
    return admin


def test_staff_tab_practitioner_box_and_staff_invitation(
    portal_stack: PortalStack, people: People
) -> None:
    org = portal_stack.organization()
    admin = admin_signed_in(people, org)
    admin.page.get_by_role("link", name="Staff", exact=True).click()
    admin.heading("Staff")
    admin.fill(First_name="Pat", Last_name="Practitioner", Email=f"pat@{org['slug']}.example")
    admin.page.get_by_label("Care coordinator").check()
    admin.page.get_by_label("North").check()
    admin.click("Invite")
    admin.heading("Pat Practitioner")
    admin.click("Edit")
    admin.page.get_by_label("Practitioner", exact=True).check()  # the Practitioner box
    admin.click("Save")
    assert "Saved" in admin.alert()
    assert "Practitioner" in admin.page.locator("dl.details").inner_text()
    admin.screenshot("staff-record")

    pat = people(org["slug"])
    pat.open(portal_stack.link(f"pat@{org['slug']}.example", "accept-invitation"))
    pat.heading("Choose your username and password")
    pat.fill(Username=f"pat-{org['slug']}", Password=PASSWORD)
    pat.click("Save and continue")
    assert "Done" in pat.alert()
    pat.sign_in(f"pat-{org['slug']}")
    pat.heading("Clients")  # a care coordinator and practitioner manages clients


def test_register_confirm_sign_in(portal_stack: PortalStack, people: People) -> None:
    org = portal_stack.organization()
    portal_stack.practitioner(org)
    robin = people(org["slug"])
    robin.open("register")
    robin.heading("Register with Sunrise Physio")
    assert robin.page.get_by_label("Not sure").is_visible()

    robin.click("Register")  # nothing filled in: the API says what is missing, in its words
    assert "validation_failed" in robin.alert()
    first_name = robin.page.get_by_label("First name (required)")
    assert first_name.get_attribute("aria-invalid") == "true"
    robin.screenshot("register-errors")

    email = f"robin.{uuid.uuid4().hex[:6]}@mail.example"
    robin.page.get_by_label("First name (required)").fill("Robin")
    robin.page.get_by_label("Last name (required)").fill("Example")
    robin.page.get_by_label("Email (required)").fill(email)
    robin.page.get_by_label("Date of birth (required)").fill("1990-04-30")
    robin.page.get_by_label("Pat Practitioner").check()
    robin.click("Register")
    assert "Check your email" in robin.alert()
    robin.screenshot("register")

    robin.open(portal_stack.link(email, "confirm-email"))
    robin.heading("Confirm your email")
    robin.fill(Username=f"robin-{org['slug']}", Password=PASSWORD)
    robin.click("Confirm my email")
    assert "your account is active" in robin.alert()
    robin.screenshot("confirm-email")

    robin.page.get_by_role("link", name="Sign in to the portal").click()
    robin.heading("Sign in")
    robin.fill(Username=f"robin-{org['slug']}", Password=PASSWORD)
    robin.click("Sign in")
    robin.heading("My account")
    assert "active" in robin.page.locator("dl.details").inner_text()
    robin.screenshot("my-account")

    robin.sign_in(f"robin-{org['slug']}", page="care-app")
    robin.page.get_by_role("heading", name="My connections").wait_for()
    assert "Pat Practitioner" in robin.page.get_by_role("list", name="Connections").inner_text()
    robin.screenshot("care-app")


def test_create_client_invitation_accept(portal_stack: PortalStack, people: People) -> None:
    org = portal_stack.organization()
    portal_stack.practitioner(org)
    admin = admin_signed_in(people, org)
    admin.page.get_by_role("link", name="Create New").click()
    admin.heading("New client")
    email = f"casey.{uuid.uuid4().hex[:6]}@mail.example"
    admin.page.get_by_label("First name (required)").fill("Casey")
    admin.page.get_by_label("Last name (required)").fill("Client")
    admin.page.get_by_label("Email (required)").fill(email)
    admin.page.get_by_label("Date of birth (required)").fill("1985-07-14")
    admin.page.get_by_label("Pat Practitioner").check()
    admin.screenshot("create-client")
    admin.click("Create")
    admin.heading("Casey Client")
    assert "Client created" in admin.alert()
    assert "Pat Practitioner" in admin.page.get_by_role("list", name="Practitioners").inner_text()

    casey = people(org["slug"])
    casey.open(portal_stack.link(email, "accept-invitation"))
    casey.fill(Username=f"casey-{org['slug']}", Password=PASSWORD)
    casey.click("Save and continue")
    assert "your account is active" in casey.alert()

    admin.page.reload()
    admin.heading("Casey Client")
    assert f"casey-{org['slug']}" in admin.page.locator("dl.details").inner_text()
    admin.screenshot("client-record")
    admin.page.get_by_role("link", name="Clients", exact=True).click()
    admin.heading("Clients")
    assert "Client, Casey" in admin.page.get_by_role("list", name="active clients").inner_text()
    admin.screenshot("clients")


def test_manual_approval_pending_then_approved(portal_stack: PortalStack, people: People) -> None:
    org = portal_stack.organization()
    portal_stack.practitioner(org)
    admin = admin_signed_in(people, org)
    admin.page.get_by_role("link", name="Organization").click()
    admin.heading("Organization")
    admin.page.get_by_label("Manually approve client registrations").check()
    admin.click("Save")
    assert "Manual approval is on" in admin.alert()
    admin.screenshot("organization")

    email = f"robin.{uuid.uuid4().hex[:6]}@mail.example"
    robin = people(org["slug"])
    robin.open("register")
    robin.page.get_by_label("First name (required)").fill("Robin")
    robin.page.get_by_label("Last name (required)").fill("Pending")
    robin.page.get_by_label("Email (required)").fill(email)
    robin.page.get_by_label("Date of birth (required)").fill("1990-04-30")
    robin.page.get_by_label("Pat Practitioner").check()
    robin.click("Register")
    robin.alert()
    robin.open(portal_stack.link(email, "confirm-email"))
    robin.fill(Username=f"robin-{org['slug']}", Password=PASSWORD)
    robin.click("Confirm my email")
    assert "your account is pending" in robin.alert()

    # Pending: the portal yes, the Care App no (R13), in Cognito's words.
    robin.sign_in(f"robin-{org['slug']}", page="care-app")
    refusal = robin.alert()
    assert "PreAuthentication failed with error" in refusal
    assert "NotAuthorizedException" in refusal
    robin.screenshot("care-app-refused")
    robin.sign_in(f"robin-{org['slug']}")
    robin.heading("My account")
    assert "pending" in robin.page.locator("dl.details").inner_text()

    admin.page.get_by_role("link", name="Clients", exact=True).click()
    admin.heading("Clients")
    admin.page.get_by_label("Show").select_option("pending")
    admin.page.get_by_role("list", name="pending clients").wait_for()
    admin.screenshot("clients-pending")
    admin.page.get_by_role("link", name="Pending, Robin").click()
    admin.heading("Robin Pending")
    admin.click("Approve this Account")
    assert "Approved" in admin.alert()
    assert "active" in admin.page.locator("dl.details").inner_text()

    robin.sign_in(f"robin-{org['slug']}", page="care-app")
    robin.page.get_by_role("heading", name="My connections").wait_for()
    assert "Pat Practitioner" in robin.page.get_by_role("list", name="Connections").inner_text()


def test_deactivated_client_is_refused(portal_stack: PortalStack, people: People) -> None:
    org = portal_stack.organization()
    client = portal_stack.client_with_login(org, portal_stack.practitioner(org))
    admin = admin_signed_in(people, org)
    admin.open(f"clients/{client['id']}")
    admin.click("Edit")
    admin.page.get_by_label("Active").uncheck()
    admin.click("Save")
    assert "Saved" in admin.alert()
    assert "inactive" in admin.page.locator("dl.details").inner_text()

    robin = people(org["slug"])
    robin.sign_in(client["username"])
    refusal = robin.alert()
    assert "PreAuthentication failed with error" in refusal
    assert "inactive" in refusal
    robin.screenshot("sign-in-refused")


def test_forgot_login_then_reset(portal_stack: PortalStack, people: People) -> None:
    org = portal_stack.organization()
    client = portal_stack.client_with_login(org, portal_stack.practitioner(org))
    robin = people(org["slug"])
    robin.open("login")
    robin.page.get_by_role("link", name="Forgot Login").click()
    robin.heading("Forgot Login")
    robin.fill(Email=client["email"])
    robin.click("Send")
    assert "Check your email" in robin.alert()
    robin.screenshot("forgot-login")

    robin.open(portal_stack.link(client["email"], "reset-password"))
    robin.heading("Choose a new password")
    robin.fill(New_password="short")  # the API's password rules, in its words
    robin.click("Save the new password")
    assert "422" in robin.alert()
    robin.fill(New_password=NEW_PASSWORD)
    robin.click("Save the new password")
    assert "Password changed" in robin.alert()
    robin.screenshot("reset-password")
    robin.sign_in(client["username"], NEW_PASSWORD)
    robin.heading("My account")


def test_email_change_confirmed_from_the_link(portal_stack: PortalStack, people: People) -> None:
    org = portal_stack.organization()
    client = portal_stack.client_with_login(org, portal_stack.practitioner(org))
    robin = people(org["slug"])
    robin.sign_in(client["username"])
    robin.heading("My account")
    new_email = f"robin.new.{uuid.uuid4().hex[:6]}@mail.example"
    robin.fill(New_email=new_email)
    robin.click("Send the link")
    assert "Check the new address" in robin.alert()
    robin.open(portal_stack.link(new_email, "confirm-email-change"))
    robin.click("Confirm my new email")
    assert "Email changed" in robin.alert()
    robin.sign_in(client["username"])
    robin.heading("My account")
    assert new_email in robin.page.locator("dl.details").inner_text()


def _wrong(code: str) -> str:
    return str((int(code) + 1) % 10**6).zfill(6)


def set_up_two_step(person: Person, screenshot: str = "") -> pyotp.TOTP:
    """On My account: "Set up two-step sign-in", the key the page shows typed into an
    authenticator app (pyotp), a wrong code refused in Cognito's words, then the app's code."""
    person.page.get_by_role("button", name=re.compile("^Set up ")).click()
    heading = person.page.get_by_role("heading", level=3, name="Set up your authenticator app")
    heading.wait_for()
    if screenshot:
        person.screenshot(screenshot)
    expect(heading).to_be_focused()  # waits: the page moves focus once it has drawn
    secret = person.page.locator("#mfa-secret").inner_text().replace(" ", "")
    link = person.page.locator("a.otpauth")
    href = str(link.get_attribute("href"))
    assert href.startswith("otpauth://totp/") and f"secret={secret}&" in href
    assert link.inner_text() == href
    app = pyotp.TOTP(secret)
    person.fill(Code_from_your_authenticator_app=_wrong(app.now()))
    person.click("Turn on two-step sign-in")
    refusal = person.alert()
    assert "Cognito answered 400" in refusal and "EnableSoftwareTokenMFAException" in refusal
    person.fill(Code_from_your_authenticator_app=app.now())
    person.click("Turn on two-step sign-in")
    person.page.get_by_role("heading", name="Two-step sign-in is on").wait_for()
    assert "sign-in now asks for a code" in person.alert()  # the API's words
    assert person.page.locator(".mfa-state").inner_text().startswith("On")
    return app


def test_two_step_sign_in_required_enrol_challenge_and_reset(
    portal_stack: PortalStack, people: People
) -> None:
    """R30 in the portal: the admin cannot require two-step sign-in before setting it up,
    sets it up on My account and requires it; a coordinator is sent to set it up, does, signs
    in again through the code; the admin resets it after a lost phone."""
    org = portal_stack.organization()
    casey = portal_stack.staff_with_login(org)
    admin = admin_signed_in(people, org)
    admin.page.get_by_role("link", name="Organization").click()
    admin.heading("Organization")
    requirement = admin.page.get_by_label("Require staff to use two-step sign-in")
    requirement.check()
    admin.click("Save")
    refusal = admin.alert()
    assert "Enrol your own second factor" in refusal and "enroll_first" in refusal
    assert requirement.get_attribute("aria-invalid") == "true"
    admin.page.get_by_role("link", name="Set up two-step sign-in under My account").click()
    admin.heading("My account")
    assert admin.page.locator(".mfa-state").inner_text().startswith("Off")
    set_up_two_step(admin, "two-step-setup")
    admin.page.get_by_role("button", name="Set up a new authenticator app").wait_for()
    admin.page.get_by_role("link", name="Organization").click()
    admin.heading("Organization")
    admin.page.get_by_label("Require staff to use two-step sign-in").check()
    admin.click("Save")
    assert "Two-step sign-in is required of all staff" in admin.alert()

    # Casey, on a phone: no code asked yet, and every page but My account is refused.
    person = people(org["slug"], phone=True)
    person.sign_in(casey["username"])
    person.heading("My account")
    sent = person.alert()
    assert "API answered 403" in sent and "mfa_enrollment_required" in sent
    assert "enrol an authenticator app first" in sent  # the API's words
    assert person.page.locator(".mfa-state").inner_text().startswith("Off: your organization")
    person.page.get_by_role("button", name="Set up two-step sign-in").click()
    person.page.locator("#mfa-secret").wait_for()
    person.screenshot("two-step-setup-phone")
    person.page.get_by_role("button", name="Set up two-step sign-in").click()  # a new key
    person.page.locator("#mfa-secret").wait_for()
    app = set_up_two_step(person)
    person.page.get_by_role("link", name="Clients", exact=True).click()
    person.heading("Clients")
    person.click("Sign out")
    person.heading("Sign in")

    # Signing in again asks for a code: a wrong one refused in Cognito's words, then the app's.
    person.fill(Username=casey["username"], Password=PASSWORD)
    person.click("Sign in")
    code = person.page.get_by_label("Code from your authenticator app")
    code.wait_for()
    expect(code).to_be_focused()
    assert not person.page.get_by_label("Password").is_visible()
    person.screenshot("two-step-code-phone")
    code.fill(_wrong(app.now()))
    person.click("Verify")
    refusal = person.alert()
    assert "Cognito answered 400" in refusal and "CodeMismatchException" in refusal
    code.fill(app.now())
    person.click("Verify")
    person.heading("Clients")

    # The phone is lost: the admin resets Casey's two-step sign-in.
    admin.open(f"staff/{casey['id']}")
    admin.heading("Casey Coordinator")
    details = admin.page.locator("dl.details")
    assert "Two-step sign-in\nset up" in details.inner_text()
    admin.click("Reset two-step sign-in")
    admin.click("Yes, reset it")
    assert "The second factor was reset" in admin.alert()  # the API's words
    assert "Two-step sign-in\nnot set up" in details.inner_text()
    admin.screenshot("staff-two-step-reset")
    assert any("second factor" in m["subject"] for m in portal_stack.stack.mailbox(casey["email"]))

    # Casey signs in with the password alone, and is asked to set it up again.
    person.sign_in(casey["username"])
    person.heading("My account")
    assert "mfa_enrollment_required" in person.alert()
    new_app = set_up_two_step(person)
    assert new_app.secret != app.secret


def test_usable_on_a_phone(portal_stack: PortalStack, people: People) -> None:
    """375 px wide: nothing wider than the window (checked by every screenshot)."""
    org = portal_stack.organization()
    portal_stack.practitioner(org)
    robin = people(org["slug"], phone=True)
    robin.open("register")
    robin.heading("Register with Sunrise Physio")
    robin.screenshot("register-phone")
    admin = people(org["slug"], phone=True)  # signs in with the keyboard alone
    admin.open("login")
    admin.page.keyboard.press("Tab")  # from the page's heading to the first field
    admin.page.keyboard.type(org["admin_username"])
    admin.page.keyboard.press("Tab")
    admin.page.keyboard.type(PASSWORD)
    admin.page.keyboard.press("Enter")
    admin.heading("Clients")
    admin.screenshot("clients-phone")


def test_every_emailed_link_opens_a_portal_page(portal_stack: PortalStack, people: People) -> None:
    """Each link emails.py builds from PortalBaseUrl is a page of the portal (signed-in pages
    ask to sign in first), never "Page not found"."""
    settings = replace(load_settings(), portal_base_url=portal_stack.portal)
    params = {
        "org_slug": "demo",
        "org_name": "Demo",
        "token": "t",
        "first_name": "Robin",
        "client_id": "c1",
        "username": "robin",
        "waiting": 1,
        "after_days": 3,
        "oldest_days": 4,
        "state": "bounced",  # R31's notice to the inviter: a link to the record
        "account_kind": "client",
        "account_id": "c1",
    }
    links = set()
    for template in emails.TEMPLATES:
        text = emails.render(settings, template, params).text
        links |= set(re.findall(rf"{re.escape(portal_stack.portal)}/\S+", text))
    assert len(links) >= 8, links
    visitor = people("demo")
    for link in sorted(links):
        visitor.page.goto(link)
        heading = visitor.page.locator("h1[tabindex]")
        heading.wait_for()
        assert heading.inner_text() != "Page not found", link


def test_the_banner_prints_the_portal_address(portal_stack: PortalStack) -> None:
    banner = portal_stack.stack.output.read_text()
    assert f"Portal           {portal_stack.portal}/  (reference portal)" in banner
    assert f"Portal base URL  {portal_stack.portal}  (emailed links)" in banner
