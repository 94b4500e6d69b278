"""R21 by the clock: does a registration take as long for an address that is already a client
as for a new one? Against the local stack over HTTP, 50 tries each, interleaved in a shuffled
order: new addresses (an account is made, a confirmation link emailed) and addresses of
confirmed clients (the "someone tried to register" email). Both answer 202 with the same body
(checked on every try). The figure: the difference of the two medians over the median of all
tries; target under 10 %.

Set-up, untimed: the known clients register and confirm, then the local clock moves past the
per-address cool-down (R28), so that every timed try sends its one email. (The local stack
delivers emails within the request, where AWS does it after, from the outbox stream; both
paths here send one.)

    python -m bench --only registration_timing [--seed S]
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
import uuid
from dataclasses import dataclass
from typing import Any

from bench import SectionResult
from infra.local_stack_process import (
    HttpAnswer,
    http,
    local_organization_body,
    start_stack,
    stop,
    wait_until_ready,
)
from tests.support.request_bodies import (
    PASSWORD,
    confirmation_body,
    registration_body,
    username_for,
)

TRIES = 50
TARGET = 0.10  # of the median
UNKNOWN, KNOWN = "unknown address", "known address"
_TOKEN = re.compile(r"[?&]token=([A-Za-z0-9_\-]+)")


@dataclass
class Try:
    kind: str
    seconds: float
    status: int
    body: str


class _Stack:
    def __init__(self, api: str) -> None:
        self.api = api

    def call(self, method: str, path: str, body: Any = None) -> HttpAnswer:
        return http(method, self.api + path, body)

    def newest_token(self, address: str) -> str:
        items = self.call("GET", "/_local/mailbox").body["items"]
        for message in reversed(items):
            found = _TOKEN.search(message["text"]) if address in message["to"] else None
            if found:
                return found.group(1)
        raise RuntimeError("no link was emailed to a known client")


def _organization(stack: _Stack) -> str:
    slug = f"timing-{uuid.uuid4().hex[:6]}"
    answer = stack.call(
        "POST",
        "/_local/orgs",
        local_organization_body(slug, PASSWORD, name="Timing Practice", departments=["General"]),
    )
    if answer.status != 201:
        raise RuntimeError(f"POST /_local/orgs answered {answer.status}")
    return slug


def _known_clients(stack: _Stack, slug: str) -> list[dict[str, Any]]:
    bodies = []
    for _ in range(TRIES):
        body = registration_body()
        if stack.call("POST", f"/public/orgs/{slug}/registrations", body).status != 202:
            raise RuntimeError("a set-up registration failed")
        token = stack.newest_token(body["email"])
        chosen = confirmation_body(token, username_for(body))
        if stack.call("POST", "/public/email-confirmations", chosen).status != 200:
            raise RuntimeError("a set-up confirmation failed")
        bodies.append(body)
    return bodies


def measure(seed: int) -> list[Try]:
    process, output, api, _ = start_stack()
    try:
        wait_until_ready(process, output, api)
        stack = _Stack(api)
        slug = _organization(stack)
        known = _known_clients(stack, slug)
        if stack.call("POST", "/_local/clock", {"advance_seconds": 61}).status != 200:
            raise RuntimeError("the local clock did not move")
        plan = [(UNKNOWN, registration_body()) for _ in range(TRIES)]
        plan += [(KNOWN, registration_body(email=b["email"])) for b in known]
        random.Random(seed).shuffle(plan)  # noqa: S311 - an order, not a secret
        tries = []
        for kind, body in plan:
            started = time.perf_counter()
            answer = stack.call("POST", f"/public/orgs/{slug}/registrations", body)
            seconds = time.perf_counter() - started
            tries.append(Try(kind, seconds, answer.status, json.dumps(answer.body)))
        return tries
    finally:
        stop(process)
        output.unlink(missing_ok=True)


def summarize(tries: list[Try]) -> dict[str, Any]:
    medians = {
        kind: statistics.median(t.seconds for t in tries if t.kind == kind)
        for kind in (UNKNOWN, KNOWN)
    }
    overall = statistics.median(t.seconds for t in tries)
    difference = abs(medians[KNOWN] - medians[UNKNOWN])
    answers = sorted({(t.status, t.body) for t in tries})
    return {
        "tries_each": TRIES,
        "median_ms": {kind: round(m * 1000, 2) for kind, m in medians.items()},
        "median_all_ms": round(overall * 1000, 2),
        "difference_over_median": round(difference / overall, 4) if overall else None,
        "target": TARGET,
        "met": bool(overall) and difference / overall < TARGET and len(answers) == 1,
        "distinct_answers": [{"status": s, "body": b} for s, b in answers],
    }


def format_table(summary: dict[str, Any]) -> str:
    medians = summary["median_ms"]
    answers = summary["distinct_answers"]
    lines = [
        f"{'registration of':<18}{'tries':>7}{'median ms':>11}",
        "-" * 36,
        f"{UNKNOWN:<18}{summary['tries_each']:>7}{medians[UNKNOWN]:>11.1f}",
        f"{KNOWN:<18}{summary['tries_each']:>7}{medians[KNOWN]:>11.1f}",
        f"difference of the medians / median of all tries: "
        f"{summary['difference_over_median']:.1%} (target under {summary['target']:.0%})",
        f"answers: {len(answers)} distinct ("
        + "; ".join(f"{a['status']} {a['body']}" for a in answers)
        + ")",
        "met" if summary["met"] else "NOT MET",
    ]
    return "\n".join(lines)


def section(seed: int) -> SectionResult:
    """The registration_timing section of `python -m bench` (bench/__main__.py)."""
    summary = summarize(measure(seed))
    return SectionResult(table=format_table(summary), results=summary)
