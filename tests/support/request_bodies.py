"""Request bodies a person would send, shared by the integration and e2e suites."""

from __future__ import annotations

import uuid
from typing import Any

PASSWORD = "Correct-horse-42"


def registration_body(**overrides: Any) -> dict[str, Any]:
    """A valid self-registration with a unique email ("not sure"). No credentials: they are
    chosen on the confirmation link (R5, R9; `username_for`)."""
    suffix = uuid.uuid4().hex[:8]
    body: dict[str, Any] = {
        "first_name": "Robin",
        "last_name": "Example",
        "email": f"robin.{suffix}@mail.example",
        "dob": "1990-04-30",
        "practitioner_id": None,
    }
    body.update(overrides)
    return body


def username_for(body: dict[str, Any]) -> str:
    """The username the person who sent this registration (or was invited at this address)
    chooses on the link: unique as the address is."""
    local = str(body["email"]).split("@")[0]
    return "".join(c for c in local if c.isalnum())[:60]


def confirmation_body(token: str, username: str, password: str = PASSWORD) -> dict[str, str]:
    """POST /public/email-confirmations and /public/invitations/accept."""
    return {"token": token, "username": username, "password": password}


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
