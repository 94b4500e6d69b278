"""RFC 6238 TOTP as Cognito's software tokens use it: HMAC-SHA1, 6 digits, 30-second steps,
the secret in base32 without padding. The local stack's Cognito emulation
(`infra.local_cognito`) hands out a secret per login and checks codes with it; the tests
compute the codes an authenticator app would show. Proved against pyotp
(tests/unit/test_totp.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time

STEP_SECONDS = 30
DIGITS = 6
# Codes of the step before and after are accepted too (clocks drift; a code is typed late).
WINDOW = 1


def new_secret() -> str:
    """160 random bits (RFC 4226's recommended length), base32 without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(secret: str, counter: int) -> str:
    """RFC 4226: the code for one counter value (dynamic truncation of HMAC-SHA1)."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    (number,) = struct.unpack(">I", digest[offset : offset + 4])
    return str((number & 0x7FFFFFFF) % 10**DIGITS).zfill(DIGITS)


def code_at(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows at `at` (seconds since the epoch; now if None)."""
    return hotp(secret, int((time.time() if at is None else at) // STEP_SECONDS))


def verify(secret: str, code: str, at: float | None = None, window: int = WINDOW) -> bool:
    """Whether `code` is the code of the step of `at`, or of one within `window` steps."""
    if len(code) != DIGITS or not code.isdigit():
        return False
    step = int((time.time() if at is None else at) // STEP_SECONDS)
    return any(
        hmac.compare_digest(hotp(secret, step + delta), code)
        for delta in range(-window, window + 1)
    )
