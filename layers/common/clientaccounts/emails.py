"""Emails rendered in code (text and HTML). Names a user typed are escaped in HTML; every
link is built from configuration (`PORTAL_BASE_URL`), never from a request's Host header.
Staff notifications carry a link to the record, not the client's personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from .config import Settings


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


GET_STARTED_STEPS = (
    "Install the Care App on your phone, tablet or computer.",
    "Sign in to the Care App with the username and password you chose.",
    "Find your practitioner in your connections and join your session from there.",
)
# A client with no practitioner yet (R2, R7: "not sure", or none chosen by the office).
GET_STARTED_STEPS_WITHOUT_PRACTITIONER = (
    *GET_STARTED_STEPS[:2],
    "Your practice will connect you with a practitioner; they then appear in your "
    "connections, and you join your session from there. You do not need to do anything "
    "until then.",
)


def portal_url(settings: Settings, org_slug: str, page: str, **query: str) -> str:
    url = f"{settings.portal_base_url}/{quote(org_slug, safe='')}/{page}"
    return f"{url}?{urlencode(query)}" if query else url


def _html(
    paragraphs: list[str], link: tuple[str, str] | None = None, items: tuple[str, ...] = ()
) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    if items:
        body += "<ol>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ol>"
    if link:
        href, label = link
        body += f'<p><a href="{escape(href, quote=True)}">{escape(label)}</a></p>'
    return f"<!doctype html><html><body>{body}</body></html>"


def _greeting(params: dict[str, Any]) -> tuple[str, str]:
    name = str(params.get("first_name") or "").strip()
    return (f"Hello {name},", f"Hello {escape(name)},") if name else ("Hello,", "Hello,")


def email_confirmation(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    link = portal_url(settings, p["org_slug"], "confirm-email", token=p["token"])
    hours = p.get("valid_hours", settings.confirmation_link_hours)
    text_hi, html_hi = _greeting(p)
    org = str(p["org_name"])
    return RenderedEmail(
        subject=f"Confirm your email for {org}",
        text=(
            f"{text_hi}\n\nPlease confirm your email address to finish registering with {org}:\n"
            f"{link}\n\nThe link works once and expires in {hours} hours. If you did not "
            "register, ignore this email."
        ),
        html=_html(
            [
                html_hi,
                f"Please confirm your email address to finish registering with {escape(org)}.",
                f"The link works once and expires in {int(hours)} hours. If you did not register, "
                "ignore this email.",
            ],
            (link, "Confirm my email"),
        ),
    )


def invitation(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """R3: a staff-created account; the client chooses username and password."""
    link = portal_url(settings, p["org_slug"], "accept-invitation", token=p["token"])
    hours = p.get("valid_hours", settings.invitation_link_hours)
    text_hi, html_hi = _greeting(p)
    org = str(p["org_name"])
    return RenderedEmail(
        subject=f"Your account at {org}",
        text=(
            f"{text_hi}\n\n{org} created an account for you. Choose your username and password "
            f"here:\n{link}\n\nThe link works once and expires in {hours} hours; {org} can send "
            "you a new one."
        ),
        html=_html(
            [
                html_hi,
                f"{escape(org)} created an account for you. Choose your username and password.",
                f"The link works once and expires in {int(hours)} hours; {escape(org)} can send "
                "you a new one.",
            ],
            (link, "Choose username and password"),
        ),
    )


def staff_invitation(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """POST /staff: the new staff member chooses username and password for the portal."""
    link = portal_url(settings, p["org_slug"], "accept-invitation", token=p["token"])
    hours = p.get("valid_hours", settings.invitation_link_hours)
    text_hi, html_hi = _greeting(p)
    org = str(p["org_name"])
    return RenderedEmail(
        subject=f"You are invited to the {org} office portal",
        text=(
            f"{text_hi}\n\nYou are invited to join {org} on its office portal. Choose your "
            f"username and password here:\n{link}\n\nThe link works once and expires in "
            f"{hours} hours."
        ),
        html=_html(
            [
                html_hi,
                f"You are invited to join {escape(org)} on its office portal.",
                f"The link works once and expires in {int(hours)} hours.",
            ],
            (link, "Choose username and password"),
        ),
    )


def get_started(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    link = portal_url(settings, p["org_slug"], "get-started")
    text_hi, html_hi = _greeting(p)
    org = str(p["org_name"])
    # Emails queued before the flag existed had a practitioner-first wording: keep it.
    chosen = p.get("has_practitioner", True)
    steps = GET_STARTED_STEPS if chosen else GET_STARTED_STEPS_WITHOUT_PRACTITIONER
    numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
    care_app = settings.care_app_url
    html = _html(
        [html_hi, f"Your {escape(org)} account is ready. Three steps to get started:"],
        (link, "See the three steps"),
        steps,
    )
    care_app_link = f'<p><a href="{escape(care_app, quote=True)}">Open the Care App</a></p>'
    return RenderedEmail(
        subject=f"Get started with the Care App - {org}",
        text=f"{text_hi}\n\nYour {org} account is ready. Three steps to get started:\n"
        f"{numbered}\n\nThe steps, with pictures: {link}\nThe Care App: {care_app}",
        html=html.replace("</body>", care_app_link + "</body>"),
    )


def awaiting_approval(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    text_hi, html_hi = _greeting(p)
    org = str(p["org_name"])
    link = portal_url(settings, p["org_slug"], "login")
    return RenderedEmail(
        subject=f"Your {org} account is awaiting approval",
        text=f"{text_hi}\n\nThank you for confirming your email. {org} reviews new accounts "
        "before they can use the Care App; we will email you once yours is approved. You can "
        f"already sign in to the portal: {link}",
        html=_html(
            [
                html_hi,
                f"Thank you for confirming your email. {escape(org)} reviews new accounts before "
                "they can use the Care App; we will email you once yours is approved.",
                "You can already sign in to the portal.",
            ],
            (link, "Sign in to the portal"),
        ),
    )


def _staff_notice(
    subject: str, lines: list[str]
) -> Callable[[Settings, dict[str, Any]], RenderedEmail]:
    def render(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
        link = portal_url(settings, p["org_slug"], f"clients/{quote(p['client_id'], safe='')}")
        text_hi, html_hi = _greeting(p)
        return RenderedEmail(
            subject=subject,
            text=f"{text_hi}\n\n" + " ".join(lines) + f"\n\nOpen the client record: {link}",
            html=_html([html_hi, escape(" ".join(lines))], (link, "Open the client record")),
        )

    return render


def registration_attempt(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    org = str(p["org_name"])
    link = portal_url(settings, p["org_slug"], "forgot-login")
    return RenderedEmail(
        subject=f"Someone tried to register with your email at {org}",
        text=f"Hello,\n\nSomeone tried to register a new {org} account with this email address, "
        "which already has an account. If it was you, sign in instead; if you forgot your "
        f"username or password, use Forgot Login: {link}\n\nIf it was not you, "
        "you can ignore this email; nothing has changed.",
        html=_html(
            [
                "Hello,",
                f"Someone tried to register a new {escape(org)} account with this email "
                "address, which already has an account. If it was you, sign in instead; if "
                "you forgot your username or password, use Forgot Login.",
                "If it was not you, you can ignore this email; nothing has changed.",
            ],
            (link, "Forgot Login"),
        ),
    )


def _signed_link_email(
    subject: str, lines: list[str], link: tuple[str, str] | None, after: Sequence[str] = ()
) -> RenderedEmail:
    """An account email with no personal data: a greeting without a name, the lines, the
    link (shown in full in the text part), the closing lines."""
    text = "Hello,\n\n" + " ".join(lines)
    if link:
        text += f"\n{link[0]}"
    if after:
        text += "\n\n" + " ".join(after)
    html = _html(["Hello,", *(escape(line) for line in lines)], link)
    if after:
        html = html.replace("</body>", "".join(f"<p>{escape(a)}</p>" for a in after) + "</body>")
    return RenderedEmail(subject=subject, text=text, html=html)


def password_reset(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """R23: the recipient's own username and a single-use reset link."""
    link = portal_url(settings, p["org_slug"], "reset-password", token=p["token"])
    hours = int(p.get("valid_hours", settings.password_reset_link_hours))
    org = str(p["org_name"])
    when = "1 hour" if hours == 1 else f"{hours} hours"
    return _signed_link_email(
        f"Your {org} sign-in details",
        [
            f"Someone asked to help you sign in to {org}.",
            f"Your username is: {p['username']}",
            "To choose a new password, open this link:",
        ],
        (link, "Choose a new password"),
        [
            f"The link works once and expires in {when}. If you did not ask, ignore this "
            "email: your password stays as it is.",
        ],
    )


