"""R29: every staff read of client data records who read which client ids and when, ids only,
without a write on the read's path: the read logs one marked line, the subscription filter
hands it to the access-log function, and an org_admin reads GET /clients/{id}/access-log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

from clientaccounts import access_log, clock
from clientaccounts.auth import Caller as DomainCaller
from infra.lambda_loader import load_handler
from tests.support.faults import Outages
from tests.support.lambda_events import FakeLambdaContext
from tests.support.request_bodies import new_client_body, registration_body
from tests.support.stack import Stack


def _records(stack: Stack) -> list[tuple[str, str, str]]:
    """(staff id, route, client id) of every access record, after delivering what is logged."""
    stack.record_reads()
    items = stack.client("dynamodb").scan(TableName="AccessLogTable")["Items"]
    return sorted((i["staff_id"]["S"], i["route"]["S"], i["client_id"]["S"]) for i in items)


def _new_records(stack: Stack, before: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    after = _records(stack)
    for record in before:
        after.remove(record)
    return after


def _active_client(stack: Stack, org: Any) -> Any:
    body = registration_body()
    stack.register(org.org["slug"], **body)
    stack.confirm_registration(body)
    client = stack.client_by_email(org.org["slug"], body["email"])
    assert client is not None
    return client


def test_r29_reading_a_client_shows_in_its_access_log(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    coordinator = stack.staff(org, roles=["care_coordinator"])
    created = admin.call("POST", "/clients", new_client_body()).body
    assert _records(stack) == []  # a write is in the audit trail (R20), not here
    clock.advance(60)
    started = clock.iso(clock.now())
    read = stack.as_staff(coordinator).call("GET", f"/clients/{created['id']}")
    assert read.status == 200
    finished = clock.iso(clock.now())
    assert stack.record_reads() == 1
    answer = admin.call("GET", f"/clients/{created['id']}/access-log")
    assert answer.status == 200, answer.body
    (entry,) = answer.body["items"]
    assert entry == {
        "staff_id": coordinator.staff_id,
        "route": "GET /clients/{client_id}",
        "at": entry["at"],
    }
    assert started <= entry["at"] <= finished
    assert answer.body["next_cursor"] is None


def test_r29_each_reading_route_records_exactly_the_ids_it_answered(stack: Stack) -> None:
    org = stack.organization()
    slug = org.org["slug"]
    admin = stack.as_admin(org)
    me = org.admin_id
    doc = stack.staff(org, roles=["practitioner"])
    a, b, c = (admin.call("POST", "/clients", new_client_body()).body for _ in range(3))
    connected = _active_client(stack, org)
    admin.call(
        "POST", f"/clients/{connected.client_id}/practitioners", {"practitioner_id": doc.staff_id}
    )
    before = _records(stack)
    assert before == []

    page = admin.call("GET", "/clients", query={"limit": "2"}).body
    shown = [i["id"] for i in page["items"]]
    assert len(shown) == 2 and set(shown) <= {a["id"], b["id"], c["id"], connected.client_id}
    assert _new_records(stack, before) == sorted((me, "GET /clients", i) for i in shown)
    before = _records(stack)

    admin.call("GET", "/clients", query={"email": b["email"]})
    assert _new_records(stack, before) == [(me, "GET /clients", b["id"])]
    before = _records(stack)

    unassigned = admin.call("GET", "/clients", query={"unassigned": "true"})
    expected = sorted((me, "GET /clients", i["id"]) for i in unassigned.body["items"])
    assert len(expected) == 3 and _new_records(stack, before) == expected
    before = _records(stack)

    admin.call("GET", f"/clients/{c['id']}/history")
    assert _new_records(stack, before) == [(me, "GET /clients/{client_id}/history", c["id"])]
    before = _records(stack)

    detail = admin.call("GET", f"/staff/{doc.staff_id}").body
    assert [x["client_id"] for x in detail["clients"]] == [connected.client_id]
    assert _new_records(stack, before) == [(me, "GET /staff/{staff_id}", connected.client_id)]
    before = _records(stack)

    (mine,) = stack.as_staff(doc).call("GET", "/me/connections").body["items"]
    assert _new_records(stack, before) == [(doc.staff_id, "GET /me/connections", mine["id"])]
    before = _records(stack)

    # Nothing answered, nothing recorded; a client reading their own account is not staff.
    admin.call("GET", "/clients", query={"status": "inactive"})
    admin.call("GET", "/clients", query={"email": "nobody@mail.example"})
    admin.call("GET", "/staff")  # staff records only
    stack.as_client(connected).call("GET", "/me")
    stack.as_client(connected).call("GET", "/me/connections")
    admin.call("GET", f"/clients/{a['id']}/access-log")  # staff ids and times only
    assert admin.call("GET", "/clients/unknown-id").status == 404
    assert _new_records(stack, before) == []
    assert slug  # the organization the records belong to


def test_r29_a_page_of_fifty_is_one_line_and_fifty_records(stack: Stack) -> None:
    org = stack.organization()
    slug = org.org["slug"]
    stack.bulk_clients(slug, 50, "self")
    admin = stack.as_admin(org)
    page = admin.call("GET", "/clients", query={"limit": "50"}).body
    assert len(page["items"]) == 50
    (line,) = stack.reads.pending()
    fields = json.loads(line["message"])
    assert fields["audit"] == "client_read" and len(fields["client_ids"]) == 50
    # ids only: no name, email or date of birth of any client in the line
    for item in page["items"]:
        for value in (item["last_name"], item["email"], item["first_name"]):
            assert value not in line["message"]
    assert stack.record_reads() == 1
    assert len(_records(stack)) == 50


def test_r29_a_long_answer_is_split_into_lines_of_a_hundred_ids(stack: Stack) -> None:
    org = stack.organization()
    caller = DomainCaller("staff", org.org["slug"], org.admin_id, roles=frozenset({"org_admin"}))
    ids = [f"client{n:04d}" for n in range(250)]
    access_log.record_client_read(caller, access_log.READ_STAFF, ids)
    lines = [json.loads(e["message"])["client_ids"] for e in stack.reads.pending()]
    assert [len(x) for x in lines] == [100, 100, 50]
    assert [i for x in lines for i in x] == ids
    stack.record_reads()
    assert len(_records(stack)) == 250


def test_r29_access_log_pages_newest_first_with_a_cursor_bound_to_the_client(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    readers = [stack.staff(org, roles=["care_coordinator"]) for _ in range(3)]
    created = admin.call("POST", "/clients", new_client_body()).body
    other = admin.call("POST", "/clients", new_client_body()).body
    for reader in readers:
        clock.advance(1)
        stack.as_staff(reader).call("GET", f"/clients/{created['id']}")
    stack.as_staff(readers[0]).call("GET", f"/clients/{other['id']}")
    stack.record_reads()
    path = f"/clients/{created['id']}/access-log"
    first = admin.call("GET", path, query={"limit": "2"}).body
    assert [e["staff_id"] for e in first["items"]] == [readers[2].staff_id, readers[1].staff_id]
    assert first["next_cursor"]
    rest = admin.call("GET", path, query={"limit": "2", "cursor": first["next_cursor"]}).body
    assert [e["staff_id"] for e in rest["items"]] == [readers[0].staff_id]
    assert rest["next_cursor"] is None
    borrowed = admin.call(
        "GET", f"/clients/{other['id']}/access-log", query={"cursor": first["next_cursor"]}
    )
    assert borrowed.status == 422 and borrowed.body["errors"][0]["field"] == "cursor"
    for bad in ({"limit": "0"}, {"limit": "101"}, {"cursor": "not-one-of-ours"}):
        refused = admin.call("GET", path, query=bad)
        assert refused.status == 422, bad


def test_r29_only_an_org_admin_of_the_clients_organization_reads_its_access_log(
    stack: Stack,
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    admin.call("GET", f"/clients/{created['id']}")
    stack.record_reads()
    path = f"/clients/{created['id']}/access-log"
    for role in ("dept_admin", "care_coordinator", "practitioner"):
        refused = stack.as_staff(stack.staff(org, roles=[role])).call("GET", path)
        assert refused.status == 403, role
    client = _active_client(stack, org)
    assert stack.as_client(client).call("GET", path).status == 403
    assert (
        stack.as_client(client).call("GET", f"/clients/{client.client_id}/access-log").status == 403
    )
    elsewhere = stack.as_admin(stack.organization())
    missing = elsewhere.call("GET", path)
    assert missing.status == 404 and missing.body["code"] == "client_not_found"
    assert admin.call("GET", "/clients/no-such-client/access-log").status == 404


def test_r29_a_deleted_clients_access_log_stays_readable(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    admin.call("GET", f"/clients/{created['id']}")
    assert admin.call("DELETE", f"/clients/{created['id']}").status == 204
    stack.record_reads()
    items = admin.call("GET", f"/clients/{created['id']}/access-log").body["items"]
    assert [e["route"] for e in items] == ["GET /clients/{client_id}"]


def test_r29_records_expire_after_six_years(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    admin.call("GET", f"/clients/{created['id']}")
    stack.record_reads()
    (item,) = stack.client("dynamodb").scan(TableName="AccessLogTable")["Items"]
    expires = int(item["expires_ttl"]["N"])
    years = (expires - clock.now().timestamp()) / (365.25 * 24 * 3600)
    assert 5.99 < years < 6.01
    assert "first_name" not in item and "email" not in item


def test_r29_a_redelivered_event_writes_no_second_record(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    admin.call("GET", f"/clients/{created['id']}")
    event = stack.reads.event(stack.reads.pending())
    handler = load_handler("AccessLogFunction")
    assert handler(event, FakeLambdaContext()) == {"records": 1}
    assert handler(event, FakeLambdaContext()) == {"records": 1}  # CloudWatch delivers again
    assert len(_records(stack)) == 1  # the pending line, delivered a third time: still one
    items = admin.call("GET", f"/clients/{created['id']}/access-log").body["items"]
    assert len(items) == 1


def test_r29_lines_that_are_not_well_formed_reads_are_skipped(stack: Stack) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    admin.call("GET", f"/clients/{created['id']}")
    (good,) = stack.reads.pending()
    fields = json.loads(good["message"])
    bad = [
        "not json",
        json.dumps({**fields, "audit": "something_else"}),
        json.dumps({**fields, "route": "GET /anything"}),
        json.dumps({**fields, "client_ids": []}),
        json.dumps({**fields, "client_ids": ["a" * 65]}),
        json.dumps({**fields, "client_ids": ["x"] * 101}),
        json.dumps({**fields, "at": "yesterday"}),
        json.dumps({**fields, "staff_id": None}),
    ]
    events = [good] + [{"id": f"{n:056d}", "timestamp": 0, "message": m} for n, m in enumerate(bad)]
    handler = load_handler("AccessLogFunction")
    assert handler(stack.reads.event(events), FakeLambdaContext()) == {"records": 1}


def test_r29_a_failure_writing_the_access_log_does_not_fail_the_read(
    stack: Stack, outages: Outages
) -> None:
    org = stack.organization()
    admin = stack.as_admin(org)
    created = admin.call("POST", "/clients", new_client_body()).body
    # moto writes a BatchWriteItem item by item
    outages.fail(DynamoDBBackend, "put_item")
    read = admin.call("GET", f"/clients/{created['id']}")
    assert read.status == 200 and read.body["id"] == created["id"]
    assert stack.record_reads() == 0  # tried three times, as Lambda would, then parked
    (parked,) = stack.reads.parked
    outages.monkeypatch.undo()
    # The dead-letter queue keeps the event: handing it over again writes the record.
    assert load_handler("AccessLogFunction")(parked, FakeLambdaContext()) == {"records": 1}
    items = admin.call("GET", f"/clients/{created['id']}/access-log").body["items"]
    assert [e["staff_id"] for e in items] == [org.admin_id]


@pytest.mark.parametrize("marker", ["client_read"])
def test_r29_the_template_filter_matches_the_marker_the_code_writes(marker: str) -> None:
    from infra.log_subscription import subscription

    spec = subscription()
    assert (
        (spec.field, spec.value)
        == (access_log.MARKER_FIELD, access_log.MARKER)
        == (
            "audit",
            marker,
        )
    )
    assert spec.destination == "AccessLogFunction" and spec.log_group == "FunctionLogGroup"
