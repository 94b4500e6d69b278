"""Loads a function's handler the way Lambda does: from its template CodeUri and Handler.

Every function's module is called `app`; each is loaded under a unique module name so that
several can live in one process (tests, the local stack).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from .template import ROOT, function_properties

Handler = Callable[[dict[str, Any], Any], Any]


def handler_location(logical_id: str) -> tuple[Path, str]:
    """(source file, function name) of a function in template.yaml."""
    props = function_properties(logical_id)
    module_name, function_name = props["Handler"].rsplit(".", 1)
    path = ROOT / props["CodeUri"] / (module_name.replace(".", "/") + ".py")
    return path, function_name


@cache
def load_module(logical_id: str) -> ModuleType:
    path, _ = handler_location(logical_id)
    if not path.is_file():
        raise FileNotFoundError(f"{logical_id}: handler file {path} is missing")
    unique_name = f"lambda_functions.{logical_id}"
    spec = importlib.util.spec_from_file_location(unique_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{logical_id}: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique_name] = module
    spec.loader.exec_module(module)
    return module


def load_handler(logical_id: str) -> Handler:
    _, function_name = handler_location(logical_id)
    handler: Handler = getattr(load_module(logical_id), function_name)
    return handler
