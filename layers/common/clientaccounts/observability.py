"""Logging without personal data: log ids and outcomes, never names, emails, DOB or tokens.

One JSON object per line, which CloudWatch Logs Insights reads field by field, in the shape
Powertools' Logger writes (level, location, message, timestamp, service, the invocation's
function_name, function_request_id and cold_start, then the `extra` fields). Built on the
standard library: importing Powertools' Logger also loads its JMESPath, metrics and tracing
helpers, about a fifth of an API function's cold start (docs/decisions.md, "A router, a
logger and request validation of our own").
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from .config import get_settings

SERVICE = "client-accounts"

# What a LogRecord carries by itself; everything else on a record came from `extra`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class LambdaContext(Protocol):
    """What the functions read of Lambda's context object."""

    function_name: str
    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int: ...


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str, invocation: Mapping[str, Any]) -> None:
        super().__init__()
        self.service = service
        self.invocation = invocation  # the current invocation's fields, kept up to date

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": record.getMessage(),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "service": self.service,
            **self.invocation,
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS})
        if record.exc_info and record.exc_info[0] is not None:
            # The exception's type only: its message or traceback may quote personal data.
            entry["exception_name"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


Handler = TypeVar("Handler", bound=Callable[..., Any])


class ServiceLogger:
    """The functions' logger: `info`/`warning`/`error` with `extra` fields, and a decorator
    that stamps every line of an invocation with its request id."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._invocation: dict[str, Any] = {}
        self._cold_start = True
        self.formatter = JsonFormatter(service, self._invocation)
        self._logger = logging.getLogger(service)
        self._logger.setLevel(logging.INFO)  # until the first invocation reads the settings
        self._logger.propagate = False  # one line per event, not another in the root logger
        self.stream_handler = logging.StreamHandler(sys.stdout)  # Lambda sends stdout on
        self.stream_handler.setFormatter(self.formatter)
        self._logger.addHandler(self.stream_handler)

    @property
    def std_logger(self) -> logging.Logger:
        return self._logger

    def info(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.info(message, extra=extra, stacklevel=2)

    def warning(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.warning(message, extra=extra, stacklevel=2)

    def error(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.error(message, extra=extra, stacklevel=2)

    def inject_lambda_context(self, handler: Handler) -> Handler:
        @functools.wraps(handler)
        def with_context(event: Any, context: LambdaContext, *args: Any, **kwargs: Any) -> Any:
            if self._cold_start:
                self._logger.setLevel(get_settings().log_level)
            self._invocation.clear()
            self._invocation.update(
                function_name=getattr(context, "function_name", None),
                function_request_id=getattr(context, "aws_request_id", None),
                cold_start=self._cold_start,
            )
            self._cold_start = False
            return handler(event, context, *args, **kwargs)

        return with_context  # type: ignore[return-value]


logger = ServiceLogger()
