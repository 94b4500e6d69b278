"""The access log's CloudWatch Logs subscription filter (R29), locally: captures the lines the
functions log that match the template's filter pattern and hands them to the destination
function with the event CloudWatch Logs sends (`awslogs.data`: base64 of gzipped JSON).

moto has no subscription filters, and the functions run in this process: so the capture is a
handler on the functions' logger, formatting each line exactly as it is written to stdout
(which is what Lambda ships to the log group). Like Lambda's asynchronous invocation, a
failed delivery is tried twice more, then parked (the dead-letter queue's role).
"""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clientaccounts.observability import SERVICE, logger

from .template import load_template

Handler = Callable[[dict[str, Any], Any], Any]
ACCOUNT_ID = "123456789012"  # moto's default account
ATTEMPTS = 3  # Lambda's asynchronous invocation: the first try and two retries
_PATTERN = re.compile(r'^\{\s*\$\.(\w+)\s*=\s*"([^"]*)"\s*\}$')


@dataclass(frozen=True)
class Subscription:
    name: str
    destination: str  # the destination function's logical id
    log_group: str  # the log group's logical id
    field: str
    value: str


def subscription(logical_id: str = "AccessLogSubscription") -> Subscription:
    """The template's subscription filter; only `{ $.field = "value" }` patterns are
    emulated (anything else stops the caller, rather than delivering the wrong lines)."""
    props = load_template()["Resources"][logical_id]["Properties"]
    found = _PATTERN.match(props["FilterPattern"])
    if found is None:
        raise ValueError(f"{logical_id}: cannot emulate the pattern {props['FilterPattern']!r}")
    return Subscription(
        name=logical_id,
        destination=str(props["DestinationArn"]["Fn::GetAtt"][0]),
        log_group=str(props["LogGroupName"]["Ref"]),
        field=found.group(1),
        value=found.group(2),
    )


class _Capture(logging.Handler):
    def __init__(self, owner: LogSubscription):
        super().__init__()
        self.owner = owner

    def emit(self, record: logging.LogRecord) -> None:
        # The formatter the functions' lines are written with (it holds the appended keys).
        line = logger.registered_formatter.format(record)
        self.owner.offer(line, int(record.created * 1000))


@dataclass
class LogSubscription:
    """Install it, let requests run, then `deliver()`: one invocation with what matched."""

    handler: Handler
    context_factory: Callable[[], Any]
    spec: Subscription = field(default_factory=subscription)
    parked: list[dict[str, Any]] = field(default_factory=list)
    _events: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _capture: _Capture | None = None

    def install(self) -> None:
        if self._capture is None:
            self._capture = _Capture(self)
            logging.getLogger(SERVICE).addHandler(self._capture)  # Powertools' own logger

    def uninstall(self) -> None:
        if self._capture is not None:
            logging.getLogger(SERVICE).removeHandler(self._capture)
            self._capture = None

    def offer(self, line: str, timestamp_ms: int) -> None:
        """A line the functions logged: kept when the filter pattern matches it."""
        try:
            fields = json.loads(line)
        except ValueError:
            return
        if not isinstance(fields, dict) or fields.get(self.spec.field) != self.spec.value:
            return
        with self._lock:
            # CloudWatch's event ids are long decimal strings, unique in the log group.
            event_id = f"{timestamp_ms:020d}{next(self._ids):036d}"
            self._events.append({"id": event_id, "timestamp": timestamp_ms, "message": line})

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._events)

    def event(self, log_events: list[dict[str, Any]]) -> dict[str, Any]:
        """What CloudWatch Logs invokes the destination with."""
        data = {
            "messageType": "DATA_MESSAGE",
            "owner": ACCOUNT_ID,
            "logGroup": f"local-{self.spec.log_group}",
            "logStream": time.strftime("%Y/%m/%d/[$LATEST]local"),
            "subscriptionFilters": [self.spec.name],
            "logEvents": log_events,
        }
        payload = gzip.compress(json.dumps(data).encode("utf-8"))
        return {"awslogs": {"data": base64.b64encode(payload).decode("ascii")}}

    def deliver(self) -> int:
        """Hand what matched since the last delivery to the destination, as one event;
        returns the number of log events delivered (0 when parked)."""
        with self._lock:
            log_events, self._events = self._events, []
        if not log_events:
            return 0
        event = self.event(log_events)
        for attempt in range(ATTEMPTS):
            try:
                self.handler(event, self.context_factory())
                return len(log_events)
            except Exception:
                if attempt == ATTEMPTS - 1:
                    self.parked.append(event)
        return 0
