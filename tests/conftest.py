"""Health data never reaches a log: every log line written during any test is checked for
the personal data the tests use (names, emails, dates of birth, passwords, link tokens)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from clientaccounts.observability import logger
from tests.support.request_bodies import PASSWORD

PERSONAL = re.compile(
    "|".join(
        [
            re.escape(PASSWORD),
            r"\b(?:1990-04-30|1985-07-14|1980-01-01|1981-01-01)\b",  # the tests' dates of birth
            r"[\w.+-]+@[\w-]+\.(?:example|example\.org)\b",  # every test email address
            r"\b(?:Robin|Casey|Mallory|Ada|Pat|Sol|Dana|Ann|Bea)\b",  # the tests' given names
            r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",  # a 32-byte link token
            r"token=",
        ]
    )
)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(autouse=True)
def no_personal_data_in_logs() -> Iterator[None]:
    collect = _Collect()
    collect.setFormatter(logger.registered_formatter)  # the JSON line CloudWatch would get
    std_logger = logging.getLogger(logger.name)
    std_logger.addHandler(collect)
    try:
        yield
    finally:
        std_logger.removeHandler(collect)
    leaks = [line for line in collect.lines if PERSONAL.search(line)]
    assert not leaks, f"personal data in logs: {leaks[:3]}"
