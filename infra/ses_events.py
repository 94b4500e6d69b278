"""SES's delivery events, as the configuration set publishes them to EventBridge, for the
emails the mailer sent through moto (tests and the local stack; R31).

moto's SESv2 SendEmail ignores the configuration set and the message tags. `install()` makes
it keep them on the message it stores (and refuse a set that does not exist, as SES does);
`SesEventSource.drain()` then hands the delivery feedback function, for each new message
sent with a configuration set, the event SES would publish for its recipient:

- local part `bounce` (`bounce@anything.example`): a permanent bounce, as SES's mailbox
  simulator answers for bounce@simulator.amazonses.com;
- `complaint`: a complaint; `mailbox-full`: a transient bounce (a full mailbox);
- any other address: a delivery.

Only the event types the template's event destination matches are sent; the function is
called the way EventBridge's rule would call it, one event per invocation.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sesv2.responses import SESV2Response

from clientaccounts import clock

from .template import resources_of_type

Handler = Callable[[dict[str, Any], Any], Any]
ACCOUNT = "123456789012"  # what moto calls the account in ARNs

_lock = threading.Lock()
_original_send_email: Callable[[SESV2Response], str] | None = None


def _send_email_keeping_options(self: SESV2Response) -> str:
    assert _original_send_email is not None
    params = json.loads(self.body)
    name = params.get("ConfigurationSetName")
    if name:  # SES refuses a send naming a set it does not know
        self.sesv2_backend.get_configuration_set(name)
    answer = _original_send_email(self)
    message_id = json.loads(answer)["MessageId"]
    for message in reversed(ses_backends[self.current_account][self.region].sent_messages):
        if message.id == message_id:
            message.configuration_set_name = name
            message.email_tags = list(params.get("EmailTags") or [])
            break
    return answer


def install() -> None:
    """Patch moto's SESv2 SendEmail once per process (idempotent)."""
    global _original_send_email
    with _lock:
        if _original_send_email is None:
            _original_send_email = SESV2Response.send_email
            SESV2Response.send_email = _send_email_keeping_options  # type: ignore[method-assign]


def matching_event_types(template: dict[str, Any] | None = None) -> set[str]:
    """The event types (bounce, complaint, delivery...) the template's destinations publish."""
    found: set[str] = set()
    destinations = resources_of_type("AWS::SES::ConfigurationSetEventDestination", template)
    for resource in destinations.values():
        destination = resource["Properties"]["EventDestination"]
        found.update(t.lower() for t in destination["MatchingEventTypes"])
    return found


def outcome_for(address: str) -> str:
    """What the simulated recipient's server does: "bounce", "transient", "complaint" or
    "delivery" (module doc)."""
    local = parseaddr(address)[1].rpartition("@")[0].lower()
    return {"bounce": "bounce", "complaint": "complaint", "mailbox-full": "transient"}.get(
        local, "delivery"
    )


_DETAIL_TYPE = {
    "Bounce": "Email Bounced",
    "Complaint": "Email Complained",
    "Delivery": "Email Delivered",
}


def ses_event(
    outcome: str,
    *,
    region: str,
    message_id: str,
    source: str,
    recipient: str,
    configuration_set: str,
    email_tags: list[dict[str, str]],
) -> dict[str, Any]:
    """The EventBridge event SES publishes for one recipient of one message."""
    now = clock.iso(clock.now())
    tags = {
        "ses:configuration-set": [configuration_set],
        "ses:from-domain": [source.rpartition("@")[2].rstrip(">")],
        **{tag["Name"]: [tag["Value"]] for tag in email_tags},
    }
    mail = {
        "timestamp": now,
        "source": source,
        "sendingAccountId": ACCOUNT,
        "messageId": message_id,
        "destination": [recipient],
        "headersTruncated": False,
        "tags": tags,
    }
    detail: dict[str, Any] = {"mail": mail}
    feedback_id = uuid.uuid4().hex
    if outcome in ("bounce", "transient"):
        permanent = outcome == "bounce"
        detail["eventType"] = "Bounce"
        detail["bounce"] = {
            "bounceType": "Permanent" if permanent else "Transient",
            "bounceSubType": "General" if permanent else "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": recipient,
                    "action": "failed",
                    "status": "5.1.1" if permanent else "4.2.2",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown"
                    if permanent
                    else "smtp; 452 4.2.2 mailbox full",
                }
            ],
            "timestamp": now,
            "feedbackId": feedback_id,
            "reportingMTA": "dsn; local.example",
        }
    elif outcome == "complaint":
        detail["eventType"] = "Complaint"
        detail["complaint"] = {
            "complainedRecipients": [{"emailAddress": recipient}],
            "timestamp": now,
            "feedbackId": feedback_id,
            "complaintFeedbackType": "abuse",
            "arrivalDate": now,
        }
    else:
        detail["eventType"] = "Delivery"
        detail["delivery"] = {
            "timestamp": now,
            "processingTimeMillis": 500,
            "recipients": [recipient],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": "local.example",
        }
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": _DETAIL_TYPE[detail["eventType"]],
        "source": "aws.ses",
        "account": ACCOUNT,
        "time": now,
        "region": region,
        "resources": [f"arn:aws:ses:{region}:{ACCOUNT}:configuration-set/{configuration_set}"],
        "detail": detail,
    }


def _event_type(outcome: str) -> str:
    return {"transient": "bounce"}.get(outcome, outcome)


@dataclass
class SesEventSource:
    """Feeds the delivery feedback function the events of messages sent since the last drain."""

    region: str
    handler: Handler
    context: Any
    published: list[dict[str, Any]] = field(default_factory=list)  # every event handed over
    _seen: int = 0
    _types: set[str] = field(default_factory=matching_event_types)

    def _messages(self) -> list[Any]:
        backend = ses_backends[DEFAULT_ACCOUNT_ID][self.region]
        return [m for m in backend.sent_messages if getattr(m, "raw_data", None) is not None]

    def pending(self) -> list[dict[str, Any]]:
        """The events of the messages sent since the last call, marked as handed over."""
        messages = self._messages()
        new, self._seen = messages[self._seen :], len(messages)
        events = []
        for message in new:
            configuration_set = getattr(message, "configuration_set_name", None)
            if not configuration_set:
                continue  # SES publishes events only for a send with a configuration set
            for recipient in dict.fromkeys(parseaddr(d)[1] for d in message.destinations):
                outcome = outcome_for(recipient)
                if _event_type(outcome) not in self._types:
                    continue
                events.append(
                    ses_event(
                        outcome,
                        region=self.region,
                        message_id=message.id,
                        source=message.source,
                        recipient=recipient,
                        configuration_set=configuration_set,
                        email_tags=getattr(message, "email_tags", []),
                    )
                )
        return events

    def publish(self, event: dict[str, Any]) -> Any:
        """Hand one event to the function, as the rule's target would."""
        self.published.append(event)
        return self.handler(event, self.context)

    def drain(self) -> int:
        """Every new message's events, handed over; returns how many."""
        events = self.pending()
        for event in events:
            self.publish(event)
        return len(events)


def feedback_function() -> str:
    """The logical id of the function the template's SES rule invokes."""
    for name, resource in resources_of_type("AWS::Serverless::Function").items():
        for event in (resource["Properties"].get("Events") or {}).values():
            pattern = (event.get("Properties") or {}).get("Pattern") or {}
            if event.get("Type") == "EventBridgeRule" and "aws.ses" in pattern.get("source", []):
                return name
    raise LookupError("no function in template.yaml takes SES events")
