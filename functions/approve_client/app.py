"""POST /clients/{client_id}/approve: a pending client becomes active (R16)."""

from typing import Any

from clientaccounts.answers import ClientView
from clientaccounts.auth import Caller
from clientaccounts.clients import approve_pending_client
from clientaccounts.http import create_api
from clientaccounts.observability import LambdaContext, logger

app = create_api()


@app.post("/clients/{client_id}/approve", answer=ClientView)
def approve(caller: Caller, client_id: str) -> ClientView:
    return approve_pending_client(caller, client_id)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
