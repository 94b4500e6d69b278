"""What cfn-lint, sam validate and checkov do not check in template.yaml: limits that come
from the callers (Cognito, API Gateway), and the operational duties every function carries
(a log group with retention, alarms that cover it, the data key), so a new function cannot
forget them. (Handler files exist: tests/unit/test_template_functions.py.)"""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any, cast

import pytest

from clientaccounts.observability import logger
from infra.template import ROOT, api_routes, function_properties, load_template, resources_of_type
from tests.support.lambda_events import FakeLambdaContext

TEMPLATE = load_template()
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
FUNCTIONS = resources_of_type("AWS::Serverless::Function")
TABLES = resources_of_type("AWS::DynamoDB::Table")
ALARMS = resources_of_type("AWS::CloudWatch::Alarm")
METRIC_FILTERS = resources_of_type("AWS::Logs::MetricFilter")
DATA_KEY = "DataKey"

API_GATEWAY_TIMEOUT = 29  # seconds API Gateway waits for an integration
COGNITO_TRIGGER_TIMEOUT = 5  # seconds Cognito waits for a trigger
LAMBDA_MAX_TIMEOUT = 900


def logical_id(value: Any) -> str | None:
    """The resource a Ref or GetAtt points at."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def props(name: str) -> dict[str, Any]:
    properties: dict[str, Any] = RESOURCES[name].get("Properties") or {}
    return properties


def timeout(function: str) -> int:
    return int(function_properties(function).get("Timeout", 3))


def events(function: str, *kinds: str) -> dict[str, dict[str, Any]]:
    found = props(function).get("Events") or {}
    return {name: event for name, event in found.items() if event["Type"] in kinds}


def cognito_triggers() -> list[str]:
    triggers = []
    for pool in resources_of_type("AWS::Cognito::UserPool").values():
        for arn in (pool["Properties"].get("LambdaConfig") or {}).values():
            if logical_id(arn) in FUNCTIONS:
                triggers.append(str(logical_id(arn)))
    return sorted(triggers)


def managed_policies(function: str) -> list[str]:
    """The template's managed policies a function attaches (`- !Ref <policy>`)."""
    named = [logical_id(p) for p in props(function).get("Policies") or []]
    return [n for n in named if n is not None and n in RESOURCES]


def statements(function: str) -> list[dict[str, Any]]:
    """Its inline statements and those of the template's managed policies it attaches."""
    found: list[dict[str, Any]] = []
    for policy in props(function).get("Policies") or []:
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy.get("Statement") or [])
    for name in managed_policies(function):
        found.extend(props(name)["PolicyDocument"]["Statement"])
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


API_FUNCTIONS = sorted({route.function for route in api_routes()})
TRIGGERS = cognito_triggers()


# ---------------------------------------------------------------- timeouts


@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_api_function_answers_before_api_gateway_gives_up(function: str) -> None:
    assert timeout(function) <= API_GATEWAY_TIMEOUT


@pytest.mark.parametrize("function", TRIGGERS)
def test_cognito_trigger_answers_within_cognitos_five_seconds(function: str) -> None:
    assert timeout(function) <= COGNITO_TRIGGER_TIMEOUT


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_function_timeout_is_one_lambda_allows(function: str) -> None:
    assert 1 <= timeout(function) <= LAMBDA_MAX_TIMEOUT


# ---------------------------------------------------------------- logs and alarms


def log_group_of(function: str) -> str:
    group = logical_id((function_properties(function).get("LoggingConfig") or {}).get("LogGroup"))
    assert group is not None, f"{function}: no LoggingConfig.LogGroup (Globals sets one)"
    return group


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_function_writes_to_a_log_group_with_retention_and_the_data_key(function: str) -> None:
    group = log_group_of(function)
    assert RESOURCES[group]["Type"] == "AWS::Logs::LogGroup"
    assert props(group).get("RetentionInDays"), f"{group} keeps logs forever"
    assert logical_id(props(group).get("KmsKeyId")) == DATA_KEY
    assert RESOURCES[group]["DeletionPolicy"] == "Retain"  # audit evidence


