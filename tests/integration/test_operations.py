"""What an operator does (README, "Operations"): redrive emails the mailer parked (R22)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from moto.ses.models import SESBackend

from infra import redrive
from infra.lambda_loader import load_handler
from tests.support.faults import Outages
from tests.support.lambda_events import FakeLambdaContext
from tests.support.request_bodies import registration_body
from tests.support.stack import Stack


class MailerAsLambda:
    """lambda.invoke of the deployed mailer: the event goes over the wire as JSON."""

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        assert InvocationType == "RequestResponse"
        result = load_handler("MailerFunction")(json.loads(Payload), FakeLambdaContext())
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(result).encode())}


class StackOutputs:
    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        outputs = {"OutboxTableName": "OutboxTable", "MailerFunctionName": "mailer"}
        return {
            "Stacks": [
                {"Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]}
            ]
        }


def clients(stack: Stack) -> Any:
    def client(service: str) -> Any:
        return {"cloudformation": StackOutputs(), "lambda": MailerAsLambda()}.get(
            service
        ) or stack.client(service)

    return client


def park_one_email(stack: Stack, outages: Outages) -> str:
    org = stack.organization()
    stack.deliver_emails()  # the admin's own emails, if any, go out first
    body = registration_body()
    outages.fail(SESBackend, "send_raw_email")
    stack.register(org.org["slug"], **body)
    for _ in range(10):
        stack.deliver_emails()
    assert len(stack.pump.parked) == 1
    return str(body["email"])


def test_r22_redrive_sends_a_parked_email_once_ses_is_back(
    stack: Stack,
    outages: Outages,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    working = SESBackend.send_raw_email
    address = park_one_email(stack, outages)
    (queued,) = redrive.queued_emails(stack.client("dynamodb"), "OutboxTable")
    assert queued["last_error"] == "ServiceUnavailable"

    assert redrive.main(["--stack-name", "prod"], client=clients(stack)) == 0
    listing = capsys.readouterr().out
    assert queued["email_id"] in listing and "1 queued" in listing
    assert address not in listing  # ids and error codes, never addresses

    monkeypatch.setattr(SESBackend, "send_raw_email", working)  # SES is back
    assert redrive.main(["--stack-name", "prod", "--send"], client=clients(stack)) == 0
    assert "1 sent, 0 failed" in capsys.readouterr().out
    assert redrive.queued_emails(stack.client("dynamodb"), "OutboxTable") == []
    (sent,) = stack.mailbox(address)
    assert sent["subject"].startswith("Confirm your email")

    # Redriving again (an operator's second run, a stale id) sends nothing twice.
    assert (
        redrive.send(redrive.lambda_invoker(MailerAsLambda(), "mailer"), [queued["email_id"]]) == []
    )
    assert len(stack.mailbox(address)) == 1


def test_r22_redrive_reports_what_still_fails_and_leaves_it_queued(
    stack: Stack, outages: Outages, capsys: pytest.CaptureFixture[str]
) -> None:
    park_one_email(stack, outages)  # SES stays down
    (before,) = redrive.queued_emails(stack.client("dynamodb"), "OutboxTable")
    assert redrive.main(["--stack-name", "prod", "--send"], client=clients(stack)) == 1
    assert f"still failing: {before['email_id']}" in capsys.readouterr().out
    (after,) = redrive.queued_emails(stack.client("dynamodb"), "OutboxTable")
    assert int(after["attempts"]) == int(before["attempts"]) + 1


def test_redrive_refuses_an_id_that_is_not_queued(stack: Stack) -> None:
    with pytest.raises(SystemExit, match="not queued"):
        redrive.main(
            ["--stack-name", "prod", "--send", "--email-id", "nope"], client=clients(stack)
        )


def test_template_outputs_what_redrive_needs() -> None:
    from infra.template import load_template

    assert set(redrive.OUTPUTS) <= set(load_template()["Outputs"])
