"""The Clients tab: create, invite, accept, list, edit, approve, deactivate, delete
(R1-R4, R13-R17, R18)."""

from __future__ import annotations

from typing import Any

import pytest
from moto.cognitoidp.models import CognitoIdpBackend

from clientaccounts import clock
from clientaccounts.clients import NOT_IN_CARE_APP
from infra.cognito_login import TriggerRefused
from tests.support.faults import Outages
from tests.support.lambda_events import call_api
from tests.support.request_bodies import PASSWORD, new_client_body, registration_body, username_for
from tests.support.stack import Caller, Stack


def _create(caller: Caller, **overrides: Any) -> Any:
    answer = caller.call("POST", "/clients", new_client_body(**overrides))
    assert answer.status == 201, answer.body
    return answer.body


def _accept(stack: Stack, email: str, username: str) -> Any:
    token = stack.link_token(email)
    return call_api(
        "POST",
        "/public/invitations/accept",
        {"token": token, "username": username, "password": PASSWORD},
    )


# --- R1 create ----------------------------------------------------------------------


def test_r1_client_manager_creates_client_with_required_fields(stack: Stack) -> None:
    org = stack.organization()
    created = _create(stack.as_admin(org), phone="+1 555 0100", preferred_name="Cas")
    assert created["status"] == "active" and created["origin"] == "staff"
    assert (created["email_confirmed"], created["credentials_set"]) == (False, False)
    assert created["phone"] == "+1 555 0100" and created["preferred_name"] == "Cas"


@pytest.mark.parametrize("missing", ["first_name", "last_name", "email", "dob"])
def test_r1_required_fields(stack: Stack, missing: str) -> None:
    org = stack.organization()
    body = new_client_body()
    del body[missing]
    answer = stack.as_admin(org).call("POST", "/clients", body)
    assert answer.status == 422
    assert missing in [e["field"] for e in answer.body["errors"]]


def test_r1_email_is_unique_in_the_organization_ignoring_case(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    first = _create(admin)
    again = admin.call("POST", "/clients", new_client_body(email=first["email"].upper()))
    assert again.status == 409 and again.body["code"] == "email_taken"
    assert again.body["errors"][0]["field"] == "email"
    other_org = stack.organization()
    assert (
        stack.as_admin(other_org)
        .call("POST", "/clients", new_client_body(email=first["email"]))
        .status
        == 201
    )


def test_r1_date_of_birth_must_be_past(stack: Stack) -> None:
    org = stack.organization()
    answer = stack.as_admin(org).call("POST", "/clients", new_client_body(dob="2999-01-01"))
    assert answer.status == 422 and answer.body["errors"][0]["field"] == "dob"


def test_r1_retried_create_returns_the_same_client(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    body = new_client_body()
    first = admin.call("POST", "/clients", body)
    retry = admin.call("POST", "/clients", body)
    assert (first.status, retry.status) == (201, 201)
    assert first.body["id"] == retry.body["id"]
    assert len(stack.mailbox(body["email"])) == 1
    keyed = new_client_body()
    headers = {"Idempotency-Key": "req-123"}
    one = admin.call("POST", "/clients", keyed, headers=headers)
    two = admin.call("POST", "/clients", keyed, headers=headers)
    assert (one.status, two.status) == (201, 201) and one.body["id"] == two.body["id"]


def test_r1_idempotency_key_reused_for_another_body_is_refused(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    headers = {"Idempotency-Key": "req-123"}
    assert admin.call("POST", "/clients", new_client_body(), headers=headers).status == 201
    other = new_client_body()
    reused = admin.call("POST", "/clients", other, headers=headers)
    assert reused.status == 422 and reused.body["code"] == "idempotency_key_reused"
    assert reused.body["errors"][0]["field"] == "Idempotency-Key"
    assert stack.client_by_email(org.org["slug"], other["email"]) is None


def test_r1_idempotency_key_is_the_callers_own(stack: Stack) -> None:
    """Another manager's request with the same key is another request."""
    org = stack.organization()
    headers = {"Idempotency-Key": "req-123"}
    mine = stack.as_admin(org).call("POST", "/clients", new_client_body(), headers=headers)
    colleague = stack.as_staff(stack.staff(org, roles=["care_coordinator"]))
    theirs = colleague.call("POST", "/clients", new_client_body(), headers=headers)
    assert (mine.status, theirs.status) == (201, 201)
    assert mine.body["id"] != theirs.body["id"]


@pytest.mark.parametrize(
    "key", ["k" * 2049, "k" * 256, "", "req\x01123", "req\n123", " req", "clé", "\ud800"]
)
def test_r1_unusable_idempotency_key_is_422_naming_the_header(stack: Stack, key: str) -> None:
    org = stack.organization()
    body = new_client_body()
    answer = stack.as_admin(org).call("POST", "/clients", body, headers={"Idempotency-Key": key})
    assert answer.status == 422, answer.body
    assert answer.body["errors"][0]["field"] == "Idempotency-Key"
    assert stack.client_by_email(org.org["slug"], body["email"]) is None


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "req-123"}])
def test_r17_the_same_create_after_a_delete_makes_a_new_client(
    stack: Stack, headers: dict[str, str]
) -> None:
    """A delete releases the create's request guard: the same request is a new one."""
    org = stack.organization()
    admin = stack.as_admin(org)
    body = new_client_body()
    first = admin.call("POST", "/clients", body, headers=headers)
    assert admin.call("DELETE", f"/clients/{first.body['id']}").status == 204
    again = admin.call("POST", "/clients", body, headers=headers)
    assert again.status == 201, again.body
    assert again.body["id"] != first.body["id"]
    assert admin.call("GET", f"/clients/{again.body['id']}").status == 200


