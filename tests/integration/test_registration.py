"""Self-registration, email confirmation and the emails they cause (R5-R10, R21)."""

from __future__ import annotations

from clientaccounts import clock, store
from tests.integration.conftest import Stack
from tests.lambda_events import call_api
from tests.request_bodies import PASSWORD, registration_body


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


def test_r5_individual_practice_chooses_its_practitioner_and_has_no_not_sure(stack: Stack) -> None:
    org = stack.organization(kind="individual", departments=1)
    assert call_api("GET", f"/public/orgs/{org.org['slug']}").body["allows_not_sure"] is False
    body = registration_body(practitioner_id=None)
    assert stack.register(org.org["slug"], **body).status == 202
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and client.registered_practitioner_id == org.admin_id
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
    associations = store.list_client_associations(org.org["slug"], client.client_id)
    assert [(a.practitioner_id, a.department_id) for a in associations] == [(doc.staff_id, second)]


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
    assert stack.confirm(stack.link_token(body["email"])).status == 200
    (notice,) = stack.mailbox(admin_email)
    assert "needs a practitioner" in notice["subject"]
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and f"/clients/{client.client_id}" in notice["text"]


def test_r8_manual_approval_makes_registration_pending_and_tells_admins(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    admin_email = f"admin{org.org['slug'].split('-')[1]}@practice.example"
    body = registration_body(practitioner_id=None)
    stack.register(org.org["slug"], **body)
    confirmed = stack.confirm(stack.link_token(body["email"]))
    assert confirmed.status == 200 and confirmed.body == {"status": "pending"}
    subjects = [m["subject"] for m in stack.mailbox(body["email"])]
    assert any("awaiting approval" in s for s in subjects)
    assert not any("Get started" in s for s in subjects)
    assert [m["subject"] for m in stack.mailbox(admin_email)] == [
        "A new client account awaits approval"
    ]


def test_r9_confirmation_email_carries_a_single_use_link(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    (email,) = stack.mailbox(body["email"])
    assert email["subject"].startswith("Confirm your email")
    token = stack.link_token(body["email"])
    assert stack.confirm(token).body == {"status": "active"}
    again = stack.confirm(token)
    assert again.status == 410 and again.body["code"] == "link_used"


def test_r9_link_expires_after_24_hours(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    token = stack.link_token(body["email"])
    clock.advance(24 * 3600 + 1)
    expired = stack.confirm(token)
    assert expired.status == 410 and expired.body["code"] == "link_expired"
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None and not client.email_confirmed


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


def test_r9_unconfirmed_client_can_log_in_nowhere(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    for app in ("portal", "care_app"):
        try:
            stack.login(body["username"], app=app)
        except Exception as refused:
            assert "PreAuthentication failed with error" in str(refused)
            assert "confirm your email" in str(refused)
        else:
            raise AssertionError(f"unconfirmed client logged in to {app}")


def test_r10_confirmation_sends_get_started_and_notifies_chosen_practitioner(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner", "care_coordinator"])
    quiet = stack.staff(org, roles=["practitioner"])
    for practitioner in (doc, quiet):
        body = registration_body(practitioner_id=practitioner.staff_id)
        stack.register(org.org["slug"], **body)
        stack.confirm(stack.link_token(body["email"]))
        subjects = [m["subject"] for m in stack.mailbox(body["email"])]
        assert any(s.startswith("Get started") for s in subjects)
    assert [m["subject"] for m in stack.mailbox(doc.email)] == ["A new client chose you"]
    assert stack.mailbox(quiet.email) == []  # practitioner role alone: not notified (R10)


def test_r21_known_email_gets_the_same_answer_and_an_email_instead(stack: Stack) -> None:
    org = stack.organization()
    first = registration_body()
    answer1 = stack.register(org.org["slug"], **first)
    second = registration_body(email=first["email"].upper(), first_name="Mallory")
    answer2 = stack.register(org.org["slug"], **second)
    assert (answer2.status, answer2.body) == (answer1.status, answer1.body) == (202, answer1.body)
    assert stack.count_items("ClientsTable") == 1
    assert not stack.has_login(second["username"])
    subjects = [m["subject"] for m in stack.mailbox(first["email"])]
    assert subjects[0].startswith("Confirm your email")
    assert subjects[1].startswith("Someone tried to register")
    assert "Mallory" not in "".join(m["text"] for m in stack.mailbox(first["email"]))


def test_r21_resend_for_an_unknown_email_answers_the_same_and_sends_nothing(stack: Stack) -> None:
    org = stack.organization()
    answer = call_api(
        "POST",
        "/public/email-confirmations/resend",
        {"org_slug": org.org["slug"], "email": "nobody@mail.example"},
    )
    assert answer.status == 202
    assert stack.mailbox("nobody@mail.example") == []


def test_username_taken_is_409_naming_the_field(stack: Stack) -> None:
    org = stack.organization()
    stack.register(org.org["slug"], username="samename")
    answer = stack.register(org.org["slug"], username="SameName")
    assert answer.status == 409
    assert answer.body["code"] == "username_taken"
    assert answer.body["errors"] == [{"field": "username", "message": answer.body["message"]}]
    assert stack.count_items("ClientsTable") == 1


def test_weak_password_is_422_and_leaves_nothing(stack: Stack) -> None:
    org = stack.organization()
    answer = stack.register(org.org["slug"], password="short", username="weakling")
    assert answer.status == 422 and answer.body["errors"][0]["field"] == "password"
    assert not stack.has_login("weakling")
    assert stack.count_items("ClientsTable") == 0


def test_confirmed_client_logs_in_to_both_apps(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm(stack.link_token(body["email"]))
    assert stack.login(body["username"], PASSWORD, app="portal")["IdToken"]
    assert stack.login(body["username"], PASSWORD, app="care_app")["IdToken"]
