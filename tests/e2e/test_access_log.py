"""R29 over the local stack: a staff read of a client shows in its access log at once (the
stack hands each request's marked log lines to the access-log function, as the template's
subscription filter does), and only an org_admin reads it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RunningStack
from tests.support.request_bodies import new_client_body

pytestmark = pytest.mark.e2e


def test_r29_a_read_shows_in_the_clients_access_log(local_stack: RunningStack) -> None:
    org = local_stack.organization()
    tokens = local_stack.login(f"admin-{org['org']['slug']}", "portal")
    admin = {"Authorization": f"Bearer {tokens['IdToken']}"}
    created = local_stack.call("POST", "/clients", new_client_body(), headers=admin)
    assert created.status == 201, created.text
    client_id = created.body["id"]
    path = f"/clients/{client_id}/access-log"
    assert local_stack.call("GET", path, headers=admin).body["items"] == []

    read = local_stack.call("GET", f"/clients/{client_id}", headers=admin)
    assert read.status == 200, read.text
    listed = local_stack.call("GET", "/clients?limit=100", headers=admin)
    assert client_id in [c["id"] for c in listed.body["items"]]

    log = local_stack.call("GET", path, headers=admin)
    assert log.status == 200, log.text
    me = local_stack.call("GET", "/me", headers=admin).body["id"]
    assert [(e["staff_id"], e["route"]) for e in log.body["items"]] == [
        (me, "GET /clients"),
        (me, "GET /clients/{client_id}"),
    ]  # newest first
    assert log.body["next_cursor"] is None
