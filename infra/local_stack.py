"""The local stack: the whole back end on this machine, one process, no AWS, no Docker.

    python -m infra.local_stack [--demo] [--api-port N] [--aws-port N]
                                [--parameter-overrides Name=Value ...]

PORTAL_ORIGIN and PORTAL_BASE_URL in the environment set the PortalOrigin and PortalBaseUrl
parameters (`--parameter-overrides` wins); a PortalBaseUrl without a PortalOrigin allows the
base URL's own origin.

- An AWS endpoint (moto's server app) for Cognito, DynamoDB, DynamoDB Streams, SES and SSM,
  behind the pre-authentication gate (`infra.local_cognito`), since moto never calls triggers,
  and its TOTP emulation (a secret per login, real RFC 6238 codes checked: R30).
- Everything template.yaml declares, provisioned there (`infra.provision`); every function's
  environment in this process, plus AWS_ENDPOINT_URL: deployed code has no "local mode".
- The API: every Api route of every function in template.yaml as API Gateway would serve it
  (`infra.local_gateway`), the Cognito authorizer's token check, and the `/_local` routes.
- After each request, the outbox stream is fed to the mailer (moto never invokes functions),
  and the request's marked log lines to the access-log function, as the template's
  subscription filter would (`infra.log_subscription`, R29),
  and SES's delivery events of what it sent to the delivery feedback function
  (`infra.ses_events`: `bounce@...` bounces, `complaint@...` complains).
"""

import argparse
import functools
import os
import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .template import ROOT

# Lambda puts the shared layer on the path (/opt/python); the local stack puts its source.
sys.path.insert(0, str(ROOT / "layers" / "common"))

import boto3
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from clientaccounts import aws, clock, identity
from clientaccounts.config import reset_settings
from clientaccounts.delivery import EMAIL_ID_TAG
from clientaccounts.organizations import FirstAdmin, NewOrganization, bootstrap_organization
from clientaccounts.persistence import store
from clientaccounts.persistence.models import Staff

from . import moto_transactions, ses_events
from .lambda_loader import load_handler
from .local_authorizer import fetch_jwks, issuer, verify_id_token
from .local_cognito import PreAuthenticationGate, SoftwareTokens
from .local_gateway import (
    ApiGateway,
    LambdaContext,
    http_response,
    invoke_function,
    lambda_context,
    proxy_event,
    served_routes_problems,
)
from .local_routes import local_routes
from .log_subscription import LogSubscription
from .mailbox import sent_count, sent_emails
from .outbox_stream import OutboxPump
from .portal_server import PortalApp, portal_config
from .provision import Provisioned, provision
from .ses_events import SesEventSource, feedback_function, ses_event
from .template import (
    Route,
    api_cors,
    gateway_response_headers,
    load_template,
    resources_of_type,
)

MAILER = "MailerFunction"
ACCESS_LOG = "AccessLogFunction"
# Fixed on purpose: demo data, printed for people to log in with.
DEMO_PASSWORD = "Demo-password-2026"  # noqa: S105


class StartupError(Exception):
    """The stack cannot serve what the template declares; the message says what to fix."""


