"""The load benchmark end to end, tiny: its own local stack, every path of R6-R10 once per
worker, and every account and email found afterwards. No timing is asserted."""

from __future__ import annotations

import pytest

from bench.local_stack_load import CONFIRMATION, PATHS, REGISTRATION, section

pytestmark = pytest.mark.e2e


def test_r9_r10_a_small_load_leaves_every_account_and_email_in_place() -> None:
    timed = 2 * len(PATHS)  # each organization's path twice, after a warm-up of one each
    result = section(workers=2, clients=timed, seed=0).results
    clients = timed + len(PATHS)
    assert result["clients"] == clients
    assert result["problems"] == []
    assert result["ok"] is True
    assert result["answers"] == {"registered_202": clients, "confirmed_as_expected": clients}
    assert result["accounts"] == {"listed_once": clients, "listed_extra": 0, "logged_in": clients}
    assert result["emails"]["as_expected"] == result["emails"]["expected"] == 3 * clients
    assert result["emails"]["in_mailbox"] == 3 * clients
    for kind in (REGISTRATION, CONFIRMATION):
        assert result["requests"][kind]["requests"] == timed
        assert result["requests"][kind]["errors"] == 0
        assert set(result["ratios_to_baseline"][kind]) == {"per_second", "p50", "p99"}
