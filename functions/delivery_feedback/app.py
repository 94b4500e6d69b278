"""R31: SES's bounce, complaint and delivery events (EventBridge, one event an invocation)
reach the link status staff see and the staff who sent an invitation.

Never logs the event: it holds the recipients' addresses and the message's headers.
"""

from typing import Any

from clientaccounts.delivery_feedback import record_delivery_event
from clientaccounts.observability import LambdaContext, logger, publish_metrics


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    try:
        outcome = record_delivery_event(event)
    finally:
        publish_metrics()  # the event's outcome, as one EMF line
    return {"outcome": outcome.value}
