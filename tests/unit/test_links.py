"""Single-use links: hashed at rest, and every unusable state answered precisely."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clientaccounts import clock
from clientaccounts.errors import Gone, NotFound
from clientaccounts.links import Purpose, check_usable, hash_token, new_link
from clientaccounts.persistence.models import Link


def _link() -> tuple[str, Link]:
    return new_link(
        Purpose.EMAIL_CONFIRMATION,
        org_id="o",
        account_kind="client",
        account_id="c",
        valid_hours=24,
    )


def test_only_the_tokens_hash_is_stored() -> None:
    token, link = _link()
    assert link.token_hash == hash_token(token) != token
    assert len(token) >= 43  # 32 random bytes
    assert token not in repr(link.attribute_values)


def test_r9_link_expires_after_its_window() -> None:
    _, link = _link()
    check_usable(link, Purpose.EMAIL_CONFIRMATION, clock.now() + timedelta(hours=23, minutes=59))
    with pytest.raises(Gone) as gone:
        check_usable(link, Purpose.EMAIL_CONFIRMATION, clock.now() + timedelta(hours=24, seconds=1))
    assert gone.value.code == "link_expired"


@pytest.mark.parametrize(
    ("field", "code"), [("used_at", "link_used"), ("voided_at", "link_replaced")]
)
def test_r9_used_or_replaced_links_are_gone(field: str, code: str) -> None:
    _, link = _link()
    setattr(link, field, clock.iso(clock.now()))
    with pytest.raises(Gone) as gone:
        check_usable(link, Purpose.EMAIL_CONFIRMATION, clock.now())
    assert gone.value.code == code


def test_unknown_link_or_wrong_purpose_is_not_found() -> None:
    _, link = _link()
    with pytest.raises(NotFound):
        check_usable(None, Purpose.EMAIL_CONFIRMATION, clock.now())
    with pytest.raises(NotFound):
        check_usable(link, Purpose.INVITATION, clock.now())
