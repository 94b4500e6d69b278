"""Logging without personal data: log ids and outcomes, never names, emails, DOB or tokens."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="client-accounts")
