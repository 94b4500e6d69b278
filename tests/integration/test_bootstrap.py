"""The bootstrap command: how a new practice starts (against any endpoint)."""

from __future__ import annotations

import json

import pytest

from clientaccounts.persistence import store
from infra import bootstrap
from tests.support.request_bodies import PASSWORD
from tests.support.stack import Stack

ARGS = [
    "--slug",
    "smith-therapy",
    "--name",
    "Smith Therapy",
    "--kind",
    "individual",
    "--department",
    "Main office",
    "--admin-username",
    "JSmith",
    "--admin-email",
    "j.smith@example.org",
    "--admin-first-name",
    "Jo",
    "--admin-last-name",
    "Smith",
]


def test_bootstrap_creates_organization_admin_and_login(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    assert bootstrap.main(ARGS) == 0
    printed = json.loads(capsys.readouterr().out)
    org = store.get_organization("smith-therapy")
    assert org is not None and org.kind == "individual"
    admin = store.get_staff("smith-therapy", printed["admin"]["id"])
    assert admin is not None and set(admin.roles) == {"org_admin", "practitioner"}
    assert org.practitioner_id == admin.staff_id  # R2/R5: the practice's one practitioner
    assert [d.name for d in store.list_departments("smith-therapy")] == ["Main office"]
    assert PASSWORD not in json.dumps(printed)
    assert stack.login("jsmith", app="portal")["IdToken"]


def test_bootstrap_refuses_a_taken_slug_and_leaves_no_second_login(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    assert bootstrap.main(ARGS) == 0
    again = [*ARGS]
    again[again.index("JSmith")] = "other-admin"
    assert bootstrap.main(again) == 2
    assert "slug" in capsys.readouterr().err
    assert not stack.has_login("other-admin")


def test_bootstrap_reads_tables_and_pool_from_stack_outputs() -> None:
    class FakeCloudFormation:
        def describe_stacks(self, StackName: str) -> dict[str, object]:
            outputs = [
                {"OutputKey": k, "OutputValue": f"{k}-value"} for k in bootstrap.OUTPUT_VARIABLES
            ]
            return {"Stacks": [{"Outputs": outputs}]}

    env = bootstrap.environment_from_stack("prod", FakeCloudFormation())
    assert env["CLIENTS_TABLE"] == "ClientsTableName-value"
    assert env["USER_POOL_ID"] == "UserPoolId-value"


def test_template_outputs_everything_bootstrap_needs() -> None:
    from infra.template import load_template

    assert set(bootstrap.OUTPUT_VARIABLES) <= set(load_template()["Outputs"])
