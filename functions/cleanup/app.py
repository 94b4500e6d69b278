"""The daily schedule: expired sign-ups removed (R19), pending approvals reminded.

EventBridge sends `{"time": ..., "detail-type": "Scheduled Event", ...}`; the jobs run on
that time. Counts go to CloudWatch as metrics (embedded metric format, in the log).
"""

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from clientaccounts.lifecycle import run_scheduled_jobs
from clientaccounts.observability import LambdaContext, logger

metrics = Metrics()  # namespace: POWERTOOLS_METRICS_NAMESPACE


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = run_scheduled_jobs(event.get("time"), context.get_remaining_time_in_millis)
    metrics.add_metric("ExpiredSignupsRemoved", MetricUnit.Count, report.expired_signups_removed)
    metrics.add_metric("CleanupFailures", MetricUnit.Count, report.cleanup_failures)
    metrics.add_metric("PendingRemindersSent", MetricUnit.Count, report.reminders_sent)
    metrics.add_metric("PendingReminderFailures", MetricUnit.Count, report.reminder_failures)
    metrics.add_metric("ScheduledRunIncomplete", MetricUnit.Count, 0 if report.completed else 1)
    return report.as_dict()
