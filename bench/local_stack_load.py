"""The local stack under load: concurrent clients registering and confirming their email.

One local stack (`python -m infra.local_stack`, started as the e2e tests start it, on free
ports of 127.0.0.1) with three organizations, one per path of R6-R10:

- `chosen`: an individual practice; the client chooses its practitioner (the admin), who is
  told ("A new client chose you"); the client is active and gets "get started".
- `not_sure`: an organization without manual approval; "not sure"; every org_admin is asked
  to assign a practitioner; the client is active and gets "get started".
- `pending`: an organization with manual approval; "not sure"; every org_admin is asked to
  approve; the client is pending and gets "awaiting approval".

The work is split into rounds. Each round runs three blocks with the same worker threads, the
baseline at a shuffled place among them: `baseline` (GET /public/orgs/{slug}, a cheap read of
the same server), `registration` (POST /public/orgs/{slug}/registrations) and, after one read
of the mailbox for the new links, `confirmation` (POST /public/email-confirmations). Every
block sends the same number of requests; each request is timed alone (perf_counter), each
block by its wall time. The machine is shared and noisy, so the figures are ratios to the
baseline of the same run; nothing here passes or fails on time. A first round of one client
per organization warms the stack up (it loads each handler on first use); it is checked like
the others but not timed.

The local API serves one request at a time (werkzeug, threaded=False) and delivers the emails
of a request before answering it: under N clients a request's latency is mostly the wait for
the N-1 before it, and requests/second is what the server gets through of that kind.

Afterwards, untimed: every client is listed exactly once by its organization's admin with the
expected status, every client logs in to the portal through the local Cognito endpoint, and
the mailbox holds exactly the expected emails (one confirmation link and one "get started" or
"awaiting approval" per client, one staff notice per confirmed client naming its record, and
nothing else). A mismatch is reported in the table and in bench/results.json, never raised.

    python -m bench --only local_stack_load [--load-workers N] [--load-clients N] [--seed S]
"""

from __future__ import annotations

import functools
import math
import random
import re
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bench import SectionResult
from infra.local_stack_process import (
    HttpAnswer,
    http,
    local_organization_body,
    password_login,
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

ROUNDS = 4
DEADLINE_SECONDS = 600.0  # the whole load; jobs not started by then are reported, not run
REQUEST_TIMEOUT = 60.0  # seconds; a queue of 8 slow requests stays well under it
PAGE = 100  # GET /clients's largest page

BASELINE, REGISTRATION, CONFIRMATION = "baseline", "registration", "confirmation"
KINDS = (BASELINE, REGISTRATION, CONFIRMATION)
EXPECTED_STATUS = {BASELINE: 200, REGISTRATION: 202, CONFIRMATION: 200}

_TOKEN = re.compile(r"/confirm-email\?token=([A-Za-z0-9_\-]+)")
_RECORD = re.compile(r"/clients/([A-Za-z0-9_\-]+)")


@dataclass(frozen=True)
class OrgPath:
    """One way through R6-R10, served by its own organization."""

    name: str
    kind: str  # organization kind
    manual_approval: bool
    chooses_practitioner: bool
    status_after_confirming: str
    client_email_subject: str  # words of the second email the client gets
    staff_notice_subject: str  # words of the email each confirmation sends the admin


# The subjects' words come from clientaccounts/emails.py.
PATHS = (
    OrgPath("chosen", "individual", False, True, "active", "Get started", "chose you"),
    OrgPath("not_sure", "organization", False, False, "active", "Get started", "practitioner"),
    OrgPath("pending", "organization", True, False, "pending", "awaiting approval", "approval"),
)


@dataclass
class Org:
    path: OrgPath
    slug: str
    admin_username: str
    admin_email: str
    admin_id: str = ""


@dataclass
class Registrant:
    number: int  # what the report names instead of personal data
    org: Org
    body: dict[str, Any]
    register_status: int | None = None
    token: str | None = None
    confirm_status: int | None = None
    confirmed_as: str | None = None

    @property
    def email(self) -> str:
        return str(self.body["email"])


@dataclass
class Timed:
    """One block: each request's seconds and status, and the block's wall time."""

    kind: str
    seconds: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    wall_seconds: float = 0.0
    not_run: int = 0


@dataclass(frozen=True)
class Summary:
    requests: int
    errors: int  # any status but the expected one, no answer (0), an unreadable answer (-1)
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), interpolating between the two nearest ranks (as numpy's
    default); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(blocks: Sequence[Timed]) -> Summary:
    """All blocks of one kind: percentiles over every request, requests per second over the
    blocks' summed wall time."""
    seconds = [s for block in blocks for s in block.seconds]
    statuses = [s for block in blocks for s in block.statuses]
    expected = EXPECTED_STATUS[blocks[0].kind] if blocks else 0
    wall = sum(block.wall_seconds for block in blocks)
    return Summary(
        requests=len(seconds),
        errors=sum(1 for s in statuses if s != expected) + sum(b.not_run for b in blocks),
        per_second=len(seconds) / wall if wall > 0 else math.nan,
        p50_ms=percentile(seconds, 50) * 1000,
        p99_ms=percentile(seconds, 99) * 1000,
        max_ms=max(seconds, default=math.nan) * 1000,
    )


