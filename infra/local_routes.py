"""The routes that exist only in the local stack (`/_local/...`, see API.md "The local stack").

The JSON routes are a router made by `clientaccounts.http.create_api`, so request bodies are
validated and domain errors become HTTP answers exactly as in the deployed functions.
"""

import html
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from clientaccounts import clock
from clientaccounts.errors import DomainError
from clientaccounts.http import Api, Request, create_api
from clientaccounts.organizations import FirstAdmin, NewOrganization, bootstrap_organization
from clientaccounts.schemas import BOOLEAN, EMAIL, NAME, PASSWORD, SLUG, USERNAME
from clientaccounts.validation import ListOf, Nested, Number, RequestModel, Text, field

from .template import load_template


class LocalStackView(Protocol):
    """What the routes need from the running stack."""

    def config(self) -> dict[str, str]: ...
    def mailbox(self) -> list[dict[str, Any]]: ...
    def run_function(self, logical_id: str, event: dict[str, Any]) -> Any: ...
    def publish_ses_event(self, outcome: str, email_id: str) -> Any: ...


class AdminRequest(RequestModel):
    username: str = field(USERNAME)
    password: str = field(PASSWORD)
    email: str = field(EMAIL)
    first_name: str = field(NAME)
    last_name: str = field(NAME)


class OrganizationRequest(RequestModel):
    slug: str = field(SLUG)
    name: str = field(NAME)
    kind: str = field(Text(max_length=32))  # bootstrap_organization refuses an unknown kind
    manual_approval: bool = field(BOOLEAN, default=False)
    departments: list[str] = field(ListOf(NAME, max_items=50), default=["General"])
    admin: AdminRequest = field(Nested(AdminRequest))


class ClockRequest(RequestModel):
    # Forward only: the application never sees time run backwards.
    advance_seconds: float = field(Number(ge=0, le=10 * 365 * 24 * 3600))


class SesEventRequest(RequestModel):
    """R31: SES's event for one sent email (infra.ses_events)."""

    email_id: str = field(Text(max_length=64, pattern=r"^[0-9a-f]{32}$"))
    event: str = field(Text(max_length=16, pattern=r"^(bounce|complaint|transient|delivery)$"))


def scheduled_function(
    template: dict[str, Any] | None = None,
) -> tuple[str, str, dict[str, Any]] | None:
    """(function, event name, event properties) of the function with a schedule, if any."""
    template = template or load_template()
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event_name, event in (resource["Properties"].get("Events") or {}).items():
            if event["Type"] in ("Schedule", "ScheduleV2"):
                return name, event_name, event.get("Properties") or {}
    return None


