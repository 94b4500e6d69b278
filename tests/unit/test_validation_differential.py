"""validation.py against an independent oracle: `jsonschema` on the published request schemas
(docs/openapi.json). For schema-generated bodies and mutations of them, our validator accepts
exactly when jsonschema does.

The oracle reads the schema as JSON Schema means it: `pattern` is ECMA-262, where `$` is the
end of the text only (Python's `$` also matches before a final line break), and the formats
the schema names are checked (`date`, and the text rules of text.py it names by format).
Bodies are I-JSON (RFC 7493): no lone surrogates, which the server refuses on their own
(tests/integration/test_api_fuzz.py sends them)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from clientaccounts import schemas
from clientaccounts.validation import InvalidFields, QueryParameters, RequestModel
from tests.support.schema_values import FORMATS, meets_format, schema_values

DOCUMENT = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
PUBLISHED = DOCUMENT["components"]["schemas"]
BODY_MODELS = sorted(
    (
        model
        for model in vars(schemas).values()
        if isinstance(model, type)
        and issubclass(model, RequestModel)
        and not issubclass(model, QueryParameters)
        and model.__name__ in PUBLISHED
    ),
    key=lambda model: model.__name__,
)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """ECMA-262 `pattern`: a `$` that ends the pattern is the end of the text."""
    if not validator.is_type(instance, "string"):
        return
    ecma = (
        pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
    )
    if not re.search(ecma, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Oracle = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})
FORMAT_CHECKER = FormatChecker()  # "date" among others

# The formats the schema names for rules a pattern cannot say, as schemas.py defines them.
for _format in FORMATS:
    FORMAT_CHECKER.checks(_format)(lambda value, f=_format: meets_format({"format": f}, value))


def oracle_accepts(name: str, body: Any) -> bool:
    valid: bool = Oracle(PUBLISHED[name], format_checker=FORMAT_CHECKER).is_valid(body)
    return valid


def server_accepts(model: type[RequestModel], body: Any) -> bool:
    try:
        model.parse(body)
    except InvalidFields:
        return False
    return True


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
# Spaces as str.strip and the schema's \s know them (\x1c, NBSP, em space, line breaks).
SPACES = [" ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\x1c"]
BOUNDS = [2, 3, 63, 64, 65, 100, 101, 254, 255]  # the rules' lengths, and one over
EDITS: list[tuple[str, Any]] = (
    [("pad", (space, "")) for space in SPACES]
    + [("pad", ("", space)) for space in SPACES]
    + [("pad", (" ", " ")), ("replace", " "), ("replace", "\n"), ("replace", " \t ")]
    + [("replace", "a" * n) for n in BOUNDS]
    + [("replace", " " + "b" * n + " ") for n in BOUNDS]
    + [("replace", "c" * (n - 1) + "\n") for n in BOUNDS]
    + [("replace", text) for text in ["x\u0007y", "a\u202eb", "see www.example.org"]]
    + [("replace", text) for text in ["a@b", "a@b.co\n", " a@b.co ", "a@\u0080.co"]]
)
TEXT_EDITS = st.sampled_from(EDITS)


def _edit_text(value: str, edit: tuple[str, Any]) -> str:
    kind, how = edit
    edited: str = how[0] + value + how[1] if kind == "pad" else how
    return edited


VALID = {model: schema_values(PUBLISHED[model.__name__]) for model in BODY_MODELS}


@st.composite
def bodies(draw: st.DrawFn, model: type[RequestModel]) -> Any:
    """A body the schema accepts, then up to two mutations: spaces around a string or only
    spaces, a string just over a bound, a control or a link in it, another JSON value, a
    field dropped, an unknown field, null."""
    body = draw(VALID[model])
    names = sorted(model.declared)
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        mutation = draw(st.sampled_from(["text", "text", "value", "drop", "unknown", "null"]))
        name = draw(st.sampled_from(names))
        if mutation == "text":
            current = body.get(name)
            if isinstance(current, list) and current and isinstance(current[0], str):
                index = draw(st.integers(min_value=0, max_value=len(current) - 1))
                current[index] = _edit_text(current[index], draw(TEXT_EDITS))
            else:
                base = current if isinstance(current, str) else "x"
                body[name] = _edit_text(base, draw(TEXT_EDITS))
        elif mutation == "value":
            body[name] = draw(JSON_VALUES)
        elif mutation == "drop":
            body.pop(name, None)
        elif mutation == "unknown":
            body[draw(st.text(min_size=1, max_size=6))] = draw(JSON_VALUES)
        else:
            body[name] = None
    return body


@pytest.mark.parametrize("model", BODY_MODELS, ids=lambda model: model.__name__)
def test_the_server_accepts_a_body_exactly_when_the_published_schema_does(
    model: type[RequestModel],
) -> None:
    @settings(
        max_examples=60,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(body=bodies(model))
    def check(body: Any) -> None:
        assert server_accepts(model, body) == oracle_accepts(model.__name__, body), body

    check()


def _string_fields(schema: dict[str, Any]) -> list[tuple[str, bool]]:
    """(name, is a list of strings) of the schema's string fields."""
    found = []
    for name, each in schema["properties"].items():
        options = each.get("anyOf", [each])
        if any(option.get("type") == "string" for option in options):
            found.append((name, False))
        elif any(option.get("items", {}).get("type") == "string" for option in options):
            found.append((name, True))
    return found


@pytest.mark.parametrize("model", BODY_MODELS, ids=lambda model: model.__name__)
def test_every_edit_of_every_string_field_agrees(model: type[RequestModel]) -> None:
    """The edits above, each on each string field of the smallest valid body: deterministic
    coverage of what random mutation may miss in a bounded run."""
    name = model.__name__
    base = find(
        VALID[model],
        lambda body: True,
        settings=settings(database=None, derandomize=True, phases=[Phase.generate, Phase.shrink]),
    )
    assert oracle_accepts(name, base) and server_accepts(model, base)
    for field_name, is_list in _string_fields(PUBLISHED[name]):
        for edit in EDITS:
            original = "x" if is_list else base.get(field_name) or "x"
            value = _edit_text(original, edit)
            body = {**base, field_name: [value] if is_list else value}
            assert server_accepts(model, body) == oracle_accepts(name, body), body