def _over(value: float, base: float) -> float:
    return value / base if base and math.isfinite(base) else math.nan


def ratios(measured: Summary, baseline: Summary) -> dict[str, float]:
    """Latency as a multiple of the baseline's; throughput as a fraction of it."""
    return {
        "per_second": _over(measured.per_second, baseline.per_second),
        "p50": _over(measured.p50_ms, baseline.p50_ms),
        "p99": _over(measured.p99_ms, baseline.p99_ms),
    }


def _rounded(value: float, digits: int) -> float | None:
    """JSON has no nan: a figure that could not be measured is null."""
    return round(value, digits) if math.isfinite(value) else None


def round_sizes(total: int, rounds: int) -> list[int]:
    """`total` split into at most `rounds` near-equal positive parts."""
    rounds = max(1, min(rounds, total))
    return [total // rounds + (1 if i < total % rounds else 0) for i in range(rounds)]


def run_block(kind: str, jobs: Sequence[Callable[[], int]], workers: int, deadline: float) -> Timed:
    """`workers` threads take the jobs in order until none is left (or the deadline passes);
    each job returns the HTTP status it got (0: no answer, -1: an answer it could not read)."""
    timed = Timed(kind)
    lock = threading.Lock()
    next_job = iter(range(len(jobs)))
    ready = threading.Barrier(workers + 1)  # all threads start together, then the clock

    def work() -> None:
        ready.wait()
        while True:
            with lock:
                index = next(next_job, None)
            if index is None or time.monotonic() > deadline:
                if index is not None:
                    with lock:
                        timed.not_run += 1 + sum(1 for _ in next_job)
                return
            started = time.perf_counter()
            try:
                status = jobs[index]()
            except OSError:  # refused, reset, timed out: the server did not answer
                status = 0
            except Exception:  # e.g. a 200 without the JSON it promises: counted, not lost
                status = -1
            elapsed = time.perf_counter() - started
            with lock:
                timed.seconds.append(elapsed)
                timed.statuses.append(status)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    timed.wall_seconds = time.perf_counter() - started
    return timed


def confirmation_tokens(mailbox: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Recipient -> the tokens of the confirmation links emailed to it, oldest first."""
    tokens: dict[str, list[str]] = {}
    for message in mailbox:
        found = _TOKEN.search(message["text"])
        if found:
            for address in message["to"]:
                tokens.setdefault(address, []).append(found.group(1))
    return tokens


class LoadRun:
    """One run of the section against one local stack."""

    def __init__(self, api: str, config: dict[str, str], workers: int, seed: int):
        self.api = api
        self.config = config
        self.workers = workers
        self.rng = random.Random(seed)  # noqa: S311 - a shuffle order, not a secret
        self.orgs: list[Org] = []
        self.registrants: list[Registrant] = []
        self.blocks: list[Timed] = []
        self.warm_up_blocks: list[Timed] = []
        self.problems: list[str] = []
        self.mailbox_reads = 0
        self.client_ids: dict[int, str] = {}  # registrant number -> listed client id

    def call(self, method: str, path: str, body: Any = None, token: str = "") -> HttpAnswer:
        headers = {"Authorization": token} if token else None
        return http(method, self.api + path, body, headers=headers, timeout=REQUEST_TIMEOUT)

    def mailbox(self) -> list[dict[str, Any]]:
        # Everything sent so far: read once per need, never per request (it grows).
        self.mailbox_reads += 1
        answer = self.call("GET", "/_local/mailbox")
        if answer.status != 200:
            raise RuntimeError(f"GET /_local/mailbox answered {answer.status}")
        items: list[dict[str, Any]] = answer.body["items"]
        return items

    # --- set-up -------------------------------------------------------------------------
    def create_orgs(self) -> None:
        run = uuid.uuid4().hex[:6]
        for path in PATHS:
            slug = f"load-{path.name.replace('_', '-')}-{run}"
            org = Org(path, slug, f"admin-{slug}", f"admin@{slug}.example")
            answer = self.call(
                "POST",
                "/_local/orgs",
                local_organization_body(
                    slug,
                    PASSWORD,
                    name=f"Load {path.name}",
                    departments=["General"],
                    kind=path.kind,
                    manual_approval=path.manual_approval,
                ),
            )
            if answer.status != 201:
                raise RuntimeError(f"POST /_local/orgs answered {answer.status}: {answer.text}")
            org.admin_id = answer.body["admin"]["id"]
            self.orgs.append(org)

    def new_registrant(self) -> Registrant:
        number = len(self.registrants)
        org = self.orgs[number % len(self.orgs)]
        chosen = org.admin_id if org.path.chooses_practitioner else None
        registrant = Registrant(number, org, registration_body(practitioner_id=chosen))
        self.registrants.append(registrant)
        return registrant

    # --- the load -------------------------------------------------------------------------
    def register(self, registrant: Registrant) -> int:
        slug = registrant.org.slug
        answer = self.call("POST", f"/public/orgs/{slug}/registrations", registrant.body)
        registrant.register_status = answer.status
        return answer.status

    def confirm(self, registrant: Registrant) -> int:
        """The link, with the username and password the person chooses there (R9)."""
        assert registrant.token is not None
        answer = self.call(
            "POST",
            "/public/email-confirmations",
            confirmation_body(registrant.token, username_for(registrant.body)),
        )
        registrant.confirm_status = answer.status
        if answer.status == 200:
            registrant.confirmed_as = answer.body.get("status")
        return answer.status

    def read_org(self, slug: str) -> int:
        return self.call("GET", f"/public/orgs/{slug}").status

    def run_round(self, size: int, deadline: float, warm_up: bool = False) -> None:
        """`size` registrations and confirmations and as many baseline reads. A warm-up round
        is checked like the others but not timed: the stack loads each handler on first use."""
        blocks = self.warm_up_blocks if warm_up else self.blocks
        registrants = [self.new_registrant() for _ in range(size)]
        slugs = [self.orgs[i % len(self.orgs)].slug for i in range(size)]

        def baseline() -> None:
            jobs = [functools.partial(self.read_org, s) for s in slugs]
            blocks.append(run_block(BASELINE, jobs, self.workers, deadline))

        def register_then_confirm(then_baseline: bool) -> None:
            jobs = [functools.partial(self.register, r) for r in registrants]
            blocks.append(run_block(REGISTRATION, jobs, self.workers, deadline))
            self.collect_tokens(registrants)  # before the baseline: it is not load
            if then_baseline:
                baseline()
            # A registration without a link is reported already; it has nothing to confirm.
            jobs = [functools.partial(self.confirm, r) for r in registrants if r.token]
            blocks.append(run_block(CONFIRMATION, jobs, self.workers, deadline))

        place = self.rng.randrange(3)  # baseline first, between, or last
        if place == 0:
            baseline()
        register_then_confirm(then_baseline=place == 1)
        if place == 2:
            baseline()

    def collect_tokens(self, registrants: list[Registrant]) -> None:
        # The stack emails before it answers, so one read finds every link of the round.
        tokens = confirmation_tokens(self.mailbox())
        for registrant in registrants:
            found = tokens.get(registrant.email, [])
            if registrant.register_status == 202 and found:
                registrant.token = found[-1]
            elif registrant.register_status == 202:
                self.problems.append(f"client #{registrant.number}: no confirmation link")

    # --- afterwards: did everything arrive? ------------------------------------------------
    def admin_token(self, org: Org) -> str:
        tokens = password_login(
            self.cognito(), self.config["portal_client_id"], org.admin_username, PASSWORD
        )
        return str(tokens["IdToken"])

    def cognito(self) -> Any:
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.config["aws_endpoint"],
            region_name=self.config["region"],
            # Logging in needs no AWS credentials: none are looked for, none can leak.
            config=Config(
                signature_version=UNSIGNED,
                retries={"max_attempts": 1},
                read_timeout=REQUEST_TIMEOUT,
            ),
        )

    def listed_clients(self, org: Org, status: str) -> list[dict[str, Any]]:
        """Every client of `status` the org's admin sees, page after page."""
        token, items, cursor = self.admin_token(org), [], None
        while True:
            query = {"status": status, "limit": str(PAGE)} | ({"cursor": cursor} if cursor else {})
            answer = self.call("GET", "/clients?" + urllib.parse.urlencode(query), token=token)
            if answer.status != 200:
                raise RuntimeError(f"GET /clients answered {answer.status}: {answer.text}")
            items += answer.body["items"]
            cursor = answer.body.get("next_cursor")
            if not cursor:
                return items

    def check_accounts(self) -> dict[str, int]:
        """Each registration is one account, listed once with the status it was confirmed to,
        and able to log in to the portal (pending clients may)."""
        listed_once = extra = 0
        for org in self.orgs:
            status = org.path.status_after_confirming
            listed = self.listed_clients(org, status)
            by_email = Counter(c["email"] for c in listed)
            ours = [r for r in self.registrants if r.org is org]
            extra += len(listed) - sum(by_email[r.email] for r in ours)
            for registrant in ours:
                count = by_email[registrant.email]
                if count == 1:
                    listed_once += 1
                    (client,) = [c for c in listed if c["email"] == registrant.email]
                    self.client_ids[registrant.number] = client["id"]
                else:
                    self.problems.append(
                        f"client #{registrant.number}: listed {count} times as {status}"
                    )
        if extra:
            self.problems.append(f"{extra} listed clients that nobody registered here")

        cognito = self.cognito()

        def log_in(registrant: Registrant) -> int:
            try:
                password_login(
                    cognito,
                    self.config["portal_client_id"],
                    username_for(registrant.body),
                    PASSWORD,
                )
            except (ClientError, BotoCoreError):
                self.problems.append(f"client #{registrant.number}: portal login refused")
                return 401
            return 200

        logins = run_block(
            "login",
            [functools.partial(log_in, r) for r in self.registrants],
            self.workers,
            time.monotonic() + DEADLINE_SECONDS,
        )
        return {
            "listed_once": listed_once,
            "listed_extra": extra,
            "logged_in": logins.statuses.count(200),
        }

    def check_emails(self) -> dict[str, int]:
        """The whole mailbox, against what R9/R10 say each registration sends."""
        mailbox = self.mailbox()
        by_recipient: dict[str, list[dict[str, Any]]] = {}
        for message in mailbox:
            for address in message["to"]:
                by_recipient.setdefault(address, []).append(message)
        as_expected = 0
        for registrant in self.registrants:
            got = by_recipient.pop(registrant.email, [])
            confirmations = [m for m in got if _TOKEN.search(m["text"])]
            second = registrant.org.path.client_email_subject
            follow_ups = [m for m in got if second in m["subject"]]
            if (len(got), len(confirmations), len(follow_ups)) == (2, 1, 1):
                as_expected += 2
            else:
                self.problems.append(
                    f"client #{registrant.number}: {len(got)} emails, {len(confirmations)} "
                    f"confirmation link(s), {len(follow_ups)} '{second}' (expected 2, 1, 1)"
                )
        for org in self.orgs:
            got = by_recipient.pop(org.admin_email, [])
            words = org.path.staff_notice_subject
            notices = Counter(
                found.group(1)
                for m in got
                if words in m["subject"] and (found := _RECORD.search(m["text"]))
            )
            ours = [r for r in self.registrants if r.org is org]
            for registrant in ours:
                client_id = self.client_ids.get(registrant.number)
                count = notices.pop(client_id, 0) if client_id else 0
                if count == 1:
                    as_expected += 1
                else:
                    self.problems.append(
                        f"client #{registrant.number}: {count} '{words}' notices to the admin "
                        "(expected 1)"
                    )
            if len(got) != len(ours):
                self.problems.append(
                    f"{org.path.name} admin: {len(got)} emails for {len(ours)} clients"
                )
            if notices:
                self.problems.append(
                    f"{org.path.name} admin: {sum(notices.values())} '{words}' notices about "
                    "records nobody registered here"
                )
        unexpected = sum(len(messages) for messages in by_recipient.values())
        if unexpected:
            self.problems.append(f"{unexpected} emails to addresses nobody here registered")
        return {
            "expected": 3 * len(self.registrants),
            "as_expected": as_expected,
            "in_mailbox": len(mailbox),
            "unexpected_recipients": unexpected,
        }

    def check_answers(self) -> dict[str, int]:
        registered = sum(1 for r in self.registrants if r.register_status == 202)
        confirmed = sum(
            1
            for r in self.registrants
            if r.confirm_status == 200 and r.confirmed_as == r.org.path.status_after_confirming
        )
        for registrant in self.registrants:
            if registrant.register_status != 202:
                self.problems.append(
                    f"client #{registrant.number}: registration answered "
                    f"{registrant.register_status}"
                )
            elif registrant.confirm_status is not None and (
                registrant.confirm_status != 200
                or registrant.confirmed_as != registrant.org.path.status_after_confirming
            ):
                self.problems.append(
                    f"client #{registrant.number}: confirmation answered "
                    f"{registrant.confirm_status} {registrant.confirmed_as or ''}".rstrip()
                )
        return {"registered_202": registered, "confirmed_as_expected": confirmed}


def stack_log_problems(output: Path) -> dict[str, int]:
    """What the stack's own log says went wrong: tracebacks, outbox drains that failed, and
    answers of 500 and up (its log line per request is `api METHOD PATH STATUS TIMEms`)."""
    text = output.read_text(errors="replace")
    return {
        "tracebacks": text.count("Traceback"),
        "mailer_failures": text.count("draining the outbox failed"),
        "server_errors": len(re.findall(r"^api \S+ \S+ 5\d\d ", text, re.MULTILINE)),
    }


def format_table(
    rows: dict[str, Summary],
    checks: dict[str, Any],
    problems: list[str],
    blocks: Sequence[Timed] = (),
) -> str:
    base = rows[BASELINE]
    header = (
        f"{'requests':<14}{'count':>6}{'errors':>7}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'req/s ÷ base':>14}{'p50 ÷ base':>12}{'p99 ÷ base':>12}"
    )
    lines = [header, "-" * len(header)]
    for kind in KINDS:
        row = rows[kind]
        ratio = ratios(row, base)
        lines.append(
            f"{kind:<14}{row.requests:>6}{row.errors:>7}{row.per_second:>8.1f}"
            f"{row.p50_ms:>9.0f}{row.p99_ms:>9.0f}"
            f"{ratio['per_second']:>13.2f}x{ratio['p50']:>11.2f}x{ratio['p99']:>11.2f}x"
        )
    # Drift within the run (the machine's load, or the stack slowing as it fills up).
    for kind in KINDS:
        by_round = [percentile(b.seconds, 50) * 1000 for b in blocks if b.kind == kind]
        if by_round:
            lines.append(
                f"{kind + ' p50 ms by round:':<30}" + " ".join(f"{v:>6.0f}" for v in by_round)
            )
    clients = checks["clients"]
    lines += [
        "",
        f"clients {clients} ({checks['warm_up_clients']} in an untimed warm-up round, "
        f"{checks['workers']} workers, {checks['rounds']} timed rounds)",
    ]
    if "answers" in checks:
        answers = checks["answers"]
        lines.append(
            f"answers: registered {answers['registered_202']}/{clients}, "
            f"confirmed as expected {answers['confirmed_as_expected']}/{clients}"
        )
    if "accounts" in checks:
        accounts = checks["accounts"]
        lines.append(
            f"accounts: listed once {accounts['listed_once']}/{clients}, "
            f"portal login {accounts['logged_in']}/{clients}, extra {accounts['listed_extra']}"
        )
    if "emails" in checks:
        emails = checks["emails"]
        lines.append(
            f"emails: as expected {emails['as_expected']}/{emails['expected']}, "
            f"in mailbox {emails['in_mailbox']}, to strangers {emails['unexpected_recipients']}"
        )
    log = checks["stack_log"]
    lines.append(
        f"stack log: {log['tracebacks']} tracebacks, {log['mailer_failures']} mailer failures, "
        f"{log['server_errors']} answers 5xx"
    )
    if problems:
        lines.append(f"!! {len(problems)} PROBLEM(S):")
        lines += [f"!!   {p}" for p in problems[:20]]
        if len(problems) > 20:
            lines.append(f"!!   ... and {len(problems) - 20} more in results.json")
    else:
        lines.append("every account and email arrived")
    return "\n".join(lines)


def _summary_json(summary: Summary) -> dict[str, float | int | None]:
    return {
        "requests": summary.requests,
        "errors": summary.errors,
        "per_second": _rounded(summary.per_second, 2),
        "p50_ms": _rounded(summary.p50_ms, 1),
        "p99_ms": _rounded(summary.p99_ms, 1),
        "max_ms": _rounded(summary.max_ms, 1),
    }


def run(workers: int, clients: int, seed: int) -> SectionResult:
    """Start a local stack, load it, check what arrived, stop it. Whatever goes wrong is
    reported in the result; only a bug in this module raises."""
    process, output, api, _ = start_stack()
    sizes = round_sizes(clients, ROUNDS)
    checks: dict[str, Any] = {
        "workers": workers,
        "clients": clients + len(PATHS),
        "warm_up_clients": len(PATHS),
        "rounds": len(sizes),
    }
    load: LoadRun | None = None
    stopped_early = ""
    try:
        config = wait_until_ready(process, output, api)
        load = LoadRun(api, config, workers, seed)
        load.create_orgs()
        deadline = time.monotonic() + DEADLINE_SECONDS
        load.run_round(len(PATHS), deadline, warm_up=True)  # one client of each organization
        for number, size in enumerate(sizes, start=1):
            load.run_round(size, deadline)
            print(f"round {number}/{len(sizes)}", flush=True)
        checks["answers"] = load.check_answers()
        checks["accounts"] = load.check_accounts()
        checks["emails"] = load.check_emails()
    except Exception as exc:  # reported in the table; the bench's other sections still run
        stopped_early = f"stopped early: {type(exc).__name__}: {exc}"
    finally:
        stop(process)
    checks["stack_log"] = stack_log_problems(output)
    output.unlink(missing_ok=True)
    blocks = load.blocks if load else []
    problems = (load.problems if load else []) + [
        f"stack log: {count} {what}" for what, count in checks["stack_log"].items() if count
    ]
    if stopped_early:
        problems.insert(0, stopped_early)
    rows = {kind: summarize([b for b in blocks if b.kind == kind]) for kind in KINDS}
    return SectionResult(
        table=format_table(rows, checks, problems, blocks),
        results={
            "baseline": "GET /public/orgs/{slug}, same workers and count",
            **checks,
            "requests": {kind: _summary_json(row) for kind, row in rows.items()},
            "ratios_to_baseline": {
                kind: {k: _rounded(v, 3) for k, v in ratios(rows[kind], rows[BASELINE]).items()}
                for kind in (REGISTRATION, CONFIRMATION)
            },
            "blocks": [
                {
                    "kind": b.kind,
                    "requests": len(b.seconds),
                    "wall_s": round(b.wall_seconds, 3),
                    "p50_ms": _rounded(percentile(b.seconds, 50) * 1000, 1),
                    "not_run": b.not_run,
                }
                for b in blocks
            ],
            "mailbox_reads": load.mailbox_reads if load else 0,
            "problems": problems,
            "ok": not problems,
        },
    )


def section(workers: int, clients: int, seed: int) -> SectionResult:
    """The local_stack_load section of `python -m bench` (bench/__main__.py)."""
    return run(workers, clients, seed)
