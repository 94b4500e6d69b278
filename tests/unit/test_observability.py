"""The functions' JSON log lines: each carries the invocation's ids, the `extra` fields, and
of an exception only its type (its message may quote personal data)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from clientaccounts.config import reset_settings
from clientaccounts.observability import ServiceLogger
from tests.lambda_events import FakeLambdaContext


@pytest.fixture
def logged() -> Iterator[tuple[ServiceLogger, list[dict[str, Any]]]]:
    service = ServiceLogger("test-observability")
    lines: list[dict[str, Any]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(service.formatter.format(record)))

    service.std_logger.handlers = [Collect()]
    yield service, lines
    service.std_logger.handlers = []


def test_every_line_of_an_invocation_names_it_and_says_whether_it_was_a_cold_start(
    logged: tuple[ServiceLogger, list[dict[str, Any]]],
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
    assert (first["function_request_id"], first["cold_start"]) == ("r-1", True)
    assert (second["function_request_id"], second["cold_start"]) == ("r-2", False)
    assert first["location"].startswith("handler:")  # the caller, not the logger's wrapper


def test_an_exception_is_logged_by_its_type_only(
    logged: tuple[ServiceLogger, list[dict[str, Any]]],
) -> None:
    service, lines = logged
    try:
        raise ValueError("robin@mail.example is not valid")
    except ValueError:
        service.std_logger.exception("refused")
    (line,) = lines
    assert line["exception_name"] == "ValueError"
    assert "robin@mail.example" not in json.dumps(line)


def test_the_log_level_comes_from_the_settings_at_the_first_invocation(
    logged: tuple[ServiceLogger, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, lines = logged
    monkeypatch.setenv("LOG_LEVEL", "warning")
    reset_settings()

    @service.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> None:
        service.info("routine")
        service.warning("dependency unavailable", extra={"code": "service_unavailable"})

    try:
        handler({}, FakeLambdaContext())
    finally:
        monkeypatch.delenv("LOG_LEVEL")
        reset_settings()
    assert [line["message"] for line in lines] == ["dependency unavailable"]
