"""Self-registration, email confirmation and the emails they cause (R5-R10, R21)."""

from __future__ import annotations

import uuid

from clientaccounts import clock
from clientaccounts.persistence import store
from tests.support.lambda_events import call_api
from tests.support.request_bodies import (
    PASSWORD,
    confirmation_body,
    new_client_body,
    registration_body,
    username_for,
)
from tests.support.stack import Stack


def test_r5_public_view_lists_active_practitioners_and_not_sure(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"], departments=[d["id"] for d in org.departments])
    stack.staff(org, roles=["practitioner"], active=False)
    stack.staff(org, roles=["care_coordinator"])
    view = call_api("GET", f"/public/orgs/{org.org['slug']}")
    assert view.status == 200
    assert view.body["allows_not_sure"] is True
    assert [p["id"] for p in view.body["practitioners"]] == [doc.staff_id]
    assert view.body["practitioners"][0]["departments"] == org.departments
    assert "email" not in view.body["practitioners"][0]


def test_r5_unknown_portal_is_404(stack: Stack) -> None:
    answer = call_api("GET", "/public/orgs/nobody-here")
    assert answer.status == 404 and answer.body["code"] == "organization_not_found"


def test_r5_registration_asks_no_credentials_and_makes_no_login(stack: Stack) -> None:
    org = stack.organization()
    with_password = registration_body(password=PASSWORD, username="robin")
    answer = stack.register(org.org["slug"], **with_password)
    assert answer.status == 422
    assert {"username", "password"} <= {e["field"] for e in answer.body["errors"]}
    body = registration_body()
    assert stack.register(org.org["slug"], **body).status == 202
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    assert client.credentials_set is False and client.username is None
    users = stack.client("cognito-idp").list_users(UserPoolId=stack.provisioned.user_pool_id)
    assert [u["Username"] for u in users["Users"]] == [f"admin{org.org['slug'][-1]}"]


def test_r5_individual_practice_chooses_its_practitioner_and_has_no_not_sure(stack: Stack) -> None:
    org = stack.organization(kind="individual", departments=1)
    assert call_api("GET", f"/public/orgs/{org.org['slug']}").body["allows_not_sure"] is False
    body = registration_body(practitioner_id=None)
    assert stack.register(org.org["slug"], **body).status == 202
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and client.registered_practitioner_id == org.admin_id
    assert stack.confirm_registration(body).status == 200
    associations = store.list_client_associations(org.org["slug"], client.client_id)
    assert [(a.practitioner_id, a.department_id) for a in associations] == [
        (org.admin_id, org.departments[0]["id"])
    ]


def test_r5_individual_practice_refuses_another_practitioner(stack: Stack) -> None:
    org = stack.organization(kind="individual")
    answer = stack.register(org.org["slug"], practitioner_id="someone-else")
    assert answer.status == 422
    assert answer.body["errors"][0]["field"] == "practitioner_id"


def test_r6_chosen_practitioner_approves_and_associates_in_given_department(stack: Stack) -> None:
    org = stack.organization()
    second = org.departments[1]["id"]
    doc = stack.staff(org, roles=["practitioner"], departments=[org.departments[0]["id"], second])
    body = registration_body(practitioner_id=doc.staff_id, department_id=second)
    assert stack.register(org.org["slug"], **body).status == 202
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    assert (client.status, client.origin, client.email_confirmed) == ("active", "self", False)
    assert stack.confirm_registration(body).status == 200
    associations = store.list_client_associations(org.org["slug"], client.client_id)
    assert [(a.practitioner_id, a.department_id) for a in associations] == [(doc.staff_id, second)]


def test_r6_unconfirmed_sign_up_touches_no_practitioner(stack: Stack) -> None:
    """Until the address is proven the sign-up is nobody's client: not in the practitioner's
    list, not in their count (which would block removing their role, R12)."""
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    body = registration_body(practitioner_id=doc.staff_id)
    stack.register(org.org["slug"], **body)
    assert store.list_practitioner_associations(org.org["slug"], doc.staff_id) == []
    doc.refresh()
    assert not doc.client_count
    stack.confirm_registration(body)
    doc.refresh()
    assert doc.client_count == 1


def test_r6_practitioner_gone_before_confirmation_makes_it_not_sure(stack: Stack) -> None:
    org = stack.organization()
    admin_email = f"admin{org.org['slug'].split('-')[1]}@practice.example"
    doc = stack.staff(org, roles=["practitioner", "care_coordinator"])
    body = registration_body(practitioner_id=doc.staff_id)
    stack.register(org.org["slug"], **body)
    doc.update(actions=[type(doc).active.set(False)])
    assert stack.confirm_registration(body).body == {"status": "active"}
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    assert store.list_client_associations(org.org["slug"], client.client_id) == []
    assert stack.mailbox(doc.email) == []
    assert [m["subject"] for m in stack.mailbox(admin_email)] == [
        "A new client needs a practitioner"
    ]


def test_r6_department_outside_the_practitioners_is_refused(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"], departments=[org.departments[0]["id"]])
    answer = stack.register(
        org.org["slug"], practitioner_id=doc.staff_id, department_id=org.departments[1]["id"]
    )
    assert answer.status == 422 and answer.body["errors"][0]["field"] == "department_id"
    assert stack.count_items("ClientsTable") == 0


def test_r7_not_sure_is_approved_without_association(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body(practitioner_id=None)
    assert stack.register(org.org["slug"], **body).status == 202
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and client.status == "active"
    assert store.list_client_associations(org.org["slug"], client.client_id) == []


def test_r7_not_sure_notifies_org_admins_after_confirmation(stack: Stack) -> None:
    org = stack.organization()
    admin_email = f"admin{org.org['slug'].split('-')[1]}@practice.example"
    body = registration_body(practitioner_id=None)
    stack.register(org.org["slug"], **body)
    assert stack.mailbox(admin_email) == []  # R10: nobody hears of unconfirmed sign-ups
    assert stack.confirm_registration(body).status == 200
    (notice,) = stack.mailbox(admin_email)
    assert "needs a practitioner" in notice["subject"]
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and f"/clients/{client.client_id}" in notice["text"]


def test_r8_manual_approval_makes_registration_pending_and_tells_admins(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    admin_email = f"admin{org.org['slug'].split('-')[1]}@practice.example"
    body = registration_body(practitioner_id=None)
    stack.register(org.org["slug"], **body)
    confirmed = stack.confirm_registration(body)
    assert confirmed.status == 200 and confirmed.body == {"status": "pending"}
    subjects = [m["subject"] for m in stack.mailbox(body["email"])]
    assert any("awaiting approval" in s for s in subjects)
    assert not any("Get started" in s for s in subjects)
    assert [m["subject"] for m in stack.mailbox(admin_email)] == [
        "A new client account awaits approval"
    ]


def test_r9_confirmation_chooses_credentials_and_creates_the_login(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    (email,) = stack.mailbox(body["email"])
    assert email["subject"].startswith("Confirm your email")
    token = stack.link_token(body["email"])
    assert not stack.has_login(username_for(body))
    assert stack.confirm(token, username_for(body)).body == {"status": "active"}
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    assert (client.email_confirmed, client.credentials_set) == (True, True)
    assert client.username == username_for(body)
    assert stack.login(username_for(body))["IdToken"]
    again = stack.confirm(token, "someoneelse")
    assert again.status == 410 and again.body["code"] == "link_used"
    assert not stack.has_login("someoneelse")


def test_r9_username_taken_on_confirmation_is_409_and_the_link_stays_usable(stack: Stack) -> None:
    org = stack.organization()
    first, second = registration_body(), registration_body()
    for body in (first, second):
        stack.register(org.org["slug"], **body)
    stack.confirm_registration(first)
    token = stack.link_token(second["email"])
    taken = stack.confirm(token, username_for(first).upper())
    assert taken.status == 409 and taken.body["code"] == "username_taken"
    assert taken.body["errors"] == [{"field": "username", "message": taken.body["message"]}]
    assert stack.login(username_for(first))["IdToken"]  # the owner's login is untouched
    assert stack.confirm(token, username_for(second)).status == 200


def test_r9_weak_password_on_confirmation_is_422_and_the_link_stays_usable(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    token = stack.link_token(body["email"])
    weak = stack.confirm(token, username_for(body), password="short")
    assert weak.status == 422 and weak.body["errors"][0]["field"] == "password"
    assert not stack.has_login(username_for(body))
    assert stack.confirm(token, username_for(body)).status == 200


def test_r9_pre_registered_address_cannot_be_taken_over(stack: Stack) -> None:
    """Account pre-hijacking: someone registers a victim's address first. They never get a
    login, and the victim who registers later gets a fresh link of their own."""
    org = stack.organization()
    victim_email = f"victim.{uuid.uuid4().hex[:6]}@mail.example"
    attacker = registration_body(email=victim_email, first_name="Mallory")
    stack.register(org.org["slug"], **attacker)
    attackers_link = stack.link_token(victim_email)
    clock.advance(61)  # past the cool-down
    victim = registration_body(email=victim_email)
    assert stack.register(org.org["slug"], **victim).status == 202
    victims_link = stack.link_token(victim_email)
    assert victims_link != attackers_link
    assert stack.confirm(attackers_link, "mallory").body["code"] == "link_replaced"
    assert stack.confirm(victims_link, "thevictim").status == 200
    assert stack.login("thevictim")["IdToken"]
    assert not stack.has_login("mallory")
    assert stack.count_items("ClientsTable") == 1


def test_r9_registration_for_an_invited_address_sends_a_fresh_invitation(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = new_client_body()
    admin.call("POST", "/clients", created)
    first = stack.link_token(created["email"])
    clock.advance(61)
    stack.register(org.org["slug"], **registration_body(email=created["email"]))
    subjects = [m["subject"] for m in stack.mailbox(created["email"])]
    assert subjects == [subjects[0]] * 2 and subjects[0].startswith("Your account at")
    second = stack.link_token(created["email"])
    stale = call_api("POST", "/public/invitations/accept", confirmation_body(first, "casey1"))
    assert stale.body["code"] == "link_replaced"
    fresh = call_api("POST", "/public/invitations/accept", confirmation_body(second, "casey1"))
    assert fresh.status == 200
    assert stack.count_items("ClientsTable") == 1


def test_r9_link_expires_after_24_hours(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    token = stack.link_token(body["email"])
    clock.advance(24 * 3600 + 1)
    expired = stack.confirm(token, username_for(body))
    assert expired.status == 410 and expired.body["code"] == "link_expired"
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and not client.email_confirmed
    assert not stack.has_login(username_for(body))


def test_r9_unknown_token_is_404(stack: Stack) -> None:
    answer = stack.confirm("not-a-real-token")
    assert answer.status == 404 and answer.body["code"] == "link_not_found"


def test_r9_resend_voids_the_older_link(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    first = stack.link_token(body["email"])
    clock.advance(61)  # past the resend cool-down
    resent = call_api(
        "POST",
        "/public/email-confirmations/resend",
        {"org_slug": org.org["slug"], "email": body["email"].upper()},
    )
    assert resent.status == 202
    second = stack.link_token(body["email"])
    assert second != first
    old = stack.confirm(first)
    assert old.status == 410 and old.body["code"] == "link_replaced"
    assert stack.confirm(second).status == 200


def test_r9_resend_is_limited_to_one_per_cooldown(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    for _ in range(3):
        call_api(
            "POST",
            "/public/email-confirmations/resend",
            {"org_slug": org.org["slug"], "email": body["email"]},
        )
    assert len(stack.mailbox(body["email"])) == 1


def test_r10_confirmation_sends_get_started_and_notifies_chosen_practitioner(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner", "care_coordinator"])
    quiet = stack.staff(org, roles=["practitioner"])
    for practitioner in (doc, quiet):
        body = registration_body(practitioner_id=practitioner.staff_id)
        stack.register(org.org["slug"], **body)
        stack.confirm_registration(body)
        subjects = [m["subject"] for m in stack.mailbox(body["email"])]
        assert any(s.startswith("Get started") for s in subjects)
    assert [m["subject"] for m in stack.mailbox(doc.email)] == ["A new client chose you"]
    assert stack.mailbox(quiet.email) == []  # practitioner role alone: not notified (R10)


def test_r21_known_email_gets_the_same_answer_and_an_email_instead(stack: Stack) -> None:
    org = stack.organization()
    first = registration_body()
    answer1 = stack.register(org.org["slug"], **first)
    stack.confirm_registration(first)
    clock.advance(61)  # past the address's cool-down (R28)
    second = registration_body(email=first["email"].upper(), first_name="Mallory")
    answer2 = stack.register(org.org["slug"], **second)
    assert (answer2.status, answer2.body) == (answer1.status, answer1.body) == (202, answer1.body)
    assert stack.count_items("ClientsTable") == 1
    subjects = [m["subject"] for m in stack.mailbox(first["email"])]
    assert subjects[0].startswith("Confirm your email")
    assert subjects[-1].startswith("Someone tried to register")
    assert "Mallory" not in "".join(m["text"] for m in stack.mailbox(first["email"]))


def test_r9_r21_registration_for_an_unconfirmed_address_sends_a_fresh_link(stack: Stack) -> None:
    org = stack.organization()
    first = registration_body()
    stack.register(org.org["slug"], **first)
    old = stack.link_token(first["email"])
    clock.advance(61)
    answer = stack.register(org.org["slug"], **registration_body(email=first["email"]))
    assert answer.status == 202
    subjects = [m["subject"] for m in stack.mailbox(first["email"])]
    assert len(subjects) == 2 and all(s.startswith("Confirm your email") for s in subjects)
    assert stack.confirm(old).body["code"] == "link_replaced"
    assert stack.confirm_registration(first).status == 200


def test_r21_resend_for_an_unknown_email_answers_the_same_and_sends_nothing(stack: Stack) -> None:
    org = stack.organization()
    answer = call_api(
        "POST",
        "/public/email-confirmations/resend",
        {"org_slug": org.org["slug"], "email": "nobody@mail.example"},
    )
    assert answer.status == 202
    assert stack.mailbox("nobody@mail.example") == []


def test_confirmed_client_logs_in_to_both_apps(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    assert stack.login(username_for(body), PASSWORD, app="portal")["IdToken"]
    assert stack.login(username_for(body), PASSWORD, app="care_app")["IdToken"]