def test_only_the_login_gate_has_a_log_group_of_its_own() -> None:
    """The other functions share one group, so a new function needs no group of its own."""
    shared = {f for f in FUNCTIONS if log_group_of(f) == "FunctionLogGroup"}
    assert set(FUNCTIONS) - shared == set(TRIGGERS)
    for trigger in TRIGGERS:
        writers = [f for f in FUNCTIONS if log_group_of(f) == log_group_of(trigger)]
        assert writers == [trigger]


def alarm_metrics(alarm: dict[str, Any]) -> list[tuple[Any, Any, list[Any]]]:
    """(namespace, metric, dimensions) of each metric an alarm watches (plain or metric math)."""
    p = alarm["Properties"]
    if "MetricName" in p:
        return [(p.get("Namespace"), p["MetricName"], p.get("Dimensions") or [])]
    stats = [m["MetricStat"]["Metric"] for m in p.get("Metrics", []) if "MetricStat" in m]
    return [(m.get("Namespace"), m["MetricName"], m.get("Dimensions") or []) for m in stats]


def insights_queries(alarm: dict[str, Any]) -> list[str]:
    """The Metrics Insights queries (SELECT ...) an alarm evaluates, !Sub text as written."""
    found = []
    for metric in alarm["Properties"].get("Metrics", []):
        expression = metric.get("Expression")
        if isinstance(expression, dict):
            expression = expression.get("Fn::Sub")
        if isinstance(expression, str) and expression.lstrip().upper().startswith("SELECT"):
            found.append(" ".join(expression.split()))
    return found


def filters_on(group: str) -> list[dict[str, Any]]:
    return [
        f["Properties"]
        for f in METRIC_FILTERS.values()
        if logical_id(f["Properties"]["LogGroupName"]) == group
    ]


def _an_error_line_of_a_function() -> dict[str, Any]:
    """What a function writes when it logs an error: the fields the filter reads."""
    printed = io.StringIO()
    handler = logging.StreamHandler(printed)
    handler.setFormatter(logger.registered_formatter)
    std = logging.getLogger(logger.name)
    std.addHandler(handler)
    try:

        @logger.inject_lambda_context
        def function(event: dict[str, Any], context: Any) -> None:
            logger.error("something failed", extra={"code": "x"})

        function({}, FakeLambdaContext())
    finally:
        std.removeHandler(handler)
    (line,) = [json.loads(raw) for raw in printed.getvalue().splitlines() if raw]
    return cast(dict[str, Any], line)


def test_error_lines_of_the_shared_log_group_are_counted_per_function_and_alarmed() -> None:
    (error_filter,) = filters_on("FunctionLogGroup")
    assert error_filter["FilterPattern"] == '{ $.level = "ERROR" }'
    (transformation,) = error_filter["MetricTransformations"]
    # The field every line of observability.py carries.
    assert transformation["Dimensions"] == [{"Key": "FunctionName", "Value": "$.function_name"}]
    line = _an_error_line_of_a_function()
    assert line["level"] == "ERROR" and line["function_name"] == "test-function"
    metric = transformation["MetricName"]
    query = f'SELECT SUM({metric}) FROM SCHEMA("${{AWS::StackName}}", FunctionName)'  # noqa: S608
    assert transformation["MetricNamespace"] == {"Ref": "AWS::StackName"}
    assert any(query in q for a in ALARMS.values() for q in insights_queries(a)), query


def test_lambda_errors_of_every_function_but_the_login_gate_are_alarmed() -> None:
    """Crashes, timeouts and out-of-memory: what the code cannot log. The login gate refuses by
    raising, so its Errors are refusals; its own alarm counts its failures."""
    base = 'SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName)'
    wanted = base + "".join(f" WHERE FunctionName != '${{{t}}}'" for t in TRIGGERS)
    assert any(wanted == q for a in ALARMS.values() for q in insights_queries(a)), wanted


@pytest.mark.parametrize(
    "alarm", sorted(name for name, a in ALARMS.items() if "Metrics" in a["Properties"])
)
def test_metric_math_alarm_adds_up_every_metric_it_reads(alarm: str) -> None:
    metrics = props(alarm)["Metrics"]
    (total,) = [m for m in metrics if m.get("ReturnData")]
    for metric in metrics:
        if metric is not total:
            assert re.search(rf"\b{metric['Id']}\b", total["Expression"]), metric["Id"]


