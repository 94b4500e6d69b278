"""POST /clients/{client_id}/approve: a pending client becomes active (R16)."""

from typing import Any

from clientaccounts.clients import approve_pending_client
from clientaccounts.http import Request, create_api, request_caller
from clientaccounts.observability import LambdaContext, logger

app = create_api()


@app.post("/clients/{client_id}/approve")
def approve(request: Request, client_id: str) -> dict[str, Any]:
    return approve_pending_client(request_caller(request), client_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
