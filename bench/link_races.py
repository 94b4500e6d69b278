"""The trust issue's concurrency figures, in process under moto (DynamoDB isolated per request
and per transaction, as the service is; tests/support/stack.py):
- 20 parallel accepts of one invitation (one username, a double click), 20 times;
- 20 parallel confirmations of one registration, 20 times;
- two org admins removing each other's org_admin role at once, 20 times.
Counted after each round: successes (exactly one is right), lockouts (the account has no
working login, or the link is used and the account has none), organizations left without an
active org_admin who can sign in. Targets: 0 lockouts, 0 organizations without an admin.

    python -m bench --only link_races
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from bench import SectionResult
from bench.in_process import lambda_output_discarded, moto_stack

RACERS = 20
ROUNDS = 20


@dataclass
class Scenario:
    name: str
    rounds: int = 0
    one_success: int = 0
    lockouts: int = 0
    without_admin: int = 0
    seconds: float = 0.0


def _invitation_round(stack: Any, org: Any) -> tuple[int, bool]:
    from clientaccounts.invitations import accept_invitation
    from tests.support.concurrency import run_concurrently
    from tests.support.request_bodies import PASSWORD, new_client_body

    created = stack.as_admin(org).call("POST", "/clients", new_client_body()).body
    token = stack.link_token(created["email"])
    username = f"dbl{created['id'][:10]}"
    results = run_concurrently(
        [lambda: accept_invitation(token, username, PASSWORD) for _ in range(RACERS)]
    )
    return results.count("active"), _logs_in(stack, username)


def _confirmation_round(stack: Any, org: Any) -> tuple[int, bool]:
    from clientaccounts.registration import confirm_email
    from tests.support.concurrency import run_concurrently
    from tests.support.request_bodies import PASSWORD, registration_body, username_for

    body = registration_body()
    stack.register(org.org["slug"], **body)
    token = stack.link_token(body["email"])
    username = username_for(body)
    results = run_concurrently(
        [lambda: confirm_email(token, username, PASSWORD) for _ in range(RACERS)]
    )
    return results.count("active"), _logs_in(stack, username)


def _logs_in(stack: Any, username: str) -> bool:
    try:
        return bool(stack.login(username)["IdToken"])
    except Exception:
        return False


def _demotion_round(stack: Any) -> tuple[int, bool]:
    """Returns (successes, an accepted active org_admin remains)."""
    from clientaccounts.auth import Caller
    from clientaccounts.persistence import store
    from clientaccounts.schemas import UpdateStaffRequest
    from clientaccounts.staff import update_staff_member
    from tests.support.concurrency import run_concurrently

    org = stack.organization()
    slug = org.org["slug"]
    other = stack.staff(org, roles=["org_admin"])
    admins = [
        Caller("staff", slug, staff_id, roles=frozenset({"org_admin"}))
        for staff_id in (org.admin_id, other.staff_id)
    ]
    targets = [other.staff_id, org.admin_id]
    results = run_concurrently(
        [
            partial(
                update_staff_member, a, t, UpdateStaffRequest.parse({"roles": ["care_coordinator"]})
            )
            for a, t in zip(admins, targets, strict=True)
        ]
    )
    successes = sum(1 for r in results if isinstance(r, dict))
    remaining = [
        s
        for s in store.list_staff(slug)
        if s.active and "org_admin" in s.roles and s.username is not None
    ]
    return successes, bool(remaining)


def run() -> list[Scenario]:
    import pytest

    from tests.support.stack import serialize_moto_dynamodb

    scenarios = [
        Scenario("20 accepts of one invitation"),
        Scenario("20 confirmations of one link"),
        Scenario("2 admins demoting each other"),
    ]
    with pytest.MonkeyPatch.context() as serialized:
        serialize_moto_dynamodb(serialized)
        with moto_stack() as (stack, _), lambda_output_discarded() as terminal:
            org = stack.organization()
            rounds: list[Callable[[], tuple[int, bool]]] = [
                lambda: _invitation_round(stack, org),
                lambda: _confirmation_round(stack, org),
                lambda: _demotion_round(stack),
            ]
            for scenario, one_round in zip(scenarios, rounds, strict=True):
                started = time.perf_counter()
                for _ in range(ROUNDS):
                    successes, fine = one_round()
                    scenario.rounds += 1
                    scenario.one_success += successes == 1
                    if scenario.name.startswith("2 admins"):
                        scenario.without_admin += not fine
                    else:
                        scenario.lockouts += not fine
                scenario.seconds = time.perf_counter() - started
                print(f"{scenario.name}: done", file=terminal, flush=True)
    return scenarios


def format_table(scenarios: list[Scenario]) -> str:
    header = f"{'race':<32}{'rounds':>7}{'one win':>9}{'lockouts':>10}{'no admin':>10}{'s':>7}"
    lines = [header, "-" * len(header)]
    for s in scenarios:
        lines.append(
            f"{s.name:<32}{s.rounds:>7}{s.one_success:>9}{s.lockouts:>10}"
            f"{s.without_admin:>10}{s.seconds:>7.1f}"
        )
    met = all(
        s.one_success == s.rounds and not s.lockouts and not s.without_admin for s in scenarios
    )
    lines.append(
        "targets (one win each round, 0 lockouts, 0 without admin): "
        + ("met" if met else "NOT MET")
    )
    return "\n".join(lines)


def section() -> SectionResult:
    """The link_races section of `python -m bench` (bench/__main__.py)."""
    scenarios = run()
    return SectionResult(
        table=format_table(scenarios), results={"scenarios": [vars(s) for s in scenarios]}
    )
