"""GET /me (who the caller is) and GET /me/connections (the Care App's list)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.associations import care_app_connections
from clientaccounts.auth import caller_profile
from clientaccounts.http import create_api, request_caller
from clientaccounts.observability import logger

app = create_api()


@app.get("/me")
def me() -> dict[str, object]:
    return caller_profile(request_caller(app))


@app.get("/me/connections")
def connections() -> dict[str, Any]:
    """The Care App's list."""
    return care_app_connections(request_caller(app))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