class _QuietMotoHandler(MotoRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # a line per AWS call drowns the API's log


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the gateway logs each request itself, without query strings


@dataclass
class ServerThread:
    server: BaseWSGIServer
    thread: threading.Thread

    @classmethod
    def start(
        cls, app: Any, port: int, *, threaded: bool, handler: type[WSGIRequestHandler]
    ) -> "ServerThread":
        server = make_server("127.0.0.1", port, app, threaded=threaded, request_handler=handler)
        # A short poll interval: shutdown() waits for the loop to look again.
        serve = functools.partial(server.serve_forever, poll_interval=0.1)
        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        return cls(server, thread)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _Switch:
    """The AWS endpoint's WSGI app: moto alone while provisioning, then moto behind the gate
    and the TOTP emulation (the gate needs the pool that provisioning creates)."""

    def __init__(self, app: Any):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


def prepare_process_environment(region: str) -> None:
    """Fake credentials (nothing here ever reaches AWS) and stable moto ids."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",  # noqa: S106 - not a secret: moto accepts anything
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY="HASH",
        MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY="HASH",
        # TOTP codes are checked in front of moto (`SoftwareTokens`), against each login's
        # own secret; moto would check them against its one fixed secret.
        MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP="false",
    )


def functions_environment(provisioned: Provisioned) -> dict[str, str]:
    """Every function's resolved environment, merged: here they share one process, so two
    functions that need different values for one variable stop the stack."""
    merged = provisioned.all_functions_environment()
    for name in resources_of_type("AWS::Serverless::Function"):
        for key, value in provisioned.function_environment(name).items():
            if merged[key] != value:
                raise StartupError(f"{name} sets {key} differently from another function")
    return merged


def _pre_authentication_function() -> str:
    """The function the user pool names as its pre-authentication trigger."""
    (pool,) = resources_of_type("AWS::Cognito::UserPool").values()
    arn = pool["Properties"]["LambdaConfig"]["PreAuthentication"]
    return str(arn["Fn::GetAtt"][0])


@dataclass
class LocalStack:
    region: str
    provisioned: Provisioned
    aws_server: ServerThread
    pump: OutboxPump
    ses_events: SesEventSource
    stage: str
    reads: LogSubscription
    api_server: ServerThread | None = None
    _sent_at: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._routes = local_routes(self, self.region)  # the /_local resolver

    @property
    def aws_endpoint(self) -> str:
        return self.aws_server.url

    @property
    def api_url(self) -> str:
        assert self.api_server is not None
        return self.api_server.url

    def config(self) -> dict[str, str]:
        return {
            "region": self.region,
            "aws_endpoint": self.aws_endpoint,
            "user_pool_id": self.provisioned.user_pool_id,
            "portal_client_id": self.provisioned.portal_client_id,
            "app_client_id": self.provisioned.care_app_client_id,
            "portal_origin": self.portal_origin,
        }

    def portal_config(self) -> dict[str, str]:
        """The reference portal's config.json: this stack's API and Cognito endpoint."""
        return portal_config(
            api_url=self.api_url,
            region=self.region,
            cognito_endpoint=f"{self.aws_endpoint}/",
            user_pool_id=self.provisioned.user_pool_id,
            portal_client_id=self.provisioned.portal_client_id,
            care_app_client_id=self.provisioned.care_app_client_id,
        )

    @property
    def portal_origin(self) -> str:
        """The origin CORS allows (the PortalOrigin parameter)."""
        return self.provisioned.refs["PortalOrigin"]

    def deliver_emails(self) -> None:
        """The outbox stream's event source: hand new records to the mailer; then SES's
        events of what it sent to the delivery feedback function (R31), until neither has
        anything new (a bounce queues a notice to the inviter)."""
        try:
            for _ in range(10):
                self.pump.drain()
                if not self.ses_events.drain():
                    break
        except Exception as exc:  # the request already has its answer; say why mail stalled
            print(f"mailer: draining the outbox failed: {type(exc).__name__}", flush=True)
        # moto keeps no send time; stamp each email when first seen, on the app's clock.
        sent = sent_count(self.region)
        self._sent_at += [clock.iso(clock.now())] * (sent - len(self._sent_at))

    def record_reads(self) -> None:
        """The access log's subscription filter: hand the request's marked lines to the
        access-log function (R29)."""
        self.reads.deliver()
        if self.reads.parked:
            print(f"access log: {len(self.reads.parked)} deliveries parked", flush=True)

    def publish_ses_event(self, outcome: str, email_id: str) -> Any:
        """`/_local/ses-events`: SES's event for an email the mailer sent (R31); the outbox
        row keeps no address, so the event names a stand-in recipient."""
        event = ses_event(
            outcome,
            region=self.region,
            message_id=uuid.uuid4().hex,
            source=self.provisioned.refs["SenderAddress"],
            recipient="recipient@local.example",
            configuration_set=self.provisioned.refs["EmailConfigurationSet"],
            email_tags=[{"Name": EMAIL_ID_TAG, "Value": email_id}],
        )
        result = self.ses_events.publish(event)
        self.deliver_emails()  # the inviter's notice, if any
        return result

    def after_request(self) -> None:
        self.record_reads()
        self.deliver_emails()

    def mailbox(self) -> list[dict[str, Any]]:
        emails = sent_emails(self.region)
        return [{**e, "sent_at": t} for e, t in zip(emails, self._sent_at, strict=False)]

    def run_function(self, logical_id: str, event: dict[str, Any]) -> Any:
        return invoke_function(logical_id, event)

    def serve_local(self, request: Request) -> Response:
        route = Route("local", "local", request.method, request.path, authorized=False)
        event = proxy_event(request, route, {}, stage=self.stage)
        context = LambdaContext("local-routes", memory_limit_in_mb=512, timeout_seconds=30)
        return http_response(self._routes.resolve(event, context))

    def stop(self) -> None:
        self.reads.uninstall()
        if self.api_server is not None:
            self.api_server.stop()
        self.aws_server.stop()


def start_stack(
    *,
    api_port: int,
    aws_port: int,
    region: str,
    parameter_overrides: dict[str, str] | None = None,
    before_api: Callable[[LocalStack], None] | None = None,
) -> LocalStack:
    """Start the AWS endpoint, provision it, then serve the API. `before_api` runs once
    everything is provisioned, before the API accepts requests (seeding)."""
    prepare_process_environment(region)
    # A transaction's rollback copies the items it touches, not whole tables (their size
    # would otherwise set every write's latency).
    moto_transactions.install()
    ses_events.install()  # moto keeps each email's configuration set and tags (R31)
    switch = _Switch(DomainDispatcherApplication(create_backend_app))
    aws_server = ServerThread.start(switch, aws_port, threaded=True, handler=_QuietMotoHandler)
    try:
        return _start_on(aws_server, switch, api_port, region, parameter_overrides, before_api)
    except BaseException:
        aws_server.stop()
        raise


def _start_on(
    aws_server: ServerThread,
    switch: _Switch,
    api_port: int,
    region: str,
    parameter_overrides: dict[str, str] | None,
    before_api: Callable[[LocalStack], None] | None,
) -> LocalStack:
    endpoint = aws_server.url
    session = boto3.session.Session(region_name=region)
    provisioned = provision(session, endpoint)
    for name, value in (parameter_overrides or {}).items():
        provisioned.refs[name] = value  # like `sam deploy --parameter-overrides`
        if name == "SenderAddress":  # SES sends only from a verified identity
            session.client("sesv2", endpoint_url=endpoint).create_email_identity(
                EmailIdentity=value
            )
    os.environ.update(functions_environment(provisioned))
    os.environ["AWS_ENDPOINT_URL"] = endpoint  # the one thing pointing the code at moto
    reset_settings()
    aws.reset_clients()

    problems = served_routes_problems()
    if problems:
        raise StartupError("template routes without a handler:\n  " + "\n  ".join(problems))

    trigger = _pre_authentication_function()
    switch.app = PreAuthenticationGate(
        SoftwareTokens(switch.app),  # moto, with a TOTP secret per login (R30)
        cognito=session.client("cognito-idp", endpoint_url=endpoint),
        trigger=load_handler(trigger),
        context_factory=functools.partial(lambda_context, trigger),
        region=region,
        user_pool_id=provisioned.user_pool_id,
        client_ids=frozenset({provisioned.portal_client_id, provisioned.care_app_client_id}),
    )
    pump = OutboxPump(
        dynamodb=session.client("dynamodb", endpoint_url=endpoint),
        streams=session.client("dynamodbstreams", endpoint_url=endpoint),
        handler=load_handler(MAILER),
        context=lambda_context(MAILER),
    )
    reads = LogSubscription(load_handler(ACCESS_LOG), functools.partial(lambda_context, ACCESS_LOG))
    reads.install()
    api = load_template()["Resources"]["Api"]["Properties"]
    feedback_events = SesEventSource(
        region=region,
        handler=load_handler(feedback_function()),
        context=lambda_context(feedback_function()),
    )
    stack = LocalStack(
        region=region,
        provisioned=provisioned,
        aws_server=aws_server,
        pump=pump,
        ses_events=feedback_events,
        stage=provisioned.resolve(api["StageName"]),
        reads=reads,
    )
    authorizer = functools.partial(
        verify_id_token,
        keys=fetch_jwks(endpoint, provisioned.user_pool_id),
        expected_issuer=issuer(region, provisioned.user_pool_id),
        audiences=frozenset({provisioned.portal_client_id, provisioned.care_app_client_id}),
    )
    gateway = ApiGateway(
        authorizer=authorizer,
        stage=stack.stage,
        local=stack.serve_local,
        after_request=stack.after_request,
        log=lambda line: print(line, flush=True),
        cors=api_cors(provisioned.resolve),
        gateway_headers=gateway_response_headers(provisioned.resolve),
    )
    if before_api is not None:
        before_api(stack)
    stack.api_server = ServerThread.start(gateway, api_port, threaded=False, handler=_QuietHandler)
    return stack


def seed_demo(stack: LocalStack) -> list[tuple[str, str]]:
    """A demo practice through the bootstrap code, plus a practitioner with a login.
    Returns (username, role) of each login."""
    org = bootstrap_organization(
        NewOrganization(
            slug="demo",
            name="Demo Practice",
            kind="organization",
            manual_approval=False,
            departments=["Physiotherapy", "Counselling"],
            admin=FirstAdmin(
                username="demo-admin",
                password=DEMO_PASSWORD,
                email="admin@demo.example",
                first_name="Dana",
                last_name="Admin",
            ),
        )
    )
    staff_id = uuid.uuid4().hex
    identity.create_login(
        username="demo-practitioner",
        password=DEMO_PASSWORD,
        org_id="demo",
        account_kind="staff",
        account_id=staff_id,
    )
    store.ensure_bound()
    Staff(
        "demo",
        staff_id,
        first_name="Pat",
        last_name="Practitioner",
        email="practitioner@demo.example",
        roles=["practitioner"],
        department_ids=[d["id"] for d in org.departments],
        new_client_notifications=True,
        active=True,
        username="demo-practitioner",
        created_at=clock.iso(clock.now()),
    ).save()
    stack.deliver_emails()
    return [("demo-admin", "org_admin"), ("demo-practitioner", "practitioner")]


def banner(
    stack: LocalStack,
    seconds: float,
    demo: list[tuple[str, str]] | None,
    portal: str | None = None,
) -> str:
    p = stack.provisioned
    username, password = (demo[0][0], DEMO_PASSWORD) if demo else ("<username>", "<password>")
    lines = [
        f"Local stack ready in {seconds:.1f} s",
        f"  API              {stack.api_url}  (stage {stack.stage}, routes from template.yaml)",
        f"  AWS endpoint     {stack.aws_endpoint}  (moto: Cognito, DynamoDB, SES, SSM)",
        f"  Region           {stack.region}",
        f"  User pool        {p.user_pool_id}",
        f"  Portal client    {p.portal_client_id}",
        f"  Care App client  {p.care_app_client_id}",
        f"  Mailbox          {stack.api_url}/_local/mailbox.html",
        *(
            [f"  Portal           {portal}/{'demo/login' if demo else ''}  (reference portal)"]
            if portal
            else []
        ),
        f"  Portal origin    {stack.portal_origin}  (CORS; set PORTAL_ORIGIN or PORTAL_BASE_URL)",
        f"  Portal base URL  {p.refs['PortalBaseUrl']}  (emailed links)",
        "  Log in:",
        f"    aws cognito-idp initiate-auth --endpoint-url {stack.aws_endpoint}"
        f" --region {stack.region} --no-sign-request --client-id {p.portal_client_id}"
        f" --auth-flow USER_PASSWORD_AUTH"
        f" --auth-parameters USERNAME={username},PASSWORD={password}",
    ]
    if demo:
        lines.append(f"  Demo practice    {stack.api_url}/public/orgs/demo")
        lines += [f"    login {user} ({role}), password {DEMO_PASSWORD}" for user, role in demo]
    lines.append("Ctrl-C stops.")
    return "\n".join(lines)


# Environment variables `make run` passes on as template parameters.
ENVIRONMENT_PARAMETERS = {"PORTAL_BASE_URL": "PortalBaseUrl", "PORTAL_ORIGIN": "PortalOrigin"}


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: the origin a browser sends from a page under it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def parameter_overrides(environ: Mapping[str, str], pairs: list[str]) -> dict[str, str]:
    """The template parameters to override: PORTAL_BASE_URL / PORTAL_ORIGIN from the
    environment, then each Name=Value pair; PortalOrigin follows PortalBaseUrl unless given.
    Each value is checked as CloudFormation would (AllowedPattern, AllowedValues)."""
    known = load_template().get("Parameters", {})
    out = {
        parameter: environ[variable]
        for variable, parameter in ENVIRONMENT_PARAMETERS.items()
        if environ.get(variable)
    }
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in known:
            raise SystemExit(f"--parameter-overrides: {pair!r} is not Name=Value of a parameter")
        out[name] = value
    if "PortalBaseUrl" in out and "PortalOrigin" not in out:
        out["PortalOrigin"] = origin_of(out["PortalBaseUrl"])
    for name, value in out.items():
        spec = known[name]
        allowed = spec.get("AllowedValues")
        pattern = spec.get("AllowedPattern")
        if (allowed and value not in allowed) or (pattern and not re.fullmatch(pattern, value)):
            rule = spec.get("ConstraintDescription") or pattern or f"one of {allowed}"
            raise SystemExit(f"{name}={value!r} is refused by template.yaml: {rule}")
    return out


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    parser = argparse.ArgumentParser(prog="python -m infra.local_stack", description=__doc__)
    parser.add_argument("--demo", action="store_true", help="seed a demo practice and logins")
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", "3000")))
    parser.add_argument("--aws-port", type=int, default=int(os.environ.get("AWS_PORT", "4566")))
    parser.add_argument(
        "--parameter-overrides",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="template parameters, e.g. PortalBaseUrl=http://localhost:5173",
    )
    parser.add_argument(
        "--portal-port",
        type=int,
        default=None,
        help="serve the reference portal (portal/) on http://localhost:PORT, the default"
        " PortalBaseUrl and PortalOrigin (make run: PORTAL_PORT, 8080); 0: a free port",
    )
    args = parser.parse_args(argv)
    overrides = parameter_overrides(os.environ, args.parameter_overrides)
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    demo: list[tuple[str, str]] = []
    # The portal binds its port first: its origin is the default of the links and of CORS.
    running: list[LocalStack] = []
    portal: ServerThread | None = None
    portal_origin = None
    if args.portal_port is not None:
        app = PortalApp(lambda: running[0].portal_config() if running else None)
        try:
            portal = ServerThread.start(app, args.portal_port, threaded=True, handler=_QuietHandler)
        except OSError as exc:
            print(f"local stack: cannot serve the portal: {exc}", file=sys.stderr, flush=True)
            return 1
        portal_origin = f"http://localhost:{portal.server.server_port}"
        overrides = {"PortalBaseUrl": portal_origin, "PortalOrigin": portal_origin, **overrides}
    try:
        stack = start_stack(
            api_port=args.api_port,
            aws_port=args.aws_port,
            region=region,
            parameter_overrides=overrides,
            before_api=(lambda s: demo.extend(seed_demo(s))) if args.demo else None,
        )
    except (StartupError, OSError) as exc:
        print(f"local stack: cannot start: {exc}", file=sys.stderr, flush=True)
        if portal is not None:
            portal.stop()
        return 1
    running.append(stack)
    print(banner(stack, time.monotonic() - started, demo or None, portal_origin), flush=True)

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    while not stopping.wait(0.2):
        pass
    stack.stop()
    if portal is not None:
        portal.stop()
    print("Local stack stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
