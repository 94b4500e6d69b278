"""Outbox stream -> SES. Reports partial batch failures so only failed emails are retried;
what keeps failing is parked in the dead-letter queue by the event source (R22)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from clientaccounts.delivery import deliver_outbox_email
from clientaccounts.observability import logger

if TYPE_CHECKING:  # Powertools' own context type: process_partial_response passes it on
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

# Report failed records even when all failed: the event source retries exactly those
# (bisecting on errors) instead of treating the invocation as a crash.
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)


def send_record(record: DynamoDBRecord) -> None:
    if record.event_name is None or record.event_name.name != "INSERT":
        return  # the mailer's own status updates and TTL deletions
    keys = record.dynamodb.keys if record.dynamodb else None
    if not keys or "email_id" not in keys:
        return
    deliver_outbox_email(str(keys["email_id"]))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=send_record, processor=processor, context=context
    )
