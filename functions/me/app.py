"""GET /me (who the caller is) and GET /me/connections (the Care App's list)."""

from typing import Any

from clientaccounts.associations import care_app_connections
from clientaccounts.auth import caller_profile
from clientaccounts.http import Request, create_api, request_caller
from clientaccounts.observability import LambdaContext, logger

app = create_api()


@app.get("/me")
def me(request: Request) -> dict[str, object]:
    return caller_profile(request_caller(request))


@app.get("/me/connections")
def connections(request: Request) -> dict[str, Any]:
    """The Care App's list."""
    return care_app_connections(request_caller(request))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
