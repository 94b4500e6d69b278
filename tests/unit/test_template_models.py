"""template.yaml and the pynamodb models must describe the same tables (DESIGN: no drift)."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.attributes import TTLAttribute
from pynamodb.indexes import Index
from pynamodb.models import Model

from clientaccounts.config import load_settings
from clientaccounts.persistence.models import ALL_MODELS
from infra.template import load_template, resources_of_type

TABLE_OF_MODEL = {
    key: "".join(w.capitalize() for w in key.split("_")) + "Table" for key in ALL_MODELS
}
ATTRIBUTE_TYPE = {"S": "S", "N": "N", "B": "B"}


def _table(key: str) -> dict[str, Any]:
    properties: dict[str, Any] = load_template()["Resources"][TABLE_OF_MODEL[key]]["Properties"]
    return properties


def _key_schema(schema: list[dict[str, str]]) -> dict[str, str]:
    return {k["KeyType"]: k["AttributeName"] for k in schema}


def _model_keys(model: type[Model] | Index[Any]) -> dict[str, str]:
    attrs = model.get_attributes() if isinstance(model, type) else model.Meta.attributes
    keys = {}
    for name, attr in attrs.items():
        if attr.is_hash_key:
            keys["HASH"] = attr.attr_name or name
        if attr.is_range_key:
            keys["RANGE"] = attr.attr_name or name
    return keys


def _indexes(model: type[Model]) -> dict[str, Index[Any]]:
    return {index.Meta.index_name: index for index in model._indexes.values()}


def test_every_table_in_the_template_has_a_model() -> None:
    assert set(resources_of_type("AWS::DynamoDB::Table")) == set(TABLE_OF_MODEL.values())


@pytest.mark.parametrize("key", sorted(ALL_MODELS))
def test_model_keys_match_table(key: str) -> None:
    model = ALL_MODELS[key]
    table = _table(key)
    assert _model_keys(model) == _key_schema(table["KeySchema"])
    declared = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    for name, attr in model.get_attributes().items():
        if name in declared:
            assert attr.attr_type == declared[name], f"{key}.{name} type differs"


@pytest.mark.parametrize("key", sorted(ALL_MODELS))
def test_model_indexes_match_table(key: str) -> None:
    model = ALL_MODELS[key]
    table_indexes = {i["IndexName"]: i for i in _table(key).get("GlobalSecondaryIndexes", [])}
    model_indexes = _indexes(model)
    assert set(model_indexes) == set(table_indexes)
    for name, index in model_indexes.items():
        declared = table_indexes[name]
        assert _model_keys(index) == _key_schema(declared["KeySchema"])
        projection = declared["Projection"]
        assert index.Meta.projection.projection_type == projection["ProjectionType"]
        assert sorted(index.Meta.projection.non_key_attributes or []) == sorted(
            projection.get("NonKeyAttributes", [])
        )


@pytest.mark.parametrize("key", sorted(ALL_MODELS))
def test_ttl_attribute_matches_table(key: str) -> None:
    model = ALL_MODELS[key]
    ttl = [n for n, a in model.get_attributes().items() if isinstance(a, TTLAttribute)]
    declared = _table(key).get("TimeToLiveSpecification")
    assert ttl == ([declared["AttributeName"]] if declared else [])


@pytest.mark.parametrize("key", sorted(ALL_MODELS))
def test_every_table_is_encrypted_and_recoverable(key: str) -> None:
    table = _table(key)
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["DeletionProtectionEnabled"] is True
    assert table["BillingMode"] == "PAY_PER_REQUEST"


def test_personal_data_only_the_outbox_has_a_stream_and_it_carries_keys_only() -> None:
    """The mailer reads the row by its key; a NEW_IMAGE stream would copy addresses and link
    tokens into the stream (kept 24 h) and the dead-letter path."""
    streams = {
        name: props["Properties"].get("StreamSpecification")
        for name, props in resources_of_type("AWS::DynamoDB::Table").items()
    }
    assert {n for n, s in streams.items() if s} == {"OutboxTable"}
    assert streams["OutboxTable"] == {"StreamViewType": "KEYS_ONLY"}


def test_settings_read_the_table_names_the_template_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    env = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    for key, logical_id in TABLE_OF_MODEL.items():
        variable = f"{key.upper()}_TABLE"
        assert env[variable] == {"Ref": logical_id}
        monkeypatch.setenv(variable, f"physical-{key}")
    settings = load_settings()
    for key in ALL_MODELS:
        assert getattr(settings.tables, key) == f"physical-{key}"