def test_throttles_are_alarmed_for_the_whole_account() -> None:
    """Concurrency is the account's: one alarm on Throttles without dimensions covers every
    function, present and future."""
    watched = [m for a in ALARMS.values() for m in alarm_metrics(a)]
    assert ("AWS/Lambda", "Throttles", []) in watched


@pytest.mark.parametrize("alarm", sorted(ALARMS))
def test_alarm_reads_at_most_ten_metrics(alarm: str) -> None:
    """CloudWatch refuses a metric-math alarm of more than 10 metrics."""
    assert len(props(alarm).get("Metrics", [])) <= 10


@pytest.mark.parametrize("alarm", sorted(ALARMS))
def test_alarm_notifies_the_alarm_topic(alarm: str) -> None:
    topic = {"Ref": "AlarmTopicArn"}
    assert topic in props(alarm)["AlarmActions"]
    assert topic in props(alarm)["OKActions"]


def test_login_gate_alarm_filters_match_what_the_gate_logs() -> None:
    """The trigger's alarm counts log lines by their message: those messages must exist."""
    source = (ROOT / "layers/common/clientaccounts/login_gate.py").read_text()
    (trigger,) = TRIGGERS
    patterns = [f["FilterPattern"] for f in filters_on(log_group_of(trigger))]
    alarmed = [(ns, name) for a in ALARMS.values() for ns, name, _ in alarm_metrics(a)]
    for f in filters_on(log_group_of(trigger)):
        for transformation in f["MetricTransformations"]:
            metric = (transformation["MetricNamespace"], transformation["MetricName"])
            assert metric in alarmed, metric
    messages = [m for p in patterns for m in re.findall(r'\$\.message = "([^"]+)"', p)]
    assert messages
    for message in messages:
        assert re.search(rf'logger\.\w+\(\s*"{re.escape(message)}"', source), message


# ---------------------------------------------------------------- encryption and policies


def test_data_key_rotates_and_outlives_the_stack() -> None:
    key = RESOURCES[DATA_KEY]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    # Retained tables are unreadable without their key.
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"


@pytest.mark.parametrize("table", sorted(TABLES))
def test_table_is_encrypted_with_the_data_key(table: str) -> None:
    sse = props(table)["SSESpecification"]
    assert sse["SSEEnabled"] is True and sse["SSEType"] == "KMS"
    assert logical_id(sse.get("KMSMasterKeyId")) == DATA_KEY


def uses_a_table(statement: dict[str, Any]) -> bool:
    actions = as_list(statement.get("Action"))
    resources = [logical_id(r) for r in as_list(statement.get("Resource"))]
    return any(a.startswith("dynamodb:") for a in actions) and any(r in TABLES for r in resources)


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_function_that_uses_a_table_may_decrypt_with_the_data_key_and_no_more(
    function: str,
) -> None:
    kms = [
        s for s in statements(function) if any(a.startswith("kms:") for a in as_list(s["Action"]))
    ]
    for statement in kms:
        assert as_list(statement["Action"]) == ["kms:Decrypt"]
        assert logical_id(statement["Resource"]) == DATA_KEY
    if any(uses_a_table(s) for s in statements(function)) or events(function, "DynamoDB"):
        assert kms, f"{function} reads an encrypted table without kms:Decrypt on {DATA_KEY}"


DATA_KEY_POLICY = "TablesDataKeyPolicy"