# --- R2 associations on create ------------------------------------------------------


def test_r2_create_with_practitioner_associates(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"], departments=[org.departments[1]["id"]])
    created = _create(stack.as_admin(org), practitioners=[{"practitioner_id": doc.staff_id}])
    assert [(p["practitioner_id"], p["department_id"]) for p in created["practitioners"]] == [
        (doc.staff_id, org.departments[1]["id"])
    ]
    assert "notice" not in created


def test_r2_without_association_the_response_warns(stack: Stack) -> None:
    org = stack.organization()
    created = _create(stack.as_admin(org))
    assert created["practitioners"] == [] and created["notice"] == NOT_IN_CARE_APP


def test_r2_individual_practice_associates_automatically(stack: Stack) -> None:
    org = stack.organization(kind="individual", departments=1)
    created = _create(stack.as_admin(org))
    assert [p["practitioner_id"] for p in created["practitioners"]] == [org.admin_id]


def test_r2_r11_coordinator_cannot_associate_outside_own_departments(stack: Stack) -> None:
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    coordinator = stack.staff(org, roles=["care_coordinator"], departments=[first])
    doc = stack.staff(org, roles=["practitioner"], departments=[second])
    answer = stack.as_staff(coordinator).call(
        "POST", "/clients", new_client_body(practitioners=[{"practitioner_id": doc.staff_id}])
    )
    assert answer.status == 403 and answer.body["code"] == "department_out_of_scope"
    assert stack.count_items("ClientsTable") == 0


# --- R3, R4 invitation ----------------------------------------------------------------


def test_r3_r4_invitation_accept_then_login_and_get_started(stack: Stack) -> None:
    org = stack.organization()
    created = _create(stack.as_admin(org))
    (invitation,) = stack.mailbox(created["email"])
    assert "accept-invitation?token=" in invitation["text"] and "72 hours" in invitation["text"]
    accepted = _accept(stack, created["email"], "casey")
    assert accepted.status == 200 and accepted.body == {"status": "active"}
    assert any(m["subject"].startswith("Get started") for m in stack.mailbox(created["email"]))
    detail = stack.as_admin(org).call("GET", f"/clients/{created['id']}").body
    assert (detail["email_confirmed"], detail["credentials_set"]) == (True, True)
    assert stack.login("casey", app="care_app")["IdToken"]
    again = _accept(stack, created["email"], "casey2")
    assert again.status == 410


def test_r3_invitation_expires_after_72_hours(stack: Stack) -> None:
    org = stack.organization()
    created = _create(stack.as_admin(org))
    clock.advance(72 * 3600 + 1)
    answer = _accept(stack, created["email"], "late")
    assert answer.status == 410 and answer.body["code"] == "link_expired"
    assert not stack.has_login("late")


def test_r3_resend_voids_the_older_link(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = _create(admin)
    old = stack.link_token(created["email"])
    assert admin.call("POST", f"/clients/{created['id']}/invitation").status == 202
    new = stack.link_token(created["email"])
    assert new != old
    stale = call_api(
        "POST",
        "/public/invitations/accept",
        {"token": old, "username": "stale1", "password": PASSWORD},
    )
    assert stale.status == 410 and stale.body["code"] == "link_replaced"
    assert _accept(stack, created["email"], "casey").status == 200
    assert admin.call("POST", f"/clients/{created['id']}/invitation").status == 409


def test_r4_username_taken_keeps_the_link_usable(stack: Stack) -> None:
    org = stack.organization()
    created = _create(stack.as_admin(org))
    other = registration_body()
    stack.register(org.org["slug"], **other)
    stack.confirm(stack.link_token(other["email"]), "taken")
    answer = _accept(stack, created["email"], "taken")
    assert answer.status == 409 and answer.body["code"] == "username_taken"
    assert _accept(stack, created["email"], "free").status == 200


def test_r4_cognito_down_during_accept_changes_nothing(stack: Stack, outages: Outages) -> None:
    org = stack.organization()
    created = _create(stack.as_admin(org))
    outages.fail(CognitoIdpBackend, "admin_set_user_password")
    answer = _accept(stack, created["email"], "casey")
    assert answer.status == 503
    assert not stack.has_login("casey")
    outages.monkeypatch.undo()
    assert _accept(stack, created["email"], "casey").status == 200


# --- R14 lists --------------------------------------------------------------------


def test_r14_list_defaults_to_active_in_name_order_with_pages(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    admin = stack.as_admin(org)
    for last in ["Zeta", "alpha", "Mu", "Beta", "Kappa"]:
        _create(admin, last_name=last)
    stack.register(org.org["slug"], **registration_body(last_name="Pending"))
    names: list[str] = []
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = admin.call("GET", "/clients", query=query).body
        names += [c["last_name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert names == ["alpha", "Beta", "Kappa", "Mu", "Zeta"]
    pending = admin.call("GET", "/clients", query={"status": "pending"}).body["items"]
    assert [c["last_name"] for c in pending] == ["Pending"]


def test_r14_bad_status_limit_or_cursor_are_422(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    for query, field in [
        ({"status": "gone"}, "status"),
        ({"limit": "0"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ]:
        answer = admin.call("GET", "/clients", query=query)
        assert answer.status == 422, query
        assert field in [e["field"] for e in answer.body["errors"]]


def test_r18_cursor_cannot_reach_another_organization(stack: Stack) -> None:
    org, other = stack.organization(), stack.organization()
    for _ in range(3):
        _create(stack.as_admin(other))
    cursor = stack.as_admin(other).call("GET", "/clients", query={"limit": "1"}).body["next_cursor"]
    answer = stack.as_admin(org).call("GET", "/clients", query={"cursor": cursor})
    assert answer.status == 422


# --- R15 edit, deactivate, reactivate --------------------------------------------------


def test_r15_edit_fields_and_email_moves_its_guard(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    a, b = _create(admin), _create(admin)
    taken = admin.call("PATCH", f"/clients/{a['id']}", {"email": b["email"]})
    assert taken.status == 409 and taken.body["code"] == "email_taken"
    moved = admin.call(
        "PATCH",
        f"/clients/{a['id']}",
        {"email": "new@mail.example", "phone": None, "last_name": "Q"},
    )
    assert moved.status == 200
    assert (moved.body["email"], moved.body["phone"], moved.body["last_name"]) == (
        "new@mail.example",
        None,
        "Q",
    )
    # the old address is free again, the new one is taken
    assert admin.call("POST", "/clients", new_client_body(email=a["email"])).status == 201
    assert admin.call("POST", "/clients", new_client_body(email="NEW@mail.example")).status == 409


def test_r15_patch_refuses_unknown_fields_empty_body_and_removing_required(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    client = _create(admin)
    for body, field in [({"status": "active"}, "status"), ({}, "body"), ({"email": None}, "email")]:
        answer = admin.call("PATCH", f"/clients/{client['id']}", body)
        assert answer.status == 422, body
        assert field in [e["field"] for e in answer.body["errors"]]


def _registered_and_confirmed(stack: Stack, org: Any) -> tuple[dict[str, Any], Any]:
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    return body, client


def test_r15_deactivation_refuses_logins_tokens_and_refresh(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    body, client = _registered_and_confirmed(stack, org)
    tokens = stack.login(username_for(body), app="care_app")
    assert stack.as_client(client).call("GET", "/me").status == 200
    off = admin.call("PATCH", f"/clients/{client.client_id}", {"active": False})
    assert off.status == 200 and off.body["status"] == "inactive"
    with pytest.raises(TriggerRefused, match="inactive"):
        stack.login(username_for(body), app="portal")
    # the old ID token still verifies at the authorizer, but the API reads the state
    assert stack.as_client(client).call("GET", "/me").status == 403
    cognito = stack.client("cognito-idp")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(
            ClientId=stack.provisioned.care_app_client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    on = admin.call("PATCH", f"/clients/{client.client_id}", {"active": True})
    assert on.status == 200 and on.body["status"] == "active"
    assert stack.login(username_for(body), app="care_app")["IdToken"]


def test_r15_cognito_down_during_deactivation_changes_nothing(
    stack: Stack, outages: Outages
) -> None:
    org = stack.organization()
    body, client = _registered_and_confirmed(stack, org)
    outages.fail(CognitoIdpBackend, "admin_user_global_sign_out")
    answer = stack.as_admin(org).call("PATCH", f"/clients/{client.client_id}", {"active": False})
    assert answer.status == 503
    unchanged = stack.client_by_email(org.org["slug"], body["email"])
    assert unchanged is not None and unchanged.status == "active"


def test_r15_a_pending_client_is_approved_not_activated(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    _, client = _registered_and_confirmed(stack, org)
    answer = stack.as_admin(org).call("PATCH", f"/clients/{client.client_id}", {"active": True})
    assert answer.status == 409 and answer.body["code"] == "not_approved"


# --- R16 approve -------------------------------------------------------------------


def test_r16_approve_pending_client_makes_it_active_and_emails_it(stack: Stack) -> None:
    org = stack.organization(manual_approval=True)
    body, client = _registered_and_confirmed(stack, org)
    with pytest.raises(TriggerRefused, match="pending approval"):
        stack.login(username_for(body), app="care_app")
    approved = stack.as_admin(org).call("POST", f"/clients/{client.client_id}/approve")
    assert approved.status == 200 and approved.body["status"] == "active"
    assert any(m["subject"].startswith("Get started") for m in stack.mailbox(body["email"]))
    assert stack.login(username_for(body), app="care_app")["IdToken"]
    again = stack.as_admin(org).call("POST", f"/clients/{client.client_id}/approve")
    assert again.status == 409 and again.body["code"] == "not_pending"


# --- R11b department scope of changes --------------------------------------------------


def test_r11b_out_of_scope_coordinator_cannot_take_over_an_unaccepted_account(
    stack: Stack,
) -> None:
    """An email edit plus a resend would send the victim's invitation to the attacker."""
    org = stack.organization()
    first, second = (d["id"] for d in org.departments)
    doc = stack.staff(org, roles=["practitioner"], departments=[second])
    victim = _create(stack.as_admin(org), practitioners=[{"practitioner_id": doc.staff_id}])
    before = stack.as_admin(org).call("GET", f"/clients/{victim['id']}").body
    mailed = len(stack.mailbox())
    coordinator = stack.as_staff(stack.staff(org, roles=["care_coordinator"], departments=[first]))

    edit = coordinator.call("PATCH", f"/clients/{victim['id']}", {"email": "attacker@evil.example"})
    resend = coordinator.call("POST", f"/clients/{victim['id']}/invitation")
    for refused in (edit, resend):
        assert refused.status == 403 and refused.body["code"] == "department_out_of_scope"
    assert stack.as_admin(org).call("GET", f"/clients/{victim['id']}").body == before
    assert stack.mailbox("attacker@evil.example") == []
    assert len(stack.mailbox()) == mailed
    assert _accept(stack, victim["email"], "victim").status == 200  # the victim's link works


# --- R17 delete -------------------------------------------------------------------


def test_r17_delete_removes_login_record_associations_links_and_guard(stack: Stack) -> None:
    org = stack.organization()
    doc = stack.staff(org, roles=["practitioner"])
    body = registration_body(practitioner_id=doc.staff_id)
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    assert stack.has_login(username_for(body))
    deleted = stack.as_admin(org).call("DELETE", f"/clients/{client.client_id}")
    assert deleted.status == 204 and deleted.body is None
    assert not stack.has_login(username_for(body))
    for table in ("ClientsTable", "AssociationsTable"):
        assert stack.count_items(table) == 0, table
    links = stack.client("dynamodb").scan(TableName="LinksTable")["Items"]
    assert all("used_at" in link for link in links)  # no live link is left (TTL tidies up)
    assert stack.as_admin(org).call("GET", f"/clients/{client.client_id}").status == 404
    clock.advance(61)  # past the address's cool-down (R28)
    assert stack.register(org.org["slug"], **body).status == 202  # the email registers again
    assert stack.client_by_email(org.org["slug"], body["email"]) is not None


def test_r17_cognito_down_during_delete_changes_nothing(stack: Stack, outages: Outages) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    outages.fail(CognitoIdpBackend, "admin_delete_user")
    answer = stack.as_admin(org).call("DELETE", f"/clients/{client.client_id}")
    assert answer.status == 503
    assert stack.has_login(username_for(body))
    assert stack.client_by_email(org.org["slug"], body["email"]) is not None


def test_r17_audit_keeps_only_ids(stack: Stack) -> None:
    org = stack.organization()
    created = _create(stack.as_admin(org))
    stack.as_admin(org).call("DELETE", f"/clients/{created['id']}")
    events = stack.client("dynamodb").scan(TableName="AuditTable")["Items"]
    trail = [e for e in events if e["subject_ref"]["S"].endswith(created["id"])]
    assert [e["action"]["S"] for e in sorted(trail, key=lambda e: e["event_key"]["S"])] == [
        "client.created",
        "client.deleted",
    ]
    text = repr(trail)
    for personal in (created["email"], created["first_name"], created["last_name"], created["dob"]):
        assert personal not in text


# --- GET /me, callers ---------------------------------------------------------------


def test_r13_unknown_or_inactive_caller_is_refused(stack: Stack) -> None:
    org = stack.organization()
    admin_claims = stack.as_admin(org).claims
    assert admin_claims is not None
    ghost = Caller(stack, {**admin_claims, "custom:account_id": "nobody"})
    assert ghost.call("GET", "/me").status == 401
    assert Caller(stack, {}).call("GET", "/me").status == 401
    retired = stack.staff(org, roles=["org_admin"], active=False)
    answer = stack.as_staff(retired).call("GET", "/clients")
    assert answer.status == 403 and answer.body["code"] == "account_inactive"


def test_claims_naming_another_account_than_the_login_are_refused(stack: Stack) -> None:
    """A client who rewrote custom:account_id (and kind) to an org admin's keeps their own
    username in the token: the account's stored username must be the token's."""
    org = stack.organization()
    created = _create(stack.as_admin(org))
    assert _accept(stack, created["email"], "casey").status == 200
    admin_claims = stack.as_admin(org).claims
    assert admin_claims is not None
    forged = Caller(stack, {**admin_claims, "cognito:username": "casey"})
    for method, path in (("GET", "/me"), ("GET", "/clients"), ("PATCH", "/org")):
        answer = forged.call(method, path, {"manual_approval": True} if method == "PATCH" else None)
        assert answer.status == 401 and answer.body["code"] == "unauthorized", (path, answer.body)
    client_claims = {
        **admin_claims,
        "custom:account_kind": "client",
        "custom:account_id": created["id"],
    }
    assert Caller(stack, client_claims).call("GET", "/me").status == 401  # the admin's username
    unnamed = {k: v for k, v in admin_claims.items() if k != "cognito:username"}
    assert Caller(stack, unnamed).call("GET", "/me").status == 401
