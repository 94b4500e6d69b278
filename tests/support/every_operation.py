"""One request of every route of template.yaml and one invocation of every trigger, each named
as its row of the DynamoDB budget in docs/data-model.md, with fresh inputs every time.

`prepare` does the set-up a request needs (a client to approve, a link to accept, an email in
the outbox) and returns the request alone, so that whoever calls it counts or times that
request and nothing else. Used by tests/integration/test_dynamodb_calls.py and by the
benchmark (bench/dynamodb_calls.py, bench/warm_latency.py), against one `Stack` each.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest

from clientaccounts import clock
from clientaccounts.config import reset_settings
from clientaccounts.outbox import queue_email
from clientaccounts.persistence import store
from clientaccounts.persistence.models import Client
from infra.cognito_login import pre_authentication_event
from infra.lambda_loader import load_handler
from infra.local_gateway import match_route
from infra.local_routes import scheduled_event
from tests.support.aws_calls import AwsCalls, recorded_aws_calls
from tests.support.lambda_events import FakeLambdaContext, api_event, call_api
from tests.support.request_bodies import (
    PASSWORD,
    confirmation_body,
    new_client_body,
    registration_body,
    username_for,
)
from tests.support.stack import REGION, Caller, Stack

RETENTION_SECONDS = 7 * 24 * 3600  # the template's UnconfirmedRetentionDays
COOL_DOWN_SECONDS = 61  # past the template's resend cool-down (60 s)


@dataclass(frozen=True)
class Outcome:
    status: int  # an API answer's status; 200 for a trigger that did its work
    detail: Any  # what to show when it failed


Request = Callable[[], Outcome]


@dataclass(frozen=True)
class Operation:
    name: str  # its row in docs/data-model.md's budget
    function: str  # the template's logical id of the handler it invokes
    prepare: Callable[[Scenario], Request]


def scheduled_cleanup() -> Request:
    """The scheduled run, as EventBridge invokes it; its report is the outcome's detail."""
    # The job stops 20 s before its time runs out; the template gives it 300 s.
    context = FakeLambdaContext(function_name="CleanupFunction", remaining_ms=300_000)
    event = scheduled_event("CleanupFunction", "Hourly", REGION)

    def request() -> Outcome:
        report = load_handler("CleanupFunction")(event, context)
        ok = report["completed"] and report["cleanup_failures"] == 0
        return Outcome(200 if ok else 500, report)

    return request


