"""Values a published JSON Schema accepts, for Hypothesis: objects and arrays assembled here
(hypothesis-jsonschema reworks an object schema at every draw, ten times slower), each leaf
by hypothesis-jsonschema. A string `format` the document names for a rule a pattern cannot
say (text.py's: the link rule of names, the IDNA rule of domains) is honoured as the server
defines it (FORMATS), as a reader of the document would."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from clientaccounts.text import email_problem, name_problem, username_problem

# The formats docs/openapi.json names, as schemas.py defines them: text.py's rule on the text
# once stripped.
FORMATS = {
    "person-name": name_problem,
    "email-address": email_problem,
    "username": username_problem,
}


def meets_format(schema: dict[str, Any], value: Any) -> bool:
    problem = FORMATS.get(schema.get("format", ""))
    return problem is None or not isinstance(value, str) or problem(value.strip()) is None


def schema_values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "anyOf" in schema:
        return st.one_of([schema_values(option) for option in schema["anyOf"]])
    if schema.get("type") == "object":
        properties = schema["properties"]
        required = set(schema.get("required", []))
        objects = st.fixed_dictionaries(
            {name: schema_values(properties[name]) for name in required},
            optional={
                name: schema_values(each)
                for name, each in properties.items()
                if name not in required
            },
        )
        least = schema.get("minProperties", 0)
        return objects.filter(lambda value: len(value) >= least) if least else objects
    if schema.get("type") == "array":
        return st.lists(
            schema_values(schema["items"]),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems"),
        )
    if schema.get("format") in FORMATS:
        return from_schema(schema).filter(lambda value: meets_format(schema, value))
    return from_schema(schema)
