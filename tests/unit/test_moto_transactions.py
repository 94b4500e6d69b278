"""The local stack's transaction rollback (infra/moto_transactions.py) leaves the tables and
their streams exactly as moto's own rollback does, for transactions that fail at any
operation, and applies the ones that succeed alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from infra import moto_transactions


def _tables(dynamodb: Any) -> None:
    for name, keys in (("Plain", ["pk"]), ("Ranged", ["pk", "sk"])):
        dynamodb.create_table(
            TableName=name,
            KeySchema=[
                {"AttributeName": k, "KeyType": "HASH" if i == 0 else "RANGE"}
                for i, k in enumerate(keys)
            ],
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        )
    dynamodb.put_item(TableName="Plain", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    dynamodb.put_item(TableName="Ranged", Item={"pk": {"S": "a"}, "sk": {"S": "1"}})


def _state(dynamodb: Any) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for name in ("Plain", "Ranged"):
        items = dynamodb.scan(TableName=name)["Items"]
        stream = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        streams = boto3.client(
            "dynamodbstreams",
            region_name="us-east-1",
            config=Config(account_id_endpoint_mode="disabled"),  # moto routes no account endpoint
        )
        shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator)["Records"]
        state[name] = (
            sorted(str(i) for i in items),
            [(r["eventName"], str(r["dynamodb"]["Keys"])) for r in records],
        )
    return state


TRANSACTIONS = {
    "all succeed": [
        {"Put": {"TableName": "Plain", "Item": {"pk": {"S": "b"}}}},
        {
            "Update": {
                "TableName": "Plain",
                "Key": {"pk": {"S": "a"}},
                "UpdateExpression": "SET n = :n",
                "ExpressionAttributeValues": {":n": {"N": "2"}},
            }
        },
        {"Delete": {"TableName": "Ranged", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}}},
    ],
    "the last fails": [
        {"Put": {"TableName": "Plain", "Item": {"pk": {"S": "b"}}}},
        {"Delete": {"TableName": "Ranged", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}}},
        {
            "Put": {
                "TableName": "Plain",
                "Item": {"pk": {"S": "a"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
    ],
    "the first fails": [
        {
            "ConditionCheck": {
                "TableName": "Ranged",
                "Key": {"pk": {"S": "zz"}, "sk": {"S": "1"}},
                "ConditionExpression": "attribute_exists(pk)",
            }
        },
        {
            "Update": {
                "TableName": "Plain",
                "Key": {"pk": {"S": "a"}},
                "UpdateExpression": "SET n = :n",
                "ExpressionAttributeValues": {":n": {"N": "3"}},
            }
        },
        {"Put": {"TableName": "Ranged", "Item": {"pk": {"S": "c"}, "sk": {"S": "2"}}}},
    ],
}


def _outcome(items: list[dict[str, Any]], *, item_level: bool) -> tuple[Any, Any]:
    if item_level:
        moto_transactions.install()
    try:
        with mock_aws():
            dynamodb = boto3.client("dynamodb", region_name="us-east-1")
            _tables(dynamodb)
            try:
                dynamodb.transact_write_items(TransactItems=items)
                error = None
            except ClientError as exc:
                error = exc.response["Error"]["Code"]
            return error, _state(dynamodb)
    finally:
        moto_transactions.uninstall()


@pytest.fixture(autouse=True)
def _moto_rollback_restored() -> Iterator[None]:
    yield
    moto_transactions.uninstall()


@pytest.mark.parametrize("case", TRANSACTIONS)
def test_item_level_rollback_leaves_what_motos_own_leaves(case: str) -> None:
    ours = _outcome(TRANSACTIONS[case], item_level=True)
    motos = _outcome(TRANSACTIONS[case], item_level=False)
    assert ours == motos
    assert (ours[0] is None) == (case == "all succeed")
