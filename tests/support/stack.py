"""A fresh AWS (moto) provisioned from template.yaml, with the functions' own environment,
and the people who act on it as a person or an operator would (`Stack`, `Caller`)."""

from __future__ import annotations

import inspect
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from clientaccounts import aws, clock, identity, login_gate, observability
from clientaccounts.config import reset_settings
from clientaccounts.organizations import (
    BootstrappedOrganization,
    FirstAdmin,
    NewOrganization,
    bootstrap_organization,
)
from clientaccounts.persistence import keys, store
from clientaccounts.persistence.models import Client, Staff
from infra import totp
from infra.cognito_login import login
from infra.lambda_loader import load_handler
from infra.log_subscription import LogSubscription
from infra.mailbox import sent_emails
from infra.outbox_stream import OutboxPump
from infra.provision import Provisioned, provision
from infra.ses_events import SesEventSource, feedback_function
from infra.ses_events import install as ses_events_install
from tests.support.lambda_events import FakeLambdaContext, call_api
from tests.support.request_bodies import (
    PASSWORD,
    confirmation_body,
    registration_body,
    username_for,
)

REGION = "us-east-1"


@dataclass
class Stack:
    provisioned: Provisioned
    session: Any
    pump: OutboxPump
    reads: LogSubscription  # the access log's subscription filter (R29)
    ses_events: SesEventSource
    _counter: list[int] = field(default_factory=lambda: [0])
    _admin_usernames: dict[str, str] = field(default_factory=dict)  # slug -> first admin's

    def client(self, service: str) -> Any:
        return self.session.client(service)

    # --- set-up, as an operator would ---------------------------------------------------
    def organization(
        self, *, kind: str = "organization", manual_approval: bool = False, departments: int = 2
    ) -> BootstrappedOrganization:
        self._counter[0] += 1
        n = self._counter[0]
        self._admin_usernames[f"practice-{n}"] = f"admin{n}"
        return bootstrap_organization(
            NewOrganization(
                slug=f"practice-{n}",
                name=f"Practice {n}",
                kind=kind,
                manual_approval=manual_approval,
                departments=[f"Department {i}" for i in range(1, departments + 1)],
                admin=FirstAdmin(
                    username=f"admin{n}",
                    password=PASSWORD,
                    email=f"admin{n}@practice.example",
                    first_name="Ada",
                    last_name=f"Admin{n}",
                ),
            )
        )

    def staff(
        self,
        org: BootstrappedOrganization,
        *,
        roles: list[str],
        departments: list[str] | None = None,
        notifications: bool = True,
        active: bool = True,
        accepted: bool = True,
    ) -> Staff:
        """Staff written straight to the table (staff administration is its own issue); they
        have a username unless they are still to accept their invitation (no Cognito login)."""
        staff_id = uuid.uuid4().hex
        store.ensure_bound()
        member = Staff(
            org.org["slug"],
            staff_id,
            first_name="Pat",
            last_name=f"Staff{staff_id[:6]}",
            email=f"staff-{staff_id[:8]}@practice.example",
            roles=roles,
            department_ids=departments or [org.departments[0]["id"]],
            new_client_notifications=notifications,
            active=active,
            username=f"staff-{staff_id[:12]}" if accepted else None,
            created_at=clock.iso(clock.now()),
        )
        member.save()
        return member

    def give_login(self, org_id: str, staff_id: str, username: str) -> None:
        """A Cognito login (PASSWORD) for staff written by `staff`, as accepting would make
        it; an existing login of the same account is kept."""
        identity.create_login(
            username=username,
            password=PASSWORD,
            org_id=org_id,
            account_kind="staff",
            account_id=staff_id,
        )

    def verify_software_token(self, username: str) -> str:
        """As the portal does it before POST /me/mfa (R30): sign in, AssociateSoftwareToken,
        VerifySoftwareToken with the code an authenticator app shows. The secret."""
        access_token = self.login(username)["AccessToken"]
        cognito = self.client("cognito-idp")
        secret = str(cognito.associate_software_token(AccessToken=access_token)["SecretCode"])
        verified = cognito.verify_software_token(
            AccessToken=access_token, UserCode=totp.code_at(secret), FriendlyDeviceName="phone"
        )
        assert verified["Status"] == "SUCCESS"
        return secret

    def bulk_clients(self, org_id: str, count: int, origin: str) -> None:
        """Confirmed self-registered ("self") or invited, never accepted ("staff") active
        clients, written straight to the table in batches: the many the cleanup must not read."""
        now = clock.iso(clock.now())
        store.ensure_bound()
        with Client.batch_write() as batch:
            for n in range(count):
                client_id = uuid.uuid4().hex
                batch.save(
                    Client(
                        org_id,
                        client_id,
                        first_name="Bulk",
                        last_name=f"Client{n}",
                        email=f"bulk{n}.{client_id[:6]}@mail.example",
                        dob="1980-01-01",
                        status="active",
                        email_confirmed=origin == "self",
                        credentials_set=origin == "self",
                        origin=origin,
                        created_at=now,
                        status_key=f"{org_id}#active",
                        name_key=f"client{n}#bulk#{client_id}",
                    )
                )

    # --- what is stored (test-only reads; a Scan is fine here) -----------------------------
    def client_by_email(self, slug: str, email: str) -> Client | None:
        guard = store.get_guard(keys.client_email_guard_key(slug, email))
        return store.get_client(slug, guard.owner_id) if guard else None

    def count_items(self, logical_id: str) -> int:
        pages = self.client("dynamodb").get_paginator("scan")  # a Scan stops at 1 MB a page
        return sum(page["Count"] for page in pages.paginate(TableName=logical_id, Select="COUNT"))

    def has_login(self, username: str) -> bool:
        try:
            self.client("cognito-idp").admin_get_user(
                UserPoolId=self.provisioned.user_pool_id, Username=username
            )
        except self.client("cognito-idp").exceptions.UserNotFoundException:
            return False
        return True

    # --- what happens after a request -------------------------------------------------
    def deliver_emails(self) -> int:
        """The outbox to the mailer, then SES's events of what it sent to the delivery
        feedback function (R31), until neither has anything new (a bounce queues a notice)."""
        handed = 0
        for _ in range(10):
            sent = self.pump.drain()
            published = self.ses_events.drain()
            handed += sent
            if not published:
                break
        return handed

    def record_reads(self) -> int:
        """Deliver the marked log lines so far to the access-log function, as the
        subscription filter would; returns how many lines."""
        return self.reads.deliver()

    def mailbox(self, to: str | None = None) -> list[dict[str, Any]]:
        self.deliver_emails()
        return [m for m in sent_emails(REGION) if to is None or to in m["to"]]

    def link_token(self, to: str) -> str:
        """The token of the newest link emailed to this address."""
        for message in reversed(self.mailbox(to)):
            found = re.search(r"[?&]token=([A-Za-z0-9_\-]+)", message["text"])
            if found:
                return found.group(1)
        raise AssertionError(f"no link was emailed to {to}")

    # --- callers of authenticated routes ----------------------------------------------
    # The token names the login's username, as Cognito's does: an account without credentials
    # yet gets no username claim (and is refused, rightly).
    def as_staff(self, staff: Staff) -> Caller:
        return Caller(self, claims_of("staff", staff.org_id, staff.staff_id, staff.username))

    def as_admin(self, org: BootstrappedOrganization) -> Caller:
        slug = org.org["slug"]
        return Caller(self, claims_of("staff", slug, org.admin_id, self._admin_usernames[slug]))

    def as_client(self, client: Client) -> Caller:
        username = client.username
        if username is None:  # read before they chose one? the record knows now
            stored = store.get_client(client.org_id, client.client_id)
            username = stored.username if stored else None
        return Caller(self, claims_of("client", client.org_id, client.client_id, username))

    # --- as the person would -----------------------------------------------------------
    def register(self, slug: str, **overrides: Any) -> Any:
        body = registration_body(**overrides)
        return call_api("POST", f"/public/orgs/{slug}/registrations", body)

    def confirm(self, token: str, username: str | None = None, password: str = PASSWORD) -> Any:
        """Open a confirmation link and choose credentials there (R9); any unused username
        when none is given."""
        chosen = username or f"user{uuid.uuid4().hex[:10]}"
        return call_api(
            "POST", "/public/email-confirmations", confirmation_body(token, chosen, password)
        )

    def confirm_registration(self, body: dict[str, Any], password: str = PASSWORD) -> Any:
        """Confirm the newest link emailed for this registration, choosing `username_for`."""
        return self.confirm(self.link_token(body["email"]), username_for(body), password)

    def refresh_refused(self, refresh_token: str) -> bool:
        """Whether Cognito refuses to mint tokens from this refresh token (every session of
        its login was ended)."""
        try:
            self.client("cognito-idp").initiate_auth(
                ClientId=self.provisioned.portal_client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except ClientError as exc:
            return bool(exc.response["Error"]["Code"] == "NotAuthorizedException")
        return False

    def login(self, username: str, password: str = PASSWORD, app: str = "portal") -> dict[str, Any]:
        client_id = (
            self.provisioned.portal_client_id
            if app == "portal"
            else self.provisioned.care_app_client_id
        )
        return login(
            self.client("cognito-idp"),
            trigger=load_handler("PreAuthenticationFunction"),
            context=FakeLambdaContext(),
            region=REGION,
            user_pool_id=self.provisioned.user_pool_id,
            client_id=client_id,
            username=username,
            password=password,
        )


def claims_of(kind: str, org_id: str, account_id: str, username: str | None) -> dict[str, str]:
    """The claims API Gateway's Cognito authorizer passes on for a valid ID token."""
    claims = {
        "sub": uuid.uuid5(uuid.NAMESPACE_URL, account_id).hex,
        "token_use": "id",
        "custom:org_id": org_id,
        "custom:account_kind": kind,
        "custom:account_id": account_id,
    }
    if username is not None:
        claims["cognito:username"] = username
    return claims


@dataclass
class Caller:
    """Calls authenticated routes as one person."""

    stack: Stack
    claims: dict[str, str] | None  # None: no token (the authorizer passes no claims)

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        return call_api(method, path, body, claims=self.claims, **kwargs)


def reset_process_state() -> None:
    reset_settings()
    aws.reset_clients()
    clock.reset()
    login_gate.app_clients.cache_clear()
    observability.metrics.cache_clear()  # its namespace is read from the settings once


def serialize_moto_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB runs each request, and each transaction, in isolation; moto's in-process
    backend takes no lock, so threads can interleave a transaction's condition checks and
    writes (and its rollback restores a copy over others' writes). One lock around every
    backend call gives the isolation the race tests rely on, as the real service does."""
    lock = threading.RLock()
    for name, method in inspect.getmembers(DynamoDBBackend, inspect.isfunction):
        if name.startswith("_"):
            continue

        def locked(*args: Any, __method: Any = method, **kwargs: Any) -> Any:
            with lock:
                return __method(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


@contextmanager
def moto_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """A fresh moto, provisioned from template.yaml, with every function's environment set
    (through `monkeypatch`, undone by its owner). The fixture below and the benchmark use it."""
    ses_events_install()
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        provisioned = provision(session)
        for name, value in provisioned.all_functions_environment().items():
            monkeypatch.setenv(name, value)
        reset_process_state()
        pump = OutboxPump(
            dynamodb=session.client("dynamodb"),
            # botocore's account-based Streams endpoint is not routed by moto's mock.
            streams=session.client(
                "dynamodbstreams", config=Config(account_id_endpoint_mode="disabled")
            ),
            handler=load_handler("MailerFunction"),
            context=FakeLambdaContext(),
        )
        reads = LogSubscription(load_handler("AccessLogFunction"), FakeLambdaContext)
        reads.install()
        ses_events = SesEventSource(
            region=REGION,
            handler=load_handler(feedback_function()),
            context=FakeLambdaContext(),
        )
        try:
            yield Stack(provisioned, session, pump, reads, ses_events)
        finally:
            reads.uninstall()
            reset_process_state()
