"""R19 at scale: the scheduled cleanup (CleanupFunction) with 50 expired sign-ups among 2,000
clients, then among 20,000 (the same stack, grown), in the same run. Its cost must follow the
expired accounts, not the table: index items read / expired = 1.0 at both sizes.

The bulk of the table is written in batches (confirmed self-registrations and staff-created
clients that never accepted their invitation, which the cleanup must never remove); the 50
expired ones go through the real registration handler (logins, email guards, links, and for
some an association with a practitioner), as do a few staff-created clients (POST /clients)
and a few sign-ups registered after the clock moved, not yet due. Each round checks afterwards
that exactly the 50 are gone, logins included, and everything else remains.

Two things moto does in time proportional to the table, where DynamoDB does not:
- it answers a Query on an index by going through every item of the table (DynamoDB reads, and
  bills, only the items returned): the table shows that time apart from the rest;
- it deep-copies every table a TransactWriteItems touches, to roll back on failure (seconds per
  transaction at 20,000 clients). This section uses the local stack's rollback instead
  (infra/moto_transactions.py: it copies the items a transaction touches).

    python -m bench --only cleanup_scale [--runs N]   (rounds per size: N // 7, at least 1)
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench import Options, SectionResult
from bench.in_process import lambda_output_discarded, moto_stack

if TYPE_CHECKING:
    from clientaccounts.persistence.models import Client
    from tests.support.stack import Caller, Stack

SIZES = (2_000, 20_000)  # clients in the table before the expired ones are added
EXPIRED = 50
WITH_PRACTITIONER = 10  # of the expired: chose a practitioner (no association until confirmed)
IN_OTHER_ORG = 5  # of the expired: in a second organization (the index spans tenants)
STAFF_CREATED_SHARE = 10  # one bulk client in 10 is staff-created, never accepted
INVITED = 3  # staff-created through POST /clients, per size
NOT_YET_DUE = 3  # unconfirmed sign-ups registered after the clock moved, per round
RETENTION_SECONDS = 7 * 24 * 3600  # the template's UnconfirmedRetentionDays
INDEX = "ClientsTable/UnconfirmedByDeadline"
SPARSE_INDEXES = ("UnconfirmedByDeadline", "AwaitingApproval")


@dataclass
class CleanupRun:
    clients_in_table: int
    expired: int
    removed: int
    index_items_read: int
    items_read: dict[str, int]
    dynamodb_calls: dict[str, int]
    other_aws_calls: dict[str, int]
    seconds: float
    seconds_in_aws: float
    seconds_in_index_queries: float  # moto goes through the whole table for these

    @property
    def items_read_per_expired(self) -> float:
        return self.index_items_read / self.expired if self.expired else 0.0


@dataclass
class World:
    """What the rounds need: two organizations, a practitioner, and the accounts that must
    survive every cleanup."""

    stack: Stack
    admin: Caller
    slug: str
    other_slug: str
    practitioner_id: str
    survivors: list[tuple[str, str]] = field(default_factory=list)  # (org, client id)


def _register(world: World, slug: str, **overrides: Any) -> tuple[dict[str, Any], Client]:
    from tests.support.request_bodies import registration_body

    body = registration_body(**overrides)
    answer = world.stack.register(slug, **body)
    if answer.status != 202:
        raise RuntimeError(f"registration failed: {answer.status} {answer.body}")
    client = world.stack.client_by_email(slug, body["email"])
    if client is None:
        raise RuntimeError("registered client not found")
    return body, client


def _grow(world: World, clients: int) -> None:
    """Bulk clients in batches, then staff-created ones through the API."""
    from tests.support.request_bodies import new_client_body

    staff_created = clients // STAFF_CREATED_SHARE
    world.stack.bulk_clients(world.slug, clients - staff_created - INVITED, origin="self")
    world.stack.bulk_clients(world.slug, staff_created, origin="staff")
    for _ in range(INVITED):
        answer = world.admin.call("POST", "/clients", new_client_body())
        if answer.status != 201:
            raise RuntimeError(f"POST /clients failed: {answer.status}")
        world.survivors.append((world.slug, answer.body["id"]))
    world.stack.deliver_emails()


def one_round(world: World) -> CleanupRun:
    """50 sign-ups expire; the cleanup runs, recorded; then exactly they are gone."""
    from clientaccounts import clock
    from clientaccounts.persistence import store
    from clientaccounts.persistence.models import Staff
    from tests.support.aws_calls import recorded_aws_calls
    from tests.support.every_operation import scheduled_cleanup

    stack = world.stack
    expired = [
        _register(
            world,
            world.other_slug if n < IN_OTHER_ORG else world.slug,
            practitioner_id=world.practitioner_id if n >= EXPIRED - WITH_PRACTITIONER else None,
        )
        for n in range(EXPIRED)
    ]
    clock.advance(RETENTION_SECONDS + 60)
    fresh = [_register(world, world.slug) for _ in range(NOT_YET_DUE)]
    stack.deliver_emails()
    before = stack.count_items("ClientsTable")
    practitioner_clients = Staff.get(world.slug, world.practitioner_id).client_count

    cleanup = scheduled_cleanup()
    with recorded_aws_calls() as calls:
        start = time.perf_counter()
        outcome = cleanup()
        seconds = time.perf_counter() - start
    report = outcome.detail
    if outcome.status != 200 or report["expired_signups_removed"] != EXPIRED:
        raise RuntimeError(f"cleanup did not remove the {EXPIRED}: {report}")

    # Exactly the 50 are gone; everything else remains.
    if stack.count_items("ClientsTable") != before - EXPIRED:
        raise RuntimeError("the cleanup removed more or fewer clients than the expired ones")
    for _, client in expired:
        if store.get_client(client.org_id, client.client_id) is not None:
            raise RuntimeError(f"expired client {client.client_id} remains")
    for _, client in fresh:
        world.survivors.append((client.org_id, client.client_id))
    for org_id, client_id in world.survivors:
        if store.get_client(org_id, client_id) is None:
            raise RuntimeError(f"client {client_id} was removed but must remain")
    if Staff.get(world.slug, world.practitioner_id).client_count != practitioner_clients:
        raise RuntimeError("the practitioner's client count changed")
    # Confirmed now, so that they are not due in the next round (nor removed by it).
    for body, _ in fresh:
        if stack.confirm_registration(body).status != 200:
            raise RuntimeError("confirmation failed")
    stack.deliver_emails()

    dynamodb = calls.operations()
    return CleanupRun(
        clients_in_table=before,
        expired=EXPIRED,
        removed=report["expired_signups_removed"],
        index_items_read=calls.items_read()[INDEX],
        items_read=dict(calls.items_read()),
        dynamodb_calls=dict(dynamodb),
        other_aws_calls={
            f"{c.service}:{c.operation}": sum(
                1 for d in calls.calls if (d.service, d.operation) == (c.service, c.operation)
            )
            for c in calls.calls
            if c.service != "dynamodb"
        },
        seconds=seconds,
        seconds_in_aws=calls.seconds(),
        seconds_in_index_queries=sum(
            c.seconds
            for c in calls.calls
            if c.operation == "Query" and c.params.get("IndexName") in SPARSE_INDEXES
        ),
    )


def run(rounds: int) -> dict[int, list[CleanupRun]]:
    from clientaccounts.config import reset_settings
    from infra import moto_transactions

    runs: dict[int, list[CleanupRun]] = {}
    with moto_stack() as (stack, monkeypatch), lambda_output_discarded() as terminal:
        moto_transactions.install()
        # The pause between Cognito deletions paces a quota; timed, it would only be sleep.
        monkeypatch.setenv("COGNITO_DELETE_PAUSE_SECONDS", "0")
        reset_settings()
        org, other = stack.organization(), stack.organization()
        doc = stack.staff(org, roles=["practitioner"])
        world = World(stack, stack.as_admin(org), org.org["slug"], other.org["slug"], doc.staff_id)
        seeded = 0
        for size in SIZES:
            started = time.perf_counter()
            _grow(world, size - seeded)
            seeded = size
            print(
                f"{size:,} clients seeded in {time.perf_counter() - started:.1f} s",
                file=terminal,
                flush=True,
            )
            runs[size] = []
            for round_number in range(1, rounds + 1):
                runs[size].append(one_round(world))
                print(f"{size:,}: round {round_number}/{rounds}", file=terminal, flush=True)
    return runs


def summarize(runs: dict[int, list[CleanupRun]]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for size, done in runs.items():
        rows.append(
            {
                "clients_seeded": size,
                "clients_in_table": statistics.median_low(r.clients_in_table for r in done),
                "expired": statistics.median_low(r.expired for r in done),
                "removed": statistics.median_low(r.removed for r in done),
                "index_items_read": statistics.median_low(r.index_items_read for r in done),
                "items_read_per_expired": statistics.median(r.items_read_per_expired for r in done),
                "dynamodb_calls": done[-1].dynamodb_calls,
                "other_aws_calls": done[-1].other_aws_calls,
                "items_read": done[-1].items_read,
                "seconds": round(statistics.median(r.seconds for r in done), 3),
                "seconds_in_index_queries": round(
                    statistics.median(r.seconds_in_index_queries for r in done), 3
                ),
                "seconds_without_index_queries": round(
                    statistics.median(r.seconds - r.seconds_in_index_queries for r in done), 3
                ),
                "rounds": [vars(r) for r in done],
            }
        )
    small, large = rows[0], rows[-1]
    # The slower of the sizes' paces, outside what moto alone spends walking the table.
    pace = max(r["seconds_without_index_queries"] / r["expired"] for r in rows)
    return {
        "sizes": rows,
        "capacity": cleanup_capacity(pace),
        "large_over_small": {
            "index_items_read": _ratio(large["index_items_read"], small["index_items_read"]),
            "seconds": _ratio(large["seconds"], small["seconds"]),
            "seconds_without_index_queries": _ratio(
                large["seconds_without_index_queries"], small["seconds_without_index_queries"]
            ),
        },
    }


REGISTRATION_ROUTE = "/~1public~1orgs~1{slug}~1registrations"
SECONDS_PER_DAY = 24 * 3600


def runs_per_day(expression: str) -> float:
    """How often a schedule expression fires in a day: `rate(N unit)`, or a `cron(...)` whose
    minute and hour fields are numbers, lists, `*` or `*/n` (day fields: every day)."""
    kind, _, body = expression.partition("(")
    body = body.rstrip(")")
    if kind == "rate":
        amount, unit = body.split()
        per_unit = {"minute": 24 * 60, "hour": 24, "day": 1}[unit.rstrip("s")]
        return per_unit / int(amount)
    minute, hour = body.split()[:2]
    return float(_field_count(minute, 60) * _field_count(hour, 24))


def _field_count(field: str, size: int) -> int:
    if field == "*":
        return size
    if field.startswith("*/"):
        return len(range(0, size, int(field[2:])))
    return len(field.split(","))


def cleanup_capacity(seconds_per_signup: float) -> dict[str, Any]:
    """R28: sign-ups the scheduled cleanup can remove in a day at the measured pace, against
    the most the registration route's throttle lets in per day (both from template.yaml)."""
    from clientaccounts.lifecycle import TIME_MARGIN_MS
    from infra.template import load_template

    resources = load_template()["Resources"]
    cleanup = resources["CleanupFunction"]["Properties"]
    (event,) = cleanup["Events"].values()
    budget = float(cleanup["Timeout"]) - TIME_MARGIN_MS / 1000
    per_day = runs_per_day(event["Properties"]["Schedule"])
    settings = resources["Api"]["Properties"]["MethodSettings"]
    (throttle,) = [m for m in settings if m["ResourcePath"] == REGISTRATION_ROUTE]
    created_per_day = float(throttle["ThrottlingRateLimit"]) * SECONDS_PER_DAY
    removed_per_day = per_day * budget / seconds_per_signup if seconds_per_signup else 0.0
    return {
        "seconds_per_signup": round(seconds_per_signup, 5),
        "schedule": event["Properties"]["Schedule"],
        "runs_per_day": per_day,
        "seconds_per_run": budget,
        "removable_per_day": round(removed_per_day),
        "registrations_throttle_per_second": float(throttle["ThrottlingRateLimit"]),
        "registrations_possible_per_day": round(created_per_day),
        "removable_over_possible": round(removed_per_day / created_per_day, 3),
    }


