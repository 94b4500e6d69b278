"""Functions and routes in template.yaml exist in code; the pool matches the code's rules."""

from __future__ import annotations

import pytest

from clientaccounts import rules
from infra.lambda_loader import handler_location
from infra.template import load_template, resources_of_type

FUNCTIONS = sorted(resources_of_type("AWS::Serverless::Function"))


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_every_function_handler_exists(logical_id: str) -> None:
    path, function_name = handler_location(logical_id)
    assert path.is_file(), path
    assert f"def {function_name}(" in path.read_text()


def test_password_policy_in_code_matches_the_user_pool() -> None:
    policy = load_template()["Resources"]["UserPool"]["Properties"]["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == rules.PASSWORD_MIN_LENGTH
    weak = {
        "RequireLowercase": "PASSWORD-WITHOUT-LOWER-1",
        "RequireUppercase": "password-without-upper-1",
        "RequireNumbers": "Password-Without-Digits",
    }
    for requirement, password in weak.items():
        assert policy[requirement] is True
        assert rules.password_problems(password), requirement
    assert rules.password_problems("Correct-horse-42") == []


def test_both_app_clients_hide_whether_a_user_exists() -> None:
    clients = resources_of_type("AWS::Cognito::UserPoolClient")
    assert {c["Properties"]["ClientName"] for c in clients.values()} == {"portal", "care-app"}
    for client in clients.values():
        assert client["Properties"]["PreventUserExistenceErrors"] == "ENABLED"
        assert client["Properties"]["WriteAttributes"] == []


def test_pre_authentication_trigger_has_no_cycle_through_app_client_ids() -> None:
    """The trigger learns the app client ids from a parameter, not from a Ref to the clients."""
    function = load_template()["Resources"]["PreAuthenticationFunction"]["Properties"]
    text = repr(function)
    assert "PortalAppClient" not in text and "CareAppClient" not in text
    assert "UserPool" not in repr(function.get("Environment"))
