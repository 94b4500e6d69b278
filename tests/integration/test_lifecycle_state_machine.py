"""A client's whole lifecycle as a Hypothesis state machine, with R13's login gate checked
for both apps after every step: the model says who may log in where; the real trigger,
through the login path Cognito runs, must agree."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from clientaccounts import clock
from clientaccounts.config import reset_settings
from tests.support.lambda_events import call_api
from tests.support.request_bodies import registration_body, username_for
from tests.support.stack import Stack


@dataclass
class Model:
    """What SPEC.md says the account is."""

    exists: bool = True
    confirmed: bool = False
    status: str = "active"  # "active" | "pending" | "inactive"
    link_age_hours: float = 0.0

    def expected_login(self, app: str) -> str | None:
        """None: let in; else a word the refusal must contain (R13)."""
        if not self.exists or not self.confirmed:
            return ""  # no login at all (R9: it comes with the confirmation): refused
        if self.status == "inactive":
            return "inactive"
        if self.status == "pending" and app == "care_app":
            return "pending approval"
        return None


def test_r13_login_gate_holds_through_any_lifecycle(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Resends are bounded by R28's daily cap; this machine is about the login gate.
    monkeypatch.setenv("PUBLIC_EMAILS_PER_ADDRESS_PER_DAY", "1000")
    reset_settings()
    org = stack.organization(manual_approval=True)
    slug = org.org["slug"]
    admin = stack.as_admin(org)

    class Lifecycle(RuleBasedStateMachine):
        @initialize()
        def register(self) -> None:
            clock.reset()
            self.body = registration_body()
            assert stack.register(slug, **self.body).status == 202
            client = stack.client_by_email(slug, self.body["email"])
            assert client is not None
            self.client_id = client.client_id
            self.model = Model(status="pending")

        @rule()
        @precondition(lambda self: self.model.exists and not self.model.confirmed)
        def confirm(self) -> None:
            answer = stack.confirm_registration(self.body)
            if self.model.link_age_hours >= 24:
                assert answer.status == 410
            else:
                assert answer.status == 200, answer.body
                self.model.confirmed = True

        @rule()
        @precondition(lambda self: self.model.exists and not self.model.confirmed)
        def resend(self) -> None:
            clock.advance(61)  # past the cool-down
            self.model.link_age_hours += 61 / 3600
            answer = call_api(
                "POST",
                "/public/email-confirmations/resend",
                {"org_slug": slug, "email": self.body["email"]},
            )
            assert answer.status == 202
            self.model.link_age_hours = 0.0

        @rule(hours=st.sampled_from([1, 12, 25]))
        def time_passes(self, hours: int) -> None:
            clock.advance(hours * 3600)
            self.model.link_age_hours += hours

        @rule()
        @precondition(lambda self: self.model.exists)
        def approve(self) -> None:
            answer = admin.call("POST", f"/clients/{self.client_id}/approve")
            if self.model.status == "pending":
                assert answer.status == 200
                self.model.status = "active"
            else:
                assert answer.status == 409

        @rule(active=st.booleans())
        @precondition(lambda self: self.model.exists)
        def set_active(self, active: bool) -> None:
            answer = admin.call("PATCH", f"/clients/{self.client_id}", {"active": active})
            if active and self.model.status == "pending":
                assert answer.status == 409  # approved, not activated
            else:
                assert answer.status == 200, answer.body
                self.model.status = "active" if active else "inactive"

        @rule()
        @precondition(lambda self: self.model.exists)
        def delete(self) -> None:
            assert admin.call("DELETE", f"/clients/{self.client_id}").status == 204
            self.model.exists = False

        @invariant()
        def login_gate_agrees_with_the_model(self) -> None:
            for app in ("portal", "care_app"):
                expected = self.model.expected_login(app)
                try:
                    stack.login(username_for(self.body), app=app)
                except ClientError as refused:
                    assert expected is not None, f"{app}: refused but should enter: {refused}"
                    assert expected in str(refused), (app, expected, str(refused))
                else:
                    assert expected is None, f"{app}: entered but should be refused ({expected})"

    Lifecycle.TestCase.settings = settings(
        max_examples=12,
        stateful_step_count=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    try:
        Lifecycle.TestCase().runTest()
    finally:
        clock.reset()


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