def _ratio(large: float, small: float) -> float | None:
    return round(large / small, 3) if small else None


def format_table(summary: dict[str, Any]) -> str:
    header = (
        f"{'clients':>8}{'expired':>9}{'removed':>9}{'index read':>12}{'read/exp':>10}"
        f"{'seconds':>9}{'in index Q':>12}{'rest':>8}  DynamoDB calls"
    )
    lines = [header, "-" * (len(header) + 50)]
    for row in summary["sizes"]:
        calls = ", ".join(f"{op} {n}" for op, n in sorted(row["dynamodb_calls"].items()))
        lines.append(
            f"{row['clients_in_table']:>8,}{row['expired']:>9}{row['removed']:>9}"
            f"{row['index_items_read']:>12}{row['items_read_per_expired']:>10.2f}"
            f"{row['seconds']:>9.2f}{row['seconds_in_index_queries']:>12.2f}"
            f"{row['seconds_without_index_queries']:>8.2f}  {calls}"
        )
    ratios = summary["large_over_small"]
    lines.append(
        f"{SIZES[-1]:,} over {SIZES[0]:,}: index items read {ratios['index_items_read']}x, "
        f"seconds {ratios['seconds']}x, seconds outside the index queries "
        f"{ratios['seconds_without_index_queries']}x (target for items read/expired: 1.0)"
    )
    lines.append(
        "in index Q: time in the sparse-index Queries, which moto answers by going through "
        "the whole table"
    )
    c = summary["capacity"]
    lines.append(
        f"R28 capacity: {c['seconds_per_signup'] * 1000:.1f} ms a sign-up x {c['runs_per_day']:g} "
        f"runs a day ({c['schedule']}) x {c['seconds_per_run']:g} s = "
        f"{c['removable_per_day']:,} removable a day; the registration throttle "
        f"({c['registrations_throttle_per_second']:g}/s) lets in at most "
        f"{c['registrations_possible_per_day']:,}: ratio {c['removable_over_possible']} "
        "(target >= 1)"
    )
    return "\n".join(lines)


def section(options: Options) -> SectionResult:
    """The cleanup-at-scale section of `python -m bench` (bench/__main__.py)."""
    rounds = max(1, options.runs // 7)  # each round is 50 registrations and a full run
    summary = summarize(run(rounds))
    return SectionResult(
        table=format_table(summary),
        results={"rounds_per_size": rounds, "cognito_delete_pause_seconds": 0, **summary},
    )
