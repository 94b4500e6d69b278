"""Races: calls started at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def run_concurrently(calls: list[Callable[[], Any]]) -> list[Any]:
    """Start the calls at the same instant, each in its own thread (as two Lambda instances
    would run); each result is a value or the raised error. Races run the use cases: the
    contention they test is in Cognito and DynamoDB, not in the HTTP layer."""
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
