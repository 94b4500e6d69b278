"""Emails stuck in the outbox: list them, and hand them to the mailer again (R22).

An email that keeps failing is parked by the outbox stream's event source in the mailer's
dead-letter queue (the message names stream positions only, and the stream keeps records for
24 hours). Its outbox row stays `queued`, with `attempts` and `last_error`, until the outbox
TTL removes it (14 days). So the outbox, not the queue, says what to redrive:

    python -m infra.redrive --stack-name client-accounts-prod            # list
    python -m infra.redrive --stack-name client-accounts-prod --send     # redrive them all
    python -m infra.redrive --stack-name ... --send --email-id ID ...    # only these

--send invokes the mailer synchronously with the stream event it would have received (an
INSERT per email id, in batches of 10). The mailer skips an email already sent, so a redrive
never sends twice. Prints ids, templates, attempts and error codes, never addresses.
Reading the whole outbox is a Scan: an operator's tool, never a request path.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

OUTPUTS = ("OutboxTableName", "MailerFunctionName")
BATCH = 10  # the event source's BatchSize

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


def stack_outputs(stack_name: str, cloudformation: Any) -> tuple[str, str]:
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = [key for key in OUTPUTS if key not in outputs]
    if missing:
        raise SystemExit(f"stack {stack_name} lacks outputs: {', '.join(missing)}")
    return outputs["OutboxTableName"], outputs["MailerFunctionName"]


def queued_emails(dynamodb: Any, table: str) -> list[dict[str, str]]:
    """Every outbox row still `queued`: id, template, attempts, last error, creation time."""
    rows = []
    kwargs: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "#status = :queued",
        "ProjectionExpression": "email_id, #template, attempts, last_error, created_at",
        "ExpressionAttributeNames": {"#status": "status", "#template": "template"},
        "ExpressionAttributeValues": {":queued": {"S": "queued"}},
    }
    while True:
        page = dynamodb.scan(**kwargs)
        for item in page["Items"]:
            rows.append({key: next(iter(value.values())) for key, value in item.items()})
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(rows, key=lambda row: row.get("created_at", ""))


def redrive_event(email_ids: list[str]) -> dict[str, Any]:
    """The DynamoDB stream event the mailer receives for new outbox rows (keys only)."""
    return {
        "Records": [
            {
                "eventID": f"redrive-{n}",
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "eventVersion": "1.1",
                "dynamodb": {
                    "Keys": {"email_id": {"S": email_id}},
                    "SequenceNumber": f"redrive-{n}",
                    "StreamViewType": "KEYS_ONLY",
                },
            }
            for n, email_id in enumerate(email_ids)
        ]
    }


def send(invoke: Invoke, email_ids: list[str]) -> list[str]:
    """Hand the emails to the mailer; returns the ids it could not send."""
    failed = []
    for start in range(0, len(email_ids), BATCH):
        batch = email_ids[start : start + BATCH]
        event = redrive_event(batch)
        response = invoke(event)
        if response.get("errorMessage"):  # the invocation itself failed
            failed.extend(batch)
            continue
        sequence_to_id = {
            r["dynamodb"]["SequenceNumber"]: i for r, i in zip(event["Records"], batch, strict=True)
        }
        failed.extend(
            sequence_to_id[f["itemIdentifier"]] for f in response.get("batchItemFailures", [])
        )
    return failed


def lambda_invoker(lambda_client: Any, function_name: str) -> Invoke:
    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        answer = lambda_client.invoke(
            FunctionName=function_name,
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode(),
        )
        payload: dict[str, Any] = json.loads(answer["Payload"].read() or b"{}") or {}
        if answer.get("FunctionError") and not payload.get("errorMessage"):
            payload["errorMessage"] = answer["FunctionError"]
        return payload

    return invoke


def boto3_client(service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))


def main(argv: list[str] | None = None, client: Callable[[str], Any] = boto3_client) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.redrive", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--stack-name", required=True)
    parser.add_argument("--send", action="store_true", help="hand them to the mailer again")
    parser.add_argument("--email-id", action="append", default=[], dest="email_ids")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    table, function = stack_outputs(args.stack_name, client("cloudformation"))
    queued = queued_emails(client("dynamodb"), table)
    for row in queued:
        print(
            f"{row['email_id']}  {row.get('template', '?'):<24} attempts={row.get('attempts', 0)}"
            f"  last_error={row.get('last_error', '-')}  created_at={row.get('created_at', '?')}"
        )
    print(f"{len(queued)} queued in {table}")
    if not args.send:
        return 0
    ids = [row["email_id"] for row in queued]
    unknown = sorted(set(args.email_ids) - set(ids))
    if unknown:
        raise SystemExit(f"not queued (sent, expired or unknown): {', '.join(unknown)}")
    ids = args.email_ids or ids
    failed = send(lambda_invoker(client("lambda"), function), ids)
    print(f"redriven: {len(ids) - len(failed)} sent, {len(failed)} failed")
    for email_id in failed:
        print(f"still failing: {email_id} (see last_error; the mailer's log has the details)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
