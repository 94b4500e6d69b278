from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from aws_lambda_powertools.logging import logger as powertools_logger_module
from aws_lambda_powertools.logging.logger import Logger

from clientaccounts import observability
from clientaccounts.observability import create_logger
from tests.support.lambda_events import FakeLambdaContext, proxy_event

Logged = tuple[Logger, list[dict[str, Any]]]


def _collecting(service: Logger) -> tuple[logging.Handler, list[dict[str, Any]]]:
    lines: list[dict[str, Any]] = []
    formatter = service.registered_formatter

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(formatter.format(record)))

    return Collect(), lines


def _fresh_logger(service_name: str) -> tuple[Logger, list[dict[str, Any]]]:
    """A logger of its own (Powertools configures a service's logger once), writing its own
    lines nowhere; `lines` gets what the formatter makes of each record."""
    service = create_logger(service_name)
    own = service.registered_handler
    assert isinstance(own, logging.StreamHandler)
    own.setStream(io.StringIO())
    handler, lines = _collecting(service)
    service.addHandler(handler)
    return service, lines


@pytest.fixture
def logged(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Logged:
    monkeypatch.setattr(powertools_logger_module, "is_cold_start", True)
    return _fresh_logger(f"test-observability-{request.node.name}")


def test_every_line_of_an_invocation_names_it_and_says_whether_it_was_a_cold_start(
    logged: Logged,
) -> None:
    service, lines = logged

    @service.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> str:
        service.info("client approved", extra={"client_id": "c-1"})
        return "done"

    assert handler({}, FakeLambdaContext(aws_request_id="r-1")) == "done"
    handler({}, FakeLambdaContext(aws_request_id="r-2"))
    first, second = lines
    assert first["message"] == "client approved"
    assert (first["level"], first["client_id"]) == ("INFO", "c-1")
    assert first["service"].startswith("test-observability-")
    assert (first["function_request_id"], first["cold_start"]) == ("r-1", True)
    assert (second["function_request_id"], second["cold_start"]) == ("r-2", False)
    assert first["location"].startswith("handler:")  # the caller, not the logger's wrapper
    assert first["timestamp"].endswith("+00:00")  # UTC, RFC 3339


def _raise_with_personal_data() -> None:
    try:
        raise KeyError("robin@mail.example")
    except KeyError as cause:
        exc = ValueError("robin@mail.example is not valid")
        exc.add_note("dob 1990-04-30")
        raise exc from cause


def test_an_exception_is_logged_by_its_type_only(logged: Logged) -> None:
    service, lines = logged
    try:
        _raise_with_personal_data()
    except ValueError:
        service.exception("refused", extra={"code": "x"})
        service.warning("with stack", stack_info=True)
    line, stacked = lines
    assert line["exception_name"] == "ValueError"
    assert (line["message"], line["code"]) == ("refused", "x")
    for logged_line in (line, stacked):
        text = json.dumps(logged_line)
        assert "robin@mail.example" not in text and "1990-04-30" not in text
        assert not {"exception", "stack_trace", "exception_notes", "stack_info"} & set(logged_line)
        assert "Traceback" not in text and "_raise_with_personal_data" not in text


def test_another_handler_caching_the_traceback_on_the_record_does_not_leak_it(
    logged: Logged,
) -> None:
    service, lines = logged
    cached: list[str] = []

    class TextHandler(logging.Handler):  # formats first, as pytest's log capture does
        def emit(self, record: logging.LogRecord) -> None:
            cached.append(logging.Formatter().format(record))

    logging.getLogger(service.name).handlers.insert(1, TextHandler())
    try:
        _raise_with_personal_data()
    except ValueError:
        service.exception("refused")
    assert "robin@mail.example" in cached[0]  # the record now carries exc_text
    (line,) = lines
    assert "robin@mail.example" not in json.dumps(line)


@pytest.mark.parametrize("level", ["debug", "DEBUG", "WARNING"])
def test_the_log_level_comes_from_log_level(level: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", level)
    service, lines = _fresh_logger(f"test-level-{level}")
    service.debug("detail", extra={"step": 1})
    service.info("routine")
    service.warning("dependency unavailable", extra={"code": "service_unavailable"})
    messages = [line["message"] for line in lines]
    if level.upper() == "DEBUG":
        assert messages == ["detail", "routine", "dependency unavailable"]
        assert lines[0]["level"] == "DEBUG"
    else:
        assert messages == ["dependency unavailable"]


def test_an_api_line_carries_the_api_gateway_request_id_as_its_correlation_id() -> None:
    handler, lines = _collecting(observability.logger)
    std_logger = logging.getLogger(observability.logger.name)
    std_logger.addHandler(handler)
    event = proxy_event("GET", "/no-such-route")
    event["requestContext"]["requestId"] = "req-from-api-gateway"
    try:
        from clientaccounts.http import create_api

        create_api().resolve(event)
        observability.logger.info("after the router")
        observability.correlate({"source": "aws.events"})  # not an API event: no id
        observability.logger.info("scheduled")
    finally:
        std_logger.removeHandler(handler)
    api_line, other = lines
    assert api_line["correlation_id"] == "req-from-api-gateway"
    assert "correlation_id" not in other


def test_no_function_is_configured_to_log_its_event() -> None:
    """Powertools logs the whole event (bodies: names, emails, passwords) when
    POWERTOOLS_LOGGER_LOG_EVENT is true, and pretty-prints over many lines with POWERTOOLS_DEV."""
    from infra.template import load_template

    template = load_template()
    environments = [template.get("Globals", {}).get("Function", {}).get("Environment", {})]
    environments += [
        resource["Properties"].get("Environment", {})
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
    ]
    for environment in environments:
        assert not {"POWERTOOLS_LOGGER_LOG_EVENT", "POWERTOOLS_DEV"} & set(
            environment.get("Variables", {})
        )


def test_a_json_log_format_lets_the_log_level_through() -> None:
    """With `LogFormat: JSON`, Lambda applies its own application log level (INFO unless
    set), drops JSON lines below it, and Powertools takes that level over LOG_LEVEL: DEBUG
    (dev) only works when `ApplicationLogLevel` is the LogLevel parameter, whose values must
    then be Lambda's (WARN, not WARNING)."""
    from infra.template import load_template

    template = load_template()
    configs = [template.get("Globals", {}).get("Function", {}).get("LoggingConfig", {})]
    configs += [
        resource["Properties"].get("LoggingConfig", {})
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
    ]
    for config in configs:
        if config.get("LogFormat") == "JSON":
            assert config.get("ApplicationLogLevel") == {"Ref": "LogLevel"}, config
            lambda_levels = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
            assert set(template["Parameters"]["LogLevel"]["AllowedValues"]) <= lambda_levels