def _api(
    caller: Caller | None,
    method: str,
    path: str,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> Request:
    """The event built now, as API Gateway builds it; the request is the handler's work."""
    event = api_event(method, path, body, query=query, claims=caller.claims if caller else None)
    matched = match_route(method, path)
    assert matched is not None
    handler = load_handler(matched[0].function)
    context = FakeLambdaContext()

    def request() -> Outcome:
        result = handler(event, context)
        return Outcome(result["statusCode"], result.get("body"))

    return request


class Scenario:
    """An organization (no manual approval, so nothing waits for approval and the cleanup has
    no reminder to send), its admin and a practitioner; a second organization with manual
    approval for the approve route."""

    def __init__(self, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
        self.stack = stack
        # The cleanup's pause between Cognito deletions paces a quota; here it would only wait.
        monkeypatch.setenv("COGNITO_DELETE_PAUSE_SECONDS", "0")
        reset_settings()
        self.org = stack.organization()
        self.slug = self.org.org["slug"]
        self.department = self.org.departments[0]["id"]
        self.admin = stack.as_admin(self.org)
        self.doc = stack.staff(self.org, roles=["practitioner"], departments=[self.department])
        self.manual = stack.organization(manual_approval=True)
        self.context = FakeLambdaContext()

    # --- clients, made as people make them ----------------------------------------------------
    def registered(
        self, slug: str | None = None, **overrides: Any
    ) -> tuple[dict[str, Any], Client]:
        """A self-registration, email not yet confirmed."""
        slug = slug or self.slug
        body = registration_body(**overrides)
        answer = self.stack.register(slug, **body)
        assert answer.status == 202, answer.body
        client = self.stack.client_by_email(slug, body["email"])
        assert client is not None
        return body, client

    def confirmed(self, slug: str | None = None, **overrides: Any) -> Client:
        """A self-registration with its email confirmed (active, or pending where approval is
        manual)."""
        body, client = self.registered(slug, **overrides)
        assert self.stack.confirm_registration(body).status == 200
        client.refresh()
        self.stack.deliver_emails()
        return client

    def invited(self) -> dict[str, Any]:
        """A staff-created client, invitation emailed."""
        answer = self.admin.call("POST", "/clients", new_client_body())
        assert answer.status == 201, answer.body
        self.stack.deliver_emails()
        created: dict[str, Any] = answer.body
        return created

    @cached_property
    def client(self) -> Client:
        """An active client associated with the practitioner, for the routes that only read."""
        return self.confirmed(practitioner_id=self.doc.staff_id)

    def colleague(self) -> str:
        return self.stack.staff(
            self.org, roles=["care_coordinator"], departments=[self.department]
        ).staff_id

    # --- triggers ---------------------------------------------------------------------------
    def cleanup(self) -> Request:
        return scheduled_cleanup()

    def nothing_due(self) -> None:
        """Every unconfirmed sign-up made so far expires and is removed (not counted)."""
        clock.advance(RETENTION_SECONDS + 1)
        outcome = self.cleanup()()
        assert outcome.status == 200, outcome.detail

    def one_expired_signup(self) -> Request:
        self.nothing_due()
        self.registered()
        clock.advance(RETENTION_SECONDS)  # exactly at its deadline: due
        request = self.cleanup()

        def removing_one() -> Outcome:
            outcome = request()
            removed = outcome.detail["expired_signups_removed"]
            return outcome if removed == 1 else Outcome(500, outcome.detail)

        return removing_one

    def nothing_to_clean(self) -> Request:
        self.nothing_due()
        return self.cleanup()

    def pre_authentication(self) -> Request:
        """Cognito's event for a portal login of an active client."""
        cognito = self.stack.client("cognito-idp")
        pool = self.stack.provisioned.user_pool_id
        username = self.client.username or ""
        user = cognito.admin_get_user(UserPoolId=pool, Username=username)
        event = pre_authentication_event(
            region=REGION,
            user_pool_id=pool,
            client_id=self.stack.provisioned.portal_client_id,
            username=user["Username"],
            attributes={a["Name"]: a["Value"] for a in user["UserAttributes"]},
        )

        def request() -> Outcome:
            try:
                load_handler("PreAuthenticationFunction")(event, self.context)
            except Exception as exc:  # the trigger refuses by raising
                return Outcome(403, str(exc))
            return Outcome(200, None)

        return request

    def reads_delivered(self, clients: int) -> Request:
        """A page of `clients` read by the admin: its one marked line, handed over as the
        access log's subscription filter would (R29)."""
        self.stack.record_reads()
        org = self.stack.organization()  # its clients are exactly these
        self.stack.bulk_clients(org.org["slug"], clients, "self")
        admin = self.stack.as_admin(org)
        page = admin.call("GET", "/clients", query={"limit": str(clients)}).body
        assert len(page["items"]) == clients, page
        (line,) = self.stack.reads.pending()
        event = self.stack.reads.event([line])
        self.stack.record_reads()  # the set-up's own delivery, outside the record

        def request() -> Outcome:
            response = load_handler("AccessLogFunction")(event, self.context)
            written = response["records"] == clients
            return Outcome(200 if written else 500, response)

        return request

    def mailer(self) -> Request:
        """One email in the outbox, handed over as the stream's event source would."""
        self.stack.deliver_emails()
        store.ensure_bound()
        queue_email(
            "registration_attempt",
            f"notice.{uuid.uuid4().hex[:8]}@mail.example",
            self.slug,
            {"org_name": self.org.org["name"], "org_slug": self.slug},
        ).save()
        event = self.stack.pump.take_next_batch()
        assert event is not None and len(event["Records"]) == 1

        def request() -> Outcome:
            response = load_handler("MailerFunction")(event, self.context)
            failures = response.get("batchItemFailures")
            return Outcome(500 if failures else 200, response)

        return request


def _ses_event(s: Scenario, email: str, kind: str) -> Request:
    """R31: SES's event of the invitation to `email`, as EventBridge hands it over."""
    answer = s.admin.call("POST", "/clients", new_client_body(email=email))
    assert answer.status == 201, answer.body
    s.stack.pump.drain()  # sent; its events are taken here, not by the next delivery
    (event,) = [
        e for e in s.stack.ses_events.pending() if e["detail"]["mail"]["destination"] == [email]
    ]
    handler = load_handler("DeliveryFeedbackFunction")

    def request() -> Outcome:
        result = handler(event, s.context)
        expected = {"Bounce": "bounced", "Delivery": "delivered"}[kind]
        return Outcome(200 if result["outcome"] == expected else 500, result)

    return request


def _bounced_invitation(s: Scenario) -> Request:
    return _ses_event(s, f"bounce@{uuid.uuid4().hex[:8]}.example", "Bounce")


def _delivered_email(s: Scenario) -> Request:
    return _ses_event(s, f"casey.{uuid.uuid4().hex[:8]}@mail.example", "Delivery")


def _accept(s: Scenario) -> Request:
    invited = s.invited()
    body = {
        "token": s.stack.link_token(invited["email"]),
        "username": f"casey{uuid.uuid4().hex[:8]}",
        "password": PASSWORD,
    }
    return _api(None, "POST", "/public/invitations/accept", body)


def _register(s: Scenario, **overrides: Any) -> Request:
    body = registration_body(**overrides)
    return _api(None, "POST", f"/public/orgs/{s.slug}/registrations", body)


def _known_email(s: Scenario) -> Request:
    body, _ = s.registered()
    return _register(s, email=body["email"])


def _resend(s: Scenario) -> Request:
    body, _ = s.registered()
    clock.advance(COOL_DOWN_SECONDS)
    return _api(
        None,
        "POST",
        "/public/email-confirmations/resend",
        {"org_slug": s.slug, "email": body["email"]},
    )


def _confirm(s: Scenario) -> Request:
    body, _ = s.registered(practitioner_id=s.doc.staff_id)
    token = s.stack.link_token(body["email"])
    chosen = confirmation_body(token, username_for(body))
    return _api(None, "POST", "/public/email-confirmations", chosen)


def _unassign(s: Scenario) -> Request:
    client = s.confirmed(practitioner_id=s.doc.staff_id)
    path = f"/clients/{client.client_id}/practitioners/{s.doc.staff_id}"
    return _api(s.admin, "DELETE", path)


def _next_page(s: Scenario, path: str) -> Request:
    """A page reached with the cursor of the one before, with a page after it: the cursor is
    read, and the next one written."""
    first = s.admin.call("GET", path, query={"limit": "1"})
    assert first.status == 200 and first.body["next_cursor"], first.body
    return _api(s.admin, "GET", path, query={"limit": "1", "cursor": first.body["next_cursor"]})


def _next_page_of_clients(s: Scenario) -> Request:
    for _ in range(3):
        s.invited()
    return _next_page(s, "/clients")


def _access_log(s: Scenario) -> Request:
    client_id = s.client.client_id
    s.admin.call("GET", f"/clients/{client_id}")
    s.stack.record_reads()
    return _api(s.admin, "GET", f"/clients/{client_id}/access-log")


def _next_page_of_access_log(s: Scenario) -> Request:
    client_id = s.invited()["id"]
    for _ in range(3):  # a page, the page followed, and one after it
        s.admin.call("GET", f"/clients/{client_id}")
    s.stack.record_reads()
    return _next_page(s, f"/clients/{client_id}/access-log")


def _next_page_of_history(s: Scenario) -> Request:
    client_id = s.invited()["id"]
    for phone in ("+1 555 0101", "+1 555 0102"):
        assert s.admin.call("PATCH", f"/clients/{client_id}", {"phone": phone}).status == 200
    return _next_page(s, f"/clients/{client_id}/history")


def _new_staff(s: Scenario) -> dict[str, Any]:
    return {
        "first_name": "Sol",
        "last_name": "Staff",
        "email": f"sol.{uuid.uuid4().hex[:8]}@practice.example",
        "roles": ["care_coordinator"],
        "department_ids": [s.department],
    }


def _care_session(s: Scenario) -> Request:
    """R26: the practitioner records a session with an active client of theirs."""
    client = s.confirmed(practitioner_id=s.doc.staff_id)
    body = {"client_id": client.client_id}
    return _api(s.stack.as_staff(s.doc), "POST", "/care-sessions", body)


def _forgot_login(s: Scenario, email: str) -> Request:
    return _api(None, "POST", f"/public/orgs/{s.slug}/forgot-login", {"email": email})


def _forgot_login_known(s: Scenario) -> Request:
    email = s.confirmed().email
    clock.advance(COOL_DOWN_SECONDS)  # past the registration email's cool-down
    return _forgot_login(s, email)


def _reset_password(s: Scenario) -> Request:
    client = s.confirmed()
    clock.advance(COOL_DOWN_SECONDS)  # past the confirmation email's cool-down
    asked = call_api("POST", f"/public/orgs/{s.slug}/forgot-login", {"email": client.email})
    assert asked.status == 202, asked.body
    s.stack.deliver_emails()
    token = s.stack.link_token(client.email)
    return _api(None, "POST", "/public/password-resets", {"token": token, "password": PASSWORD})


def _new_address() -> str:
    return f"moved.{uuid.uuid4().hex[:8]}@mail.example"


def _confirm_email_change(s: Scenario) -> Request:
    client = s.confirmed()
    new_email = _new_address()
    asked = s.stack.as_client(client).call("POST", "/me/email-change", {"email": new_email})
    assert asked.status == 202, asked.body
    s.stack.deliver_emails()
    token = s.stack.link_token(new_email)
    return _api(None, "POST", "/public/email-changes/confirm", {"token": token})


def _resend_staff_invitation(s: Scenario) -> Request:
    invited = s.admin.call("POST", "/staff", _new_staff(s))
    assert invited.status == 201, invited.body
    return _api(s.admin, "POST", f"/staff/{invited.body['id']}/invitation")


def _enrol_mfa(s: Scenario) -> Request:
    """R30: a staff member whose authenticator app's code Cognito verified tells the API."""
    member = s.stack.staff(s.org, roles=["care_coordinator"], departments=[s.department])
    username = member.username or ""
    s.stack.give_login(s.slug, member.staff_id, username)
    s.stack.verify_software_token(username)
    return _api(s.stack.as_staff(member), "POST", "/me/mfa")


def _me_enrolled(s: Scenario) -> Request:
    """R30: a staff member with a second factor: no organization read."""
    member = s.stack.staff(s.org, roles=["care_coordinator"], departments=[s.department])
    member.mfa_enrolled = True
    member.save()
    return _api(s.stack.as_staff(member), "GET", "/me")


def _deactivate_practitioner(s: Scenario) -> Request:
    """A practitioner with one client, who is left with none (R25)."""
    leaving = s.stack.staff(s.org, roles=["practitioner"], departments=[s.department]).staff_id
    body = new_client_body(practitioners=[{"practitioner_id": leaving}])
    assert s.admin.call("POST", "/clients", body).status == 201
    return _api(s.admin, "PATCH", f"/staff/{leaving}", {"active": False})


OPERATIONS: list[Operation] = [
    Operation(
        "GET /public/orgs/{slug}",
        "PublicOrgFunction",
        lambda s: _api(None, "GET", f"/public/orgs/{s.slug}"),
    ),
    Operation(
        "POST /public/orgs/{slug}/registrations (practitioner chosen)",
        "RegisterFunction",
        lambda s: _register(s, practitioner_id=s.doc.staff_id),
    ),
    Operation(
        "POST /public/orgs/{slug}/registrations (not sure)",
        "RegisterFunction",
        lambda s: _register(s),
    ),
    Operation(
        "POST /public/orgs/{slug}/registrations (known email)", "RegisterFunction", _known_email
    ),
    Operation("POST /public/email-confirmations", "ConfirmEmailFunction", _confirm),
    Operation("POST /public/email-confirmations/resend", "ConfirmEmailFunction", _resend),
    Operation("POST /public/invitations/accept", "AcceptInvitationFunction", _accept),
    Operation(
        "POST /public/orgs/{slug}/forgot-login (known email)",
        "ConfirmEmailFunction",
        _forgot_login_known,
    ),
    Operation(
        "POST /public/orgs/{slug}/forgot-login (unknown email)",
        "ConfirmEmailFunction",
        lambda s: _forgot_login(s, _new_address()),
    ),
    Operation("POST /public/password-resets", "ConfirmEmailFunction", _reset_password),
    Operation("POST /public/email-changes/confirm", "ConfirmEmailFunction", _confirm_email_change),
    Operation("GET /me", "MeFunction", lambda s: _api(s.admin, "GET", "/me")),
    Operation("GET /me (second factor enrolled)", "MeFunction", _me_enrolled),
    Operation("POST /me/mfa", "MeFunction", _enrol_mfa),
    Operation(
        "PATCH /me",
        "MeFunction",
        lambda s: _api(s.admin, "PATCH", "/me", {"new_client_notifications": False}),
    ),
    Operation(
        "POST /me/email-change",
        "MeFunction",
        lambda s: _api(
            s.stack.as_client(s.confirmed()), "POST", "/me/email-change", {"email": _new_address()}
        ),
    ),
    Operation(
        "POST /me/password-changed",
        "MeFunction",
        lambda s: _api(s.stack.as_client(s.confirmed()), "POST", "/me/password-changed"),
    ),
    Operation(
        "GET /me/connections",
        "MeFunction",
        lambda s: _api(s.stack.as_client(s.client), "GET", "/me/connections"),
    ),
    Operation(
        "POST /clients",
        "CreateClientFunction",
        lambda s: _api(s.admin, "POST", "/clients", new_client_body()),
    ),
    Operation("GET /clients", "ReadClientsFunction", lambda s: _api(s.admin, "GET", "/clients")),
    Operation("GET /clients (next page)", "ReadClientsFunction", _next_page_of_clients),
    Operation(
        "GET /clients (q)",
        "ReadClientsFunction",
        lambda s: _api(s.admin, "GET", "/clients", query={"q": s.invited()["last_name"][:4]}),
    ),
    Operation(
        "GET /clients (email)",
        "ReadClientsFunction",
        lambda s: _api(s.admin, "GET", "/clients", query={"email": s.invited()["email"]}),
    ),
    Operation(
        "GET /clients (newest first)",
        "ReadClientsFunction",
        lambda s: _api(s.admin, "GET", "/clients", query={"sort": "created_desc"}),
    ),
    Operation(
        "GET /clients (unassigned)",
        "ReadClientsFunction",
        lambda s: _api(s.admin, "GET", "/clients", query={"unassigned": "true"}),
    ),
    Operation(
        "GET /clients/{client_id}",
        "ReadClientsFunction",
        lambda s: _api(s.admin, "GET", f"/clients/{s.client.client_id}"),
    ),
    Operation(
        "PATCH /clients/{client_id}",
        "UpdateClientFunction",
        lambda s: _api(s.admin, "PATCH", f"/clients/{s.invited()['id']}", {"phone": "+1 555 0199"}),
    ),
    Operation(
        "POST /clients/{client_id}/approve",
        "ApproveClientFunction",
        lambda s: _api(
            s.stack.as_admin(s.manual),
            "POST",
            f"/clients/{s.confirmed(s.manual.org['slug']).client_id}/approve",
        ),
    ),
    Operation(
        "POST /clients/{client_id}/invitation",
        "InviteClientFunction",
        lambda s: _api(s.admin, "POST", f"/clients/{s.invited()['id']}/invitation"),
    ),
    Operation(
        "POST /clients/{client_id}/password-reset",
        "InviteClientFunction",
        lambda s: _api(s.admin, "POST", f"/clients/{s.confirmed().client_id}/password-reset"),
    ),
    Operation(
        "DELETE /clients/{client_id}",
        "DeleteClientFunction",
        lambda s: _api(s.admin, "DELETE", f"/clients/{s.confirmed().client_id}"),
    ),
    Operation(
        "GET /clients/{client_id}/history",
        "ClientHistoryFunction",
        lambda s: _api(s.admin, "GET", f"/clients/{s.client.client_id}/history"),
    ),
    Operation(
        "GET /clients/{client_id}/history (next page)",
        "ClientHistoryFunction",
        _next_page_of_history,
    ),
    Operation("GET /clients/{client_id}/access-log", "ClientHistoryFunction", _access_log),
    Operation(
        "GET /clients/{client_id}/access-log (next page)",
        "ClientHistoryFunction",
        _next_page_of_access_log,
    ),
    Operation(
        "POST /clients/{client_id}/practitioners",
        "AssignPractitionerFunction",
        lambda s: _api(
            s.admin,
            "POST",
            f"/clients/{s.confirmed().client_id}/practitioners",
            {"practitioner_id": s.doc.staff_id},
        ),
    ),
    Operation(
        "POST /staff/{staff_id}/clients",
        "AssignPractitionerFunction",
        lambda s: _api(
            s.admin,
            "POST",
            f"/staff/{s.doc.staff_id}/clients",
            {"client_id": s.confirmed().client_id},
        ),
    ),
    Operation(
        "DELETE /clients/{client_id}/practitioners/{practitioner_id}",
        "AssignPractitionerFunction",
        _unassign,
    ),
    Operation("POST /care-sessions", "CareSessionFunction", _care_session),
    Operation("GET /staff", "ReadStaffFunction", lambda s: _api(s.admin, "GET", "/staff")),
    Operation(
        "GET /staff/{staff_id}",
        "ReadStaffFunction",
        lambda s: _api(s.admin, "GET", f"/staff/{s.doc.staff_id}"),
    ),
    Operation(
        "POST /staff",
        "InviteStaffFunction",
        lambda s: _api(s.admin, "POST", "/staff", _new_staff(s)),
    ),
    Operation("POST /staff/{staff_id}/invitation", "InviteStaffFunction", _resend_staff_invitation),
    Operation(
        "POST /staff/{staff_id}/password-reset",
        "InviteStaffFunction",
        lambda s: _api(s.admin, "POST", f"/staff/{s.doc.staff_id}/password-reset"),
    ),
    Operation(
        "PATCH /staff/{staff_id}",
        "UpdateStaffFunction",
        lambda s: _api(
            s.admin, "PATCH", f"/staff/{s.colleague()}", {"new_client_notifications": False}
        ),
    ),
    Operation(
        "DELETE /staff/{staff_id}",
        "UpdateStaffFunction",
        lambda s: _api(s.admin, "DELETE", f"/staff/{s.colleague()}"),
    ),
    Operation(
        "PATCH /staff/{staff_id} (practitioner deactivated)",
        "UpdateStaffFunction",
        _deactivate_practitioner,
    ),
    Operation(
        "POST /staff/{staff_id}/mfa-reset",
        "UpdateStaffFunction",
        lambda s: _api(s.admin, "POST", f"/staff/{s.colleague()}/mfa-reset"),
    ),
    Operation("GET /org", "OrganizationFunction", lambda s: _api(s.admin, "GET", "/org")),
    Operation(
        "PATCH /org",
        "OrganizationFunction",
        lambda s: _api(s.admin, "PATCH", "/org", {"name": f"Practice {uuid.uuid4().hex[:6]}"}),
    ),
    Operation(
        "GET /departments", "OrganizationFunction", lambda s: _api(s.admin, "GET", "/departments")
    ),
    Operation(
        "POST /departments",
        "OrganizationFunction",
        lambda s: _api(s.admin, "POST", "/departments", {"name": f"Dept {uuid.uuid4().hex[:6]}"}),
    ),
    Operation(
        "PATCH /departments/{department_id}",
        "OrganizationFunction",
        lambda s: _api(
            s.admin,
            "PATCH",
            f"/departments/{s.department}",
            {"name": f"Dept {uuid.uuid4().hex[:6]}", "description": "Mornings"},
        ),
    ),
    Operation(
        "PreAuthenticationFunction", "PreAuthenticationFunction", Scenario.pre_authentication
    ),
    Operation("MailerFunction (one email)", "MailerFunction", Scenario.mailer),
    Operation(
        "AccessLogFunction (one read)",
        "AccessLogFunction",
        lambda s: s.reads_delivered(1),
    ),
    Operation(
        "AccessLogFunction (a page of 50 clients)",
        "AccessLogFunction",
        lambda s: s.reads_delivered(50),
    ),
    Operation(
        "DeliveryFeedbackFunction (bounced invitation)",
        "DeliveryFeedbackFunction",
        _bounced_invitation,
    ),
    Operation("DeliveryFeedbackFunction (delivery)", "DeliveryFeedbackFunction", _delivered_email),
    Operation(
        "CleanupFunction (one expired sign-up)", "CleanupFunction", Scenario.one_expired_signup
    ),
    Operation("CleanupFunction (nothing due)", "CleanupFunction", Scenario.nothing_to_clean),
]


def run_recorded(scenario: Scenario, operation: Operation) -> tuple[Outcome, AwsCalls]:
    """Prepare the operation, then make its request alone with every AWS call recorded."""
    request = operation.prepare(scenario)
    scenario.stack.deliver_emails()  # what the set-up queued is sent now, outside the record
    with recorded_aws_calls() as calls:
        outcome = request()
    return outcome, calls