def test_the_data_key_policy_decrypts_through_dynamodb_only() -> None:
    (statement,) = props(DATA_KEY_POLICY)["PolicyDocument"]["Statement"]
    assert as_list(statement["Action"]) == ["kms:Decrypt"]
    assert logical_id(statement["Resource"]) == DATA_KEY
    via = statement["Condition"]["StringEquals"]["kms:ViaService"]
    assert via == {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_function_that_uses_a_table_attaches_the_data_key_policy(function: str) -> None:
    """One policy for the key, not a statement per function. The mailer's own statement has
    no kms:ViaService: its event source reads the stream with its role."""
    own_kms = [
        s
        for policy in props(function).get("Policies") or []
        if isinstance(policy, dict)
        for s in policy.get("Statement") or []
        if any(a.startswith("kms:") for a in as_list(s["Action"]))
    ]
    if any(uses_a_table(s) for s in statements(function)) and not events(function, "DynamoDB"):
        assert DATA_KEY_POLICY in managed_policies(function)
        assert not own_kms, f"{function}: attach {DATA_KEY_POLICY} instead"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_function_policy_names_its_actions_and_resources(function: str) -> None:
    for statement in statements(function):
        for action in as_list(statement["Action"]):
            assert not action.endswith("*"), f"{function}: {action}"
        assert "*" not in as_list(statement["Resource"]), f"{function}: Resource *"


# ---------------------------------------------------------------- API stage


def method_settings() -> list[dict[str, Any]]:
    settings: list[dict[str, Any]] = props("Api")["MethodSettings"]
    return settings


def test_every_route_is_throttled_and_no_execution_log_holds_a_body() -> None:
    (default,) = [s for s in method_settings() if s["ResourcePath"] == "/*"]
    assert default["HttpMethod"] == "*"
    assert default["ThrottlingRateLimit"] and default["ThrottlingBurstLimit"]
    for setting in method_settings():
        assert setting.get("DataTraceEnabled", False) is False
        assert setting.get("LoggingLevel", "OFF") == "OFF"
    access_log = props("Api")["AccessLogSetting"]["Format"]
    assert "$context.requestId" in access_log
    assert "$input" not in access_log and "body" not in access_log.lower()


ROUTE_SETTINGS = [s for s in method_settings() if s["ResourcePath"] != "/*"]


@pytest.mark.parametrize("setting", ROUTE_SETTINGS, ids=[s["ResourcePath"] for s in ROUTE_SETTINGS])
def test_route_throttle_names_a_route_of_the_template(setting: dict[str, Any]) -> None:
    # "/~1public~1orgs" is the path "/public/orgs": "/" then the path with "/" as "~1".
    path = setting["ResourcePath"][1:].replace("~1", "/")
    routes = {(r.method, r.path) for r in api_routes()}
    assert (setting["HttpMethod"], path) in routes, "API Gateway refuses settings for no route"


# ---------------------------------------------------------------- the outbox stream


STREAMS = [(f, name) for f in sorted(FUNCTIONS) for name in events(f, "DynamoDB")]


@pytest.mark.parametrize(("function", "event"), STREAMS)
def test_stream_failures_are_bounded_and_parked(function: str, event: str) -> None:
    p = events(function, "DynamoDB")[event]["Properties"]
    assert p["BisectBatchOnFunctionError"] is True
    assert 0 <= p["MaximumRetryAttempts"] <= 10
    assert 60 <= p["MaximumRecordAgeInSeconds"] <= 24 * 3600  # the stream keeps 24 h
    assert "ReportBatchItemFailures" in p["FunctionResponseTypes"]
    destination = p["DestinationConfig"]["OnFailure"]
    queue = logical_id(destination["Destination"])
    assert queue is not None
    assert destination["Type"] == "SQS" and RESOURCES[queue]["Type"] == "AWS::SQS::Queue"
    may_send = [
        s
        for s in statements(function)
        if "sqs:SendMessage" in as_list(s["Action"]) and logical_id(s["Resource"]) == queue
    ]
    assert may_send, f"{function} cannot park failures in {queue}"


# ---------------------------------------------------------------- schedules

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
# field -> (name, lowest, highest, names from 1 on, tokens allowed besides values)
_CRON_FIELDS: list[tuple[str, int, int, list[str], str]] = [
    ("minutes", 0, 59, [], ""),
    ("hours", 0, 23, [], ""),
    ("day-of-month", 1, 31, [], r"\?|L|LW|\d{1,2}W"),
    ("month", 1, 12, _MONTHS, ""),
    ("day-of-week", 1, 7, _DAYS, r"\?|L|[1-7]L|[1-7]#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)#[1-5]"),
    ("year", 1970, 2199, [], ""),
]


def _cron_value(token: str, low: int, high: int, names: list[str]) -> bool:
    if token in names:
        return True
    return token.isdigit() and low <= int(token) <= high


def _cron_field_problems(field: str, spec: tuple[str, int, int, list[str], str]) -> list[str]:
    name, low, high, names, special = spec
    problems = []
    for item in field.split(","):
        if special and re.fullmatch(special, item):
            if item.endswith("W") and item not in ("LW",) and not 1 <= int(item[:-1]) <= 31:
                problems.append(f"{name}: {item}")
            continue
        base, _, step = item.partition("/")
        if step and not (step.isdigit() and int(step) >= 1):
            problems.append(f"{name}: step {step!r}")
        if base == "*":
            continue
        first, _, last = base.partition("-")
        if not _cron_value(first, low, high, names) or (
            last and not _cron_value(last, low, high, names)
        ):
            problems.append(f"{name}: {item!r} is outside {low}-{high}")
    return problems


def schedule_problems(expression: str) -> list[str]:
    """EventBridge's rate()/cron() syntax; an empty list means valid."""
    rate = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            return ["rate must be at least 1"]
        if (value == 1) == unit.endswith("s"):
            return [f"rate({value} {unit}): EventBridge wants '1 {unit.rstrip('s')}' / 'n {unit}s'"]
        return []
    cron = re.fullmatch(r"cron\((.*)\)", expression)
    if not cron:
        return [f"{expression!r} is neither rate(...) nor cron(...)"]
    fields = cron.group(1).split()
    if len(fields) != 6:
        return [
            "cron needs 6 fields (minutes hours day-of-month month day-of-week year),"
            f" not {len(fields)}"
        ]
    problems = [
        p
        for f, spec in zip(fields, _CRON_FIELDS, strict=True)
        for p in _cron_field_problems(f, spec)
    ]
    if (fields[2] == "?") == (fields[4] == "?"):
        problems.append("exactly one of day-of-month and day-of-week must be '?'")
    return problems


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ("rate(1 hour)", True),
        ("rate(15 minutes)", True),
        ("cron(0 3 * * ? *)", True),
        ("cron(15 2 ? * MON-FRI *)", True),
        ("cron(0/30 * L * ? 2027)", True),
        ("rate(1 hours)", False),
        ("rate(0 minutes)", False),
        ("rate(5 weeks)", False),
        ("cron(0 3 * * * *)", False),  # both day fields set
        ("cron(0 24 * * ? *)", False),
        ("cron(0 3 * *)", False),
        ("0 3 * * *", False),
    ],
)
def test_schedule_checker_tells_valid_from_invalid(expression: str, valid: bool) -> None:
    assert (schedule_problems(expression) == []) is valid


