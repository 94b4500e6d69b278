"""Binding the models to the current settings, and the one mapping of a DynamoDB failure to
the domain's 503 (every read and write of the package goes through it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from ..config import get_settings
from ..errors import ServiceUnavailable
from ..observability import logger
from . import models

T = TypeVar("T")
# What a DynamoDB call raises when the service, the network or the request fails.
FAILURES = (PynamoDBException, BotoCoreError, ClientError)

_bound_to: object = None
# Transactions' connection, made once per binding like the models' own: each new one makes a
# botocore client, which loads the service model (some 50 ms, on every write of a warm function).
_transactions: Connection | None = None


def ensure_bound() -> None:
    """Bind the models to the current settings; cheap after the first call."""
    global _bound_to, _transactions
    settings = get_settings()
    if _bound_to is not settings:
        models.bind_models(settings)
        _transactions = Connection(
            region=settings.region,
            host=settings.aws_endpoint_url,
            connect_timeout_seconds=models.CONNECT_TIMEOUT_SECONDS,
            read_timeout_seconds=models.READ_TIMEOUT_SECONDS,
            max_retry_attempts=models.MAX_RETRY_ATTEMPTS,
        )
        _bound_to = settings


def transaction_connection() -> Connection:
    ensure_bound()
    if _transactions is None:  # ensure_bound has just set it
        raise RuntimeError("models not bound")
    return _transactions


def unavailable(exc: Exception) -> ServiceUnavailable:
    logger.warning("dynamodb call failed", extra={"error_type": type(exc).__name__})
    return ServiceUnavailable("The service is temporarily unavailable; please try again.")


def call(run: Callable[[], T]) -> T:
    """Run one DynamoDB call on bound models; its failure is the domain's 503."""
    ensure_bound()
    try:
        return run()
    except FAILURES as exc:
        raise unavailable(exc) from exc
