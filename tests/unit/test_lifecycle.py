"""The daily job's notion of "now": the schedule's time, never beyond the clock (R19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clientaccounts import clock
from clientaccounts.errors import InvalidInput
from clientaccounts.lifecycle import scheduled_time


@pytest.fixture(autouse=True)
def _clock() -> None:
    clock.reset()


def test_r19_the_event_time_is_used_when_it_is_not_in_the_future() -> None:
    earlier = clock.now() - timedelta(days=2)
    assert clock.iso(scheduled_time(clock.iso(earlier))) == clock.iso(earlier)
    naive = earlier.replace(tzinfo=None).isoformat()  # read as UTC
    assert clock.iso(scheduled_time(naive)) == clock.iso(earlier)


def test_r19_a_time_beyond_the_clock_counts_as_the_clock() -> None:
    now = clock.now()
    at = scheduled_time("2999-01-01T00:00:00Z")
    assert now <= at <= clock.now()


def test_r19_no_time_means_the_clock_and_a_bad_one_is_refused() -> None:
    before = clock.now()
    assert before <= scheduled_time(None) <= clock.now()
    with pytest.raises(InvalidInput):
        scheduled_time("yesterday")
    assert scheduled_time("2026-01-01T00:00:00Z") == datetime(2026, 1, 1, tzinfo=UTC)
