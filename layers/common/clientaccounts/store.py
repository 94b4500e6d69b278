"""Data access: the only module that talks to DynamoDB. Every read is a GetItem or a Query
(never a Scan); every multi-item change is one TransactWriteItems. Condition failures come
back as the domain error the caller attached to the operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from .config import get_settings
from .errors import Conflict, DomainError, ServiceUnavailable
from .models import (
    Association,
    Client,
    Department,
    Guard,
    Link,
    Organization,
    OutboxEmail,
    Staff,
    bind_models,
)
from .observability import logger

M = TypeVar("M", bound=Model)
_bound_to: object = None


def ensure_bound() -> None:
    """Bind the models to the current settings; cheap after the first call."""
    global _bound_to
    settings = get_settings()
    if _bound_to is not settings:
        bind_models(settings)
        _bound_to = settings


def _unavailable(exc: Exception) -> ServiceUnavailable:
    logger.warning("dynamodb call failed", extra={"error_type": type(exc).__name__})
    return ServiceUnavailable("The service is temporarily unavailable; please try again.")


def _get(model: type[M], hash_key: str, range_key: str | None = None) -> M | None:
    ensure_bound()
    try:
        return model.get(hash_key, range_key, consistent_read=True)
    except DoesNotExist:
        return None
    except (PynamoDBException, BotoCoreError, ClientError) as exc:
        raise _unavailable(exc) from exc


def _query(run: Callable[[], Iterator[M]]) -> list[M]:
    ensure_bound()
    try:
        return list(run())
    except (PynamoDBException, BotoCoreError, ClientError) as exc:
        raise _unavailable(exc) from exc


# --- keys -----------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    return email.strip().lower()


def client_email_guard_key(org_id: str, email: str) -> str:
    return f"client-email#{org_id}#{normalize_email(email)}"


def staff_email_guard_key(org_id: str, email: str) -> str:
    return f"staff-email#{org_id}#{normalize_email(email)}"


def client_ref(org_id: str, client_id: str) -> str:
    return f"{org_id}#{client_id}"


def practitioner_ref(org_id: str, practitioner_id: str) -> str:
    return f"{org_id}#{practitioner_id}"


# --- reads ----------------------------------------------------------------------------


def get_organization(org_id: str) -> Organization | None:
    return _get(Organization, org_id)


def list_departments(org_id: str) -> list[Department]:
    return _query(lambda: Department.query(org_id))


def get_staff(org_id: str, staff_id: str) -> Staff | None:
    return _get(Staff, org_id, staff_id)


def list_staff(org_id: str) -> list[Staff]:
    """An organization's staff: one Query on its partition (organizations are small)."""
    return _query(lambda: Staff.query(org_id))


def get_client(org_id: str, client_id: str) -> Client | None:
    return _get(Client, org_id, client_id)


def get_guard(guard_key: str) -> Guard | None:
    return _get(Guard, guard_key)


def get_link(token_hash: str) -> Link | None:
    return _get(Link, token_hash)


def get_outbox_email(email_id: str) -> OutboxEmail | None:
    return _get(OutboxEmail, email_id)


def list_client_associations(org_id: str, client_id: str) -> list[Association]:
    return _query(lambda: Association.query(client_ref(org_id, client_id)))


# --- writes ---------------------------------------------------------------------------


class Transaction:
    """One TransactWriteItems. Attach to an operation the error its condition failing means;
    a concurrent transaction on the same items answers 409, any other failure 503."""

    def __init__(self) -> None:
        self._ops: list[tuple[Callable[[TransactWrite], None], DomainError | None]] = []

    def __len__(self) -> int:
        return len(self._ops)

    def save(
        self,
        item: Model,
        condition: Condition | None = None,
        *,
        on_conflict: DomainError | None = None,
    ) -> Transaction:
        self._ops.append((lambda tx: tx.save(item, condition=condition), on_conflict))
        return self

    def update(
        self,
        item: Model,
        actions: list[Action],
        condition: Condition | None = None,
        *,
        on_conflict: DomainError | None = None,
    ) -> Transaction:
        self._ops.append(
            (lambda tx: tx.update(item, actions=actions, condition=condition), on_conflict)
        )
        return self

    def delete(
        self,
        item: Model,
        condition: Condition | None = None,
        *,
        on_conflict: DomainError | None = None,
    ) -> Transaction:
        self._ops.append((lambda tx: tx.delete(item, condition=condition), on_conflict))
        return self

    def check(
        self,
        model: type[Model],
        hash_key: str,
        range_key: str | None,
        condition: Condition,
        *,
        on_conflict: DomainError,
    ) -> Transaction:
        self._ops.append(
            (
                lambda tx: tx.condition_check(model, hash_key, range_key, condition=condition),
                on_conflict,
            )
        )
        return self

    def commit(self) -> None:
        ensure_bound()
        settings = get_settings()
        connection = Connection(region=settings.region, host=settings.aws_endpoint_url)
        try:
            with TransactWrite(connection=connection) as tx:
                for add, _ in self._ops:
                    add(tx)
        except TransactWriteError as exc:
            raise self._domain_error(exc) from exc
        except (PynamoDBException, BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from exc

    def _domain_error(self, exc: TransactWriteError) -> DomainError:
        reasons = exc.cancellation_reasons or []
        for (_, on_conflict), reason in zip(self._ops, reasons, strict=False):
            if reason is not None and reason.code == "ConditionalCheckFailed":
                if on_conflict is not None:
                    return on_conflict
                return Conflict("The record changed meanwhile; reload and try again.")
        if any(r is not None and r.code == "TransactionConflict" for r in reasons):
            return Conflict(
                "Another change to the same record is in progress; try again.",
                code="concurrent_change",
            )
        return _unavailable(exc)
