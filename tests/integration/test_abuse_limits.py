"""R28: the public routes cannot be used to flood an inbox. A per-organization cool-down and a
daily cap per address (across every organization) bound the emails any public route sends
one address; past them the route answers exactly as before (R21) and sends nothing."""

from __future__ import annotations

from clientaccounts import clock
from tests.support.lambda_events import ApiResponse, call_api
from tests.support.request_bodies import registration_body
from tests.support.stack import Stack

DAY = 24 * 3600
DAILY_CAP = 5  # the default of PUBLIC_EMAILS_PER_ADDRESS_PER_DAY


def _resend(slug: str, email: str) -> ApiResponse:
    return call_api(
        "POST", "/public/email-confirmations/resend", {"org_slug": slug, "email": email}
    )


def test_r28_repeating_a_form_within_the_cooldown_sends_one_email(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    answers = [stack.register(org.org["slug"], **body) for _ in range(3)]
    answers += [_resend(org.org["slug"], body["email"]) for _ in range(3)]
    assert {a.status for a in answers[:3]} == {202}
    assert len(stack.mailbox(body["email"])) == 1


def test_r28_an_address_gets_at_most_the_daily_cap_across_organizations(stack: Stack) -> None:
    orgs = [stack.organization() for _ in range(DAILY_CAP + 2)]
    email = "flooded@mail.example"
    answers = [stack.register(o.org["slug"], **registration_body(email=email)) for o in orgs]
    assert len({(a.status, str(a.body)) for a in answers}) == 1  # every answer the same
    assert len(stack.mailbox(email)) == DAILY_CAP
    # Over the cap the registration is not made either: no account waits for a link that
    # never came; the person can register tomorrow.
    assert stack.count_items("ClientsTable") == DAILY_CAP


def test_r28_the_cap_counts_every_public_route_and_resets_the_next_day(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body()
    stack.register(org.org["slug"], **body)
    for _ in range(DAILY_CAP + 2):
        clock.advance(61)  # past the cool-down, within the day
        assert _resend(org.org["slug"], body["email"]).status == 202
        stack.register(org.org["slug"], **body)
    assert len(stack.mailbox(body["email"])) == DAILY_CAP
    clock.advance(DAY)
    _resend(org.org["slug"], body["email"])
    assert len(stack.mailbox(body["email"])) == DAILY_CAP + 1
    assert stack.confirm_registration(body).status == 200  # the newest link works


def test_r28_look_alike_spellings_share_one_allowance(stack: Stack) -> None:
    org = stack.organization()
    body = registration_body(email="Robin.Case@Mail.Example")
    stack.register(org.org["slug"], **body)
    stack.register(org.org["slug"], **registration_body(email="robin.case@mail.example"))
    assert len(stack.mailbox("Robin.Case@Mail.Example")) == 1
