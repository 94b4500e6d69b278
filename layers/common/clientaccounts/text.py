"""Text people type (R27): the one canonical form of an address and a username, what a name,
an address or a username may not contain, and header values that cannot break an email.

The canonical forms are comparison keys only (uniqueness guards, logins); what the person
typed is stored and shown as typed (trimmed). For plain ASCII they equal the `.strip()
.lower()` keys of stored guards (docs/decisions.md, "One canonical form of an address").
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional controls (embeddings, overrides, isolates, marks): they reorder what staff
# see, so an address or a name can look like another.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Separators that end a line (a header) as a line break does.
_LINE_SEPARATORS = frozenset(("Zl", "Zp"))
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})  # IDNA's full stops

# What makes a name a link once mailed: a scheme, "www.", a domain-like word (letters after
# its last dot, as mail clients link them), an address. Checked on the NFKC form, so
# fullwidth look-alikes count too.
_LINK = re.compile(
    r"""
    [a-z][a-z0-9+.\-]*://                     # any scheme://
    | \b(?:mailto|javascript|data|file|tel|sms):  # schemes written without //
    | \bwww\d{0,3}\.
    | [^\W_](?:[\w\-]*[^\W_])?                # a label ...
      (?:\.[^\W_](?:[\w\-]*[^\W_])?)*         # ... more labels ...
      \.[^\W\d_]{2,63}(?![\w\-])              # ... and a top-level domain of letters
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def canonical_domain(domain: str) -> str:
    """IDNA (ASCII) form, lower case, without the root's trailing dot; a domain IDNA cannot
    encode keeps its folded form (validation refuses new ones; stored ones keep their key)."""
    folded = _fold(domain).translate(_DOTS)
    if folded.endswith(".") and not folded.endswith(".."):
        folded = folded[:-1]
    try:
        return folded.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return folded


def canonical_email(address: str) -> str:
    """The address's comparison key: NFKC and case folded, the domain IDNA-encoded."""
    trimmed = address.strip()
    local, at, domain = trimmed.rpartition("@")
    if not at:
        return _fold(trimmed)
    return f"{_fold(local)}@{canonical_domain(domain)}"


def canonical_username(username: str) -> str:
    """Usernames are case-insensitive (the pool says so too); one spelling is stored."""
    return _fold(username.strip())


def invisible_or_control_character(c: str) -> bool:
    """Format (invisible: zero-width, BOM, soft hyphen, bidi), control, line separators: not
    in an address or a username. The request schema lists them (validation.Text)."""
    return unicodedata.category(c) in ("Cc", "Cf", "Cs", *_LINE_SEPARATORS) or c in BIDI_CONTROLS


def control_character(c: str) -> bool:
    """Controls, line separators and bidi controls: not in a name. Other format characters
    (the ZWNJ of Persian, the ZWJ of some scripts) belong to names."""
    return unicodedata.category(c) in ("Cc", "Cs", *_LINE_SEPARATORS) or c in BIDI_CONTROLS


def _invisible_or_control(text: str) -> bool:
    return any(invisible_or_control_character(c) for c in text)


def _control(text: str) -> bool:
    return any(control_character(c) for c in text)


INVISIBLE = "Must not contain invisible, control or bidirectional characters."


def email_problem(address: str) -> str | None:
    """What makes this address unacceptable, or None."""
    if _invisible_or_control(address):
        return INVISIBLE
    _, at, domain = address.strip().rpartition("@")
    if at:
        folded = _fold(domain).translate(_DOTS)
        try:
            (folded[:-1] if folded.endswith(".") else folded).encode("idna")
        except UnicodeError:
            return "The domain of this address is not valid."
    return None


def username_problem(username: str) -> str | None:
    return INVISIBLE if _invisible_or_control(username) else None


def name_problem(name: str) -> str | None:
    """A name is mailed from the practice's sender: no line breaks or controls, no links."""
    if _control(name):
        return "Must not contain control characters or line breaks."
    if _LINK.search(unicodedata.normalize("NFKC", name).translate(_DOTS)):
        return "Must not contain a link or a web address."
    return None


def header_safe(value: str) -> str:
    """A header value with every control, line separator and bidi control made a space
    (runs of spaces made one): a second defence behind validation, for rows already stored."""
    cleaned = "".join(
        " "
        if unicodedata.category(c) in ("Cc", "Cs", *_LINE_SEPARATORS) or c in BIDI_CONTROLS
        else c
        for c in value
    )
    return " ".join(cleaned.split())
