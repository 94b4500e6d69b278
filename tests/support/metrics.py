"""Business metrics as CloudWatch reads them: the EMF blobs a function printed."""

from __future__ import annotations

import json
from typing import Any


def emf_blobs(printed: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in printed.splitlines() if '"_aws"' in line]


def metric_names(blob: dict[str, Any]) -> list[str]:
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    return [metric["Name"] for metric in directive["Metrics"]]
