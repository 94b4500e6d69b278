"""The local stack as a subprocess on free ports (`tests.support.running_stack`), one for the
whole e2e session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.running_stack import (
    RunningStack,
    registered_and_confirmed,
    running_stack,
    wait_until_ready,
)

__all__ = ["RunningStack", "registered_and_confirmed", "wait_until_ready"]


@pytest.fixture(scope="session")
def local_stack() -> Iterator[RunningStack]:
    with running_stack() as stack:
        yield stack
