"""The local API Gateway: route matching, the proxy event, answers and failures."""

from __future__ import annotations

import base64
from typing import Any

from werkzeug.test import Client
from werkzeug.wrappers import Response

from infra.local_authorizer import TokenRejected
from infra.local_gateway import ApiGateway, match_route, served_routes_problems
from infra.local_routes import mailbox_page, scheduled_event
from infra.template import Cors, Route, api_routes

ROUTES = [
    Route("Item", "GetItem", "GET", "/items/{item_id}", authorized=False),
    Route("Search", "Search", "GET", "/items/search", authorized=False),
    Route("Item", "PostItem", "POST", "/items/{item_id}", authorized=False),
    Route("Proxy", "Any", "ANY", "/files/{path+}", authorized=False),
]


def gateway(invoke: Any, routes: list[Route] = ROUTES) -> Client:
    return Client(
        ApiGateway(
            authorizer=lambda _h: {},
            stage="dev",
            routes=routes,
            invoke=invoke,
            log=lambda _line: None,
        )
    )


def test_literal_segment_beats_a_path_parameter() -> None:
    assert match_route("GET", "/items/search", ROUTES) == (ROUTES[1], {})
    assert match_route("get", "/items/42", ROUTES) == (ROUTES[0], {"item_id": "42"})
    assert match_route("PUT", "/files/a/b.txt", ROUTES) == (ROUTES[3], {"path": "a/b.txt"})
    assert match_route("DELETE", "/items/42", ROUTES) is None
    assert match_route("GET", "/items/42/more", ROUTES) is None


def test_every_template_route_is_served_by_its_function() -> None:
    assert api_routes()
    assert served_routes_problems() == []


def test_a_template_route_without_a_handler_is_named() -> None:
    missing = Route("PublicOrgFunction", "Delete", "DELETE", "/public/orgs/{slug}", False)
    (problem,) = served_routes_problems([missing])
    assert "PublicOrgFunction" in problem
    assert "DELETE /public/orgs/{slug}" in problem


def test_proxy_event_carries_what_api_gateway_sends() -> None:
    events: list[dict[str, Any]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        events.append(event)
        return {
            "statusCode": 201,
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "headers": {"Content-Type": "application/json"},
            "body": '{"ok": true}',
        }

    answer = gateway(invoke).post(
        "/items/42?x=1&x=2&y=3", data=b'{"a": 1}', headers={"X-Thing": "t"}
    )
    assert answer.status_code == 201
    assert answer.json == {"ok": True}
    assert answer.headers.getlist("Set-Cookie") == ["a=1", "b=2"]

    (event,) = events
    assert event["resource"] == "/items/{item_id}"
    assert event["path"] == "/items/42"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"item_id": "42"}
    assert event["queryStringParameters"] == {"x": "2", "y": "3"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "y": ["3"]}
    assert event["headers"]["X-Thing"] == "t"
    assert event["multiValueHeaders"]["X-Thing"] == ["t"]
    assert event["body"] == '{"a": 1}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/items/{item_id}"
    assert context["path"] == "/dev/items/42"
    assert context["stage"] == "dev"
    assert context["identity"]["sourceIp"]
    assert context["requestId"]
    assert context["authorizer"] is None


