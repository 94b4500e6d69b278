"""infra/totp.py, the TOTP of the local stack's Cognito emulation, against an independent
implementation (pyotp) and the RFC 6238 test vectors."""

from __future__ import annotations

import base64

import pyotp
from hypothesis import given
from hypothesis import strategies as st

from infra import totp

# RFC 6238, appendix B: the SHA-1 key "12345678901234567890", 8 digits; the last 6 digits
# are the 6-digit code of the same step (dynamic truncation takes the number modulo 10^d).
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = {
    59: "94287082",
    1111111109: "07081804",
    1111111111: "14050471",
    1234567890: "89005924",
    2000000000: "69279037",
    20000000000: "65353130",
}


def test_rfc_6238_test_vectors() -> None:
    for at, code in RFC_VECTORS.items():
        assert totp.code_at(RFC_SECRET, at) == code[-6:]


@given(
    key=st.binary(min_size=10, max_size=40),
    at=st.integers(min_value=0, max_value=2**34),
)
def test_codes_are_pyotps(key: bytes, at: int) -> None:
    secret = base64.b32encode(key).decode().rstrip("=")
    assert totp.code_at(secret, at) == pyotp.TOTP(secret).at(at)


def test_new_secrets_work_in_authenticator_apps() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32 and "=" not in secret
    assert totp.verify(secret, pyotp.TOTP(secret).at(1_800_000_000), at=1_800_000_000)
    assert totp.new_secret() != secret


def test_a_code_of_the_step_before_or_after_is_accepted_but_not_two_away() -> None:
    secret, at = totp.new_secret(), 1_800_000_000
    otp = pyotp.TOTP(secret)
    assert totp.verify(secret, otp.at(at - 30), at=at)
    assert totp.verify(secret, otp.at(at + 30), at=at)
    assert not totp.verify(secret, otp.at(at - 60), at=at)
    assert not totp.verify(secret, otp.at(at + 60), at=at)


def test_wrong_and_malformed_codes_are_refused() -> None:
    secret, at = totp.new_secret(), 1_800_000_000
    right = pyotp.TOTP(secret).at(at)
    wrong = str((int(right) + 1) % 10**6).zfill(6)
    for code in (wrong, "", "12345", "1234567", "abcdef", right + " "):
        assert not totp.verify(secret, code, at=at, window=0)
