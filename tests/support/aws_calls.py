"""Every AWS call a piece of code makes, recorded at botocore (`BaseClient._make_api_call`, which
boto3, the project's botocore clients and pynamodb all go through): the one recorder of the
DynamoDB call budgets (tests/integration/test_dynamodb_calls.py) and of the benchmark's
in-process sections (bench/), which import it from here as they import the tests' stack.

Under moto the call's time is botocore's serialization, moto's work and the parsing of its
answer: what the same call costs any caller, whatever code surrounds it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient


@dataclass(frozen=True)
class AwsCall:
    service: str  # botocore's name: dynamodb, cognito-idp, sesv2, ssm, dynamodbstreams
    operation: str  # GetItem, Query, TransactWriteItems, AdminDeleteUser, ...
    params: dict[str, Any]
    response: dict[str, Any]  # empty when the call raised
    seconds: float


@dataclass
class AwsCalls:
    calls: list[AwsCall] = field(default_factory=list)

    def operations(self, service: str = "dynamodb") -> Counter[str]:
        return Counter(c.operation for c in self.calls if c.service == service)

    def seconds(self) -> float:
        return sum(c.seconds for c in self.calls)

    def items_read(self) -> Counter[str]:
        """DynamoDB items read, per table or `table/index`, from the answers: what a Query or
        Scan examined (ScannedCount), a GetItem that found its item, a BatchGetItem's items."""
        read: Counter[str] = Counter()
        for call in self.calls:
            if call.service != "dynamodb":
                continue
            where = call.params.get("TableName", "")
            if call.params.get("IndexName"):
                where = f"{where}/{call.params['IndexName']}"
            if call.operation in ("Query", "Scan"):
                read[where] += int(call.response.get("ScannedCount", 0))
            elif call.operation == "GetItem":
                read[where] += 1 if "Item" in call.response else 0
            elif call.operation == "BatchGetItem":
                for table, found in call.response.get("Responses", {}).items():
                    read[table] += len(found)
        return read


@contextmanager
def recorded_aws_calls() -> Iterator[AwsCalls]:
    """Record every botocore call made inside the block (in any thread), then restore."""
    recorded = AwsCalls()
    original = BaseClient._make_api_call

    def recording(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        response: dict[str, Any] = {}
        start = time.perf_counter()
        try:
            response = original(self, operation, params)
            return response
        finally:
            recorded.calls.append(
                AwsCall(
                    self.meta.service_model.service_name,
                    operation,
                    params,
                    response,
                    time.perf_counter() - start,
                )
            )

    BaseClient._make_api_call = recording
    try:
        yield recorded
    finally:
        BaseClient._make_api_call = original
