"""The router of clientaccounts.http, on events as API Gateway sends them: routes found by
template path and method, bodies and query strings validated with their models, every
failure a JSON answer that names the field and never echoes the input."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest

from clientaccounts.answers import Message
from clientaccounts.auth import Caller
from clientaccounts.config import reset_settings
from clientaccounts.errors import Conflict, ServiceUnavailable
from clientaccounts.http import Request, create_api
from clientaccounts.observability import logger
from clientaccounts.schemas import ClientListQuery, EmailConfirmationRequest, RegistrationRequest
from tests.support.lambda_events import proxy_event as event
from tests.support.request_bodies import registration_body

app = create_api()
seen: dict[str, Any] = {}


@app.post("/public/orgs/{slug}/registrations", body=RegistrationRequest, status=202, answer=Message)
def register(request: Request, slug: str, body: RegistrationRequest) -> Message:
    seen.update(slug=slug, body=body, idempotency_key=request.header("Idempotency-Key"))
    return {"message": "ok"}


@app.get("/clients", query=ClientListQuery, answer=dict)
def list_clients(request: Request, query: ClientListQuery) -> dict[str, Any]:
    return {"status": query.status, "limit": query.limit, "claims": request.claims}


@app.get("/me", answer=dict)
def me(caller: Caller) -> dict[str, Any]:
    seen.update(caller=caller)
    return {"id": caller.account_id}


@app.delete("/clients/{client_id}")
def delete(client_id: str) -> None:
    seen.update(deleted=client_id)


@app.post("/public/email-confirmations", body=EmailConfirmationRequest, answer=dict)
def confirm(request: Request, body: EmailConfirmationRequest) -> dict[str, str]:
    if body.token == "used":
        raise Conflict("Already used.", code="link_used")
    if body.token == "down":
        raise ServiceUnavailable("Try again.")
    raise RuntimeError("secret-token-value broke something")


def answer(built: dict[str, Any]) -> tuple[int, Any]:
    result = app.resolve(built)
    assert result["headers"]["Content-Type"] == "application/json"
    return result["statusCode"], json.loads(result["body"]) if result["body"] else None


def register_event(body: str | None, **kwargs: Any) -> dict[str, Any]:
    return event(
        "POST",
        "/public/orgs/{slug}/registrations",
        path_parameters={"slug": "practice-1"},
        body=body,
        **kwargs,
    )


def test_a_route_gets_its_path_parameters_validated_body_and_headers_any_case() -> None:
    status, _ = answer(
        register_event(json.dumps(registration_body()), headers={"idempotency-key": "k-1"})
    )
    assert status == 202
    assert seen["slug"] == "practice-1"
    assert isinstance(seen["body"], RegistrationRequest)
    assert seen["idempotency_key"] == "k-1"


def test_a_base64_body_is_decoded() -> None:
    raw = base64.b64encode(json.dumps(registration_body()).encode()).decode()
    status, _ = answer(register_event(raw, is_base64=True))
    assert status == 202


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "A JSON body is required."),
        ("", "A JSON body is required."),
        ("{not json", "The body is not valid JSON."),
        ("[1, 2]", "The body must be a JSON object."),
        ("null", "The body must be a JSON object."),
    ],
)
def test_a_body_that_is_not_a_json_object_is_422_naming_the_body(
    raw: str | None, message: str
) -> None:
    status, body = answer(register_event(raw))
    assert status == 422
    assert body == {
        "message": "Invalid request: body.",
        "code": "validation_failed",
        "errors": [{"field": "body", "message": message}],
    }


def test_each_bad_field_is_named_and_no_value_is_echoed() -> None:
    sent = registration_body(dob="1990-02-30", email="Robin-at-nowhere")
    sent["Secret-Password-42"] = 1  # an unknown key that is not a field name
    sent["nickname"] = "Robin"
    status, body = answer(register_event(json.dumps(sent)))
    assert status == 422
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["nickname"] == "Unknown field."
    assert fields["body"] == "Unknown field."  # the odd key, reported without its name
    assert fields["dob"] == "Use a real date as YYYY-MM-DD."
    assert "email" in fields
    assert "Robin" not in json.dumps(body) and "Secret-Password-42" not in json.dumps(body)


def test_query_parameters_have_defaults_bounds_and_ignore_unknown_names() -> None:
    status, body = answer(event("GET", "/clients", query={"cache": "1"}))
    assert (status, body["status"], body["limit"]) == (200, "active", 25)
    status, body = answer(event("GET", "/clients", query={"limit": "500"}))
    assert status == 422
    assert [e["field"] for e in body["errors"]] == ["limit"]
    status, body = answer(event("GET", "/clients", query={"limit": "ten"}))
    assert (status, body["errors"][0]["field"]) == (422, "limit")


def test_the_router_passes_the_caller_to_a_route_that_takes_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    someone = Caller("staff", "practice-1", "s1", roles=frozenset({"org_admin"}))
    read: list[Any] = []

    def caller_from_claims(claims: Any) -> Caller:
        read.append(claims)
        return someone

    monkeypatch.setattr("clientaccounts.http.caller_from_claims", caller_from_claims)
    claims = {"custom:org_id": "practice-1"}
    assert answer(event("GET", "/me", claims=claims)) == (200, {"id": "s1"})
    assert read == [claims] and seen["caller"] is someone
    # A route that takes no caller reads none (public routes read no account).
    answer(event("GET", "/clients", claims=claims))
    assert read == [claims]


def test_a_route_answers_its_declared_status_and_204_has_no_body() -> None:
    assert answer(register_event(json.dumps(registration_body())))[0] == 202
    result = app.resolve(
        event("DELETE", "/clients/{client_id}", path_parameters={"client_id": "c-9"})
    )
    assert (result["statusCode"], result["body"], seen["deleted"]) == (204, "", "c-9")


def test_a_route_is_refused_when_declared_wrongly() -> None:
    other = create_api()
    with pytest.raises(ValueError, match="cannot pass"):
        other.get("/x", answer=dict)(lambda user: {})
    with pytest.raises(ValueError, match="204"):
        other.route("POST", "/y", status=204, answer=dict)
    with pytest.raises(ValueError, match="204"):
        other.route("POST", "/y", status=202, answer=None)


def test_the_authorizers_claims_reach_the_route() -> None:
    built = event("GET", "/clients", claims={"custom:org_id": "practice-1"})
    assert answer(built)[1]["claims"] == {"custom:org_id": "practice-1"}
    assert answer(event("GET", "/clients"))[1]["claims"] is None


@pytest.mark.parametrize(
    ("method", "resource"),
    [("GET", "/nowhere"), ("DELETE", "/clients"), ("GET", "/clients/{client_id}")],
)
def test_a_route_this_function_does_not_serve_is_404_route_not_found(
    method: str, resource: str
) -> None:
    status, body = answer(event(method, resource))
    assert (status, body["code"]) == (404, "route_not_found")


def _confirmation(token: str) -> str:
    return json.dumps({"token": token, "username": "u1x", "password": "Correct-horse-42"})


def test_domain_errors_map_to_their_status_and_code() -> None:
    used = event("POST", "/public/email-confirmations", body=_confirmation("used"))
    assert answer(used) == (409, {"message": "Already used.", "code": "link_used"})
    down = event("POST", "/public/email-confirmations", body=_confirmation("down"))
    assert answer(down)[0] == 503


def test_an_unexpected_error_is_500_json_and_logs_its_type_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(logger.registered_formatter.format(record))

    collect = Collect()
    logging.getLogger(logger.name).addHandler(collect)
    try:
        status, body = answer(
            event("POST", "/public/email-confirmations", body=_confirmation("boom"))
        )
    finally:
        logging.getLogger(logger.name).removeHandler(collect)
    assert (status, body["code"]) == (500, "internal_error")
    assert "secret-token-value" not in json.dumps(body)
    (line,) = lines
    logged = json.loads(line)
    assert (logged["message"], logged["error_type"]) == ("unhandled error", "RuntimeError")
    assert "secret-token-value" not in line


def test_answers_name_the_portal_origin_for_browsers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_ORIGIN", "https://portal.practice.example")
    reset_settings()
    try:
        result = app.resolve(event("GET", "/nowhere"))
    finally:
        monkeypatch.delenv("PORTAL_ORIGIN")
        reset_settings()
    assert result["headers"]["Access-Control-Allow-Origin"] == "https://portal.practice.example"