def contact_practice(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """R23: an inactive account gets no reset; the practice can reactivate it."""
    org = str(p["org_name"])
    return _signed_link_email(
        f"Your {org} account",
        [
            f"Someone asked to help you sign in to {org}, but this account is not active.",
            f"Please contact {org} directly; they can reactivate it. Their portal:",
        ],
        (portal_url(settings, p["org_slug"], "login"), f"{org} portal"),
        ["If you did not ask, you can ignore this email."],
    )


def password_changed(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """R23: after a reset or a change, so a change made by someone else is noticed."""
    org = str(p["org_name"])
    link = portal_url(settings, p["org_slug"], "forgot-login")
    return _signed_link_email(
        f"Your {org} password was changed",
        [
            f"The password of your {org} account was just changed, and every device was "
            "signed out.",
            "If this was you, there is nothing to do. If it was not, reset your password now "
            f"and tell {org}:",
        ],
        (link, "Reset my password"),
    )


def mfa_reset(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """R30: to the staff member whose second factor an org_admin reset; their own username,
    nothing else about them."""
    org = str(p["org_name"])
    return _signed_link_email(
        f"The second factor of your {org} account was reset",
        [
            f"An administrator of {org} reset the second factor (authenticator app) of your "
            f"account, username {p['username']}, and every device was signed out.",
            "Sign in with your password; where your organization requires a second factor, "
            "you will be asked to set up your authenticator app again:",
        ],
        (portal_url(settings, p["org_slug"], "login"), f"{org} portal"),
        [f"If you did not ask for this, tell {org} at once."],
    )


def email_change(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """R24: sent to the new address; nothing changes until it is confirmed."""
    link = portal_url(settings, p["org_slug"], "confirm-email-change", token=p["token"])
    hours = int(p.get("valid_hours", settings.email_change_link_hours))
    org = str(p["org_name"])
    return _signed_link_email(
        f"Confirm your new email for {org}",
        [
            f"Someone asked to use this address for their {org} account.",
            "If it was you, confirm it here:",
        ],
        (link, "Confirm my new email"),
        [
            f"The link works once and expires in {hours} hours. If it was not you, ignore "
            "this email; nothing changes.",
        ],
    )


def email_changed(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """R24: sent to the old address once the change is confirmed."""
    org = str(p["org_name"])
    return _signed_link_email(
        f"The email of your {org} account was changed",
        [
            f"Your {org} account now uses another email address, and every device was "
            "signed out. This address will receive nothing more about it.",
            f"If you did not make this change, contact {org} at once. Their portal:",
        ],
        (portal_url(settings, p["org_slug"], "login"), f"{org} portal"),
    )


def pending_approval_reminder(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """Org admins: registrations have waited for approval too long. Counts and a link to the
    pending list only, never who the clients are."""
    link = portal_url(settings, p["org_slug"], "clients", status="pending")
    org = str(p["org_name"])
    waiting, after, oldest = int(p["waiting"]), int(p["after_days"]), int(p["oldest_days"])
    what = "1 registration has" if waiting == 1 else f"{waiting} registrations have"
    line = (
        f"{what} been waiting for approval at {org} for {after} days or more; "
        f"the oldest for {oldest} days."
    )
    return RenderedEmail(
        subject=f"Registrations awaiting approval at {org}",
        text=f"Hello,\n\n{line} Please review them:\n{link}",
        html=_html(["Hello,", escape(line) + " Please review them."], (link, "Review them")),
    )


_UNDELIVERED_LINES = {
    "bounced": (
        "An invitation could not be delivered",
        [
            "The invitation you sent could not be delivered: the recipient's mail server "
            "refused the address.",
            "Please check the email address on the record, correct it if needed, and send "
            "the invitation again.",
        ],
    ),
    "complained": (
        "An invitation was reported as spam",
        [
            "The recipient of the invitation you sent reported it as spam.",
            "Please check with them, or check the email address on the record, before "
            "sending it again.",
        ],
    ),
}


def invitation_undelivered(settings: Settings, p: dict[str, Any]) -> RenderedEmail:
    """R31: to the staff member who sent an invitation that bounced or was reported as spam.
    Like the other staff notices, a link to the record and no personal data of the invitee."""
    subject, lines = _UNDELIVERED_LINES[str(p["state"])]
    page = "staff" if p["account_kind"] == "staff" else "clients"
    link = portal_url(settings, p["org_slug"], f"{page}/{quote(p['account_id'], safe='')}")
    text_hi, html_hi = _greeting(p)
    return RenderedEmail(
        subject=subject,
        text=f"{text_hi}\n\n" + " ".join(lines) + f"\n\nOpen the record: {link}",
        html=_html([html_hi, *(escape(line) for line in lines)], (link, "Open the record")),
    )


TEMPLATES: dict[str, Callable[[Settings, dict[str, Any]], RenderedEmail]] = {
    "invitation_undelivered": invitation_undelivered,
    "email_confirmation": email_confirmation,
    "invitation": invitation,
    "staff_invitation": staff_invitation,
    "get_started": get_started,
    "awaiting_approval": awaiting_approval,
    "registration_attempt": registration_attempt,
    "pending_approval_reminder": pending_approval_reminder,
    "password_reset": password_reset,
    "contact_practice": contact_practice,
    "password_changed": password_changed,
    "mfa_reset": mfa_reset,
    "email_change": email_change,
    "email_changed": email_changed,
    "practitioner_new_client": _staff_notice(
        "A new client chose you",
        ["A new client registered, confirmed their email and chose you as practitioner."],
    ),
    "org_admin_assign_needed": _staff_notice(
        "A new client needs a practitioner",
        [
            "A new client registered and was not sure which practitioner to choose.",
            "Please review the record and assign a practitioner so the client can connect in "
            "the Care App.",
        ],
    ),
    "org_admin_approval_needed": _staff_notice(
        "A new client account awaits approval",
        [
            "A new client registered and confirmed their email.",
            "Your organization approves registrations by hand: please review and approve it.",
        ],
    ),
}


def render(settings: Settings, template: str, params: dict[str, Any]) -> RenderedEmail:
    return TEMPLATES[template](settings, params)
