"""The one error hierarchy. Use cases raise these; `http.py` maps them to HTTP in one place."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class InvalidInput(DomainError):
    """A field's value breaks a rule the schema cannot express (a future date of birth)."""

    status = 422
    code = "validation_failed"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    status = 410
    code = "link_gone"


class Throttled(DomainError):
    status = 429
    code = "throttled"


class ServiceUnavailable(DomainError):
    """A dependency (Cognito, DynamoDB) failed; nothing was changed and the caller may retry."""

    status = 503
    code = "service_unavailable"
