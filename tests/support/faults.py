"""Injected outages: one operation of a moto backend fails as the real service would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from moto.core.exceptions import JsonRESTError


class AwsOutage(JsonRESTError):
    """What a failing AWS service answers: a 503 the client sees after its retries."""

    code = 503

    def __init__(self) -> None:
        super().__init__("ServiceUnavailable", "injected outage")


@dataclass
class Outages:
    """Make one operation of a moto backend fail, as the real service would over the wire."""

    monkeypatch: pytest.MonkeyPatch
    calls: dict[str, int] = field(default_factory=dict)

    def fail(self, backend: type, method: str, *, times: int | None = None) -> None:
        original = getattr(backend, method)
        name = f"{backend.__name__}.{method}"
        self.calls[name] = 0

        def failing(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            if times is None or self.calls[name] <= times:
                raise AwsOutage()
            return original(*args, **kwargs)

        self.monkeypatch.setattr(backend, method, failing)
