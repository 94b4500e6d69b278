"""AWS clients, created lazily (never at import) with short timeouts.

Plain botocore clients: pynamodb loads botocore anyway, and skipping boto3 keeps cold starts
short. Cognito calls the pre-authentication trigger with a 5 s limit and up to 3 attempts,
so timeouts are short everywhere and a slow dependency fails fast instead of hanging.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from botocore.config import Config
from botocore.session import get_session

from .config import get_settings

CLIENT_CONFIG = Config(
    connect_timeout=1, read_timeout=2, retries={"max_attempts": 2, "mode": "standard"}
)


_creating = threading.Lock()


@cache
def _create(service: str) -> Any:
    settings = get_settings()
    return get_session().create_client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=CLIENT_CONFIG,
    )


def client(service: str) -> Any:
    """The one shared client per service (cognito-idp, sesv2, ssm). Created under a lock:
    botocore sessions are not thread-safe (clients are, once made)."""
    with _creating:
        return _create(service)


def reset_clients() -> None:
    _create.cache_clear()
