"""One TransactWriteItems, built here in the order its operations were added.

DynamoDB answers a cancelled transaction with one cancellation reason per item, in the order
of the request's items. The request is built here from the models' own serialization
(`get_save_kwargs_from_instance` and its siblings), so item i of the request is operation i
of the transaction, and reason i maps back to operation i's `on_conflict` (pinned by
tests/integration/test_transaction_order.py). pynamodb's `TransactWrite` groups operations by
kind (checks, deletes, puts, updates), an order of its own that this does not rely on.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.constants import TRANSACT_WRITE_ITEMS
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from ..errors import Conflict, DomainError
from .connection import FAILURES, transaction_connection, unavailable

TRANSACTION_ATTEMPTS = 4


@dataclass(frozen=True)
class _Operation:
    kind: str  # the TransactItems key: "Put", "Update", "Delete" or "ConditionCheck"
    # The item's request, built at commit (the models are bound to their tables by then).
    request: Callable[[], dict[str, Any]]
    on_conflict: DomainError | None


class Transaction:
    """One TransactWriteItems. Attach to an operation the error its condition failing means;
    a concurrent transaction on the same items answers 409, any other failure 503. Use cases
    add named writes (writes.py), which own their conditions; a plain `save` of a new outbox
    email or audit event needs none."""

    def __init__(self) -> None:
        self._operations: list[_Operation] = []

    def _add(
        self, kind: str, request: Callable[[], dict[str, Any]], on_conflict: DomainError | None
    ) -> Transaction:
        self._operations.append(_Operation(kind, request, on_conflict))
        return self

    def __len__(self) -> int:
        return len(self._operations)

    @property
    def kinds(self) -> list[str]:
        """The operations' kinds in the order they are sent."""
        return [operation.kind for operation in self._operations]

    def save(
        self,
        item: Model,
        condition: Condition | None = None,
        *,
        on_conflict: DomainError | None = None,
    ) -> Transaction:
        return self._add(
            "Put", lambda: item.get_save_kwargs_from_instance(condition=condition), on_conflict
        )

    def update(
        self,
        item: Model,
        actions: list[Action],
        condition: Condition | None = None,
        *,
        on_conflict: DomainError | None = None,
    ) -> Transaction:
        return self._add(
            "Update",
            lambda: item.get_update_kwargs_from_instance(actions=actions, condition=condition),
            on_conflict,
        )

    def delete(
        self,
        item: Model,
        condition: Condition | None = None,
        *,
        on_conflict: DomainError | None = None,
    ) -> Transaction:
        return self._add(
            "Delete", lambda: item.get_delete_kwargs_from_instance(condition=condition), on_conflict
        )

    def check(
        self,
        model: type[Model],
        hash_key: str,
        range_key: str | None,
        condition: Condition,
        *,
        on_conflict: DomainError,
    ) -> Transaction:
        return self._add(
            "ConditionCheck",
            lambda: model.get_operation_kwargs_from_class(
                hash_key, range_key=range_key, condition=condition
            ),
            on_conflict,
        )

    def commit(self) -> None:
        """Commit, retrying when a concurrent transaction touched the same items: a cancelled
        transaction applied nothing, and every invariant is in its conditions, so the retry
        answers from the state the other one left (a used link, a taken email)."""
        connection = transaction_connection()
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            # botocore retries a call that timed out with the same token, and DynamoDB answers
            # such a retry of a committed transaction with success instead of running it again
            # (its conditions would fail: a committed change must not read as a refused one).
            token = uuid.uuid4().hex
            try:
                items = [{op.kind: op.request()} for op in self._operations]
                try:
                    connection.dispatch(
                        TRANSACT_WRITE_ITEMS,
                        {"TransactItems": items, "ClientRequestToken": token},
                    )
                except (BotoCoreError, ClientError) as exc:
                    # As pynamodb's own TransactWrite wraps it: its `cancellation_reasons`
                    # parse the response's reasons, one per item, in the request's order.
                    raise TransactWriteError("Failed to write transaction items", exc) from exc
                return
            except TransactWriteError as exc:
                error = self._domain_error(exc)
                if error.code != "concurrent_change" or attempt == TRANSACTION_ATTEMPTS:
                    raise error from exc
            except FAILURES as exc:
                raise unavailable(exc) from exc
            # Jitter spreads the retries; it is not a secret, so `random` is right here.
            time.sleep(random.uniform(0.02, 0.1) * attempt)  # noqa: S311  # nosec B311

    def _domain_error(self, exc: TransactWriteError) -> DomainError:
        reasons = exc.cancellation_reasons or []
        for operation, reason in zip(self._operations, reasons, strict=False):
            if reason is not None and reason.code == "ConditionalCheckFailed":
                if operation.on_conflict is not None:
                    return operation.on_conflict
                return Conflict("The record changed meanwhile; reload and try again.")
        if any(r is not None and r.code == "TransactionConflict" for r in reasons):
            return Conflict(
                "Another change to the same record is in progress; try again.",
                code="concurrent_change",
            )
        return unavailable(exc)
