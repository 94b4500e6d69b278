"""CloudWatch Logs subscription -> the access log (R29). The subscription filter on the
functions' log group passes only the lines marked `"audit": "client_read"`; each becomes one
access record per client it names (access_log.py). A DynamoDB failure raises: Lambda retries
the asynchronous delivery twice, then parks it in the dead-letter queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import CloudWatchLogsEvent

from clientaccounts.access_log import store_client_reads
from clientaccounts.observability import LambdaContext, logger, publish_metrics


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    try:
        data = CloudWatchLogsEvent(event).parse_logs_data()
        if data.message_type != "DATA_MESSAGE":  # CloudWatch's check that it may deliver
            return {"records": 0}
        written = store_client_reads((e.get_id, e.message) for e in data.log_events)
        logger.info("access records written", extra={"records": written})
        return {"records": written}
    finally:
        publish_metrics()
