"""Cognito logins, through the admin API (Cognito never sends its own emails here).

A login carries three immutable custom attributes naming its account, so the
pre-authentication trigger finds the account with one GetItem.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from .aws import client
from .config import get_settings
from .errors import Conflict, InvalidInput, ServiceUnavailable
from .observability import logger
from .text import canonical_username

ORG_ATTRIBUTE = "custom:org_id"
KIND_ATTRIBUTE = "custom:account_kind"
ACCOUNT_ATTRIBUTE = "custom:account_id"


def normalize_username(username: str) -> str:
    """Usernames are case-insensitive (the pool says so too); one spelling is stored (R27:
    text.canonical_username, the one definition)."""
    return canonical_username(username)


def _error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


def create_login(
    *, username: str, password: str, org_id: str, account_kind: str, account_id: str
) -> bool:
    """Create a confirmed login with a permanent password, or raise and leave none behind that
    this call made. True when this call created the login; False when the login already
    existed for this very account (a retry after a timeout, or a request that died before
    finishing) and was taken over: an undo must then leave it alone."""
    cognito = client("cognito-idp")
    pool = get_settings().user_pool_id
    username = normalize_username(username)
    created = True
    try:
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": ORG_ATTRIBUTE, "Value": org_id},
                {"Name": KIND_ATTRIBUTE, "Value": account_kind},
                {"Name": ACCOUNT_ATTRIBUTE, "Value": account_id},
            ],
        )
    except (ClientError, BotoCoreError) as exc:
        code = _error_code(exc)
        if code == "UsernameExistsException" and _login_account_id(username) == account_id:
            created = False  # this account's own login, made by an earlier attempt
        elif code == "UsernameExistsException":
            raise Conflict(
                "This username is taken; please choose another.",
                code="username_taken",
                field="username",
            ) from exc
        elif code == "InvalidParameterException":
            raise InvalidInput("This username cannot be used.", field="username") from exc
        else:
            logger.warning("cognito create_user failed", extra={"error_code": code})
            raise ServiceUnavailable(
                "Sign-up is temporarily unavailable; please try again."
            ) from exc
    try:
        cognito.admin_set_user_password(
            UserPoolId=pool, Username=username, Password=password, Permanent=True
        )
    except (ClientError, BotoCoreError) as exc:
        if created:
            delete_login(username)
        if _error_code(exc) == "InvalidPasswordException":
            raise InvalidInput("This password is too weak.", field="password") from exc
        logger.warning("cognito set_password failed", extra={"error_code": _error_code(exc)})
        raise ServiceUnavailable("Sign-up is temporarily unavailable; please try again.") from exc
    return created


def _login_account_id(username: str) -> str | None:
    try:
        user = client("cognito-idp").admin_get_user(
            UserPoolId=get_settings().user_pool_id, Username=username
        )
    except (ClientError, BotoCoreError):
        return None
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    return attributes.get(ACCOUNT_ATTRIBUTE)


def delete_login(username: str) -> bool:
    """Remove a login; True when it is gone (or never was). Failures are logged, not raised:
    callers use this to undo, and must still report their own error."""
    try:
        client("cognito-idp").admin_delete_user(
            UserPoolId=get_settings().user_pool_id, Username=normalize_username(username)
        )
    except (ClientError, BotoCoreError) as exc:
        if _error_code(exc) == "UserNotFoundException":
            return True
        logger.error(
            "cognito delete_user failed: a login without an account may remain",
            extra={"error_code": _error_code(exc)},
        )
        return False
    return True


def sign_out_everywhere(username: str) -> None:
    """R15: revoke every refresh token of the login, so no new ID token can be minted."""
    try:
        client("cognito-idp").admin_user_global_sign_out(
            UserPoolId=get_settings().user_pool_id, Username=normalize_username(username)
        )
    except (ClientError, BotoCoreError) as exc:
        if _error_code(exc) == "UserNotFoundException":
            return
        logger.warning("cognito global sign-out failed", extra={"error_code": _error_code(exc)})
        raise ServiceUnavailable("Sessions could not be ended now; please try again.") from exc


def set_password(username: str, password: str) -> None:
    """R23: a new permanent password, chosen on a reset link (never by anyone else)."""
    try:
        client("cognito-idp").admin_set_user_password(
            UserPoolId=get_settings().user_pool_id,
            Username=normalize_username(username),
            Password=password,
            Permanent=True,
        )
    except (ClientError, BotoCoreError) as exc:
        if _error_code(exc) == "InvalidPasswordException":
            raise InvalidInput("This password is too weak.", field="password") from exc
        logger.warning("cognito set_password failed", extra={"error_code": _error_code(exc)})
        raise ServiceUnavailable("The password could not be set now; please try again.") from exc


# --- R30: a second factor (TOTP), enrolled by the user with Cognito ----------------------

# A Cognito MFA type, not a secret.
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"  # noqa: S105  # nosec B105


class SoftwareTokenNotVerified(Exception):
    """The login has no verified software token (VerifySoftwareToken was not called, or not
    with a right code)."""


def enable_software_token_mfa(username: str) -> None:
    """Enable and prefer the login's verified TOTP token, so that every sign-in from now on
    gets the `SOFTWARE_TOKEN_MFA` challenge; then read it back from Cognito. Cognito refuses
    to enable a token that was never verified: that refusal is the check that the user did
    verify a code from their authenticator app."""
    cognito = client("cognito-idp")
    pool = get_settings().user_pool_id
    username = normalize_username(username)
    try:
        cognito.admin_set_user_mfa_preference(
            UserPoolId=pool,
            Username=username,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
        user = cognito.admin_get_user(UserPoolId=pool, Username=username)
    except (ClientError, BotoCoreError) as exc:
        # No verified token; or no login at all (deleted meanwhile): nothing to enable.
        if _error_code(exc) in ("InvalidParameterException", "UserNotFoundException"):
            raise SoftwareTokenNotVerified from exc
        logger.warning("cognito mfa preference failed", extra={"error_code": _error_code(exc)})
        raise ServiceUnavailable("The second factor could not be enabled now; try again.") from exc
    if SOFTWARE_TOKEN_MFA not in (user.get("UserMFASettingList") or []):
        raise SoftwareTokenNotVerified


def disable_software_token_mfa(username: str) -> None:
    """An org_admin's reset (R30): sign-in asks for the password alone until the user
    enrols again. Cognito has no call that removes the verified token itself; the portal's
    enrolment starts with AssociateSoftwareToken, whose new secret replaces it."""
    try:
        client("cognito-idp").admin_set_user_mfa_preference(
            UserPoolId=get_settings().user_pool_id,
            Username=normalize_username(username),
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        )
    except (ClientError, BotoCoreError) as exc:
        if _error_code(exc) == "UserNotFoundException":
            return
        logger.warning("cognito mfa preference failed", extra={"error_code": _error_code(exc)})
        raise ServiceUnavailable("The second factor could not be reset now; try again.") from exc
