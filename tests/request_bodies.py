"""Request bodies a person would send, shared by the integration and e2e suites."""

from __future__ import annotations

import uuid
from typing import Any

PASSWORD = "Correct-horse-42"


def registration_body(**overrides: Any) -> dict[str, Any]:
    """A valid self-registration with a unique email and username ("not sure")."""
    suffix = uuid.uuid4().hex[:8]
    body: dict[str, Any] = {
        "first_name": "Robin",
        "last_name": "Example",
        "email": f"robin.{suffix}@mail.example",
        "dob": "1990-04-30",
        "username": f"robin{suffix}",
        "password": PASSWORD,
        "practitioner_id": None,
    }
    body.update(overrides)
    return body


def new_client_body(**overrides: Any) -> dict[str, Any]:
    """A valid POST /clients body with a unique email (no practitioner)."""
    suffix = uuid.uuid4().hex[:8]
    body: dict[str, Any] = {
        "first_name": "Casey",
        "last_name": f"Client{suffix}",
        "email": f"casey.{suffix}@mail.example",
        "dob": "1985-07-14",
    }
    body.update(overrides)
    return body
