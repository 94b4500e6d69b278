"""Every AWS call a function makes is one its role in template.yaml allows.

moto enforces no IAM, so a missing permission passes every other test and fails only when
deployed. Here each route and trigger runs once (tests/support/every_operation.py, plus
the cases below that reach other calls) with every botocore call recorded; each call is
turned into the IAM actions and resources AWS authorizes it as, and checked against the
function's policy as the template writes it: its inline statements, the template's managed
policies it attaches, and SAM policy templates expanded (the table below).

A call also needs its configuration: a function calling Cognito must get USER_POOL_ID in its
own environment (the tests set every function's variables at once, which would hide that).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

import pytest

from infra.provision import LOCAL_STACK_NAME
from infra.template import function_properties, load_template, resources_of_type
from tests.support.aws_calls import AwsCall
from tests.support.every_operation import (
    OPERATIONS,
    Operation,
    Request,
    Scenario,
    _api,
    _new_staff,
    run_recorded,
)
from tests.support.stack import REGION, Stack

ACCOUNT = "123456789012"
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::StackName": LOCAL_STACK_NAME,
}
TEMPLATE = load_template()
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
FUNCTIONS = sorted(resources_of_type("AWS::Serverless::Function"))

# ---------------------------------------------------------------- the template's policies

# SAM policy templates the template may use, as SAM expands them (its policy_templates.json),
# reduced to actions and resources. An unknown template fails the test: add it here.
_TABLE = "arn:{0}"
SAM_POLICY_TEMPLATES: dict[str, list[tuple[list[str], list[str]]]] = {
    "DynamoDBCrudPolicy": [
        (
            [
                "dynamodb:GetItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
                "dynamodb:ConditionCheckItem",
            ],
            [_TABLE, _TABLE + "/index/*"],
        )
    ],
    "DynamoDBReadPolicy": [
        (
            [
                "dynamodb:GetItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
            ],
            [_TABLE, _TABLE + "/index/*"],
        )
    ],
    "DynamoDBWritePolicy": [
        (
            [
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
            ],
            [_TABLE, _TABLE + "/index/*"],
        )
    ],
    "SESCrudPolicy": [
        (
            ["ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:VerifyEmailIdentity"],
            ["arn:aws:ses:{region}:{account}:identity/{0}"],
        )
    ],
    "SSMParameterReadPolicy": [
        (
            ["ssm:DescribeParameters", "ssm:GetParameters", "ssm:GetParameter"],
            ["arn:aws:ssm:{region}:{account}:parameter/{0}"],
        )
    ],
}
_TEMPLATE_ARGUMENT = {
    "DynamoDBCrudPolicy": "TableName",
    "DynamoDBReadPolicy": "TableName",
    "DynamoDBWritePolicy": "TableName",
    "SESCrudPolicy": "IdentityName",
    "SSMParameterReadPolicy": "ParameterName",
}


def symbolic(value: Any) -> str:
    """A policy's Resource as a comparable string: `arn:<LogicalId>` for a resource of the
    template (`!GetAtt X.Arn`, `!Ref X`, `${X.Arn}` in a !Sub), pseudo parameters filled in."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        name = value["Ref"]
        return PSEUDO.get(name) or (f"arn:{name}" if name in RESOURCES else name)
    if "Fn::GetAtt" in value:
        name, attribute = value["Fn::GetAtt"]
        return f"arn:{name}" if attribute == "Arn" else f"{name}.{attribute}"
    if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):

        def resolve(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in PSEUDO:
                return PSEUDO[name]
            if name.endswith(".Arn"):
                return f"arn:{name[: -len('.Arn')]}"
            return f"arn:{name}" if name in RESOURCES else name

        return re.sub(r"\$\{([^}]+)\}", resolve, value["Fn::Sub"])
    raise ValueError(f"cannot read the policy resource {value!r}")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


Grant = tuple[list[str], list[str]]  # (action patterns, resource patterns)


def grants_of_statement(statement: dict[str, Any]) -> list[Grant]:
    assert statement.get("Effect", "Allow") == "Allow", statement
    actions = [str(a) for a in as_list(statement["Action"])]
    return [(actions, [symbolic(r) for r in as_list(statement["Resource"])])]


def grants_of_template(name: str, argument: dict[str, Any]) -> list[Grant]:
    if name not in SAM_POLICY_TEMPLATES:
        raise AssertionError(f"SAM policy template {name} is not in the expansion table")
    target = argument[_TEMPLATE_ARGUMENT[name]]
    target = symbolic(target).removeprefix("arn:") if isinstance(target, dict) else target
    return [
        (
            actions,
            [r.format(target, region=REGION, account=ACCOUNT) for r in resources],
        )
        for actions, resources in SAM_POLICY_TEMPLATES[name]
    ]


def grants(function: str) -> list[Grant]:
    """What the function's role allows, as the template writes it."""
    found: list[Grant] = []
    for policy in function_properties(function).get("Policies") or []:
        if isinstance(policy, dict) and "Statement" in policy:
            for statement in policy["Statement"]:
                found.extend(grants_of_statement(statement))
        elif isinstance(policy, dict) and ("Ref" in policy) and policy["Ref"] in RESOURCES:
            managed = RESOURCES[policy["Ref"]]
            assert managed["Type"] == "AWS::IAM::ManagedPolicy", policy
            for statement in managed["Properties"]["PolicyDocument"]["Statement"]:
                found.extend(grants_of_statement(statement))
        elif isinstance(policy, dict) and len(policy) == 1:
            ((name, argument),) = policy.items()
            found.extend(grants_of_template(name, argument))
        else:
            raise AssertionError(f"{function}: cannot read the policy {policy!r}")
    return found


def allowed(function: str, action: str, resource: str) -> bool:
    return any(
        any(fnmatchcase(action, a) for a in actions)
        and any(fnmatchcase(resource, r) for r in resources)
        for actions, resources in grants(function)
    )


# ---------------------------------------------------------------- calls as IAM sees them

Need = tuple[str, str]  # (service:Action, symbolic resource)

# Each transaction item is authorized as the single-item action.
_TRANSACT_ITEM = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}
# Calls a path makes together with a recorded one, on branches one request does not take:
# identity.create_login looks the login up when it already exists and deletes it to undo.
_ALSO_ON_OTHER_BRANCHES = {
    ("cognito-idp", "AdminCreateUser"): ["AdminGetUser", "AdminDeleteUser"],
}
# The configuration a call needs in the function's own environment.
_ENVIRONMENT = {"cognito-idp": "USER_POOL_ID", "ssm": "APP_CLIENTS_PARAMETER"}


