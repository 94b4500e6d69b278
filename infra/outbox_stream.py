"""Feeds the outbox table's stream to the mailer handler as Lambda's event source would.

moto keeps the stream but never invokes functions; this pump does, for tests and the local
stack. Like the event source mapping (ReportBatchItemFailures), it checkpoints before the
first failed record, retries from there, and after the template's MaximumRetryAttempts
parks the records (the dead-letter queue's role) and moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .template import load_template

Handler = Callable[[dict[str, Any], Any], Any]


def _mailer_stream_settings() -> tuple[str, dict[str, Any]]:
    resources = load_template()["Resources"]
    for name, resource in resources.items():
        for event in (resource.get("Properties", {}).get("Events") or {}).values():
            if event.get("Type") == "DynamoDB":
                props = event["Properties"]
                return name, props
    raise LookupError("no DynamoDB stream event in template.yaml")


@dataclass
class OutboxPump:
    dynamodb: Any
    streams: Any
    handler: Handler
    context: Any
    table_name: str = "OutboxTable"
    parked: list[dict[str, Any]] = field(default_factory=list)
    _positions: dict[str, str | None] = field(default_factory=dict)  # shard -> last sequence
    _failures: dict[str, int] = field(default_factory=dict)  # sequence number -> attempts

    def __post_init__(self) -> None:
        self.function_name, props = _mailer_stream_settings()
        self.batch_size = int(props.get("BatchSize", 100))
        self.max_retries = int(props.get("MaximumRetryAttempts", -1))
        stream_arn = self.dynamodb.describe_table(TableName=self.table_name)["Table"][
            "LatestStreamArn"
        ]
        self.stream_arn: str = stream_arn

    def _iterator(self, shard_id: str) -> str:
        last = self._positions.get(shard_id)
        if last is None:
            kwargs: dict[str, Any] = {"ShardIteratorType": "TRIM_HORIZON"}
        else:
            kwargs = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last}
        return str(
            self.streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **kwargs)[
                "ShardIterator"
            ]
        )

    def _shard_ids(self) -> list[str]:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)
        return [shard["ShardId"] for shard in description["StreamDescription"]["Shards"]]

    def _pending(self, shard_id: str) -> list[dict[str, Any]]:
        records = self.streams.get_records(ShardIterator=self._iterator(shard_id))["Records"]
        return [r for r in records if r.get("eventName") == "INSERT"] if records else []

    def drain(self, max_rounds: int = 50) -> int:
        """Deliver until the stream is empty or only failing records remain; returns the
        number of records handed to the mailer."""
        handed = 0
        for shard_id in self._shard_ids():
            for _ in range(max_rounds):
                records = self._pending(shard_id)[: self.batch_size]
                if not records:
                    break
                handed += len(records)
                if not self._deliver_batch(shard_id, records):
                    break
        return handed

    def _event(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Records": [
                {**r, "eventSource": "aws:dynamodb", "eventSourceARN": self.stream_arn}
                for r in records
            ]
        }

    def take_next_batch(self) -> dict[str, Any] | None:
        """The next batch as the event source would send it, checkpointed as delivered: for a
        caller that invokes the mailer itself (the benchmark times the handler alone)."""
        for shard_id in self._shard_ids():
            records = self._pending(shard_id)[: self.batch_size]
            if records:
                self._positions[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
                return self._event(records)
        return None

    def _deliver_batch(self, shard_id: str, records: list[dict[str, Any]]) -> bool:
        """True when the checkpoint moved past the whole batch."""
        response = self.handler(self._event(records), self.context) or {}
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        for record in records:
            sequence = record["dynamodb"]["SequenceNumber"]
            if sequence not in failed:
                self._positions[shard_id] = sequence
                continue
            attempts = self._failures.get(sequence, 0) + 1
            self._failures[sequence] = attempts
            if 0 <= self.max_retries < attempts:
                self.parked.append(record)  # what the dead-letter queue would receive
                self._positions[shard_id] = sequence
                continue
            return False  # retried from this record on the next drain
        return True
