"""Logging without personal data: log ids and outcomes, never names, emails, DOB or tokens.

The functions log through Powertools' `Logger` (one JSON object per line: level, location,
message, timestamp, service, cold_start, the invocation's function_request_id, then the
`extra` fields), set up once here: `logger` is the one logger of every function. Two
choices of ours on top:

- An exception is logged by its type only (`exception_name`): no message, no traceback, no
  notes, as any of them may quote personal data (TypeOnlyFormatter).
- On the API path the line carries `correlation_id`, API Gateway's request id, so a
  function's lines join the access log's line of the same request (`correlate`).

The level is `LOG_LEVEL` (Powertools reads it; the template passes its LogLevel parameter).
Importing Powertools' Logger costs about +0.06x of a cold `import boto3` on top of what an
API function loads anyway (docs/decisions.md, 2026-12-01).

Business metrics (`count`) are Powertools `Metrics` in CloudWatch's embedded metric format:
kept in memory and printed as one log line when the invocation ends (`publish_metrics`, which
the router calls after every request), so they cost no call to AWS. Their package is loaded
with the Logger's anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from typing import Any, Protocol

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import Metrics, MetricUnit

from .config import get_settings

SERVICE = "client-accounts"


class LambdaContext(Protocol):
    """What the functions read of Lambda's context object."""

    function_name: str
    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int: ...


class TypeOnlyFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON line, with an exception reduced to its type's name.

    The record is copied without its exception, traceback and stack before Powertools
    formats it, so neither the message, the notes, the frames nor a cause chained to it can
    reach the line (or a traceback another handler cached on the record)."""

    def __init__(self) -> None:
        super().__init__(utc=True, use_rfc3339=True, serialize_stacktrace=False)

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info:
            fields = dict(vars(record), exc_info=None, exc_text=None, stack_info=None)
            exc_type = record.exc_info[0] if record.exc_info else None
            if exc_type is not None:
                fields["exception_name"] = exc_type.__name__
            record = logging.makeLogRecord(fields)
        return super().format(record)


def create_logger(service: str = SERVICE) -> Logger:
    """A Powertools Logger writing TypeOnlyFormatter lines to stdout (Lambda ships stdout).
    The functions use `logger` below; tests build their own under another service name."""
    return Logger(service=service, logger_formatter=TypeOnlyFormatter())


logger = create_logger()


def correlate(event: Mapping[str, Any]) -> None:
    """Stamp this invocation's lines with API Gateway's request id (None: not an API event),
    the `requestId` of the access log line."""
    context = event.get("requestContext")
    request_id = context.get("requestId") if isinstance(context, Mapping) else None
    logger.set_correlation_id(str(request_id) if request_id else None)


@cache
def metrics() -> Metrics:
    """The invocation's business metrics, in the namespace the settings name."""
    return Metrics(namespace=get_settings().metrics_namespace, service=SERVICE)


def count(metric: str, **dimensions: str) -> None:
    """One more of `metric` in this invocation (published by `publish_metrics`). Dimensions
    are low-cardinality names (a refusal's reason), never ids or personal data."""
    recorder = metrics()
    for name, value in dimensions.items():
        recorder.add_dimension(name=name, value=value)
    recorder.add_metric(name=metric, unit=MetricUnit.Count, value=1)


def publish_metrics() -> None:
    """Print what this invocation counted as one EMF line (nothing when it counted nothing),
    then forget it: the next invocation starts from zero."""
    recorder = metrics()
    if recorder.metric_set:
        recorder.flush_metrics()
    else:
        recorder.clear_metrics()  # dimensions added without a metric
