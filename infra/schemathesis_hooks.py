"""Schemathesis hooks (SCHEMATHESIS_HOOKS=infra.schemathesis_hooks, set by infra/fuzz.py):
the string formats docs/openapi.json names for the rules of text.py a pattern cannot say
(`person-name`: no links; `email-address`: a domain IDNA can encode; `username`), generated
from the field's own pattern and kept when the server's own rule passes them.

Runs inside Schemathesis' virtual environment (.tools/schemathesis): it imports only the
standard-library modules of the shared package (text.py, validation.py, schemas.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import schemathesis
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "common"))

from clientaccounts.schemas import EMAIL, NAME, USERNAME
from clientaccounts.validation import InvalidFields, Text


def _strategy(rule: Text) -> st.SearchStrategy[str]:
    schema = rule.schema()

    def passes(value: str) -> bool:
        try:
            rule.check(value, ())
        except InvalidFields:
            return False
        return True

    return st.from_regex(schema["pattern"], fullmatch=True).filter(passes)


for _rule in (NAME, EMAIL, USERNAME):
    assert _rule.format is not None
    schemathesis.openapi.format(_rule.format, _strategy(_rule))
