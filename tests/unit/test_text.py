"""R27: the one canonical form of an address and a username, and what a name or an address
may not contain."""

from __future__ import annotations

import pytest

from clientaccounts.text import (
    canonical_email,
    canonical_username,
    email_problem,
    header_safe,
    name_problem,
    username_problem,
)

PLAIN_ASCII = [
    "kate@x.org",
    " Kate.Example+tag@Mail.Example.ORG ",
    "O'Brien@x-y.example",
    "UPPER_CASE@EXAMPLE.COM",
    "a!#$%&*=?^`{|}~@x.org",
    "kate@x..org",  # refused now, but a stored one keeps its key
    "no-at-sign",
]


@pytest.mark.parametrize("address", PLAIN_ASCII)
def test_r27_plain_ascii_address_keeps_the_guard_key_it_had(address: str) -> None:
    """Guards already stored were keyed by `.strip().lower()`: for ASCII the canonical form is
    the same string, so no stored guard needs rewriting."""
    assert canonical_email(address) == address.strip().lower()


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("\u212aate@x.org", "kate@x.org"),
        ("\uff2b\uff41\uff54\uff45@x.org", "kate@x.org"),
        ("kate@x.org.", "kate@x.org"),
        ("KATE@X.ORG.", "kate@x.org"),
        ("kate@B\u00fccher.example", "kate@xn--bcher-kva.example"),
        ("kate@xn--bcher-kva.example", "kate@xn--bcher-kva.example"),
        ("Stra\u00dfe@x.org", "strasse@x.org"),
        ("kate@x\uff0eorg", "kate@x.org"),  # a fullwidth full stop
        ("\u0130@x.org", "i\u0307@x.org"),
    ],
)
def test_r27_look_alike_addresses_have_one_canonical_form(variant: str, canonical: str) -> None:
    assert canonical_email(variant) == canonical


def test_r27_canonical_username_folds_case_and_compatibility_forms() -> None:
    assert canonical_username(" Kate.Example ") == "kate.example"
    assert canonical_username("\u212aate") == "kate"


@pytest.mark.parametrize(
    "address",
    [
        "ka\u200bte@x.org",
        "kate@x\u200c.org",
        "\u202ekate@x.org",
        "kate\u061c@x.org",
        "kate\u2069@x.org",
        "ka\u00adte@x.org",  # soft hyphen, invisible
        "ka\u0000te@x.org",
        "ka\u007fte@x.org",
        "kate@" + "a" * 64 + ".org",
        "kate@x..org",
        "kate@.x.org",
    ],
)
def test_r27_invisible_control_bidi_characters_or_a_bad_domain_are_a_problem(address: str) -> None:
    assert email_problem(address)


@pytest.mark.parametrize(
    "address", ["kate@x.org", "Kate@B\u00fccher.example", "\u674e@\u4f8b\u3048.jp", "kate@x.org."]
)
def test_r27_ordinary_addresses_have_no_problem(address: str) -> None:
    assert email_problem(address) is None


def test_r27_username_with_invisible_characters_is_a_problem() -> None:
    assert username_problem("ka\u200bte")
    assert username_problem("kate") is None


@pytest.mark.parametrize(
    "name",
    [
        "A\nB",
        "A\rB",
        "A\tB",
        "A\u0085B",
        "A\u2028B",
        "A\u2029B",
        "\u202eA",
        "A\u2066B",
        "https://x.example",
        "HTTP://X",
        "ftp://files",
        "see www.x.example",
        "x.example/path",
        "visit evil.com now",
        "mail me@evil.com",
        "mailto:x",
        "javascript:alert(1)",
        "\uff48\uff54\uff54\uff50://x",
        "evil\u3002com",
    ],
)
def test_r27_names_with_control_characters_or_links_are_a_problem(name: str) -> None:
    assert name_problem(name)


@pytest.mark.parametrize(
    "name",
    [
        "O'Brien-Smith",
        "José María",
        "Dr. Anne St. John",
        "J.R.R. Tolkien",
        "Care & Co (North)",
        "Zo\u00eb",
        "\u0645\u062d\u0645\u062f",  # Arabic: right-to-left letters, no bidi controls
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with a ZWNJ
        "Physio 2.0",
        "St.-Anna Klinik",
    ],
)
def test_r27_ordinary_names_have_no_problem(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("Your account at Evil\r\nBcc: x@y", "Your account at Evil Bcc: x@y"),
        ("a\nb\rc\td\x00e\x85f\u2028g", "a b c d e f g"),
        ("\u202eright", "right"),
        ("plain", "plain"),
    ],
)
def test_r27_header_values_lose_line_breaks_and_controls(value: str, safe: str) -> None:
    assert header_safe(value) == safe
