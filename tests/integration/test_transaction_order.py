"""The transaction builder sends its operations in the order they were added, and maps
DynamoDB's cancellation reason i back to operation i (persistence/transaction.py). The order
here, Update, Put, Delete, ConditionCheck, is the reverse of the one pynamodb's TransactWrite
would send (checks, deletes, puts, updates): a builder that regrouped them would report the
wrong operation's error."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.connection import Connection

from clientaccounts import clock
from clientaccounts.errors import Conflict, DomainError
from clientaccounts.persistence import store
from clientaccounts.persistence.models import Guard
from tests.support.stack import Stack

KINDS = ["Update", "Put", "Delete", "ConditionCheck"]


def _seed(key: str, owner: str) -> None:
    Guard(key, org_id="o", owner_kind="test", owner_id=owner, created_at="t").save()


def _transaction(failing: int | None) -> tuple[store.Transaction, list[DomainError]]:
    """Four operations on four guards; only operation `failing` finds its condition false."""
    store.ensure_bound()
    errors: list[DomainError] = [Conflict(f"operation {i}", code=f"op{i}") for i in range(4)]
    _seed("update", "other" if failing == 0 else "me")
    if failing == 1:
        _seed("put", "someone")
    _seed("delete", "other" if failing == 2 else "me")
    if failing != 3:
        _seed("check", "me")
    tx = store.Transaction()
    tx.update(
        Guard("update"),
        [Guard.created_at.set(clock.iso(clock.now()))],
        Guard.owner_id == "me",
        on_conflict=errors[0],
    )
    tx.save(
        Guard("put", org_id="o", owner_kind="test", owner_id="me", created_at="t"),
        Guard.guard_key.does_not_exist(),
        on_conflict=errors[1],
    )
    tx.delete(Guard("delete"), Guard.owner_id == "me", on_conflict=errors[2])
    tx.check(Guard, "check", None, Guard.guard_key.exists(), on_conflict=errors[3])
    return tx, errors


@pytest.mark.parametrize("failing", range(4))
def test_cancellation_reason_i_is_operation_i(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    sent: list[list[str]] = []
    dispatch = Connection.dispatch

    def recording(self: Connection, operation: str, kwargs: dict[str, Any]) -> Any:
        if operation == "TransactWriteItems":
            sent.append([next(iter(item)) for item in kwargs["TransactItems"]])
        return dispatch(self, operation, kwargs)

    monkeypatch.setattr(Connection, "dispatch", recording)
    tx, errors = _transaction(failing)
    assert tx.kinds == KINDS
    with pytest.raises(Conflict) as raised:
        tx.commit()
    assert raised.value is errors[failing]
    assert sent == [KINDS]  # one request, items in the order they were added
    # Nothing applied: the guard the Delete names is still there.
    assert store.get_guard("delete") is not None


def test_a_transaction_whose_conditions_hold_applies_every_operation(stack: Stack) -> None:
    tx, _ = _transaction(None)
    tx.commit()
    assert store.get_guard("put") is not None
    assert store.get_guard("delete") is None
