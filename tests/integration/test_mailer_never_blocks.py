"""R27, R22: nothing a caller typed can break an email's headers or stop the mailer. Any
failure to render or send one email is counted on its outbox row and reported for that
record alone, so the rest of the batch is sent and the record finally reaches the
dead-letter queue; a sent row keeps ids only."""

from __future__ import annotations

from email import message_from_string, policy
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from clientaccounts.outbox import queue_email, queue_link_email
from clientaccounts.persistence import store
from tests.support.request_bodies import new_client_body
from tests.support.stack import REGION, Stack


def _raw_sent() -> list[str]:
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    return [m.raw_data for m in backend.sent_messages if getattr(m, "raw_data", None)]


def _outbox_row(email_id: str) -> dict[str, Any]:
    row = store.get_outbox_email(email_id)
    assert row is not None
    return dict(row.attribute_values)


def _written_straight_to_the_outbox(org_name: str, to: str) -> str:
    """A row as an older version, or a bad bootstrap, could have left it: not validated."""
    store.ensure_bound()
    email = queue_link_email(
        "invitation",
        to=to,
        first_name="Casey",
        org_id="practice-x",
        org_name=org_name,
        token="t" * 43,
        valid_hours=72,
    )
    email.save()
    return str(email.email_id)


def test_r27_line_break_in_a_stored_name_cannot_break_or_inject_an_email_header(
    stack: Stack,
) -> None:
    email_id = _written_straight_to_the_outbox(
        "Evil\r\nBcc: victim@elsewhere.example\r\n\r\nbody", "casey@mail.example"
    )
    stack.deliver_emails()
    assert _outbox_row(email_id)["status"] == "sent"
    (raw,) = _raw_sent()
    message = message_from_string(raw, policy=policy.default)
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
    assert str(message["Subject"]).startswith("Your account at Evil Bcc: victim@")
    to = message.get_all("To")
    assert to is not None and [str(v) for v in to] == ["casey@mail.example"]


def test_r27_poisoned_outbox_row_is_a_counted_failure_and_never_blocks_the_shard(
    stack: Stack,
) -> None:
    store.ensure_bound()
    # Unrenderable whatever its header defence: its params lack what the template needs.
    poisoned = queue_email("invitation", "casey@mail.example", "practice-x", {"org_name": "X"})
    poisoned.save()
    good = _written_straight_to_the_outbox("Good Practice", "good@mail.example")
    records = stack.pump._pending(stack.pump._shard_ids()[0])
    assert len(records) == 2  # one batch, the poisoned row first

    answer = stack.pump.handler(stack.pump._event(records), stack.pump.context)

    failed = [f["itemIdentifier"] for f in answer["batchItemFailures"]]
    assert failed == [records[0]["dynamodb"]["SequenceNumber"]]  # the poisoned one alone
    assert _outbox_row(good)["status"] == "sent"
    bad = _outbox_row(str(poisoned.email_id))
    assert (bad["status"], bad["attempts"], bad["last_error"]) == ("queued", 1, "KeyError")


def test_r22_poisoned_row_reaches_the_dead_letter_queue_and_later_emails_are_sent(
    stack: Stack,
) -> None:
    store.ensure_bound()
    poisoned = queue_email("no_such_template", "casey@mail.example", "practice-x", {})
    poisoned.save()
    for _ in range(stack.pump.max_retries + 2):
        stack.deliver_emails()
    assert [r["dynamodb"]["Keys"]["email_id"]["S"] for r in stack.pump.parked] == [
        poisoned.email_id
    ]
    bad = _outbox_row(str(poisoned.email_id))
    assert bad["attempts"] == stack.pump.max_retries + 1 and bad["last_error"] == "KeyError"
    later = _written_straight_to_the_outbox("Good Practice", "later@mail.example")
    stack.deliver_emails()
    assert _outbox_row(later)["status"] == "sent"


def test_personal_data_sent_outbox_row_keeps_ids_only(stack: Stack) -> None:
    admin = stack.as_admin(stack.organization())
    body = new_client_body()
    assert admin.call("POST", "/clients", body).status == 201
    stack.deliver_emails()
    rows = stack.client("dynamodb").scan(TableName="OutboxTable")["Items"]
    (row,) = [r for r in rows if r["template"]["S"] == "invitation"]
    assert row["status"]["S"] == "sent"
    assert "to" not in row and "params" not in row
    assert body["email"] not in str(row) and body["last_name"] not in str(row)


def test_personal_data_outbox_stream_carries_keys_only(stack: Stack) -> None:
    admin = stack.as_admin(stack.organization())
    body = new_client_body()
    assert admin.call("POST", "/clients", body).status == 201
    records = stack.pump._pending(stack.pump._shard_ids()[0])
    assert records and all(set(r["dynamodb"]) >= {"Keys"} for r in records)
    assert all("NewImage" not in r["dynamodb"] for r in records)
    assert body["email"] not in str(records)
    stack.deliver_emails()
    assert len(stack.mailbox(body["email"])) == 1