class Names:
    """Physical names of the local stack back to the template's logical ids."""

    def __init__(self, stack: Stack) -> None:
        refs = stack.provisioned.refs
        self.tables = {refs[t]: t for t in resources_of_type("AWS::DynamoDB::Table")}
        self.pools = {stack.provisioned.user_pool_id: "UserPool"}
        self.configuration_sets = {
            refs[c]: c for c in resources_of_type("AWS::SES::ConfigurationSet")
        }

    def table(self, name: str, index: str | None = None) -> str:
        logical = self.tables[name]
        return f"arn:{logical}/index/{index}" if index else f"arn:{logical}"


def dynamodb_needs(call: AwsCall, names: Names) -> list[Need]:
    params = call.params
    if call.operation in ("TransactWriteItems", "TransactGetItems"):
        needs = []
        for item in params["TransactItems"]:
            ((kind, body),) = item.items()
            needs.append((_TRANSACT_ITEM[kind], names.table(body["TableName"])))
        return needs
    if call.operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{call.operation}", names.table(t)) for t in params["RequestItems"]]
    return [
        (f"dynamodb:{call.operation}", names.table(params["TableName"], params.get("IndexName")))
    ]


def needs_of(call: AwsCall, names: Names) -> list[Need]:
    """The IAM (action, resource) pairs AWS checks for one recorded call."""
    if call.service == "dynamodb":
        # The tables are encrypted with the data key: DynamoDB decrypts with the caller's rights.
        return [*dynamodb_needs(call, names), ("kms:Decrypt", "arn:DataKey")]
    if call.service == "cognito-idp":
        pool = names.pools[call.params["UserPoolId"]]
        operations = [
            call.operation,
            *_ALSO_ON_OTHER_BRANCHES.get(("cognito-idp", call.operation), []),
        ]
        return [(f"cognito-idp:{op}", f"arn:{pool}") for op in operations]
    if call.service == "sesv2" and call.operation == "SendEmail":
        sender = re.sub(r"^.*<|>$", "", call.params["FromEmailAddress"])
        needs = [("ses:SendEmail", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{sender}")]
        configuration_set = call.params.get("ConfigurationSetName")
        if configuration_set:  # R31: authorized on the set too (as `${Set}` in a !Sub)
            logical = names.configuration_sets[configuration_set]
            needs.append(
                ("ses:SendEmail", f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/arn:{logical}")
            )
        return needs
    if call.service == "ssm" and call.operation == "GetParameter":
        name = call.params["Name"].lstrip("/")
        return [("ssm:GetParameter", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{name}")]
    raise AssertionError(f"no IAM mapping for {call.service}.{call.operation}: add one")


# ---------------------------------------------------------------- what the routes do


def _deactivate_client(s: Scenario) -> Request:
    """R15: deactivating a client with a login ends its sessions (a Cognito call)."""
    client = s.confirmed()
    return _api(s.admin, "PATCH", f"/clients/{client.client_id}", {"active": False})


def _deactivate_staff(s: Scenario) -> Request:
    return _api(s.admin, "PATCH", f"/staff/{s.colleague()}", {"active": False})


def _delete_invited_practitioner(s: Scenario) -> Request:
    """R25: an invited practitioner with a client (guard, link and association go)."""
    invited = s.admin.call("POST", "/staff", {**_new_staff(s), "roles": ["practitioner"]})
    staff_id = invited.body["id"]
    client = s.confirmed()
    s.admin.call("POST", f"/staff/{staff_id}/clients", {"client_id": client.client_id})
    return _api(s.admin, "DELETE", f"/staff/{staff_id}")


def _delete_org_admin(s: Scenario) -> Request:
    """R25: another org_admin (the one left is checked in the transaction)."""
    admin = s.stack.staff(s.org, roles=["org_admin"], departments=[s.department])
    return _api(s.admin, "DELETE", f"/staff/{admin.staff_id}")


# Cases beyond one request per budget row, for calls those do not reach.
EXTRA: list[Operation] = [
    Operation(
        "PATCH /clients/{client_id} (deactivate)", "UpdateClientFunction", _deactivate_client
    ),
    Operation("PATCH /staff/{staff_id} (deactivate)", "UpdateStaffFunction", _deactivate_staff),
    Operation(
        "DELETE /staff/{staff_id} (invited practitioner)",
        "UpdateStaffFunction",
        _delete_invited_practitioner,
    ),
    Operation("DELETE /staff/{staff_id} (org_admin)", "UpdateStaffFunction", _delete_org_admin),
]


def recorded_needs(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str, AwsCall]]:
    scenario = Scenario(stack, monkeypatch)
    for operation in [*OPERATIONS, *EXTRA]:
        outcome, calls = run_recorded(scenario, operation)
        assert outcome.status < 300, (operation.name, outcome.detail)
        for call in calls.calls:
            yield operation.function, operation.name, call


def test_every_function_is_exercised() -> None:
    exercised = {operation.function for operation in [*OPERATIONS, *EXTRA]}
    assert exercised == set(FUNCTIONS)


def test_every_aws_call_of_every_function_is_allowed_by_its_role(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = Names(stack)
    missing: dict[str, set[str]] = defaultdict(set)
    unconfigured: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, set[str]] = defaultdict(set)
    used: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for function, operation, call in recorded_needs(stack, monkeypatch):
        for action, resource in needs_of(call, names):
            seen[function].add(action)
            used[function].add((action, resource))
            if not allowed(function, action, resource):
                missing[function].add(f"{action} on {resource} ({operation})")
        variable = _ENVIRONMENT.get(call.service)
        environment = (function_properties(function).get("Environment") or {}).get(
            "Variables"
        ) or {}
        if variable and variable not in environment:
            unconfigured[function].add(f"{variable} ({call.service}, {operation})")
    print("\nGranted, never used:")
    for function in FUNCTIONS:
        for actions, resources in grants(function):
            for a in actions:
                for r in resources:
                    if not any(fnmatchcase(x, a) and fnmatchcase(y, r) for x, y in used[function]):
                        print(f"  {function}: {a} on {r}")
    print("\nIAM actions used per function:")
    for function in sorted(seen):
        print(f"  {function}: {sorted(seen[function])}")
    assert not missing, "not allowed by the template:\n" + "\n".join(
        f"  {f}: {sorted(m)}" for f, m in sorted(missing.items())
    )
    assert not unconfigured, "not in the function's environment:\n" + "\n".join(
        f"  {f}: {sorted(m)}" for f, m in sorted(unconfigured.items())
    )
