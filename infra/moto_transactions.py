"""moto's TransactWriteItems, with a rollback that copies the items a transaction touches
instead of every table it touches.

moto keeps a transaction all-or-nothing by deep-copying each table the transaction names
before applying it, and putting the copies back if an operation fails. That copy grows with
the table: a registration against a local stack holding a few thousand rows spends most of its
time copying tables, and two requests that touch tables of different sizes take different
times for that reason alone (DynamoDB itself does nothing of the kind). Here the rollback
keeps, for each operation, the item as it was (or its absence) and the length of the table's
stream, and restores exactly those; what the transaction did not touch is never copied.

Installed by the local stack and the cleanup benchmark (`install()`); tests compare it with
moto's own rollback (tests/unit/test_moto_transactions.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

_installed: Callable[..., None] | None = None
# The backend's module, to swap the `copy` module it imported (it does not export that name).
_backend_module: Any = dynamodb_models


class _TablesNotCopied:
    """Stands in for the `copy` module inside moto's backend while a transaction runs: a table
    is "copied" as itself; anything else is copied as before."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _key_of(table: Table, operation_type: str, operation: dict[str, Any]) -> tuple[Any, Any]:
    attributes = operation["Item"] if operation_type == "Put" else operation["Key"]
    hash_value = DynamoType(attributes[table.hash_key_attr])
    range_value = DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
    return hash_value, range_value


def _restore(table: Table, key: tuple[Any, Any], item: Any) -> None:
    hash_value, range_value = key
    if range_value is not None:
        if item is None:
            table.items[hash_value].pop(range_value, None)
        else:
            table.items[hash_value][range_value] = item
    elif item is None:
        table.items.pop(hash_value, None)
    else:
        table.items[hash_value] = item


@contextmanager
def _tables_not_copied() -> Iterator[None]:
    original = _backend_module.copy
    _backend_module.copy = _TablesNotCopied
    try:
        yield
    finally:
        _backend_module.copy = original


def install() -> None:
    """Replace moto's transaction rollback in this process (idempotent)."""
    global _installed
    if _installed is not None:
        return
    moto_transact = DynamoDBBackend.transact_write_items
    _installed = moto_transact

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[Table, tuple[Any, Any], Any]] = []
        streams: dict[str, tuple[Any, int]] = {}
        for entry in transact_items:
            operation_type, operation = next(iter(entry.items()))
            table = self.tables.get(operation.get("TableName", ""))
            if table is None:
                continue  # moto answers the unknown table itself
            try:
                key = _key_of(table, operation_type, operation)
                current = table.get_item(*key)
            except Exception:  # noqa: S112 - a malformed key: moto refuses it before writing
                continue
            saved.append((table, key, copy.deepcopy(current)))
            shard = table.stream_shard
            if shard is not None and table.name not in streams:
                streams[table.name] = (shard, len(shard.items))
        try:
            with _tables_not_copied():
                moto_transact(self, transact_items)
        except Exception:
            for table, key, item in reversed(saved):
                _restore(table, key, item)
            for shard, length in streams.values():
                del shard.items[length:]
            raise

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def uninstall() -> None:
    """Put moto's own rollback back (tests)."""
    global _installed
    if _installed is not None:
        DynamoDBBackend.transact_write_items = _installed  # type: ignore[method-assign]
        _installed = None
