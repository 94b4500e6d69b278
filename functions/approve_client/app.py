"""POST /clients/{client_id}/approve: a pending client becomes active (R16)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clientaccounts.clients import approve_pending_client
from clientaccounts.http import create_api, request_caller
from clientaccounts.observability import logger

app = create_api()


@app.post("/clients/<client_id>/approve")
def approve(client_id: str) -> dict[str, Any]:
    return approve_pending_client(request_caller(app), client_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
