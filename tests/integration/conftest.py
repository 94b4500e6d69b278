"""The integration suite's fixtures: a fresh provisioned moto per test (`stack`) and injected
outages (`outages`). What they are made of is in tests/support."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.faults import Outages
from tests.support.stack import Stack, moto_stack, serialize_moto_dynamodb


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    serialize_moto_dynamodb(monkeypatch)
    with moto_stack(monkeypatch) as provisioned_stack:
        yield provisioned_stack


@pytest.fixture
def outages(monkeypatch: pytest.MonkeyPatch) -> Outages:
    return Outages(monkeypatch)