def test_binary_body_is_base64_both_ways() -> None:
    events: list[dict[str, Any]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        events.append(event)
        return {
            "statusCode": 200,
            "body": base64.b64encode(b"\xff\x00").decode(),
            "isBase64Encoded": True,
        }

    answer = gateway(invoke).post("/items/1", data=b"\xff\xfe")
    assert answer.data == b"\xff\x00"
    assert events[0]["isBase64Encoded"] is True
    assert base64.b64decode(events[0]["body"]) == b"\xff\xfe"


def test_a_crashing_or_malformed_function_answers_500_json() -> None:
    def crash(function: str, event: dict[str, Any]) -> Any:
        raise RuntimeError("boom")

    for invoke in (crash, lambda f, e: None, lambda f, e: {"body": "no status"}):
        answer = gateway(invoke).get("/items/1")
        assert answer.status_code == 500
        assert answer.headers["Content-Type"] == "application/json"
        assert isinstance(answer.json, dict) and set(answer.json) == {"message", "code"}


def test_unknown_route_is_404_json_even_under_local() -> None:
    answer = gateway(lambda f, e: None).get("/_local/whatever")
    assert answer.status_code == 404
    assert isinstance(answer.json, dict) and answer.json["code"] == "route_not_found"


def test_mailbox_page_escapes_and_links() -> None:
    page = mailbox_page(
        [
            {
                "to": ["a@b.example"],
                "subject": "<b>Hi</b>",
                "text": 'Open https://x.example/p?token=abc&x="1" now <i>',
                "html": "<p onclick=alert(1)>x</p>",
                "sent_at": "2026-01-01T00:00:00Z",
            }
        ]
    )
    assert "<b>Hi</b>" not in page and "&lt;b&gt;Hi&lt;/b&gt;" in page
    assert '<a href="https://x.example/p?token=abc&amp;x=">' in page
    assert "<i>" not in page
    assert "<p onclick" not in page  # the HTML part only inside an escaped srcdoc


def test_scheduled_event_is_what_eventbridge_sends() -> None:
    event = scheduled_event("CleanupFunction", "Nightly", "us-east-1")
    assert event["source"] == "aws.events"
    assert event["detail-type"] == "Scheduled Event"
    assert event["time"].endswith("Z")
    assert event["detail"] == {}
    assert event["resources"] and event["resources"][0].startswith("arn:aws:events:")


# --- CORS, as the mock OPTIONS method SAM adds for the Api's `Cors` -------------------------
CORS = Cors(
    allow_origin="https://portal.example",
    allow_headers="Authorization,Content-Type,Idempotency-Key",
    allow_methods="GET,POST,OPTIONS",
    max_age="600",
)
REFUSALS_CARRY = {"DEFAULT_4XX": {"Access-Control-Allow-Origin": "https://portal.example"}}
PRIVATE = [*ROUTES, Route("Item", "Secret", "GET", "/secret", authorized=True)]


def cors_gateway(
    invoke: Any = None, cors: Cors = CORS, routes: list[Route] = PRIVATE, **kwargs: Any
) -> Client:
    def refuse(header: str | None) -> dict[str, Any]:
        raise TokenRejected("no token")

    return Client(
        ApiGateway(
            authorizer=refuse,
            stage="dev",
            routes=routes,
            invoke=invoke or (lambda f, e: {"statusCode": 200, "body": "{}"}),
            log=lambda _line: None,
            cors=cors,
            gateway_headers={
                **REFUSALS_CARRY,
                "DEFAULT_5XX": {"Access-Control-Allow-Origin": "https://portal.example"},
            },
            **kwargs,
        )
    )


def test_a_preflight_of_any_resource_is_200_with_the_template_headers_and_no_token() -> None:
    calls: list[str] = []
    client = cors_gateway(lambda f, e: calls.append(f))
    for path in ("/items/42", "/items/search", "/files/a/b", "/secret"):
        answer = client.options(
            path,
            headers={
                "Origin": "https://elsewhere.example",  # the mock answers whatever the Origin
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,idempotency-key",
            },
        )
        assert answer.status_code == 200, path
        assert answer.json == {}
        assert answer.headers["Access-Control-Allow-Origin"] == "https://portal.example"
        assert answer.headers["Access-Control-Allow-Headers"] == (
            "Authorization,Content-Type,Idempotency-Key"
        )
        assert answer.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
        assert answer.headers["Access-Control-Max-Age"] == "600"
        assert "Access-Control-Allow-Credentials" not in answer.headers
    assert calls == []  # no function runs for a preflight


def test_a_preflight_of_an_unknown_path_is_404_and_without_cors_there_is_none() -> None:
    answer = cors_gateway().options("/nowhere")
    assert answer.status_code == 404
    assert isinstance(answer.json, dict) and answer.json["code"] == "route_not_found"
    assert answer.headers["Access-Control-Allow-Origin"] == "https://portal.example"
    assert gateway(lambda f, e: None).options("/items/1").status_code == 404


def test_without_allow_methods_a_preflight_names_the_resource_methods_as_sam_does() -> None:
    client = cors_gateway(cors=Cors(allow_origin="https://portal.example"))
    assert client.options("/items/1").headers["Access-Control-Allow-Methods"] == (
        "GET,OPTIONS,POST"
    )
    everything = client.options("/files/x").headers["Access-Control-Allow-Methods"]
    assert everything == "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
    assert "Access-Control-Allow-Headers" not in client.options("/items/1").headers


def test_a_preflight_behind_the_default_authorizer_is_refused_without_a_token() -> None:
    guarded = Cors(allow_origin="https://portal.example", authorized=True)
    answer = cors_gateway(cors=guarded).options("/items/1")
    assert answer.status_code == 401
    assert answer.headers["Access-Control-Allow-Origin"] == "https://portal.example"


def test_an_options_route_of_the_template_is_served_by_its_function() -> None:
    routes = [*PRIVATE, Route("Opt", "Opt", "OPTIONS", "/items/{item_id}", authorized=False)]
    called: list[str] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        called.append(function)
        return {"statusCode": 204, "body": ""}

    assert cors_gateway(invoke, routes=routes).options("/items/1").status_code == 204
    assert called == ["Opt"]


def test_the_gateways_own_refusals_carry_the_gateway_response_headers() -> None:
    def crash(function: str, event: dict[str, Any]) -> Any:
        raise RuntimeError("boom")

    unauthorized = cors_gateway().get("/secret", headers={"Authorization": "Bearer x"})
    assert unauthorized.status_code == 401
    for answer in (
        unauthorized,
        cors_gateway(crash).get("/items/1"),
        cors_gateway(lambda f, e: None).get("/items/1"),
        cors_gateway().delete("/items/search"),
    ):
        assert answer.status_code in (401, 404, 500)
        assert answer.headers["Access-Control-Allow-Origin"] == "https://portal.example"
    # A function's own answer is the function's: API Gateway adds nothing to it.
    assert "Access-Control-Allow-Origin" not in cors_gateway().get("/items/1").headers


def test_local_paths_answer_preflights_too() -> None:
    client = cors_gateway(local=lambda request: Response("{}", 200))
    answer = client.options("/_local/orgs", headers={"Access-Control-Request-Method": "POST"})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "https://portal.example"
    assert client.options("/elsewhere").status_code == 404


def test_a_method_a_known_path_does_not_have_is_405_with_allow_and_json() -> None:
    """TRACE (or DELETE where only GET and POST are served) is 405 naming the methods the
    path has, as JSON; an unknown path stays 404."""
    for method in ("TRACE", "PUT"):
        answer = gateway(lambda f, e: None).open("/items/1", method=method)
        assert answer.status_code == 405, method
        assert answer.headers["Allow"] == "GET, POST"
        assert isinstance(answer.json, dict) and answer.json["code"] == "method_not_allowed"
    unknown = gateway(lambda f, e: None).open("/nowhere/at/all", method="TRACE")
    assert unknown.status_code == 404
    assert isinstance(unknown.json, dict) and unknown.json["code"] == "route_not_found"
