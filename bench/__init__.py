"""The benchmark (`make bench`, `python -m bench`): one module per section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Options:
    runs: int  # rounds of each timing
    seed: int  # shuffle order of interleaved rounds
    load_workers: int = 8  # local_stack_load: concurrent clients
    load_clients: int = 150  # local_stack_load: registrations (each confirmed too)


@dataclass(frozen=True)
class SectionResult:
    table: str  # what a person reads
    results: dict[str, Any]  # what bench/results.json keeps
