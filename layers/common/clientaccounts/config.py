"""The one settings object, read from the environment once per cold start."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Tables:
    organizations: str
    departments: str
    staff: str
    clients: str
    associations: str
    guards: str
    links: str
    outbox: str
    audit: str
    cursors: str
    access_log: str


@dataclass(frozen=True)
class Settings:
    region: str
    tables: Tables
    user_pool_id: str
    # Name of the SSM parameter holding {"portal": id, "care_app": id}; resolves the
    # pool -> trigger -> app client -> pool cycle (docs/decisions.md).
    app_clients_parameter: str
    sender_address: str
    portal_base_url: str
    care_app_url: str
    # The portal's scheme://host: browsers read answers only when they name it (CORS).
    portal_origin: str = ""
    confirmation_link_hours: int = 24
    invitation_link_hours: int = 72
    password_reset_link_hours: int = 1  # R23
    email_change_link_hours: int = 24  # R24
    unconfirmed_retention_days: int = 7
    pending_reminder_days: int = 3
    # The cleanup's pause between Cognito deletions (admin API quotas are per account).
    cognito_delete_pause_seconds: float = 0.2
    # R28: a public route emails one address at most once per cool-down (per organization)
    # and at most this many times a day (all organizations together).
    resend_cooldown_seconds: int = 60
    public_emails_per_address_per_day: int = 5
    # CloudWatch namespace of the business metrics (observability.count).
    metrics_namespace: str = "ClientAccounts"
    # R31: the SES configuration set every email is sent with (TLS required, and the bounce,
    # complaint and delivery events it publishes); empty: none (a stack before R31).
    email_configuration_set: str = ""
    # Set only by the local stack; deployed functions talk to AWS.
    aws_endpoint_url: str | None = None


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise RuntimeError(f"missing configuration: environment variable {name}")
    return value


def load_settings() -> Settings:
    return Settings(
        region=_env("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1")),
        tables=Tables(
            organizations=_env("ORGANIZATIONS_TABLE", "Organizations"),
            departments=_env("DEPARTMENTS_TABLE", "Departments"),
            staff=_env("STAFF_TABLE", "Staff"),
            clients=_env("CLIENTS_TABLE", "Clients"),
            associations=_env("ASSOCIATIONS_TABLE", "Associations"),
            guards=_env("GUARDS_TABLE", "Guards"),
            links=_env("LINKS_TABLE", "Links"),
            outbox=_env("OUTBOX_TABLE", "Outbox"),
            audit=_env("AUDIT_TABLE", "Audit"),
            cursors=_env("CURSORS_TABLE", "Cursors"),
            access_log=_env("ACCESS_LOG_TABLE", "AccessLog"),
        ),
        user_pool_id=os.environ.get("USER_POOL_ID", ""),
        app_clients_parameter=os.environ.get("APP_CLIENTS_PARAMETER", ""),
        sender_address=os.environ.get("SENDER_ADDRESS", "no-reply@example.org"),
        portal_base_url=os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:3000").rstrip("/"),
        care_app_url=os.environ.get("CARE_APP_URL", "https://care-app.example.org").rstrip("/"),
        portal_origin=os.environ.get("PORTAL_ORIGIN", ""),
        confirmation_link_hours=int(os.environ.get("CONFIRMATION_LINK_HOURS", "24")),
        invitation_link_hours=int(os.environ.get("INVITATION_LINK_HOURS", "72")),
        password_reset_link_hours=int(os.environ.get("PASSWORD_RESET_LINK_HOURS", "1")),
        email_change_link_hours=int(os.environ.get("EMAIL_CHANGE_LINK_HOURS", "24")),
        unconfirmed_retention_days=int(os.environ.get("UNCONFIRMED_RETENTION_DAYS", "7")),
        pending_reminder_days=int(os.environ.get("PENDING_REMINDER_DAYS", "3")),
        cognito_delete_pause_seconds=float(os.environ.get("COGNITO_DELETE_PAUSE_SECONDS", "0.2")),
        resend_cooldown_seconds=int(os.environ.get("RESEND_COOLDOWN_SECONDS", "60")),
        public_emails_per_address_per_day=int(
            os.environ.get("PUBLIC_EMAILS_PER_ADDRESS_PER_DAY", "5")
        ),
        metrics_namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "ClientAccounts",
        email_configuration_set=os.environ.get("EMAIL_CONFIGURATION_SET", ""),
        aws_endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