def scheduled_event(function: str, event_name: str, region: str) -> dict[str, Any]:
    """What EventBridge sends a function on a schedule, timed on the application's clock."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": clock.iso(clock.now()),
        "region": region,
        "resources": [f"arn:aws:events:{region}:123456789012:rule/local-{function}-{event_name}"],
        "detail": {},
    }


_URL = re.compile(r"https?://[^\s<>\"']+")


def _linked(text: str) -> str:
    """Escaped text with every URL a link (the links people click in their email)."""
    out, last = [], 0
    for found in _URL.finditer(text):
        url = html.escape(found.group(0))
        out += [html.escape(text[last : found.start()]), f'<a href="{url}">{url}</a>']
        last = found.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def mailbox_page(items: list[dict[str, Any]]) -> str:
    """The mailbox for people: newest first, links clickable, every value escaped. The HTML
    part is shown in a sandboxed frame (no scripts, no navigation of this page)."""
    cards = []
    for item in reversed(items):
        cards.append(
            "<article>"
            f"<h2>{html.escape(item['subject'])}</h2>"
            f"<p class=meta>To {html.escape(', '.join(item['to']))}"
            f" · {html.escape(item['sent_at'])}</p>"
            f"<pre>{_linked(item['text'])}</pre>"
            + (
                f'<details><summary>HTML version</summary><iframe sandbox="" srcdoc="'
                f'{html.escape(item["html"], quote=True)}"></iframe></details>'
                if item["html"]
                else ""
            )
            + "</article>"
        )
    empty = "<p>No email yet. Register somewhere and reload.</p>"
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>Local mailbox</title>"
        "<style>body{font-family:sans-serif;max-width:50rem;margin:auto}"
        "article{border-bottom:1px solid #ccc;padding:.5rem 0}.meta{color:#555}"
        "pre{white-space:pre-wrap}iframe{width:100%;height:20rem;border:1px solid #ddd}</style>"
        f"</head><body><h1>Local mailbox ({len(items)})</h1>"
        + ("".join(cards) or empty)
        + "</body></html>"
    )


class NoScheduledFunction(DomainError):
    status = 501
    code = "not_implemented"


class LocalRoutes:
    """The `/_local` resolver: the JSON routes are a router of `clientaccounts.http`, which
    answers JSON only; the mailbox page for people is HTML, so it is answered here."""

    def __init__(self, stack: LocalStackView, region: str) -> None:
        self.stack = stack
        self.api = _json_routes(stack, region)

    def resolve(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        request = Request(event)
        path = str(event.get("resource", ""))
        is_get = str(event.get("httpMethod", "")).upper() == "GET"
        wants_html = "text/html" in (request.header("accept") or "")  # a browser
        if is_get and (
            path == "/_local/mailbox.html" or (path == "/_local/mailbox" and wants_html)
        ):
            return {
                "statusCode": 200,
                "headers": {"Content-Type": "text/html; charset=utf-8"},
                "body": mailbox_page(self.stack.mailbox()),
                "isBase64Encoded": False,
            }
        return self.api.resolve(event, context)


def local_routes(stack: LocalStackView, region: str) -> LocalRoutes:
    return LocalRoutes(stack, region)


def _json_routes(stack: LocalStackView, region: str) -> Api:
    app = create_api()

    @app.get("/_local/config", answer=dict)
    def config() -> dict[str, str]:
        return stack.config()

    @app.post("/_local/orgs", body=OrganizationRequest, status=201, answer=dict)
    def create_organization(body: OrganizationRequest) -> dict[str, Any]:
        # The same code as the deployed bootstrap command.
        created = bootstrap_organization(
            NewOrganization(
                slug=body.slug,
                name=body.name,
                kind=body.kind,
                manual_approval=body.manual_approval,
                departments=list(body.departments),
                admin=FirstAdmin(**body.admin.as_dict()),
            )
        )
        return {
            "org": created.org,
            "departments": created.departments,
            "admin": {"id": created.admin_id},
        }

    @app.get("/_local/mailbox", answer=dict)
    def mailbox() -> dict[str, Any]:
        return {"items": stack.mailbox()}

    @app.post("/_local/clock", body=ClockRequest, answer=dict)
    def advance_clock(body: ClockRequest) -> dict[str, str]:
        clock.advance(body.advance_seconds)
        return {"now": clock.iso(clock.now())}

    @app.post("/_local/ses-events", body=SesEventRequest, answer=dict)
    def ses_event(body: SesEventRequest) -> dict[str, Any]:
        result = stack.publish_ses_event(body.event, body.email_id)
        return result if isinstance(result, dict) else {"result": result}

    @app.post("/_local/cleanup", answer=dict)
    def cleanup() -> dict[str, Any]:
        found = scheduled_function()
        if found is None:
            raise NoScheduledFunction("template.yaml has no scheduled function yet.")
        function, event_name, props = found
        # A schedule with a fixed Input sends that; otherwise EventBridge's own event.
        event = (
            json.loads(props["Input"])
            if "Input" in props
            else scheduled_event(function, event_name, region)
        )
        result = stack.run_function(function, event)
        return result if isinstance(result, dict) else {"result": result}

    return app
