"""What the in-process sections share: the handlers run in this process under moto, on the
integration tests' stack (tests/support/stack.py) and event library
(tests/support/lambda_events.py), so the benchmark exercises exactly what the tests prove.

`prepare()` must run before those modules are imported (bench/__main__.py does it): fake
credentials as the test suite sets them, and the layer's source on the path as Lambda puts the
layer in /opt/python.
"""

from __future__ import annotations

import contextlib
import logging
import os
import runpy
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from infra.template import ROOT

if TYPE_CHECKING:
    import pytest

    from tests.support.stack import Stack


def prepare() -> None:
    """Fake credentials and region before boto3 loads (the suite's root conftest.py, run as
    pytest runs it first), and the shared package importable."""
    runpy.run_path(str(ROOT / "conftest.py"))
    layer = str(ROOT / "layers" / "common")
    if layer not in sys.path:
        sys.path.insert(0, layer)


@contextlib.contextmanager
def lambda_output_discarded() -> Iterator[TextIO]:
    """The functions' log lines and metrics still get written (that is part of their cost),
    to nowhere instead of the terminal; yields the terminal for progress lines."""
    from clientaccounts.observability import logger

    terminal = sys.stdout
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    with open(os.devnull, "w") as sink:
        previous = handler.setStream(sink)
        try:
            with contextlib.redirect_stdout(sink):  # EMF metrics are printed
                yield terminal
        finally:
            handler.setStream(previous)


@contextlib.contextmanager
def moto_stack() -> Iterator[tuple[Stack, pytest.MonkeyPatch]]:
    """A fresh moto stack provisioned from template.yaml, as each integration test gets one;
    the environment it sets is undone on the way out."""
    import pytest

    from tests.support.stack import moto_stack as provisioned

    with pytest.MonkeyPatch.context() as monkeypatch, provisioned(monkeypatch) as stack:
        yield stack, monkeypatch
