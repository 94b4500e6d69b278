"""R19 over the local stack: an unconfirmed sign-up, eight days later, is removed by the
scheduled cleanup (`POST /_local/cleanup` runs it as EventBridge would); its link is dead and
its address can register again."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RunningStack
from tests.support.request_bodies import new_client_body, username_for

pytestmark = pytest.mark.e2e

DAY = 24 * 3600


def test_r19_unconfirmed_signup_is_removed_after_the_window_and_can_register_again(
    local_stack: RunningStack,
) -> None:
    slug = local_stack.organization()["org"]["slug"]
    answer, body = local_stack.register(slug)
    assert answer.status == 202, answer.text
    old_link = local_stack.link_token(body["email"])

    assert local_stack.call("POST", "/_local/clock", {"advance_seconds": 8 * DAY}).status == 200
    cleanup = local_stack.call("POST", "/_local/cleanup")
    assert cleanup.status == 200, cleanup.text
    assert cleanup.body["expired_signups_removed"] >= 1
    assert cleanup.body["cleanup_failures"] == 0 and cleanup.body["completed"] is True
    assert local_stack.confirm(old_link, username_for(body)).status in (404, 410)

    again, _ = local_stack.register(slug, **body)
    assert again.status == 202, again.text
    confirmations = [
        m for m in local_stack.mailbox(body["email"]) if m["subject"].startswith("Confirm")
    ]
    assert len(confirmations) == 2  # a new confirmation, not "someone tried to register"
    new_link = local_stack.link_token(body["email"])
    assert local_stack.confirm(new_link, username_for(body)).status == 200
    assert local_stack.login(username_for(body), "care_app")["IdToken"]


def test_r20_history_over_the_local_stack(local_stack: RunningStack) -> None:
    org = local_stack.organization()
    tokens = local_stack.login(f"admin-{org['org']['slug']}", "portal")
    admin = {"Authorization": tokens["IdToken"]}
    created = local_stack.call("POST", "/clients", new_client_body(), headers=admin)
    assert created.status == 201, created.text
    history = local_stack.call("GET", f"/clients/{created.body['id']}/history", headers=admin)
    assert history.status == 200, history.text
    assert [e["action"] for e in history.body["items"]] == ["client.created"]
    assert local_stack.call("GET", f"/clients/{created.body['id']}/history").status == 401