def resolved(value: Any) -> str:
    """A schedule given as !Ref to a parameter is checked with the parameter's default."""
    name = logical_id(value)
    if name is not None:
        return str(TEMPLATE["Parameters"][name]["Default"])
    return str(value)


def schedule_of(event: dict[str, Any]) -> Any:
    p = event.get("Properties") or {}
    return p.get("Schedule", p.get("ScheduleExpression"))  # Schedule / ScheduleV2


SCHEDULES = [
    pytest.param(resolved(schedule_of(event)), id=f"{function}.{name}")
    for function in sorted(FUNCTIONS)
    for name, event in events(function, "Schedule", "ScheduleV2").items()
] or [
    pytest.param(
        None,
        marks=pytest.mark.skip(
            reason="no function has a Schedule event yet (the cleanup function, R19, is to come)"
        ),
        id="no-schedule-in-template",
    )
]


@pytest.mark.parametrize("expression", SCHEDULES)
def test_scheduled_function_has_a_valid_schedule_expression(expression: str) -> None:
    assert schedule_problems(expression) == []


def test_a_browser_may_send_the_idempotency_key_post_clients_reads() -> None:
    cors = load_template()["Resources"]["Api"]["Properties"]["Cors"]
    allowed = {h.strip().lower() for h in cors["AllowHeaders"].strip("'").split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
